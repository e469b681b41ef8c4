{#- User Satisfaction Survey responses from the current delivery of each interview month. Answer
    labels arrive in their canonical spelling (ingest matches them case-insensitively); a label
    nulled at validation reads as not asked. raw keeps the validated interview time as text. -#}
with source as (
    {{ delivered_rows('uss_responses') }}
),

renamed as (
    select
        -- ids
        response_id,
        crime_ref,
        victim_ref_token as victim_key,
        file_id,
        source_row_number,

        -- interview
        interview_date::timestamp as interviewed_at,
        date_trunc('month', interview_date::timestamp)::date as interview_month,
        interview_mode,
        sample_crime_type,

        -- answers
        q_ease_of_contact as ease_of_contact_answer,
        q_actions_taken as actions_taken_answer,
        q_kept_informed as kept_informed_answer,
        q_treatment as treatment_answer,
        q_overall as overall_answer,

        -- respondent (coarse, non-identifying)
        respondent_ethnic_group,
        respondent_age_band,
        respondent_disability

    from source
)

select * from renamed
