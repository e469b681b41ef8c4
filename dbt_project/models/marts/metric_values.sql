{#- Every published metric (metrics.md) as rows of numerator, denominator, value and a 95% Wilson
    interval, per month and geography: a thin union of the domain models in intermediate/metrics,
    which all give the columns rate_metric gives (metric_id to denominator). A new domain is one line here. -#}
with all_metrics as (
    select * from {{ ref('int_metrics__victims_code') }}
    union all select * from {{ ref('int_metrics__public') }}
    union all select * from {{ ref('int_metrics__data_quality') }}
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
    -- A count has no denominator: its value is the count (metrics.md).
    case when denominator is null then numerator else numerator / denominator::double end as value,
    {{ wilson_bound('numerator', 'denominator', '-') }} as ci_lower,
    {{ wilson_bound('numerator', 'denominator', '+') }} as ci_upper
from all_metrics
