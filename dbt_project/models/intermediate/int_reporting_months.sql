{#- The months the warehouse reports on: from the first to the last month with a current police_crimes
    delivery. Snapshot feeds (rj_cases, probation_vcs) hold cases from years before the warehouse
    started; metrics by referral, sentence or release month are published for these months only,
    where the police victims they are read against are complete too. -#}
with police_months as (
    select min(period_month) as first_month, max(period_month) as last_month
    from {{ ref('stg_ops__file_registry') }}
    where feed = 'police_crimes' and status = 'loaded'
)

select month_start::date as period_month
from police_months,
     range(police_months.first_month, police_months.last_month + interval 1 month, interval 1 month)
         as months(month_start)
