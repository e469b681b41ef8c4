{#- Generic test: the columns together identify a row (nulls compare equal, as in a grain). Returns
    every row of a repeated combination, whole, so that stored failures keep the rows' lineage. -#}
{% test unique_combination(model, columns) %}
    select *
    from (
        select *, count(*) over (partition by {{ columns | join(', ') }}) as rows_with_this_combination
        from {{ model }}
    ) as counted
    where rows_with_this_combination > 1
{% endtest %}
