{#- For incremental models with one row set per key (a crime) whose rows carry the delivery they came
    from (file_id): what the last build left is brought up to date by working out again only the keys
    a delivery touched since, and dropping what a withdrawn delivery (replaced by a _v2) left behind.
    A key's rows are replaced whole (delete+insert on the key), so the table stays what a full
    refresh gives. -#}

{#- The deliveries whose rows are current: exactly one per period of a period feed. -#}
{% macro loaded_deliveries() -%}
    select file_id from {{ ref('stg_ops__file_registry') }} where status = 'loaded'
{%- endmacro %}

{#- The keys of `relation` to work out again: those with rows from a delivery newer than any this
    table has taken in, and those whose rows here came from a delivery no longer loaded. -#}
{% macro keys_touched_since_last_build(key, relation) -%}
    select {{ key }} from {{ relation }}
    where file_id > (select coalesce(max(file_id), 0) from {{ this }})
    union
    select {{ key }} from {{ this }}
    where file_id not in ({{ loaded_deliveries() }})
{%- endmacro %}

{#- Post-hook: rows of a withdrawn delivery whose key has no rows left (a _v2 that no longer holds it). -#}
{% macro forget_withdrawn_deliveries() -%}
    delete from {{ this }} where file_id not in ({{ loaded_deliveries() }})
{%- endmacro %}
