{#- The current state of mps_recorded_crime: each record's latest version, as the newest snapshot date shows it. -#}
select * exclude (valid_to, is_current)
from {{ ref('int_mps_recorded_crime__history') }}
where is_current and not is_deleted
