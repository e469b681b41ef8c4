select
    holiday_date::date as holiday_date,
    holiday_name
from {{ source('reference', 'bank_holidays') }}
