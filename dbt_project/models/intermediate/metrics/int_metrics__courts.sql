{#- Court metrics (metrics.md, Courts) as metric rows, per hearing month: courts have no borough,
    so each metric is for London, as a headline and per court_type. -#}
{%- set london_by_court_type = {'geographies': ['london'], 'breakdown': 'court_type'} -%}
with trials as (
    select
        hearing_month as period_month,
        court_type,
        trial_outcome,
        counts_as_trial,
        witness_related,
        victim_attended
    from {{ ref('fct_trial') }}
),

ct_trials as (
    {{ count_metric('CT_TRIALS', '(select * from trials where counts_as_trial)', **london_by_court_type) }}
),

ct_ineffective as (
    {{ rate_metric('CT_INEFFECTIVE',
                   "(select *, trial_outcome = 'Ineffective' as meets from trials where counts_as_trial)",
                   **london_by_court_type) }}
),

ct_ineffective_witness as (
    {{ rate_metric('CT_INEFFECTIVE_WITNESS',
                   "(select *, witness_related as meets from trials where trial_outcome = 'Ineffective')",
                   **london_by_court_type) }}
),

ct_cracked_witness as (
    {{ rate_metric('CT_CRACKED_WITNESS',
                   "(select *, witness_related as meets from trials where trial_outcome = 'Cracked')",
                   **london_by_court_type) }}
),

ct_victim_attended as (
    {{ rate_metric('CT_VICTIM_ATTENDED',
                   "(select *, victim_attended = 'Y' as meets from trials
                     where counts_as_trial and victim_attended in ('Y', 'N'))",
                   **london_by_court_type) }}
)

select * from ct_trials
union all select * from ct_ineffective
union all select * from ct_ineffective_witness
union all select * from ct_cracked_witness
union all select * from ct_victim_attended
