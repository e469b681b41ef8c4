{#- Every published metric (metrics.md) as rows of numerator, denominator, value and a 95% Wilson
    interval, per month and geography: a thin union of the domain models in intermediate/metrics,
    which all give the columns rate_metric gives (metric_id to denominator); a median also gives its
    `value` (median_metric), hence the union by name. A new domain is one line here. The catalogue's
    unit says how value reads: a rate's is numerator / denominator with its interval, a count's the
    numerator, a per-1,000 figure's numerator / denominator (not a proportion: no interval). -#}
with all_metrics as (
    select * from {{ ref('int_metrics__victims_code') }}
    union all by name select * from {{ ref('int_metrics__satisfaction') }}
    union all by name select * from {{ ref('int_metrics__courts') }}
    union all by name select * from {{ ref('int_metrics__hubs') }}
    union all by name select * from {{ ref('int_metrics__outcomes') }}
    union all by name select * from {{ ref('int_metrics__restorative') }}
    union all by name select * from {{ ref('int_metrics__public') }}
    union all by name select * from {{ ref('int_metrics__data_quality') }}
),

definitions as (
    select metric_id, unit from {{ ref('metric_definitions') }}
)

select
    all_metrics.metric_id,
    all_metrics.period_month,
    all_metrics.geography_level,
    all_metrics.borough_code,
    all_metrics.bcu_name,
    all_metrics.breakdown,
    all_metrics.breakdown_value,
    definitions.unit,
    all_metrics.numerator,
    all_metrics.denominator,
    case definitions.unit
        when 'count' then all_metrics.numerator::double
        when 'median_days' then all_metrics.value
        else all_metrics.numerator / all_metrics.denominator::double
    end as value,
    case when definitions.unit = 'rate' then {{ wilson_bound('all_metrics.numerator', 'all_metrics.denominator', '-') }} end
        as ci_lower,
    case when definitions.unit = 'rate' then {{ wilson_bound('all_metrics.numerator', 'all_metrics.denominator', '+') }} end
        as ci_upper
from all_metrics
left join definitions on definitions.metric_id = all_metrics.metric_id
