{#- Data quality metrics (metrics.md, DQ_*) as all-London metric rows by delivery month, per feed
    (breakdown 'feed') and for all feeds (breakdown NULL); marts.metric_values adds value and
    interval. -#}
with registry as (
    select * from {{ ref('stg_ops__file_registry') }}
),

{#- Every delivery received in its month: a version later superseded and both copies of a re-sent
    snapshot were each received and registered. A duplicate (bytes already received) and an
    unknown file (never judged as a delivery of a feed) are not deliveries. -#}
deliveries as (
    select
        coalesce(period_month, date_trunc('month', snapshot_date)::date) as period_month,
        feed as breakdown_value,
        status,
        rows_received,
        rows_quarantined
    from registry
    where status in ('loaded', 'superseded', 'rejected')
),

police_crime_refs as (
    select distinct crime_ref from {{ ref('stg_police_crimes') }}
),

{#- URNs of charges (outcome 1) on crimes the police feed holds: the deterministic link by URN. -#}
charged_urns as (
    select distinct outcomes.urn
    from {{ ref('stg_police_outcomes') }} as outcomes
    join police_crime_refs using (crime_ref)
    where outcomes.outcome_code = 1 and outcomes.urn is not null
),

uss_responses as (
    select
        responses.interview_month as period_month,
        'uss_responses' as breakdown_value,
        police_crime_refs.crime_ref is null as is_orphan
    from {{ ref('stg_uss_responses') }} as responses
    left join police_crime_refs using (crime_ref)
),

{#- Each snapshot date's current file, counted in the snapshot's month; a case can be identified
    only by a reference or by its victim's details (as tokens). -#}
rj_cases as (
    select
        date_trunc('month', cases.snapshot_date)::date as period_month,
        'rj_cases' as breakdown_value,
        cases.crime_ref is not null or cases.urn is not null
            or cases.victim_forename_token is not null or cases.victim_surname_token is not null
            or cases.victim_dob_token is not null or cases.victim_postcode_token is not null as is_identifiable,
        coalesce(cases.crime_ref in (select crime_ref from police_crime_refs)
                 or cases.urn in (select urn from charged_urns), false) as is_linked_by_reference,
        coalesce(persons.linked_to_police, false) as is_linked_by_person
    from {{ ref('stg_rj_cases') }} as cases
    left join {{ ref('int_linkage__victim_keys') }} as persons on persons.record_id = 'rj_cases:' || cases.rj_case_id
),

{#- DQ_LINKED_RJ's two parts, each over every identifiable case: linked by an exact reference (a
    loaded crime's crime_ref or a charged URN, what the generator's expected values count), and
    linked only by the person linkage (the victim's tokens, or the offender's CRN). -#}
rj_link_parts as (
    select period_month, 'reference' as breakdown_value, is_linked_by_reference::int as numerator, 1 as denominator
    from rj_cases where is_identifiable
    union all
    select period_month, 'person_linkage', (is_linked_by_person and not is_linked_by_reference)::int, 1
    from rj_cases where is_identifiable
),

dq_rows_quarantined as (
    {{ breakdown_rate_metric('DQ_ROWS_QUARANTINED',
        '(select period_month, breakdown_value, rows_quarantined as numerator, rows_received as denominator
          from deliveries)', 'feed') }}
),

dq_files_rejected as (
    {{ breakdown_rate_metric('DQ_FILES_REJECTED',
        "(select period_month, breakdown_value, (status = 'rejected')::int as numerator, 1 as denominator
          from deliveries)", 'feed') }}
),

dq_uss_orphans as (
    {{ breakdown_rate_metric('DQ_USS_ORPHANS',
        '(select period_month, breakdown_value, is_orphan::int as numerator, 1 as denominator
          from uss_responses)', 'feed') }}
),

dq_linked_rj as (
    {{ breakdown_rate_metric('DQ_LINKED_RJ',
        '(select period_month, breakdown_value, (is_linked_by_reference or is_linked_by_person)::int as numerator,
                 1 as denominator
          from rj_cases where is_identifiable)', 'feed') }}
),

dq_linked_rj_by_link_method as (
    select * from ({{ breakdown_rate_metric('DQ_LINKED_RJ', 'rj_link_parts', 'link_method') }})
    where breakdown is not null
)

select * from dq_rows_quarantined
union all select * from dq_files_rejected
union all select * from dq_uss_orphans
union all select * from dq_linked_rj
union all select * from dq_linked_rj_by_link_method
