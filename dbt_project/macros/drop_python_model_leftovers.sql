{#- on-run-end: drop what Python models leave in the warehouse's `main` schema. dbt-duckdb writes an
    incremental Python model's new rows to `main.<model>__dbt_tmp<timestamp>` before merging them,
    takes that for a temporary table and never drops it (for a Python model it is an ordinary
    table): one more per model and build, for ever. The linkage models also kept the views they
    read their inputs through in `main` until 2026-12-04 (now temporary views): a warehouse built
    before then loses them too. A run killed before its end leaves its own for the next run. -#}
{% macro drop_python_model_leftovers() -%}
    {%- if execute -%}
        {%- set views_kept_until_2026_12_04 = ['linkage_records', 'linkage_reference_links',
                                               'linkage_file_registry', 'victim_key_records'] -%}
        {%- set leftovers = [] -%}
        {%- for node in graph.nodes.values() if node.resource_type == 'model' and node.language == 'python' -%}
            {%- do leftovers.append("(table_type = 'BASE TABLE' and starts_with(table_name, '"
                                    ~ node.alias ~ "__dbt_tmp'))") -%}
        {%- endfor -%}
        {%- do leftovers.append("(table_type = 'VIEW' and table_name in ('"
                                ~ views_kept_until_2026_12_04 | join("', '") ~ "'))") -%}
        {%- set found = run_query(
            "select table_type, table_catalog, table_name from information_schema.tables "
            ~ "where table_catalog = current_database() and table_schema = 'main' and ("
            ~ leftovers | join(' or ') ~ ") order by all") -%}
        {%- for kind, catalog, name in found.rows -%}
            {%- do run_query('drop ' ~ ('view' if kind == 'VIEW' else 'table') ~ ' if exists '
                             ~ adapter.quote(catalog) ~ '.main.' ~ adapter.quote(name)) -%}
        {%- endfor -%}
    {%- endif -%}
{%- endmacro %}
