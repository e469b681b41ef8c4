{#- The current state of probation_vcs: each record's latest version, as the newest snapshot date shows it. -#}
select * exclude (valid_to, is_current)
from {{ ref('int_probation_vcs__history') }}
where is_current and not is_deleted
