{#- The victim journey: every police victim with the Victims' Code measures (int_victim_crime__police,
    incremental by report month) and what happened to the crime since: its current outcome and a
    linked RJ case. Both can arrive for a crime of any earlier month, so this join is rebuilt in full
    every build from the current state of each feed, never kept incrementally. -#}
with victims as (
    select * from {{ ref('int_victim_crime__police') }}
),

current_outcomes as (
    select * from {{ ref('int_police_outcomes__current') }}
),

rj_cases_per_crime as (
    -- One case for the crime when several are linked to it: the lowest case id, so a rerun gives the same
    select crime_ref, min(rj_case_id) as rj_case_id
    from {{ ref('int_rj_case_crime_links') }}
    group by crime_ref
),

boroughs as (
    select * from {{ ref('dim_borough') }}
),

final as (
    select
        victims.victim_key,
        victims.crime_ref,
        victims.file_id,
        victims.report_date,
        victims.report_month,
        victims.borough_code,
        boroughs.bcu_name,
        victims.offence_group,
        victims.offence_subgroup,
        victims.hate_crime,
        victims.domestic_abuse,
        victims.enhanced_rights,
        victims.age_band,
        victims.gender,
        victims.ethnicity_group,
        victims.rj_info_date,
        victims.rj_info_deadline,
        victims.rj_info_on_time,
        victims.support_consent,
        victims.support_referral_date,
        victims.support_referral_on_time,
        victims.needs_assessment_date,
        victims.needs_assessed,

        -- outcome
        current_outcomes.outcome_code as current_outcome_code,
        current_outcomes.outcome_date as current_outcome_date,
        current_outcomes.outcome_code = 1 as charged,
        current_outcomes.outcome_code in (14, 16) as victim_not_supporting,

        -- restorative justice
        rj_cases_per_crime.rj_case_id

    from victims
    left join current_outcomes on current_outcomes.crime_ref = victims.crime_ref
    left join rj_cases_per_crime on rj_cases_per_crime.crime_ref = victims.crime_ref
    left join boroughs on boroughs.borough_code = victims.borough_code
)

select * from final
