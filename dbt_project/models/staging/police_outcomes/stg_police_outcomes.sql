{#- The current delivery of each outcome month only: a later version (_v2, ...) replaces its month,
    and ops.file_registry marks exactly one delivery per month as 'loaded'. -#}
with source as (
    select * from {{ source('raw', 'police_outcomes') }}
),

current_deliveries as (
    select file_id from {{ ref('stg_ops__file_registry') }}
    where feed = 'police_outcomes' and status = 'loaded'
),

outcome_types as (
    select * from {{ ref('ref_outcome_types') }}
),

renamed as (
    select
        -- ids
        source.crime_ref,
        source.urn,
        source.suspect_pnc_token as suspect_key,
        source._file_id as file_id,
        source._row_number as source_row_number,

        -- outcome
        source.outcome_date,
        date_trunc('month', source.outcome_date)::date as outcome_month,
        source.outcome_code::integer as outcome_code,
        outcome_types.outcome_description,

        -- victim
        source.vps_offered,
        source.victim_withdrew_support

    from source
    left join outcome_types on outcome_types.outcome_code = source.outcome_code::integer
    where source._file_id in (select file_id from current_deliveries)
)

select * from renamed
