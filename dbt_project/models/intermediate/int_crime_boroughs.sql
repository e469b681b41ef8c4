{#- The borough of every police crime, for feeds that reach a crime by reference (metrics take
    borough and BCU from the linked crime). The victims of one crime share its borough; should they
    not, the first-delivered row decides, as in the synthetic ground truth. -#}
select
    crime_ref,
    arg_min(borough_code, (file_id, source_row_number)) as borough_code
from {{ ref('int_victim_crime__police') }}
group by crime_ref
