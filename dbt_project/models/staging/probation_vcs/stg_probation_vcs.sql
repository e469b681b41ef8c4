{#- Every snapshot date's loaded delivery of probation_vcs, with its snapshot_date and lineage (file_id,
    source_row_number). Personal data arrives as tokens; raw keeps integer fields as validated text,
    typed here. -#}
select * replace (sentence_custodial_months::integer as sentence_custodial_months)
from ({{ delivered_rows('probation_vcs') }})
