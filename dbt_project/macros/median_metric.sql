{#-
    One median metric of metrics.md as metric rows: `relation` has one row per member with
    period_month, borough_code, bcu_name and the measured `days`. The interpolated median goes in
    `value`; numerator and denominator are null (marts.metric_values takes a median's value as given).
-#}
{% macro median_metric(metric_id, relation) -%}
    select
        {{ metric_geography_columns(metric_id) }},
        null::bigint as numerator,
        null::bigint as denominator,
        quantile_cont(days, 0.5)::double as value
    from {{ relation }}
    {{ metric_geography_grouping() }}
{%- endmacro %}
