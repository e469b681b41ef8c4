{#- Every snapshot date's loaded delivery of rj_cases, with its snapshot_date and lineage (file_id,
    source_row_number). Personal data arrives as tokens. -#}
{{ delivered_rows('rj_cases') }}
