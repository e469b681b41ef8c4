{#-
    One count metric of metrics.md as marts.metric_values rows, per month for all London, each BCU
    and each borough: the numerator is the sum of `quantity` (1 per row by default, or a column of
    a relation already counted, such as a published count), the denominator is NULL. `relation`
    has columns period_month, borough_code and bcu_name. A row exists only where the count is above
    zero (a missing row reads as zero); a member with no borough counts in London only.
-#}
{% macro count_metric(metric_id, relation, quantity='1') -%}
    select
        '{{ metric_id }}' as metric_id,
        {{ metric_geography_columns() }},
        sum({{ quantity }})::bigint as numerator,
        null::bigint as denominator
    from {{ relation }}
    {{ metric_geography_grouping() }}
       and sum({{ quantity }}) > 0
{%- endmacro %}
