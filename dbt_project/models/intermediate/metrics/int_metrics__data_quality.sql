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
        cases.crime_ref in (select crime_ref from police_crime_refs)
            or cases.urn in (select urn from charged_urns) as is_linked
    from {{ ref('stg_rj_cases') }} as cases
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
        '(select period_month, breakdown_value, coalesce(is_linked, false)::int as numerator, 1 as denominator
          from rj_cases where is_identifiable)', 'feed') }}
)

select * from dq_rows_quarantined
union all select * from dq_files_rejected
union all select * from dq_uss_orphans
union all select * from dq_linked_rj
