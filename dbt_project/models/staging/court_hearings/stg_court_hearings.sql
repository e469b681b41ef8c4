{#- HMCTS/CPS hearings from the current delivery of each hearing month (a _v2 replaces its month).
    Defendants' personal data arrives as keyed tokens (for linkage), never in clear. raw keeps the
    validated custodial_months as text. -#}
with source as (
    {{ delivered_rows('court_hearings') }}
),

renamed as (
    select
        -- ids
        hearing_id,
        urn,
        file_id,
        source_row_number,

        -- hearing
        hearing_date,
        date_trunc('month', hearing_date)::date as hearing_month,
        court_name,
        court_type,
        hearing_type,

        -- trial
        trial_outcome,
        outcome_reason,
        victim_attended,

        -- result
        verdict,
        sentence_type,
        custodial_months::integer as custodial_months,

        -- defendant (tokens and coarse attributes only)
        defendant_pnc_token,
        defendant_forename_token,
        defendant_forename_initial_token,
        defendant_surname_token,
        defendant_surname_soundex_token,
        defendant_dob_token,
        defendant_dob_unordered_day_month_token,
        defendant_birth_year

    from source
)

select * from renamed
