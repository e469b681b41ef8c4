{#- Victim Contact Scheme cases in their latest state, with the Victims' Code time limits. A case
    takes its borough from the police crime its URN was charged on, where there is one; victim_key
    and link_method come from the person linkage. -#}
with cases as (
    select * from {{ ref('int_probation_vcs__current') }}
),

deadlines as (
    select * from {{ ref('int_working_day_deadlines') }}
),

final as (
    select
        cases.vcs_case_id,
        urn_crimes.crime_ref,
        persons.victim_key,
        {{ police_link_method('persons') }} as link_method,
        crime_boroughs.borough_code,
        boroughs.bcu_name,
        cases.offence_group,

        -- sentence and referral: eligible cases are referred within 10 working days of sentence
        cases.sentence_date,
        date_trunc('month', cases.sentence_date)::date as sentence_month,
        cases.sentence_type,
        cases.sentence_custodial_months,
        cases.eligible,
        cases.referral_date,
        date_trunc('month', cases.referral_date)::date as referral_month,
        case when cases.eligible
            then coalesce(cases.referral_date <= sentence_deadlines.deadline_10wd, false)
        end as referred_on_time,

        -- Victim Liaison Officer contact within 20 working days of a referral
        cases.vlo_first_contact_date,
        case when cases.referral_date is not null
            then coalesce(cases.vlo_first_contact_date <= referral_deadlines.deadline_20wd, false)
        end as vlo_contact_on_time,

        -- release: an opted-in victim is told before the offender is released
        cases.victim_opted_in,
        cases.release_expected_date,
        cases.release_actual_date,
        date_trunc('month', cases.release_actual_date)::date as release_month,
        cases.release_notification_date,
        case when cases.victim_opted_in and cases.release_actual_date is not null
            then coalesce(cases.release_notification_date < cases.release_actual_date, false)
        end as notified_before_release,

        cases.valid_from as state_as_at

    from cases
    left join {{ ref('int_linkage__victim_keys') }} as persons on persons.record_id = 'probation_vcs:' || cases.vcs_case_id
    left join {{ ref('int_urn_crimes') }} as urn_crimes on urn_crimes.urn = cases.urn
    left join {{ ref('int_crime_boroughs') }} as crime_boroughs on crime_boroughs.crime_ref = urn_crimes.crime_ref
    left join {{ ref('dim_borough') }} as boroughs on boroughs.borough_code = crime_boroughs.borough_code
    left join deadlines as sentence_deadlines on sentence_deadlines.start_date = cases.sentence_date
    left join deadlines as referral_deadlines on referral_deadlines.start_date = cases.referral_date
)

select * from final
