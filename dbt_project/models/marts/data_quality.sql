{#- Every delivery's fate, for analysts and BI: no personal data (reasons name files, rows, columns
    and checks, never values of personal fields). -#}
select
    feed,
    file_name,
    file_id,
    period_month,
    snapshot_date,
    version,
    status,
    rows_received,
    rows_loaded,
    rows_quarantined,
    fields_nulled,
    reason,
    warnings,
    received_at
from {{ ref('stg_ops__file_registry') }}
