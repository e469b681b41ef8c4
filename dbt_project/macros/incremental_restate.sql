{#- Incremental strategy 'restate': the model's query returns the table's whole new state, worked out
    from its previous state ({{ this }}) and what changed since, and that state replaces the old rows
    in one transaction. For small tables whose rows can change for reasons outside their own source
    rows (a linkage decision changes when the crime it names gains a victim): the expensive work is
    done only for what changed, and nothing stale can survive, since every row is written anew. -#}
{% macro get_incremental_restate_sql(arg_dict) -%}
    {%- set columns = get_quoted_csv(arg_dict['dest_columns'] | map(attribute='name')) -%}
    delete from {{ arg_dict['target_relation'] }};
    insert into {{ arg_dict['target_relation'] }} ({{ columns }})
    select {{ columns }} from {{ arg_dict['temp_relation'] }}
{%- endmacro %}

{#- Whether a linkage model built with 'restate' has a previous state to build on: an incremental run
    of a table that records the delivery it was last brought up to date with (as_of_file_id). A table
    from before linkage was incremental has none, and is worked out in full once. -#}
{% macro has_previous_linkage_state() -%}
    {%- if not is_incremental() -%}
        {{ return(false) }}
    {%- endif -%}
    {%- set columns = adapter.get_columns_in_relation(this) | map(attribute='name') | list -%}
    {{ return('as_of_file_id' in columns) }}
{%- endmacro %}
