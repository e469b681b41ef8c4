{#- Each crime's current outcome (metrics.md, Outcomes for victims): its latest outcome row by
    outcome_date, then the later delivery. Recomputed in full every build: it is one row per crime
    with an outcome, and an outcome for a crime of any month can arrive in any delivery. -#}
select * exclude (outcome_rank)
from (
    select
        *,
        row_number() over (
            partition by crime_ref order by outcome_date desc, file_id desc, source_row_number desc
        ) as outcome_rank
    from {{ ref('stg_police_outcomes') }}
)
where outcome_rank = 1
