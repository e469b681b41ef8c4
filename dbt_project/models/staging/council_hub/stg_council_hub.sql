{#- Victim care hub referrals from the current delivery of each hub's month (the borough comes from
    the workbook's file name, so each hub's files replace only their own month). The victim's
    personal data arrives as keyed tokens (for linkage), never in clear. -#}
with source as (
    {{ delivered_rows('council_hub') }}
),

renamed as (
    select
        -- ids
        borough_code,
        referral_id,
        police_reference,
        file_id,
        source_row_number,

        -- referral
        received_date as date_received,
        date_trunc('month', received_date)::date as received_month,
        referral_source,
        crime_reported,

        -- hub's work
        needs_assessment_date,
        triage_outcome,
        rj_referral_date,
        case_closed_date,

        -- victim (tokens and coarse attributes only)
        first_name_token,
        first_name_initial_token,
        surname_token,
        surname_soundex_token,
        date_of_birth_token,
        date_of_birth_unordered_day_month_token,
        date_of_birth_birth_year as birth_year,
        date_of_birth_age_band as age_band,
        postcode_token,
        postcode_district

    from source
)

select * from renamed
