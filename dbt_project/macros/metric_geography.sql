{#-
    The geographies every borough-based metric is published for (metrics.md): all London, each BCU
    and each borough, by month, with no breakdown. `metric_geography_columns` gives a row of the
    grouping that `metric_geography_grouping` makes its columns from period_month to
    breakdown_value; a member with no borough counts in London only. Shared by rate_metric and
    count_metric.
-#}
{% macro metric_geography_columns() -%}
        period_month,
        case when grouping(borough_code) = 0 then 'borough'
             when grouping(bcu_name) = 0 then 'bcu'
             else 'london' end as geography_level,
        borough_code,
        bcu_name,
        null::varchar as breakdown,
        null::varchar as breakdown_value
{%- endmacro %}

{% macro metric_geography_grouping() -%}
    group by grouping sets ((period_month), (period_month, bcu_name), (period_month, bcu_name, borough_code))
    having not (grouping(bcu_name) = 0 and bcu_name is null)
       and not (grouping(borough_code) = 0 and borough_code is null)
{%- endmacro %}
