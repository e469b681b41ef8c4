"""Probabilistic linkage one build at a time: Splink scores only the pairs a build's deliveries could
change, and the earlier pairs of records nothing touched stand (issue 7, scale).

A record to link (an unlinked record, probabilistic.py) is `fresh` when it is new or changed since
the last build, or was not scored then (it had a reference link); it is compared with every
candidate. Any other is `stale`: its earlier pairs stand, except those with a candidate that
changed or is gone, and it is compared with the candidates that arrived or changed since. A record
scored without reaching the threshold keeps a row with no match, so that the next build knows it
was scored.

An earlier pair keeps the probability it was scored with. The prior is diluted for the size of the
candidate set (probabilistic.model_for), so a full refresh of a larger warehouse can score a pair
near the threshold a little lower: links, once made, do not flicker as history grows.
"""
from __future__ import annotations

from contextlib import contextmanager

import duckdb
import polars as pl

from pipelines.linkage.probabilistic import OUTPUT_SCHEMA, blocked_candidates_sql, compact_columns_sql, predict_links

STATE_SCHEMA = {**OUTPUT_SCHEMA, "as_of_file_id": pl.Int64}


def score(con: duckdb.DuckDBPyConnection, records: str, unlinked: str, previous: str | None, *,
          as_of_file_id: int, candidate_count: int) -> pl.DataFrame:
    """The new state of the probabilistic links table (STATE_SCHEMA): every pair at or above the
    threshold, and a row with a null match for each record to link that has none.

    `records` and `unlinked` name relations of int_linkage__records' columns (tokens as text):
    every record, and the records to link. `previous` names the table as the last build left it
    (None on a first build or a full refresh). `as_of_file_id` is the newest delivery in the
    registry, written on every row so that the next build knows what is new to it."""
    since = _since(con, previous)
    con.execute(f"create or replace temp view linkage_changed as select * from {records} where file_id > {since}")
    scored_before = f"(select record_id from {previous})" if previous else "(select null::varchar as record_id where false)"
    con.execute(f"""
        create or replace temp view linkage_fresh as
        select * from {unlinked}
        where record_id in (select record_id from linkage_changed) or record_id not in {scored_before}""")
    con.execute(f"""
        create or replace temp view linkage_stale as
        select * from {unlinked} where record_id not in (select record_id from linkage_fresh)""")

    [(limit,)] = con.execute("select current_setting('memory_limit')").fetchall()
    pairs = [
        _predict(con, "linkage_fresh", records, candidate_count, limit),
        _predict(con, "linkage_stale", "linkage_changed", candidate_count, limit),
    ]
    if previous:
        pairs.append(con.sql(f"""
            select record_id, matched_record_id, match_probability from {previous}
            where matched_record_id is not null
              and record_id in (select record_id from linkage_stale)
              and matched_record_id not in (select record_id from linkage_changed)
              and matched_record_id in (select record_id from {records})""").pl().cast(OUTPUT_SCHEMA))
    matched = pl.concat(pairs)
    to_link = con.sql(f"select record_id from {unlinked}").pl()
    unmatched = to_link.join(matched, on="record_id", how="anti").with_columns(
        matched_record_id=pl.lit(None, pl.String), match_probability=pl.lit(None, pl.Float64)).cast(OUTPUT_SCHEMA)
    return (pl.concat([matched, unmatched])
            .with_columns(as_of_file_id=pl.lit(as_of_file_id, pl.Int64))
            .sort("record_id", "match_probability", "matched_record_id", descending=[False, True, False],
                  nulls_last=True))


def has_linkage_state(con: duckdb.DuckDBPyConnection, table) -> bool:
    """Whether the table as the last build left it records the delivery it was brought up to date
    with: one from before linkage was incremental does not, and is worked out in full once."""
    [(found,)] = con.execute(
        "select count(*) from information_schema.columns where table_schema = ? and table_name = ? "
        "and column_name = 'as_of_file_id'", [table.schema, table.identifier]).fetchall()
    return found > 0


def _since(con: duckdb.DuckDBPyConnection, previous: str | None) -> int:
    if not previous:
        return 0
    [(since,)] = con.execute(f"select coalesce(max(as_of_file_id), 0) from {previous}").fetchall()
    return since


def _predict(con: duckdb.DuckDBPyConnection, left: str, candidates: str, candidate_count: int,
             warehouse_limit: str) -> pl.DataFrame:
    """Splink's pairs of the records of `left` with the candidates of `candidates` that meet one of
    them on a blocking rule (each side leaves DuckDB with its tokens hashed)."""
    unlinked = con.sql(f"select {compact_columns_sql('u')} from {left} as u").pl()
    if unlinked.is_empty():
        return pl.DataFrame(schema=OUTPUT_SCHEMA)
    blocked = con.sql(blocked_candidates_sql(candidates, left)).pl()
    with _cache_given_back(con, warehouse_limit):
        return predict_links(unlinked, blocked, candidate_count=candidate_count)


@contextmanager
def _cache_given_back(con: duckdb.DuckDBPyConnection, warehouse_limit: str, while_splink_runs: str = "256MB"):
    """The warehouse connection keeps table data cached up to its memory limit (after the models
    before this one, most of it). While Splink's own DuckDB works, the limit is lowered, which
    evicts that cache and hands the memory back, then put back to `warehouse_limit`: the two never
    hold their full limits at once. The lowered limit is also every other model's and test's that
    dbt runs meanwhile: at 128MB they spilled, and one new month on a year took 31.6 s against 29.0 s
    at 256MB (medians of three), for 0.14 GB more at the peak of a year's first build (1.81 GB with
    the build process's), now that Splink compares record numbers (probabilistic.RecordNumbers)."""
    con.execute(f"set memory_limit = '{while_splink_runs}'")
    try:
        yield
    finally:
        con.execute(f"set memory_limit = '{warehouse_limit}'")
