select
    metric_id,
    name,
    description,
    numerator_definition,
    denominator_definition,
    unit,
    higher_is_better
from {{ ref('ref_metric_definitions') }}
