{#- Generic test: every row satisfies a SQL boolean expression (dbt_utils is unavailable offline). -#}
{% test expression_is_true(model, expression, column_name=none) %}
    select * from {{ model }} where not ({{ expression }})
{% endtest %}
