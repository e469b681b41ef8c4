{#- Outcomes for victims (metrics.md) as metric rows, by report month: each crime's current outcome
    as marts.fct_victim_crime carries it, so a report month's figures change as outcomes arrive. -#}
with victims as (
    select
        report_month as period_month,
        borough_code,
        bcu_name,
        current_outcome_code,
        charged,
        victim_not_supporting
    from {{ ref('fct_victim_crime') }}
),

out_charged as (
    {{ rate_metric('OUT_CHARGED', '(select *, coalesce(charged, false) as meets from victims)') }}
),

out_victim_not_supporting as (
    {{ rate_metric('OUT_VICTIM_NOT_SUPPORTING',
                   '(select *, victim_not_supporting as meets from victims where current_outcome_code is not null)') }}
)

select * from out_charged
union all select * from out_victim_not_supporting
