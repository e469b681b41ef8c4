{#- Every deterministic reference of a non-police record (warehouse.md, Linkage) and what it decides. A
    survey response names its police victim by victim_ref. A hub referral or RJ case names a crime
    (crime_ref); an RJ or VCS case a charged crime (URN, through police_outcomes); a VCS case its
    offender's PNC, which the court feed ties to a URN; an RJ case its offender's CRN, which the
    probation feed ties to VCS cases. A reference reaches candidate records (the crime's victims, the
    offender's VCS victims) and decides only when exactly one candidate person's tokens agree with the
    record's (tokens_agree): a crime with several victims links to the right one or to none, and a
    mistyped reference that lands on someone else's crime links to no one. Placeholders are never
    used. `reference` is the crime_ref or URN used (for pnc and crn, the URN reached), never a token.

    Incremental ('restate'): a build decides again only for the records that a delivery since the last
    build could change (linkage_records_to_decide) and keeps the earlier decisions of the rest.
    as_of_file_id is the newest delivery the table has taken in. -#}
{{ config(materialized='incremental', incremental_strategy='restate',
           on_schema_change='sync_all_columns') }}
-- depends_on: {{ ref('stg_police_outcomes') }}
-- Read where used, never materialized: each use reads only the columns and rows it needs of a
-- million-row table (materialized, the CTE held all of it in memory and took ten times as long)
with records as not materialized (
    select * from {{ ref('int_linkage__records') }}
),

police as (
    select * from records where feed = 'police_crimes'
),

{% if has_previous_linkage_state() %}
to_decide as (
    {{ linkage_records_to_decide('records', this) }}
),

others as (
    select * from records
    where feed <> 'police_crimes' and record_id in (select record_id from to_decide)
),
{% else %}
others as (
    select * from records where feed <> 'police_crimes'
),
{% endif %}

-- Charged crimes by URN, and the URN each offender PNC was heard under
urn_crimes as (
    select * from {{ ref('int_urn_crimes') }}
),

pnc_urns as (
    select distinct defendant_pnc_token as pnc_token, urn
    from {{ ref('stg_court_hearings') }}
    where defendant_pnc_token is not null and urn is not null
),

-- Every (record, candidate record) a reference reaches, with the reference's method and rank
reached as (
    select others.record_id, police.record_id as candidate_record_id, 'victim_ref' as link_method, 1 as method_rank,
           null::varchar as reference
    from others
    join police on police.victim_ref_token = others.victim_ref_token

    union all
    select others.record_id, police.record_id, 'crime_ref', 2, others.crime_ref
    from others
    join police on police.crime_ref = others.crime_ref
    where others.feed <> 'uss_responses' and not {{ is_placeholder_reference('others.crime_ref') }}

    union all
    select others.record_id, police.record_id, 'urn', 3, others.urn
    from others
    join urn_crimes on urn_crimes.urn = others.urn
    join police on police.crime_ref = urn_crimes.crime_ref
    where not {{ is_placeholder_reference('others.urn') }}

    union all
    select others.record_id, police.record_id, 'pnc', 4, pnc_urns.urn
    from others
    join pnc_urns on pnc_urns.pnc_token = others.pnc_token
    join urn_crimes on urn_crimes.urn = pnc_urns.urn
    join police on police.crime_ref = urn_crimes.crime_ref
    where others.urn is null

    union all
    select others.record_id, vcs.record_id, 'crn', 5, vcs.urn
    from others
    join records as vcs on vcs.feed = 'probation_vcs' and vcs.crn_token = others.crn_token
    where others.feed = 'rj_cases'
),

judged as (
    select
        reached.record_id,
        linked.feed,
        reached.link_method,
        reached.method_rank,
        reached.reference,
        coalesce(candidates.victim_ref_token, candidates.record_id) as candidate_person,
        candidates.record_id as candidate_record_id,
        candidates.victim_ref_token as candidate_victim_key,
        -- A victim reference identifies the person, and a record without a date of birth or surname
        -- has nothing to check: both stand when they reach exactly one person
        reached.link_method = 'victim_ref'
            or (linked.dob_unordered_token is null and linked.surname_soundex_token is null)
            or {{ tokens_agree('linked', 'candidates') }} as agrees
    from reached
    join others as linked on linked.record_id = reached.record_id
    join records as candidates on candidates.record_id = reached.candidate_record_id
),

-- Per record and method: how many distinct persons the reference reached, and how many agree
decisions as (
    select
        record_id,
        feed,
        link_method,
        method_rank,
        any_value(reference) as reference,
        count(distinct candidate_person) as persons_reached,
        count(distinct candidate_person) filter (where agrees) as persons_agreeing,
        -- the first of the agreeing person's records, so that the table is the same on every run
        min(candidate_record_id) filter (where agrees) as agreeing_record_id,
        min(candidate_victim_key) filter (where agrees) as agreeing_victim_key
    from judged
    group by record_id, feed, link_method, method_rank
),

-- The person linked to, only where the reference decides
decided as (
    select
        * exclude (agreeing_record_id, agreeing_victim_key),
        case when persons_agreeing = 1 then agreeing_record_id end as linked_record_id,
        case when persons_agreeing = 1 then agreeing_victim_key end as linked_victim_key
    from decisions
),

{% if has_previous_linkage_state() %}
-- The earlier decisions of records still here that nothing since could change
kept as (
    select * exclude (as_of_file_id) from {{ this }}
    where record_id not in (select record_id from to_decide)
      and record_id in (select record_id from records)
),
{% endif %}

final as (
    select * from decided
    {% if has_previous_linkage_state() %}union all by name select * from kept{% endif %}
)

select
    record_id,
    feed,
    link_method,
    method_rank,
    reference,
    persons_reached,
    persons_agreeing,
    linked_record_id,
    linked_victim_key,
    (select max(file_id) from {{ ref('stg_ops__file_registry') }}) as as_of_file_id
from final
