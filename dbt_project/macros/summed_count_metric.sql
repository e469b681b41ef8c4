{#-
    One count metric of metrics.md as marts.metric_values rows, per month for all London, each BCU
    and each borough, grouped as rate_metric groups. The count is the sum of `quantity` over the rows
    of `relation` (columns period_month, borough_code, bcu_name): '1' counts rows, a column sums
    counts already made (a published table's); the denominator is NULL. A row exists only where the
    count is above zero (a missing row reads as zero); a row with no borough counts in London only.
-#}
{% macro summed_count_metric(metric_id, relation, quantity) -%}
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
        sum({{ quantity }})::bigint as numerator,
        null::bigint as denominator
    from {{ relation }}
    group by grouping sets ((period_month), (period_month, bcu_name), (period_month, bcu_name, borough_code))
    having not (grouping(bcu_name) = 0 and bcu_name is null)
       and not (grouping(borough_code) = 0 and borough_code is null)
       and sum({{ quantity }}) > 0
{%- endmacro %}
