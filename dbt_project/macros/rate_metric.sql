{#-
    One rate metric of metrics.md as marts.metric_values rows, per month for all London, each BCU and
    each borough. `relation` has one row per denominator member with columns period_month,
    borough_code, bcu_name and a boolean `meets` (the numerator condition). Rows exist only where
    the denominator is above zero; a member with no borough counts in London only.
-#}
{% macro rate_metric(metric_id, relation) -%}
    select
        '{{ metric_id }}' as metric_id,
        {{ metric_geography_columns() }},
        count(*) filter (where meets) as numerator,
        count(*) as denominator
    from {{ relation }}
    {{ metric_geography_grouping() }}
{%- endmacro %}
