{#- Every snapshot date's loaded delivery of mps_recorded_crime, with its snapshot_date and lineage (file_id,
    source_row_number). Personal data arrives as tokens. -#}
{{ delivered_rows('mps_recorded_crime') }}
