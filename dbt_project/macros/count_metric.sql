{#-
    One count metric of metrics.md as metric rows: `relation` has one row per member counted, with
    period_month, borough_code and bcu_name. The numerator is the count, the denominator null; a row
    exists only where the count is above zero (a missing row reads as zero), which grouping the
    members gives by itself.
-#}
{% macro count_metric(metric_id, relation) -%}
    select
        {{ metric_geography_columns(metric_id) }},
        count(*) as numerator,
        null::bigint as denominator
    from {{ relation }}
    {{ metric_geography_grouping() }}
{%- endmacro %}
