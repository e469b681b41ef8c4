{#- The current delivery of each month only: a later version (_v2, ...) replaces its month, and
    ops.file_registry marks exactly one delivery per month as 'loaded'. -#}
with source as (
    select * from {{ source('raw', 'police_crimes') }}
),

current_deliveries as (
    select file_id from {{ ref('stg_ops__file_registry') }}
    where feed = 'police_crimes' and status = 'loaded'
),

renamed as (
    select
        -- ids
        crime_ref,
        victim_ref_token as victim_key,
        _file_id as file_id,
        _row_number as source_row_number,

        -- dates
        report_date,
        date_trunc('month', report_date)::date as report_month,
        offence_date,
        needs_assessment_date,
        support_referral_date,
        rj_info_date,

        -- place
        borough_code,
        lsoa21_code,

        -- offence
        offence_group,
        offence_subgroup,
        hate_crime,
        domestic_abuse,

        -- victim (coarse, non-identifying)
        enhanced_rights,
        victim_age_band as age_band,
        victim_gender as gender,
        victim_ethnicity as ethnicity_code,
        case
            when victim_ethnicity like 'W%' then 'White'
            when victim_ethnicity like 'M%' then 'Mixed'
            when victim_ethnicity like 'A%' then 'Asian'
            when victim_ethnicity like 'B%' then 'Black'
            when victim_ethnicity in ('O1', 'O9') then 'Other'
            else 'Not stated'
        end as ethnicity_group,
        victim_postcode_district as postcode_district,
        victim_birth_year as birth_year,

        -- victim tokens (keyed, for linkage only; never published)
        victim_forename_token,
        victim_forename_initial_token,
        victim_surname_token,
        victim_surname_soundex_token,
        victim_dob_token,
        victim_dob_unordered_day_month_token,
        victim_postcode_token,

        -- Victims' Code
        support_consent

    from source
    where _file_id in (select file_id from current_deliveries)
)

select * from renamed
