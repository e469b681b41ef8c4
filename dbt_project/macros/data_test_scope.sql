{#- dbt's own get_where_subquery (which applies a test's `where` config), extended for the tables
    that grow with history. A model that declares `meta: {data_tests_scope_key: <key column>}` has
    every data test attached to it check only the rows of the keys that deliveries after
    ops.data_test_scope's file brought (a key's rows whole, so that a unique test still sees an
    old row a new one repeats). The dbt asset writes that file (pipelines/data_test_scope.py): the
    last published build's newest, or 0, every row, after a full refresh or a changed project. -#}
{% macro get_where_subquery(relation) -%}
    {%- set where = config.get('where') -%}
    {%- set scope_key = data_test_scope_key() -%}
    {%- set since_file_id = data_tests_since_file_id() if scope_key else 0 -%}
    {%- if not where and not since_file_id -%}
        {{ return(relation) }}
    {%- endif -%}
    {%- set conditions = [] -%}
    {%- if where -%}{%- do conditions.append('(' ~ where ~ ')') -%}{%- endif -%}
    {%- if since_file_id -%}
        {%- do conditions.append(scope_key ~ ' in (select ' ~ scope_key ~ ' from ' ~ relation
                                 ~ ' where file_id > ' ~ since_file_id ~ ')') -%}
    {%- endif -%}
    {{ return('(select * from ' ~ relation ~ ' where ' ~ conditions | join(' and ') ~ ') dbt_subquery') }}
{%- endmacro %}


{#- The key column the tested model declares for scoping its data tests, or none. -#}
{% macro data_test_scope_key() -%}
    {%- if not execute or model.attached_node is none -%}{{ return(none) }}{%- endif -%}
    {%- set tested = graph.nodes.get(model.attached_node) -%}
    {{ return(tested.config.meta.get('data_tests_scope_key') if tested else none) }}
{%- endmacro %}


{#- The file after which deliveries are tested: 0, every row, until a build has left a scope. -#}
{% macro data_tests_since_file_id() -%}
    {%- set scope = adapter.get_relation(database=target.database, schema='ops', identifier='data_test_scope') -%}
    {%- if scope is none -%}{{ return(0) }}{%- endif -%}
    {%- set found = run_query('select coalesce(max(since_file_id), 0) from ' ~ scope) -%}
    {{ return(found.columns[0].values()[0] | int) }}
{%- endmacro %}
