{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='crime_ref',
        on_schema_change='sync_all_columns',
        post_hook="{{ forget_withdrawn_deliveries() }}"
    )
}}
{#- The borough of every police crime, for feeds that reach a crime by reference (metrics take
    borough and BCU from the linked crime). The victims of one crime share its borough; should they
    not, the first-delivered row decides, as in the synthetic ground truth. A build works out again
    only the crimes with victims in a newer delivery or whose deciding row's delivery was withdrawn
    (macros/incremental_by_delivery.sql). -#}
-- depends_on: {{ ref('stg_ops__file_registry') }}
with victims as (
    select crime_ref, borough_code, file_id, source_row_number from {{ ref('int_victim_crime__police') }}
    {% if is_incremental() %}
    where crime_ref in ({{ keys_touched_since_last_build('crime_ref', ref('int_victim_crime__police')) }})
    {% endif %}
)

select
    crime_ref,
    arg_min(borough_code, (file_id, source_row_number)) as borough_code,
    min(file_id) as file_id
from victims
group by crime_ref
