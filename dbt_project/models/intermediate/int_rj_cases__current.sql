{#- The current state of rj_cases: each record's latest version, as the newest snapshot date shows it. -#}
select * exclude (valid_to, is_current)
from {{ ref('int_rj_cases__history') }}
where is_current and not is_deleted
