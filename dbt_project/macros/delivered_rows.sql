{#- The raw rows of a feed's current deliveries, with their lineage: for a period feed the loaded
    version of each period; for a snapshot feed every snapshot date's loaded file, with its
    snapshot_date (a superseded re-send of the same date is left out). -#}
{% macro delivered_rows(feed) -%}
    select
        raw_rows.* exclude (_file_id, _row_number, _loaded_at),
        raw_rows._file_id as file_id,
        raw_rows._row_number as source_row_number,
        registry.snapshot_date
    from {{ source('raw', feed) }} as raw_rows
    join {{ ref('stg_ops__file_registry') }} as registry on registry.file_id = raw_rows._file_id
    where registry.feed = '{{ feed }}' and registry.status = 'loaded'
{%- endmacro %}
