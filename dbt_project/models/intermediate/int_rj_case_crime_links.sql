{#- Deterministic links from current RJ cases to police crimes: the case's crime_ref where it is a
    loaded police crime, and the crime its URN was charged on (int_urn_crimes). A case can reach two
    crimes (one by each route): both are kept, each crime is then linked to RJ. Probabilistic
    linkage on personal tokens is a later stage and adds to these. -#}
with cases as (
    select rj_case_id, crime_ref, urn from {{ ref('int_rj_cases__current') }}
),

by_crime_ref as (
    select cases.rj_case_id, cases.crime_ref, 'crime_ref' as link_method
    from cases
    where cases.crime_ref in (select crime_ref from {{ ref('int_crime_boroughs') }})
),

by_urn as (
    select cases.rj_case_id, urn_crimes.crime_ref, 'urn' as link_method
    from cases
    join {{ ref('int_urn_crimes') }} as urn_crimes on urn_crimes.urn = cases.urn
)

select * from by_crime_ref
union
select * from by_urn
