{#- One row per User Satisfaction Survey response (current delivery of each interview month), with
    each question's answer and whether it counts as satisfied (metrics.md, Satisfaction). Borough and
    BCU come from the police crime the response names; a response whose crime_ref matches no police
    crime has neither (it counts in London totals only). -#}
{%- set questions = ['ease_of_contact', 'actions_taken', 'kept_informed', 'treatment', 'overall'] -%}
{%- set satisfied_answers = ['Completely satisfied', 'Very satisfied', 'Fairly satisfied'] -%}
{%- set other_valid_answers = ['Neither satisfied nor dissatisfied', 'Fairly dissatisfied', 'Very dissatisfied',
                               'Completely dissatisfied'] -%}
with responses as (
    select * from {{ ref('stg_uss_responses') }}
),

{#- Victims of one crime share its borough; min() only keeps one row per crime. Only the crimes
    responses name are grouped, not every crime of the history. -#}
crime_boroughs as (
    select crime_ref, min(borough_code) as borough_code
    from {{ ref('fct_victim_crime') }}
    where crime_ref in (select crime_ref from responses)
    group by crime_ref
),

boroughs as (
    select * from {{ ref('dim_borough') }}
),

final as (
    select
        -- ids
        responses.response_id,
        responses.crime_ref,
        responses.victim_key,
        responses.file_id,
        responses.source_row_number,

        -- when and where
        responses.interviewed_at,
        responses.interview_month,
        crime_boroughs.borough_code,
        boroughs.bcu_name,

        -- interview
        responses.interview_mode,
        responses.sample_crime_type,

        -- respondent
        responses.respondent_ethnic_group,
        case
            when responses.respondent_ethnic_group = 'White' then 'White'
            when responses.respondent_ethnic_group in ('Mixed or multiple', 'Asian or Asian British',
                 'Black, Black British, Caribbean or African', 'Other ethnic group') then 'BAME'
        end as ethnicity_gap_group,
        responses.respondent_age_band,
        responses.respondent_disability,

        -- answers: satisfied is null unless the answer is one of the seven valid ones (Don't know,
        -- Refused and not asked are outside every SAT_* base)
        {%- for question in questions %}
        responses.{{ question }}_answer,
        case
            when responses.{{ question }}_answer in ('{{ satisfied_answers | join("', '") }}') then true
            when responses.{{ question }}_answer in ('{{ other_valid_answers | join("', '") }}') then false
        end as {{ question }}_satisfied{{ ',' if not loop.last }}
        {%- endfor %}

    from responses
    left join crime_boroughs on crime_boroughs.crime_ref = responses.crime_ref
    left join boroughs on boroughs.borough_code = crime_boroughs.borough_code
)

select * from final
