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
    names no case, so it is never used to link. -#}
{% macro is_placeholder_reference(reference) -%}
    (regexp_replace(regexp_replace({{ reference }}, '[^0-9]', '', 'g'),
                    left(regexp_replace({{ reference }}, '[^0-9]', '', 'g'), 1), '', 'g') = '')
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
