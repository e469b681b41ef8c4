{#- One row per victim care hub referral (current delivery of each hub's month), borough from the
    hub's file; victim_key is the person linkage's (int_linkage__victim_keys), link_method how the
    referral was tied to a police victim ('crime_ref', 'probabilistic' or 'none'). -#}
with referrals as (
    select * from {{ ref('stg_council_hub') }}
),

deadlines as (
    select * from {{ ref('int_working_day_deadlines') }}
),

boroughs as (
    select * from {{ ref('dim_borough') }}
),

final as (
    select
        -- ids
        referrals.borough_code,
        referrals.referral_id,
        referrals.police_reference,
        persons.victim_key,
        {{ police_link_method('persons') }} as link_method,
        referrals.file_id,
        referrals.source_row_number,

        -- when and where
        referrals.date_received,
        referrals.received_month,
        boroughs.bcu_name,

        -- referral
        referrals.referral_source,
        referrals.crime_reported,

        -- needs assessment within 5 working days of receipt; an assessment dated before receipt
        -- was nulled at validation, so it counts as not assessed in time
        referrals.needs_assessment_date,
        coalesce(referrals.needs_assessment_date <= deadlines.deadline_5wd, false) as assessed_within_5wd,

        -- triage
        referrals.triage_outcome,
        referrals.rj_referral_date,
        referrals.case_closed_date,

        -- victim (coarse, non-identifying)
        referrals.age_band,
        referrals.postcode_district

    from referrals
    left join {{ ref('int_linkage__victim_keys') }} as persons
        on persons.record_id = 'council_hub:' || referrals.borough_code || '|' || referrals.referral_id
    left join deadlines on deadlines.start_date = referrals.date_received
    left join boroughs on boroughs.borough_code = referrals.borough_code
)

select * from final
