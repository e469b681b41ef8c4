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

reporting_months as (
    select period_month from {{ ref('int_reporting_months') }}
),

-- Charged crimes by outcome month, including charges of crimes outside the loaded police months
-- (London only: their borough is unknown)
charges as (
    select
        outcomes.outcome_month as period_month,
        crime_boroughs.borough_code,
        boroughs.bcu_name,
        coalesce(outcomes.vps_offered, false) as vps_offered
    from {{ ref('int_police_outcomes__current') }} as outcomes
    left join {{ ref('int_crime_boroughs') }} as crime_boroughs on crime_boroughs.crime_ref = outcomes.crime_ref
    left join {{ ref('dim_borough') }} as boroughs on boroughs.borough_code = crime_boroughs.borough_code
    where outcomes.outcome_code = 1
      and outcomes.outcome_month in (select period_month from reporting_months)
),

vcs_cases as (
    select * from {{ ref('fct_vcs_case') }}
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

vc_vps_offered as (
    {{ rate_metric('VC_VPS_OFFERED', '(select *, vps_offered as meets from charges)') }}
),

vc_vcs_referral as (
    {{ rate_metric('VC_VCS_REFERRAL',
                   '(select sentence_month as period_month, borough_code, bcu_name, referred_on_time as meets
                     from vcs_cases
                     where eligible and sentence_month in (select period_month from reporting_months))') }}
),

-- Every referred case, eligible or not: once referred, the victim is owed contact
vc_vlo_contact as (
    {{ rate_metric('VC_VLO_CONTACT',
                   '(select referral_month as period_month, borough_code, bcu_name, vlo_contact_on_time as meets
                     from vcs_cases
                     where referral_date is not null and referral_month in (select period_month from reporting_months))') }}
),

vc_release_notice as (
    {{ rate_metric('VC_RELEASE_NOTICE',
                   '(select release_month as period_month, borough_code, bcu_name, notified_before_release as meets
                     from vcs_cases
                     where notified_before_release is not null
                       and release_month in (select period_month from reporting_months))') }}
)

select * from vc_rj_info
union all select * from vc_support_referral
union all select * from vc_needs_assessed
union all select * from vc_vps_offered
union all select * from vc_vcs_referral
union all select * from vc_vlo_contact
union all select * from vc_release_notice
