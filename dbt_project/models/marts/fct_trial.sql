{#- One row per trial hearing (hearing_type Trial) of the current delivery of each hearing month,
    classified as metrics.md's Courts section counts it. Courts have no borough: the court metrics
    are for London, per court_type. -#}
with trials as (
    select * from {{ ref('stg_court_hearings') }}
    where hearing_type = 'Trial'
),

final as (
    select
        -- ids
        hearing_id,
        urn,
        file_id,
        source_row_number,

        -- hearing
        hearing_date,
        hearing_month,
        court_name,
        court_type,

        -- outcome: a Vacated trial was taken out of the list before the day, so it is no trial
        trial_outcome,
        trial_outcome in ('Effective', 'Cracked', 'Ineffective') as counts_as_trial,
        outcome_reason,
        coalesce(outcome_reason in ('Prosecution witness absent', 'Prosecution witness withdrew',
                                    'Victim absent', 'Victim withdrew'), false) as witness_related,

        -- victim
        victim_attended,

        -- result
        verdict,
        sentence_type,
        custodial_months

    from trials
)

select * from final
