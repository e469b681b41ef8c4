{#-
    One all-London rate metric with a breakdown (metrics.md, e.g. Data quality per feed), as
    marts.metric_values rows: per month, the headline row (breakdown NULL) over every member and one
    row per value of the breakdown. `relation` has columns period_month, breakdown_value, and the
    member's part of the numerator and of the denominator (`numerator`, `denominator`: 1 or 0
    for one member, or counts, such as a delivery's rows). Rows exist only where the denominator is
    above zero.
-#}
{% macro breakdown_rate_metric(metric_id, relation, breakdown) -%}
    select
        '{{ metric_id }}' as metric_id,
        period_month,
        'london' as geography_level,
        null::varchar as borough_code,
        null::varchar as bcu_name,
        case when grouping(breakdown_value) = 0 then '{{ breakdown }}' end as breakdown,
        breakdown_value,
        sum(numerator)::bigint as numerator,
        sum(denominator)::bigint as denominator
    from {{ relation }}
    group by grouping sets ((period_month), (period_month, breakdown_value))
    having sum(denominator) > 0
{%- endmacro %}
