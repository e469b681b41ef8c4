{#- Every published metric (metrics.md) as rows of numerator, denominator, value and a 95% Wilson
    interval, per month and geography: a thin union of the domain models in intermediate/metrics,
    which all give the columns rate_metric gives (metric_id to denominator). A new domain is one line here. -#}
with all_metrics as (
    select * from {{ ref('int_metrics__victims_code') }}
    union all select * from {{ ref('int_metrics__satisfaction') }}
    union all select * from {{ ref('int_metrics__courts') }}
    union all select * from {{ ref('int_metrics__hubs') }}
)

select
    metric_id,
    period_month,
    geography_level,
    borough_code,
    bcu_name,
    breakdown,
    breakdown_value,
    numerator,
    denominator,
    -- a count's value is the count itself (its denominator is null)
    coalesce(numerator / denominator::double, numerator) as value,
    {{ wilson_bound('numerator', 'denominator', '-') }} as ci_lower,
    {{ wilson_bound('numerator', 'denominator', '+') }} as ci_upper
from all_metrics
