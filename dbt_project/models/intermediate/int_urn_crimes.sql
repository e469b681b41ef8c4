{#- URN -> police crime, from the charges (outcome 1) in police_outcomes whose crime_ref is a loaded
    police crime: how court, probation and RJ records that carry only a URN reach a crime. A URN
    charged on two crimes (a mistyped URN) keeps the first-delivered charge. -#}
with charges as (
    select outcomes.urn, outcomes.crime_ref, outcomes.file_id, outcomes.source_row_number
    from {{ ref('stg_police_outcomes') }} as outcomes
    where outcomes.outcome_code = 1
      and outcomes.urn is not null
      and outcomes.crime_ref in (select crime_ref from {{ ref('int_crime_boroughs') }})
)

select
    urn,
    arg_min(crime_ref, (file_id, source_row_number)) as crime_ref
from charges
group by urn
