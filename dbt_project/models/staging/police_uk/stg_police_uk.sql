{#- data.police.uk rows of the current delivery of each month, force and file kind (street or
    outcomes): a re-published month replaces the earlier copy. The borough was resolved from the
    LSOA at load; it is blank outside London and for "No location". -#}
with source as (
    {{ delivered_rows('police_uk') }}
),

renamed as (
    select
        -- ids
        crime_id,
        file_id,
        source_row_number,

        -- file
        force,
        file_kind,

        -- when and where
        month::date as crime_month,
        lsoa_code,
        lsoa_name,
        borough_code,
        location,
        longitude::double as longitude,
        latitude::double as latitude,

        -- crime
        reported_by,
        falls_within,
        crime_type,
        last_outcome_category,
        outcome_type,
        context

    from source
)

select * from renamed
