select
    date,
    date_trunc('month', date)::date as month_start,
    is_working_day,
    holiday_name as bank_holiday,
    working_day_index,
    case when month(date) >= 4
        then year(date)::varchar || '-' || right((year(date) + 1)::varchar, 2)
        else (year(date) - 1)::varchar || '-' || right(year(date)::varchar, 2)
    end as financial_year
from {{ ref('int_calendar_days') }}
