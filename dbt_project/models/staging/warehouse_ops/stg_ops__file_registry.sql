with source as (
    select * from {{ source('ops', 'file_registry') }}
),

renamed as (
    select
        -- ids
        file_id,
        feed,
        file_name,
        relative_path,
        -- delivery
        period_month,
        snapshot_date,
        version,
        status,
        -- counts
        rows_received,
        rows_loaded,
        rows_quarantined,
        fields_nulled,
        -- explanation
        reason,
        warnings,
        superseded_by,
        -- timestamps
        received_at,
        processed_at
    from source
)

select * from renamed
