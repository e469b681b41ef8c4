{#- Generic test: the columns together identify a row (nulls compare equal, as in a grain). -#}
{% test unique_combination(model, columns) %}
    select {{ columns | join(', ') }}, count(*) as rows_with_this_combination
    from {{ model }}
    group by all
    having count(*) > 1
{% endtest %}
