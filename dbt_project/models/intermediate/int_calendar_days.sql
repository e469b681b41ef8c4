{#- Every day of the calendar window with its working-day status. working_day_index counts the
    working days up to and including the day, so a non-working day shares the index of the working
    day before it; "N working days after D" is the working day whose index is index(D) + N. -#}
with days as (
    select unnest(generate_series(
        date '{{ var("calendar_start") }}', date '{{ var("calendar_end") }}', interval 1 day
    ))::date as date
),

flagged as (
    select
        days.date,
        holidays.holiday_name,
        isodow(days.date) <= 5 and holidays.holiday_date is null as is_working_day
    from days
    left join {{ ref('stg_reference__bank_holidays') }} as holidays on holidays.holiday_date = days.date
)

select
    date,
    holiday_name,
    is_working_day,
    sum(is_working_day::integer) over (order by date rows unbounded preceding) as working_day_index
from flagged
