{#- Every snapshot date's loaded delivery of rj_cases, with its snapshot_date and lineage (file_id,
    source_row_number). Personal data arrives as tokens; raw keeps integer fields as validated text,
    typed here. -#}
select * replace (victim_satisfaction::integer as victim_satisfaction)
from ({{ delivered_rows('rj_cases') }})
