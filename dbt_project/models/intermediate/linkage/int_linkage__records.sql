{#- Every person record of the five feeds that carry victims (warehouse.md, Linkage), in one shape:
    its references and its keyed tokens, never clear text. One row per police victim x crime, survey
    response, hub referral, and current RJ and VCS case. record_id ('<feed>:<the feed's key>') is
    what links and victim keys hang on, so a re-delivery or a newer snapshot keeps it. -#}
{%- set person_tokens = ['forename_token', 'forename_initial_token', 'surname_token', 'surname_soundex_token',
                         'dob_token', 'dob_unordered_token', 'birth_year', 'postcode_token', 'postcode_district'] -%}
with police as (
    select
        'police_crimes' as feed,
        crime_ref || '|' || victim_key as record_key,
        report_date as event_date,
        victim_key as victim_ref_token,
        crime_ref,
        null::varchar as urn,
        null::varchar as crn_token,
        null::varchar as pnc_token,
        victim_forename_token as forename_token,
        victim_forename_initial_token as forename_initial_token,
        victim_surname_token as surname_token,
        victim_surname_soundex_token as surname_soundex_token,
        victim_dob_token as dob_token,
        victim_dob_unordered_day_month_token as dob_unordered_token,
        birth_year::integer as birth_year,
        victim_postcode_token as postcode_token,
        postcode_district,
        file_id,
        source_row_number
    from {{ ref('stg_police_crimes') }}
),

survey as (
    select
        'uss_responses' as feed,
        response_id as record_key,
        interviewed_at::date as event_date,
        victim_key as victim_ref_token,
        crime_ref,
        null::varchar as urn,
        null::varchar as crn_token,
        null::varchar as pnc_token,
        {% for column in person_tokens -%}
        null::{{ 'integer' if column == 'birth_year' else 'varchar' }} as {{ column }},
        {% endfor -%}
        file_id,
        source_row_number
    from {{ ref('stg_uss_responses') }}
),

hub as (
    select
        'council_hub' as feed,
        borough_code || '|' || referral_id as record_key,
        date_received as event_date,
        null::varchar as victim_ref_token,
        police_reference as crime_ref,
        null::varchar as urn,
        null::varchar as crn_token,
        null::varchar as pnc_token,
        first_name_token as forename_token,
        first_name_initial_token as forename_initial_token,
        surname_token,
        surname_soundex_token,
        date_of_birth_token as dob_token,
        date_of_birth_unordered_day_month_token as dob_unordered_token,
        birth_year::integer as birth_year,
        postcode_token,
        postcode_district,
        file_id,
        source_row_number
    from {{ ref('stg_council_hub') }}
),

restorative as (
    select
        'rj_cases' as feed,
        rj_case_id as record_key,
        referral_date as event_date,
        null::varchar as victim_ref_token,
        crime_ref,
        urn,
        offender_crn_token as crn_token,
        null::varchar as pnc_token,
        victim_forename_token as forename_token,
        victim_forename_initial_token as forename_initial_token,
        victim_surname_token as surname_token,
        victim_surname_soundex_token as surname_soundex_token,
        victim_dob_token as dob_token,
        victim_dob_unordered_day_month_token as dob_unordered_token,
        victim_birth_year::integer as birth_year,
        victim_postcode_token as postcode_token,
        victim_postcode_district as postcode_district,
        file_id,
        source_row_number
    from {{ ref('int_rj_cases__current') }}
),

probation as (
    select
        'probation_vcs' as feed,
        vcs_case_id as record_key,
        referral_date as event_date,
        null::varchar as victim_ref_token,
        null::varchar as crime_ref,
        urn,
        crn_token,
        pnc_token,
        victim_forename_token as forename_token,
        victim_forename_initial_token as forename_initial_token,
        victim_surname_token as surname_token,
        victim_surname_soundex_token as surname_soundex_token,
        victim_dob_token as dob_token,
        victim_dob_unordered_day_month_token as dob_unordered_token,
        victim_birth_year::integer as birth_year,
        victim_postcode_token as postcode_token,
        victim_postcode_district as postcode_district,
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

select feed || ':' || record_key as record_id, *
from unioned
