{#- Victims' Code compliance metrics (metrics.md) as metric rows: one CTE per metric, each shaped by
    a shared macro; marts.metric_values adds value and interval. -#}
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
)

select * from vc_rj_info
union all select * from vc_support_referral
union all select * from vc_needs_assessed
