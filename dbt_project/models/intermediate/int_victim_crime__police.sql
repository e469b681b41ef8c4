{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='report_month',
        on_schema_change='fail'
    )
}}
{#- The police part of the victim journey: every police victim with the Victims' Code measures that
    depend on police_crimes alone. Incremental by report month: a build recomputes only the months
    whose current delivery is newer than anything already in the table (a new month, or a _v2
    replacing one). Outcomes and RJ cases arrive for crimes of any earlier month, so they are joined
    in marts.fct_victim_crime, never here. Run `mopac build --full-refresh` after the holiday
    calendar changes. -#}
with victims as (
    select * from {{ ref('stg_police_crimes') }}
    {% if is_incremental() %}
    where report_month in (
        select distinct report_month from {{ ref('stg_police_crimes') }}
        where file_id > (select coalesce(max(file_id), 0) from {{ this }})
    )
    {% endif %}
),

deadlines as (
    select * from {{ ref('int_working_day_deadlines') }}
),

final as (
    select
        -- ids
        victims.victim_key,
        victims.crime_ref,
        victims.file_id,
        victims.source_row_number,

        -- when and where
        victims.report_date,
        victims.report_month,
        victims.borough_code,

        -- offence
        victims.offence_group,
        victims.offence_subgroup,
        victims.hate_crime,
        victims.domestic_abuse,

        -- victim
        victims.enhanced_rights,
        victims.age_band,
        victims.gender,
        victims.ethnicity_group,

        -- Victims' Code: RJ information within 5 working days (1 with enhanced rights)
        victims.rj_info_date,
        case when victims.enhanced_rights then deadlines.deadline_1wd else deadlines.deadline_5wd end
            as rj_info_deadline,
        coalesce(victims.rj_info_date <= rj_info_deadline, false) as rj_info_on_time,

        -- Victims' Code: referral to support within 2 working days of consent being given
        victims.support_consent,
        victims.support_referral_date,
        case when victims.support_consent = 'Y'
            then coalesce(victims.support_referral_date <= deadlines.deadline_2wd, false)
        end as support_referral_on_time,

        -- Victims' Code: needs assessment
        victims.needs_assessment_date,
        victims.needs_assessment_date is not null as needs_assessed

    from victims
    left join deadlines on deadlines.start_date = victims.report_date
)

select * from final
