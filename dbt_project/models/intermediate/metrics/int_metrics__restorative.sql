{#- Access to restorative justice (metrics.md) as metric rows: RJ cases in their latest state by
    referral month and the case's own borough; RJ_INFO_TO_REFERRAL by the police victim's report
    month and borough. Referral months before the warehouse's reporting months (cases from years
    back, still in the snapshot) are left out. -#}
with cases as (
    select
        referral_month as period_month,
        borough_code,
        bcu_name,
        contacted,
        days_to_first_contact,
        contacted_within_5wd,
        assessment_outcome,
        suitable,
        victim_consented,
        delivered,
        intervention_type,
        case_status,
        completed,
        victim_satisfaction,
        victim_satisfied
    from {{ ref('fct_rj_case') }}
    where referral_month in (select period_month from {{ ref('int_reporting_months') }})
),

victims as (
    select report_month as period_month, borough_code, bcu_name, rj_info_date, rj_case_id
    from {{ ref('fct_victim_crime') }}
),

rj_referrals as (
    {{ count_metric('RJ_REFERRALS', 'cases') }}
),

-- Referrals x 1000 per police victim of the same month and geography: two populations, each
-- counted per geography before dividing; a row wherever there are victims, referrals or not
police_victims as (
    {{ count_metric('RJ_REFERRAL_RATE', 'victims') }}
),

rj_referral_rate as (
    select
        police_victims.* exclude (numerator, denominator),
        coalesce(rj_referrals.numerator, 0) * 1000 as numerator,
        police_victims.numerator as denominator
    from police_victims
    left join rj_referrals
        on rj_referrals.period_month = police_victims.period_month
       and rj_referrals.geography_level = police_victims.geography_level
       and rj_referrals.borough_code is not distinct from police_victims.borough_code
       and rj_referrals.bcu_name is not distinct from police_victims.bcu_name
),

rj_contacted_5wd as (
    {{ rate_metric('RJ_CONTACTED_5WD', '(select *, contacted_within_5wd as meets from cases)') }}
),

rj_days_to_contact_median as (
    {{ median_metric('RJ_DAYS_TO_CONTACT_MEDIAN',
                     '(select *, days_to_first_contact as days from cases where contacted)') }}
),

rj_suitable as (
    {{ rate_metric('RJ_SUITABLE', '(select *, suitable as meets from cases where assessment_outcome is not null)') }}
),

rj_victim_consent as (
    {{ rate_metric('RJ_VICTIM_CONSENT', '(select *, victim_consented as meets from cases where suitable)') }}
),

rj_delivered as (
    {{ rate_metric('RJ_DELIVERED', '(select *, delivered as meets from cases where victim_consented)') }}
),

rj_direct_share as (
    {{ rate_metric('RJ_DIRECT_SHARE',
                   "(select *, coalesce(intervention_type = 'Direct conference', false) as meets from cases where delivered)") }}
),

rj_completed as (
    {{ rate_metric('RJ_COMPLETED', "(select *, completed as meets from cases where case_status = 'Closed')") }}
),

rj_satisfaction as (
    {{ rate_metric('RJ_SATISFACTION', '(select *, victim_satisfied as meets from cases where victim_satisfaction is not null)') }}
),

rj_info_to_referral as (
    {{ rate_metric('RJ_INFO_TO_REFERRAL',
                   '(select *, rj_case_id is not null as meets from victims where rj_info_date is not null)') }}
)

select * from rj_referrals
union all by name select * from rj_referral_rate
union all by name select * from rj_contacted_5wd
union all by name select * from rj_days_to_contact_median
union all by name select * from rj_suitable
union all by name select * from rj_victim_consent
union all by name select * from rj_delivered
union all by name select * from rj_direct_share
union all by name select * from rj_completed
union all by name select * from rj_satisfaction
union all by name select * from rj_info_to_referral
