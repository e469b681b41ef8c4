{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='crime_ref',
        on_schema_change='fail',
        post_hook="{{ forget_withdrawn_deliveries() }}"
    )
}}
{#- The victim journey: every police victim with the Victims' Code measures (int_victim_crime__police)
    and what happened to the crime since: its current outcome and a linked RJ case. Both can arrive
    for a crime of any earlier month, so a build works out again every crime whose victims came in a
    newer delivery or were withdrawn (macros/incremental_by_delivery.sql), and every crime whose
    current outcome or RJ case is no longer what this table holds (a narrow comparison over every
    crime, far cheaper than rewriting every victim's row). -#}
-- depends_on: {{ ref('stg_ops__file_registry') }}
with current_outcomes as (
    select * from {{ ref('int_police_outcomes__current') }}
),

rj_cases_per_crime as (
    -- One case for the crime when several are linked to it: the lowest case id, so a rerun gives the same
    select crime_ref, min(rj_case_id) as rj_case_id
    from {{ ref('int_rj_case_crime_links') }}
    group by crime_ref
),

{% if is_incremental() %}
crimes_to_rebuild as (
    {{ keys_touched_since_last_build('crime_ref', ref('int_victim_crime__police')) }}
    union
    select previous.crime_ref
    from {{ this }} as previous
    left join current_outcomes on current_outcomes.crime_ref = previous.crime_ref
    left join rj_cases_per_crime on rj_cases_per_crime.crime_ref = previous.crime_ref
    where previous.current_outcome_code is distinct from current_outcomes.outcome_code
       or previous.current_outcome_date is distinct from current_outcomes.outcome_date
       or previous.rj_case_id is distinct from rj_cases_per_crime.rj_case_id
),
{% endif %}

victims as (
    select * from {{ ref('int_victim_crime__police') }}
    {% if is_incremental() %}
    where crime_ref in (select crime_ref from crimes_to_rebuild)
    {% endif %}
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
