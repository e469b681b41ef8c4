{#- References that did not make a link, for review with the sending agency and the data protection
    officer: a placeholder, a reference whose crime or offender has nobody whose tokens agree with the
    record (mistyped, or someone else's case), or one that fits several people; and records whose
    links reach several police victims without deciding between them (a tie between Splink's best
    matches can only be probabilistic: a record has one deterministic link). Case references and
    record ids only, never tokens. `linked_otherwise` says whether another reference or the
    probabilistic stage linked the record all the same. -#}
-- Read where used, never materialized: each use reads only the columns and rows it needs of a
-- million-row table (materialized, the CTE held all of it in memory and took ten times as long)
with records as not materialized (
    select * from {{ ref('int_linkage__records') }}
),

keys as (
    select record_id, link_method from {{ ref('int_linkage__victim_keys') }}
),

placeholders as (
    select record_id, feed, 'crime_ref' as link_method, crime_ref as reference, 0 as persons_reached,
           0 as persons_agreeing, 'placeholder_reference' as reason
    from records
    where feed not in ('police_crimes', 'uss_responses') and {{ is_placeholder_reference('crime_ref') }}
    union all
    select record_id, feed, 'urn', urn, 0, 0, 'placeholder_reference'
    from records
    where {{ is_placeholder_reference('urn') }}
),

undecided as (
    select
        record_id, feed, link_method, reference, persons_reached, persons_agreeing,
        case when persons_agreeing = 0 then 'nobody_reached_matches' else 'several_people_match' end as reason
    from {{ ref('int_linkage__reference_decisions') }}
    where persons_agreeing <> 1
),

-- Links (Splink's among them) that reached police victims but decided nothing
undecided_links as (
    select record_id, feed,
           case when unresolved = 'tied_between_victims' then 'probabilistic' else link_method end as link_method,
           null::varchar as reference, null::bigint as persons_reached,
           null::bigint as persons_agreeing, unresolved as reason
    from {{ ref('int_linkage__victim_keys') }}
    where unresolved is not null
),

final as (
    select
        review.record_id,
        review.feed,
        split_part(review.record_id, ':', 2) as record_key,
        review.link_method as reference_kind,
        review.reference,
        review.persons_reached,
        review.persons_agreeing,
        review.reason,
        coalesce(keys.link_method <> 'none', false) as linked_otherwise
    from (select * from placeholders union all select * from undecided union all select * from undecided_links) as review
    left join keys on keys.record_id = review.record_id
)

select * from final
