{#- Every published metric (metrics.md) as rows of numerator, denominator, value and a 95% Wilson
    interval, per month and geography. One CTE per metric, each shaped by the rate_metric macro. -#}
with victims as (
    select
        report_month as period_month,
        borough_code,
        bcu_name,
        rj_info_on_time,
        support_consent,
        support_referral_on_time,
        needs_assessed
    from {{ ref('fct_victim_crime') }}
),

vc_rj_info as (
    {{ rate_metric('VC_RJ_INFO', '(select *, rj_info_on_time as meets from victims)') }}
),

vc_support_referral as (
    {{ rate_metric('VC_SUPPORT_REFERRAL',
                   "(select *, support_referral_on_time as meets from victims where support_consent = 'Y')") }}
),

vc_needs_assessed as (
    {{ rate_metric('VC_NEEDS_ASSESSED', '(select *, needs_assessed as meets from victims)') }}
),

all_metrics as (
    select * from vc_rj_info
    union all select * from vc_support_referral
    union all select * from vc_needs_assessed
)

select
    metric_id,
    period_month,
    geography_level,
    borough_code,
    bcu_name,
    breakdown,
    breakdown_value,
    numerator,
    denominator,
    numerator / denominator::double as value,
    {{ wilson_bound('numerator', 'denominator', '-') }} as ci_lower,
    {{ wilson_bound('numerator', 'denominator', '+') }} as ci_upper
from all_metrics
