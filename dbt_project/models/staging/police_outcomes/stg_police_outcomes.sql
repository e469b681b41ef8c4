{#- Police outcome rows of the current delivery of each month, columns as in the source (the suspect
    as a token). -#}
with source as (
    {{ delivered_rows('police_outcomes') }}
)

select source.* exclude (snapshot_date) replace (outcome_code::integer as outcome_code)
from source
