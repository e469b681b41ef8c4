-- The worked examples of metrics.md, Working days: returns a row for every example that fails.
with examples as (
    select * from (values
        (date '2025-04-04', 2, date '2025-04-08'),  -- Friday + 2 -> Tuesday
        (date '2025-04-17', 2, date '2025-04-23'),  -- Good Friday and Easter Monday skipped
        (date '2025-04-05', 1, date '2025-04-07'),  -- a Saturday start counts from the weekend
        (date '2025-12-24', 2, date '2025-12-30')   -- Christmas Day and Boxing Day skipped
    ) as t(start_date, working_days, expected)
)

select examples.*, deadlines.*
from examples
join {{ ref('int_working_day_deadlines') }} as deadlines using (start_date)
where case working_days when 1 then deadlines.deadline_1wd when 2 then deadlines.deadline_2wd end
      is distinct from expected
