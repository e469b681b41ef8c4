{#-
    One rate metric of metrics.md as marts.metric_values rows, per month for all London, each BCU and
    each borough. `relation` has one row per denominator member with columns period_month,
    borough_code, bcu_name and a boolean `meets` (the numerator condition). Rows exist only where
    the denominator is above zero; a member with no borough counts in London only.
-#}
{% macro rate_metric(metric_id, relation) -%}
    select
        '{{ metric_id }}' as metric_id,
        period_month,
        case when grouping(borough_code) = 0 then 'borough'
             when grouping(bcu_name) = 0 then 'bcu'
             else 'london' end as geography_level,
        borough_code,
        bcu_name,
        null::varchar as breakdown,
        null::varchar as breakdown_value,
        count(*) filter (where meets) as numerator,
        count(*) as denominator
    from {{ relation }}
    group by grouping sets ((period_month), (period_month, bcu_name), (period_month, bcu_name, borough_code))
    having not (grouping(bcu_name) = 0 and bcu_name is null)
       and not (grouping(borough_code) = 0 and borough_code is null)
{%- endmacro %}
