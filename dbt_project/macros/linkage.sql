{#- Whether two linkage records' tokens agree well enough for a reference between them to stand: the
    same date of birth (day and month in either order), or, where either date of birth is missing,
    the same surname Soundex code and forename initial. A reference whose records disagree is a
    mistyped or conflicting reference and never creates a link. -#}
{% macro tokens_agree(left, right) -%}
    (
        {{ left }}.dob_unordered_token = {{ right }}.dob_unordered_token
        or (
            ({{ left }}.dob_unordered_token is null or {{ right }}.dob_unordered_token is null)
            and {{ left }}.surname_soundex_token = {{ right }}.surname_soundex_token
            and {{ left }}.forename_initial_token = {{ right }}.forename_initial_token
        )
    )
{%- endmacro %}

{#- A reference typed as a placeholder (every digit the same: 0000000/00, 9999999/99, ...): it
    names no case, so it is never used to link. DuckDB applies the test to every police crime a
    reference is joined with, so it is written to be cheap (one pattern, no pattern built per row:
    a seventh of the time over a year of police victims). -#}
{% macro is_placeholder_reference(reference) -%}
    {%- set digits = "regexp_replace(" ~ reference ~ ", '[^0-9]', '', 'g')" -%}
    ({{ digits }} = repeat(left({{ digits }}, 1), length({{ digits }})))
{%- endmacro %}

{#- A feed's person columns under int_linkage__records' names: the keyed tokens pseudonymisation
    writes for a forename, surname, date of birth and postcode (`<column>_token` and its reduced
    forms), the year of birth and the postcode district. -#}
{% macro linkage_person_columns(forename, surname, dob, postcode, birth_year, postcode_district) -%}
        {{ forename }}_token as forename_token,
        {{ forename }}_initial_token as forename_initial_token,
        {{ surname }}_token as surname_token,
        {{ surname }}_soundex_token as surname_soundex_token,
        {{ dob }}_token as dob_token,
        {{ dob }}_unordered_day_month_token as dob_unordered_token,
        {{ birth_year }}::integer as birth_year,
        {{ postcode }}_token as postcode_token,
        {{ postcode_district }} as postcode_district
{%- endmacro %}

{#- How a record was tied to a police victim, from its int_linkage__victim_keys row (`persons`):
    its link method when the person is a police victim, else 'none' (a link to someone known only
    outside the police is not a tie to a police victim). -#}
{% macro police_link_method(persons) -%}
    case when {{ persons }}.linked_to_police then {{ persons }}.link_method else 'none' end
{%- endmacro %}

{#- int_linkage__records' post-hook: drop the records no current delivery holds any more. A period
    feed's record goes with its delivery (a _v2 replaced it and does not repeat it); a snapshot feed's
    record goes when it is not in that feed's current state (closed, or missing from the newest
    snapshot). The rows a new delivery repeats were replaced by the incremental insert already. -#}
{% macro forget_withdrawn_linkage_records() -%}
    delete from {{ this }}
    where (feed in ('police_crimes', 'uss_responses', 'council_hub')
           and file_id not in ({{ loaded_deliveries() }}))
       or (feed = 'rj_cases' and record_key not in (select rj_case_id from {{ ref('int_rj_cases__current') }}))
       or (feed = 'probation_vcs'
           and record_key not in (select vcs_case_id from {{ ref('int_probation_vcs__current') }}))
{%- endmacro %}

{#- The non-police records of `records` (int_linkage__records) whose reference decisions a delivery
    newer than those `previous` (int_linkage__reference_decisions as the last build left it) had
    taken in could change: the record itself is new or changed; a police victim of the crime it
    names, or of its victim reference, arrived or changed; its URN was charged (police_outcomes) or
    reaches a changed crime; its offender's PNC was heard (court_hearings) under such a URN; its
    offender's CRN is on a changed VCS case; or the record it was linked to is gone. -#}
{% macro linkage_records_to_decide(records, previous) -%}
    {%- set since = "(select coalesce(max(as_of_file_id), 0) from " ~ previous ~ ")" -%}
    with changed as (
        select * from {{ records }} where file_id > {{ since }}
    ),

    changed_police as (
        select crime_ref, victim_ref_token from changed where feed = 'police_crimes'
    ),

    changed_urns as (
        select urn from {{ ref('stg_police_outcomes') }} where file_id > {{ since }} and urn is not null
        union
        select urn from {{ ref('int_urn_crimes') }} where crime_ref in (select crime_ref from changed_police)
    ),

    changed_pncs as (
        select defendant_pnc_token as pnc_token from {{ ref('stg_court_hearings') }}
        where defendant_pnc_token is not null
          and (file_id > {{ since }} or urn in (select urn from changed_urns))
    ),

    others as (
        select * from {{ records }} where feed <> 'police_crimes'
    )

    select record_id from changed where feed <> 'police_crimes'
    union select record_id from others where crime_ref in (select crime_ref from changed_police)
    union select record_id from others where victim_ref_token in (select victim_ref_token from changed_police)
    union select record_id from others where urn in (select urn from changed_urns)
    union select record_id from others where pnc_token in (select pnc_token from changed_pncs)
    union select record_id from others
          where feed = 'rj_cases' and crn_token in (select crn_token from changed where feed = 'probation_vcs')
    union select record_id from {{ previous }}
          where linked_record_id is not null and linked_record_id not in (select record_id from {{ records }})
{%- endmacro %}
