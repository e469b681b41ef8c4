{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='record_id',
        on_schema_change='fail',
        post_hook="{{ forget_withdrawn_linkage_records() }}"
    )
}}
{#- Every person record of the five feeds that carry victims (warehouse.md, Linkage), in one shape:
    its references and its keyed tokens, never clear text. One row per police victim x crime, survey
    response, hub referral, and current RJ and VCS case. record_id ('<feed>:<the feed's key>') is
    what links and victim keys hang on, so a re-delivery or a newer snapshot keeps it. A column a
    feed does not carry is null (the branches are unioned by name).

    Incremental by delivery: a build adds the rows of deliveries newer than any already here (a new
    month, a _v2, a snapshot that changed a case: a current snapshot row carries the delivery its
    version started in) and replaces the records they name; the post-hook then drops the records no
    delivery holds any more (a month's _v2 without them, a case gone from the newest snapshot). -#}
{%- set victim = dict(forename='victim_forename', surname='victim_surname', dob='victim_dob',
                      postcode='victim_postcode', birth_year='victim_birth_year',
                      postcode_district='victim_postcode_district') -%}
-- depends_on: {{ ref('stg_ops__file_registry') }} (the post-hook)
with police as (
    select
        'police_crimes' as feed,
        crime_ref || '|' || victim_key as record_key,
        report_date as event_date,
        victim_key as victim_ref_token,
        crime_ref,
        {{ linkage_person_columns(**dict(victim, birth_year='birth_year', postcode_district='postcode_district')) }},
        file_id,
        source_row_number
    from {{ ref('stg_police_crimes') }}
),

-- The survey carries the victim reference only: no person tokens
survey as (
    select
        'uss_responses' as feed,
        response_id as record_key,
        interviewed_at::date as event_date,
        victim_key as victim_ref_token,
        crime_ref,
        file_id,
        source_row_number
    from {{ ref('stg_uss_responses') }}
),

hub as (
    select
        'council_hub' as feed,
        borough_code || '|' || referral_id as record_key,
        date_received as event_date,
        police_reference as crime_ref,
        {{ linkage_person_columns(forename='first_name', surname='surname', dob='date_of_birth', postcode='postcode',
                                  birth_year='birth_year', postcode_district='postcode_district') }},
        file_id,
        source_row_number
    from {{ ref('stg_council_hub') }}
),

restorative as (
    select
        'rj_cases' as feed,
        rj_case_id as record_key,
        referral_date as event_date,
        crime_ref,
        urn,
        offender_crn_token as crn_token,
        {{ linkage_person_columns(**victim) }},
        file_id,
        source_row_number
    from {{ ref('int_rj_cases__current') }}
),

probation as (
    select
        'probation_vcs' as feed,
        vcs_case_id as record_key,
        referral_date as event_date,
        urn,
        crn_token,
        pnc_token,
        {{ linkage_person_columns(**victim) }},
        file_id,
        source_row_number
    from {{ ref('int_probation_vcs__current') }}
),

unioned as (
    select * from police
    union all by name select * from survey
    union all by name select * from hub
    union all by name select * from restorative
    union all by name select * from probation
)

select
    feed || ':' || record_key as record_id,
    feed,
    record_key,
    event_date,
    victim_ref_token,
    crime_ref,
    urn,
    crn_token,
    pnc_token,
    forename_token,
    forename_initial_token,
    surname_token,
    surname_soundex_token,
    dob_token,
    dob_unordered_token,
    birth_year,
    postcode_token,
    postcode_district,
    file_id,
    source_row_number
from unioned
{% if is_incremental() %}
-- only the rows of deliveries newer than any already here (DuckDB applies this in each branch)
where file_id > (select coalesce(max(file_id), 0) from {{ this }})
{% endif %}
