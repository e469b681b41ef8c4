{#- Each non-police record's deterministic link: the best-ranked reference that decides
    (int_linkage__reference_decisions; victim_ref, then crime_ref, URN, PNC, CRN). -#}
select
    record_id,
    feed,
    link_method,
    linked_record_id,
    linked_victim_key
from {{ ref('int_linkage__reference_decisions') }}
where persons_agreeing = 1
qualify row_number() over (partition by record_id order by method_rank) = 1
