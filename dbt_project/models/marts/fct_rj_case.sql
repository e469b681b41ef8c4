{#- Restore: London RJ cases in their latest state (the newest snapshot holding each case), with the
    funnel stages and the police crime and victim each is linked to. The borough is the case's own
    (the victim's, as the RJ service records it). -#}
with cases as (
    select * from {{ ref('int_rj_cases__current') }}
),

deadlines as (
    select * from {{ ref('int_working_day_deadlines') }}
),

-- A case's link to a police crime: by its own crime_ref first, else by its URN
case_links as (
    select
        rj_case_id,
        arg_min(crime_ref, link_method <> 'crime_ref') as linked_crime_ref,
        min(link_method) as link_method
    from {{ ref('int_rj_case_crime_links') }}
    group by rj_case_id
),

-- The police victim of a linked crime, where the crime has exactly one: with several victims, which
-- one took part is for the person linkage to tell, not a guess here
crime_victims as (
    select crime_ref, any_value(victim_key) as victim_key
    from {{ ref('int_victim_crime__police') }}
    group by crime_ref
    having count(distinct victim_key) = 1
),

final as (
    select
        -- ids
        cases.rj_case_id,
        cases.crime_ref,
        cases.urn,
        case_links.linked_crime_ref,
        coalesce(case_links.link_method, 'none') as link_method,
        crime_victims.victim_key,

        -- referral
        cases.referral_date,
        date_trunc('month', cases.referral_date)::date as referral_month,
        cases.borough_code,
        boroughs.bcu_name,
        cases.referral_source,
        cases.cjs_stage,

        -- contact: within 5 working days of referral
        cases.first_contact_date,
        cases.first_contact_date is not null as contacted,
        date_diff('day', cases.referral_date, cases.first_contact_date) as days_to_first_contact,
        coalesce(cases.first_contact_date <= deadlines.deadline_5wd, false) as contacted_within_5wd,

        -- assessment and consent
        cases.assessment_date,
        cases.assessment_outcome,
        cases.assessment_outcome is not null as assessed,
        cases.assessment_outcome = 'Suitable' as suitable,
        cases.victim_consent,
        coalesce(cases.victim_consent = 'Yes', false) as victim_consented,
        cases.offender_consent,

        -- intervention and closure
        cases.intervention_date,
        cases.intervention_date is not null as delivered,
        cases.intervention_type,
        cases.case_status,
        cases.closure_date,
        cases.closure_reason,
        coalesce(cases.closure_reason = 'Completed', false) as completed,
        cases.victim_satisfaction,
        cases.victim_satisfaction >= 4 as victim_satisfied,

        cases.valid_from as state_as_at

    from cases
    left join case_links on case_links.rj_case_id = cases.rj_case_id
    left join crime_victims on crime_victims.crime_ref = case_links.linked_crime_ref
    left join {{ ref('dim_borough') }} as boroughs on boroughs.borough_code = cases.borough_code
    left join deadlines on deadlines.start_date = cases.referral_date
)

select * from final
