{#- The RJ funnel (metrics.md, Access to restorative justice): how many cases referred in a month
    reached each stage, per borough, referral route and criminal justice stage, from the latest
    state of each case. Each stage counts the cases that reached it, whatever the others say. -#}
select
    referral_month as period_month,
    borough_code,
    referral_source,
    cjs_stage,
    count(*) as referred,
    count(*) filter (where contacted) as contacted,
    count(*) filter (where assessed) as assessed,
    count(*) filter (where suitable) as suitable,
    count(*) filter (where victim_consented) as victim_consented,
    count(*) filter (where delivered) as delivered,
    count(*) filter (where completed) as completed
from {{ ref('fct_rj_case') }}
group by all
