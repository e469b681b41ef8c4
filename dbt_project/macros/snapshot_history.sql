{#-
    The history of a snapshot feed's records (extracts.md, snapshot feeds), from `relation`: one row per
    record per snapshot date (a staging model with snapshot_date, file_id and source_row_number).

    A record's version starts at the snapshot date where it first appears, or where its content changes,
    or where it reappears after being absent; it is valid until the next one (valid_to, exclusive; null
    for the current row). With absent_records = 'deleted', a record missing from the next snapshot gets
    a row with is_deleted from that snapshot's date, carrying its last values. Everything follows
    snapshot dates, never arrival order: a late, older snapshot slots into the history and cannot rewind
    the current state.

    Incremental models (delete+insert on the key) pass `feed`: when every snapshot delivered since the
    last build is later than every snapshot before (the usual month), only the records those snapshots
    touch are worked out again (snapshot_history_touched_keys), from their every snapshot, so each
    record's rows stay what a full refresh gives. A late older snapshot or a re-sent date works out
    every record again.
-#}
{% macro snapshot_history(relation, key, absent_records='deleted', feed=none) -%}
    {%- set key_list = key | join(', ') -%}
    {%- set only_touched = feed is not none and is_incremental() and only_later_snapshots_since_last_build(feed) -%}
    with snapshot_dates as (
        select snapshot_date, lead(snapshot_date) over (order by snapshot_date) as next_snapshot_date
        from (select distinct snapshot_date from {{ relation }})
    ),

    {% if only_touched -%}
    touched_keys as (
        {{ snapshot_history_touched_keys(relation, key) }}
    ),
    {%- endif %}

    occurrences as (
        select
            *,
            hash(*columns(* exclude (file_id, source_row_number, snapshot_date))) as _content
        from {{ relation }}
        {%- if only_touched %}
        semi join touched_keys using ({{ key_list }})
        {%- endif %}
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


{#- Whether every snapshot of `feed` delivered after the newest file this table holds is dated after
    every snapshot delivered up to it (a superseded re-send counts: its date is being replaced). -#}
{% macro only_later_snapshots_since_last_build(feed) -%}
    {%- if not execute -%}{{ return(false) }}{%- endif -%}
    {%- set decided = run_query("
        with taken_in as (select coalesce(max(file_id), 0) as file_id from " ~ this ~ "),
        deliveries as (
            select snapshot_date, file_id > (select file_id from taken_in) as is_new
            from " ~ ref('stg_ops__file_registry') ~ "
            where feed = '" ~ feed ~ "' and status in ('loaded', 'superseded')
        )
        select coalesce((select min(snapshot_date) from deliveries where is_new)
                        > (select max(snapshot_date) from deliveries where not is_new), true)") -%}
    {{ return(decided.columns[0].values()[0]) }}
{%- endmacro %}


{#- The records a build's later snapshots touch: a record whose row in a new snapshot differs from
    its current open version (or that has none), and an open record missing from a new snapshot.
    Content is hashed over the same columns as in snapshot_history; a record counted here needlessly
    only costs its recomputation. -#}
{% macro snapshot_history_touched_keys(relation, key) -%}
    {%- set key_list = key | join(', ') -%}
    with open_versions as (
        select {{ key_list }},
               hash(*columns(* exclude (file_id, source_row_number, valid_from, valid_to, is_current, is_deleted)))
                   as _content
        from {{ this }}
        where is_current and not is_deleted
    ),

    new_rows as (
        select {{ key_list }}, snapshot_date,
               hash(*columns(* exclude (file_id, source_row_number, snapshot_date))) as _content
        from {{ relation }}
        where file_id > (select coalesce(max(file_id), 0) from {{ this }})
    )

    select {{ key_list }} from new_rows anti join open_versions using ({{ key_list }}, _content)
    union
    select {{ key_list }}
    from open_versions cross join (select distinct snapshot_date from new_rows) as new_snapshots
    anti join new_rows using ({{ key_list }}, snapshot_date)
{%- endmacro %}
