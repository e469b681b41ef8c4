{#- on-run-end: drop the tables incremental Python models leave behind. dbt-duckdb writes such a
    model's new rows to `main.<model>__dbt_tmp<timestamp>` before merging them, takes that for a
    temporary table and never drops it (for a Python model it is an ordinary table): without this,
    one more per model and build, for ever, beside the warehouse's schemas. A run killed before its
    end leaves its own for the next run to drop. -#}
{% macro drop_python_model_leftovers() -%}
    {%- if execute -%}
        {%- set prefixes = [] -%}
        {%- for node in graph.nodes.values() if node.resource_type == 'model' and node.language == 'python' -%}
            {%- do prefixes.append("starts_with(table_name, '" ~ node.alias ~ "__dbt_tmp')") -%}
        {%- endfor -%}
        {%- if prefixes -%}
            {%- set leftovers = run_query(
                "select table_name from information_schema.tables where table_catalog = current_database() "
                ~ "and table_schema = 'main' and (" ~ prefixes | join(' or ') ~ ") order by 1") -%}
            {%- for name in leftovers.columns[0].values() -%}
                {%- do run_query('drop table if exists main.' ~ adapter.quote(name)) -%}
            {%- endfor -%}
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}
