{#- Every snapshot date's loaded delivery of probation_vcs, with its snapshot_date and lineage (file_id,
    source_row_number). Personal data arrives as tokens. -#}
{{ delivered_rows('probation_vcs') }}
