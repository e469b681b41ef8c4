select
    borough_code,
    borough_name,
    bcu_name
from {{ ref('ref_boroughs') }}
