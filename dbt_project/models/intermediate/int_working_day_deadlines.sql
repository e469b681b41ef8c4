{#- For each start date D, the last date that is still "within N working days of D" (metrics.md):
    the date reached by stepping N working days forward, D itself being day 0. -#}
{% set steps = [1, 2, 5, 10, 20] %}
with working_days as (
    select working_day_index, date from {{ ref('int_calendar_days') }} where is_working_day
)

select
    days.date as start_date
    {%- for n in steps %},
    wd_{{ n }}.date as deadline_{{ n }}wd
    {%- endfor %}
from {{ ref('int_calendar_days') }} as days
{%- for n in steps %}
left join working_days as wd_{{ n }} on wd_{{ n }}.working_day_index = days.working_day_index + {{ n }}
{%- endfor %}
