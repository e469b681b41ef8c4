{#-
    Metrics of metrics.md as marts.metric_values rows, per month for each geography level asked for
    (london, bcu, borough; all three by default) and, with `breakdown`, also per value of that column
    of `relation` at the same levels. `relation` has columns period_month, borough_code, bcu_name
    (and the breakdown column; London-only metrics need neither borough column); a member with no
    borough counts in London only.

    rate_metric: one row per denominator member, with a boolean `meets` (the numerator condition);
    rows exist only where the denominator is above zero.
    count_metric: one row per member counted, or with `quantity`, the sum of that column (counts
    already made, such as a published table's); the denominator is null and rows exist only where
    the count is above zero.
    median_metric: one row per member with the measured `days`; the interpolated median goes in
    `value`, numerator and denominator are null (marts.metric_values takes a median's value as given).
-#}
{% macro rate_metric(metric_id, relation, geographies=['london', 'bcu', 'borough'], breakdown=none) -%}
    {{ _metric_rows(metric_id, relation, geographies, breakdown,
                    'count(*) filter (where meets)', 'count(*)') }}
{%- endmacro %}

{% macro count_metric(metric_id, relation, geographies=['london', 'bcu', 'borough'], breakdown=none, quantity=none) -%}
    {%- set counted = 'count(*)' if quantity is none else 'sum(' ~ quantity ~ ')::bigint' -%}
    {{ _metric_rows(metric_id, relation, geographies, breakdown, counted, 'null::bigint',
                    at_least_one=counted) }}
{%- endmacro %}

{% macro median_metric(metric_id, relation, geographies=['london', 'bcu', 'borough'], breakdown=none) -%}
    {{ _metric_rows(metric_id, relation, geographies, breakdown, 'null::bigint', 'null::bigint',
                    value='quantile_cont(days, 0.5)::double') }}
{%- endmacro %}

{% macro _metric_rows(metric_id, relation, geographies, breakdown, numerator, denominator, value=none,
                      at_least_one=none) -%}
    {%- set level_columns = {'london': [], 'bcu': ['bcu_name'], 'borough': ['bcu_name', 'borough_code']} -%}
    {%- set grouping_sets = [] -%}
    {%- for level in geographies -%}
        {%- do grouping_sets.append(['period_month'] + level_columns[level]) -%}
        {%- if breakdown -%}
            {%- do grouping_sets.append(['period_month'] + level_columns[level] + [breakdown]) -%}
        {%- endif -%}
    {%- endfor -%}
    {#- Only grouped columns may be selected: a London-only metric needs no borough columns at all. -#}
    {%- set by_bcu = 'bcu' in geographies or 'borough' in geographies -%}
    {%- set by_borough = 'borough' in geographies -%}
    select
        '{{ metric_id }}' as metric_id,
        period_month,
        {% if by_borough -%}
        case when grouping(borough_code) = 0 then 'borough'
             when grouping(bcu_name) = 0 then 'bcu'
             else 'london' end as geography_level,
        {%- elif by_bcu -%}
        case when grouping(bcu_name) = 0 then 'bcu' else 'london' end as geography_level,
        {%- else -%}
        'london' as geography_level,
        {%- endif %}
        {{ 'borough_code' if by_borough else 'null::varchar' }} as borough_code,
        {{ 'bcu_name' if by_bcu else 'null::varchar' }} as bcu_name,
        {% if breakdown -%}
        case when grouping({{ breakdown }}) = 0 then '{{ breakdown }}' end as breakdown,
        {{ breakdown }}::varchar as breakdown_value,
        {%- else -%}
        null::varchar as breakdown,
        null::varchar as breakdown_value,
        {%- endif %}
        {{ numerator }} as numerator,
        {{ denominator }} as denominator{% if value %},
        {{ value }} as value{% endif %}
    from {{ relation }}
    group by grouping sets (
        {%- for columns in grouping_sets %}({{ columns | join(', ') }}){{ ', ' if not loop.last }}{% endfor -%}
    )
    {#- A member with no borough (so no BCU) counts in London only; a count of zero has no row. -#}
    {%- set conditions = [] -%}
    {%- if by_bcu -%}{%- do conditions.append('not (grouping(bcu_name) = 0 and bcu_name is null)') -%}{%- endif -%}
    {%- if by_borough -%}{%- do conditions.append('not (grouping(borough_code) = 0 and borough_code is null)') -%}{%- endif -%}
    {%- if at_least_one -%}{%- do conditions.append(at_least_one ~ ' > 0') -%}{%- endif -%}
    {%- if conditions %}
    having {{ conditions | join('\n       and ') }}
    {%- endif %}
{%- endmacro %}
