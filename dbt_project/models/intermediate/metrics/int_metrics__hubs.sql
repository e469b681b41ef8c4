{#- Victim care hub metrics (metrics.md, Victim care hubs) as metric rows, per month received, with
    the borough of the hub's file. -#}
with referrals as (
    select
        received_month as period_month,
        borough_code,
        bcu_name,
        crime_reported,
        assessed_within_5wd,
        triage_outcome
    from {{ ref('fct_hub_referral') }}
),

hub_referrals as (
    {{ count_metric('HUB_REFERRALS', 'referrals') }}
),

hub_unreported_share as (
    {{ rate_metric('HUB_UNREPORTED_SHARE', "(select *, crime_reported = 'No' as meets from referrals)") }}
),

hub_assessed_5wd as (
    {{ rate_metric('HUB_ASSESSED_5WD', '(select *, assessed_within_5wd as meets from referrals)') }}
),

hub_rj_onward as (
    {{ rate_metric('HUB_RJ_ONWARD',
                   "(select *, triage_outcome = 'Referred to restorative justice' as meets from referrals
                     where triage_outcome is not null)") }}
)

select * from hub_referrals
union all select * from hub_unreported_share
union all select * from hub_assessed_5wd
union all select * from hub_rj_onward
