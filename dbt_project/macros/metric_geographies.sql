{#-
    The geographies every metric is published for (metrics.md): per month for all London, each BCU
    and each borough, from a relation with period_month, borough_code and bcu_name. A member with no
    borough counts in London only. `metric_geography_columns` gives metric_id to breakdown_value,
    `metric_geography_grouping` the group by that goes with them.
-#}
{% macro metric_geography_columns(metric_id) -%}
        '{{ metric_id }}' as metric_id,
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
