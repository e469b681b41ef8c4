{#- User Satisfaction Survey metrics (metrics.md, Satisfaction) as metric rows, per interview month;
    borough and BCU from the linked police crime (an unlinked response counts in London only). A
    question's base is the responses giving one of its seven valid answers (satisfied not null). -#}
{%- set questions = {
    'SAT_EASE_OF_CONTACT': 'ease_of_contact',
    'SAT_ACTIONS_TAKEN': 'actions_taken',
    'SAT_KEPT_INFORMED': 'kept_informed',
    'SAT_TREATMENT': 'treatment',
    'SAT_OVERALL': 'overall',
} -%}
with responses as (
    select
        interview_month as period_month,
        borough_code,
        bcu_name,
        ethnicity_gap_group,
        {%- for question in questions.values() %}
        {{ question }}_satisfied{{ ',' if not loop.last }}
        {%- endfor %}
    from {{ ref('fct_survey_response') }}
),

{% for metric_id, question in questions.items() %}
{{ metric_id | lower }} as (
    {{ rate_metric(metric_id,
                   '(select *, ' ~ question ~ '_satisfied as meets from responses where ' ~ question ~ '_satisfied is not null)') }}
),

{% endfor %}
sat_overall_white as (
    {{ rate_metric('SAT_OVERALL_WHITE',
                   "(select *, overall_satisfied as meets from responses
                     where overall_satisfied is not null and ethnicity_gap_group = 'White')") }}
),

sat_overall_bame as (
    {{ rate_metric('SAT_OVERALL_BAME',
                   "(select *, overall_satisfied as meets from responses
                     where overall_satisfied is not null and ethnicity_gap_group = 'BAME')") }}
)

{% for metric_id in questions %}
select * from {{ metric_id | lower }}
union all
{% endfor -%}
select * from sat_overall_white
union all select * from sat_overall_bame
