{#- User Satisfaction Survey responses of the current delivery of each interview month, columns as
    in the source (the respondent as a token) and the interview month. -#}
with source as (
    {{ delivered_rows('uss_responses') }}
)

select
    source.* exclude (snapshot_date) replace (interview_date::timestamp as interview_date),
    date_trunc('month', interview_date::timestamp)::date as interview_month
from source
