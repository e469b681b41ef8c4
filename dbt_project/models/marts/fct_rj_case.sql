{#- Restore: London RJ cases in their latest state (the newest snapshot holding each case), with the
    funnel stages, the police crime each names (linked_crime_ref: exact crime_ref or URN links, which
    the linked metrics count) and the person linkage's victim_key. link_method says how the case was
    tied to a police victim: 'crime_ref', 'urn', 'crn' (the offender's VCS case), 'probabilistic'
    (Splink on the victim's tokens) or 'none'. The borough is the case's own (the victim's, as the RJ
    service records it). -#}
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
        arg_min(crime_ref, link_method <> 'crime_ref') as linked_crime_ref
    from {{ ref('int_rj_case_crime_links') }}
    group by rj_case_id
),

final as (
    select
        -- ids
        cases.rj_case_id,
        cases.crime_ref,
        cases.urn,
        case_links.linked_crime_ref,
        {{ police_link_method('persons') }} as link_method,
        persons.victim_key,

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
    -- the person the linkage ties the case's victim to
    left join {{ ref('int_linkage__victim_keys') }} as persons on persons.record_id = 'rj_cases:' || cases.rj_case_id
    left join {{ ref('dim_borough') }} as boroughs on boroughs.borough_code = cases.borough_code
    left join deadlines on deadlines.start_date = cases.referral_date
)

select * from final
