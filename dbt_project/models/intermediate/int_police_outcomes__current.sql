{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='crime_ref',
        on_schema_change='fail',
        post_hook="{{ forget_withdrawn_deliveries() }}"
    )
}}
{#- Each crime's current outcome (metrics.md, Outcomes for victims): its latest outcome row by
    outcome_date, then the later delivery. An outcome for a crime of any month can arrive in any
    delivery, so a build works out again the crimes with outcome rows in a newer delivery, or whose
    current row's delivery was withdrawn (macros/incremental_by_delivery.sql). -#}
-- depends_on: {{ ref('stg_ops__file_registry') }}
with outcomes as (
    select * from {{ ref('stg_police_outcomes') }}
    {% if is_incremental() %}
    where crime_ref in ({{ keys_touched_since_last_build('crime_ref', ref('stg_police_outcomes')) }})
    {% endif %}
)

select * exclude (outcome_rank)
from (
    select
        *,
        row_number() over (
            partition by crime_ref order by outcome_date desc, file_id desc, source_row_number desc
        ) as outcome_rank
    from outcomes
)
where outcome_rank = 1
