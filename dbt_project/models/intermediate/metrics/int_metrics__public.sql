{#- Recorded crime context metrics (metrics.md, PUB_*) from the real public feeds, as metric rows;
    marts.metric_values adds value and interval. Both are counts. The boroughs are the Met's 32
    (dim_borough): a crime placed in the City of London, by its own force, counts in London only. -#}
with boroughs as (
    select borough_code, bcu_name from {{ ref('dim_borough') }}
),

{#- Street files only: outcomes files repeat crimes already counted. Anti-social behaviour has no
    Crime ID and is not a recorded crime. An LSOA outside London takes the crime out of London; a
    crime with no location stays in London, in no borough. -#}
police_uk_crimes as (
    select
        crimes.crime_month as period_month,
        boroughs.borough_code,
        boroughs.bcu_name
    from {{ ref('stg_police_uk') }} as crimes
    left join boroughs on boroughs.borough_code = crimes.borough_code
    where crimes.file_kind = 'street'
      and crimes.crime_id is not null
      and (crimes.lsoa_code is null or crimes.borough_code is not null)
),

{#- The newest download holding each month wins (int_mps_recorded_crime__current, whose values are
    the delivered text). A row outside the Met boroughs (Unknown, the airports) counts in London only. -#}
mps_counts as (
    select
        counts.month::date as period_month,
        boroughs.borough_code,
        boroughs.bcu_name,
        counts.crime_count::integer as crime_count
    from {{ ref('int_mps_recorded_crime__current') }} as counts
    left join boroughs on boroughs.borough_code = counts.borough_code
),

pub_recorded_crimes as (
    {{ count_metric('PUB_RECORDED_CRIMES', 'police_uk_crimes') }}
),

pub_recorded_crimes_mps as (
    {{ count_metric('PUB_RECORDED_CRIMES_MPS', 'mps_counts', quantity='crime_count') }}
)

select * from pub_recorded_crimes
union all select * from pub_recorded_crimes_mps
