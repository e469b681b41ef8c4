-- placeholder until the Splink stage lands
select null::varchar as record_id, null::varchar as matched_record_id, null::double as match_probability
where false
