{#- Placeholder until the deterministic stage lands (record_id -> police victim by victim_ref,
    crime_ref, URN or CRN with token checks): no record is placed yet, so the probabilistic
    stage sees every non-police record. -#}
select null::varchar as record_id, null::varchar as victim_key, null::varchar as link_method
where false
