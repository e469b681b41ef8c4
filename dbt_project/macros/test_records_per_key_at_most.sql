{#- Generic test: no value of the column gathers more than `max_records` rows matching `where` (e.g. a
    victim_key holding more non-police records than one person plausibly has: a linkage chain that
    merged several people). Returns the rows of every oversize group, so stored failures name them. -#}
{% test records_per_key_at_most(model, column_name, max_records, where_rows='true') %}
    select *
    from (
        select *, count(*) filter (where {{ where_rows }}) over (partition by {{ column_name }}) as records_under_this_key
        from {{ model }}
    ) as counted
    where records_under_this_key > {{ max_records }}
{% endtest %}
