{#-
    The history of a snapshot feed's records (extracts.md, snapshot feeds), from `relation`: one row per
    record per snapshot date (a staging model with snapshot_date, file_id and source_row_number).

    A record's version starts at the snapshot date where it first appears, or where its content changes,
    or where it reappears after being absent; it is valid until the next one (valid_to, exclusive; null
    for the current row). With absent_records = 'deleted', a record missing from the next snapshot gets
    a row with is_deleted from that snapshot's date, carrying its last values. Everything follows
    snapshot dates, never arrival order: a late, older snapshot slots into the history and cannot rewind
    the current state.
-#}
{% macro snapshot_history(relation, key, absent_records='deleted') -%}
    {%- set key_list = key | join(', ') -%}
    with snapshot_dates as (
        select snapshot_date, lead(snapshot_date) over (order by snapshot_date) as next_snapshot_date
        from (select distinct snapshot_date from {{ relation }})
    ),

    occurrences as (
        select
            *,
            hash(*columns(* exclude (file_id, source_row_number, snapshot_date))) as _content
        from {{ relation }}
    ),

    sequenced as (
        select
            occurrences.*,
            snapshot_dates.next_snapshot_date,
            lag(_content) over record_order as _previous_content,
            lag(snapshot_dates.next_snapshot_date) over record_order as _snapshot_after_previous,
            lead(occurrences.snapshot_date) over record_order as _next_seen
        from occurrences
        join snapshot_dates using (snapshot_date)
        window record_order as (partition by {{ key_list }} order by occurrences.snapshot_date)
    ),

    versions as (
        select *, snapshot_date as valid_from, false as is_deleted
        from sequenced
        where _previous_content is null
           or _content <> _previous_content
           or _snapshot_after_previous <> snapshot_date
    ),

    {% if absent_records == 'deleted' %}
    deletions as (
        select *, next_snapshot_date as valid_from, true as is_deleted
        from sequenced
        where next_snapshot_date is not null
          and (_next_seen is null or _next_seen > next_snapshot_date)
    ),
    {% endif %}

    history as (
        select * from versions
        {% if absent_records == 'deleted' %}union all select * from deletions{% endif %}
    )

    select
        * exclude (_content, _previous_content, _snapshot_after_previous, _next_seen, next_snapshot_date,
                   snapshot_date),
        lead(valid_from) over (partition by {{ key_list }} order by valid_from) as valid_to,
        lead(valid_from) over (partition by {{ key_list }} order by valid_from) is null as is_current
    from history
{%- endmacro %}
