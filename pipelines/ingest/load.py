"""Write accepted rows and findings into the warehouse, inside the caller's transaction."""
from __future__ import annotations

from contextlib import contextmanager

import duckdb
import polars as pl

from pipelines.ingest.findings import whole_row_findings
from pipelines.ingest.pseudonymise import (
    TOKEN_MACRO, Token, install_token_macro, prepare, raw_columns, stored_name, tokens)
from pipelines.ingest.read import ROW_NUMBER
from pipelines.sql import qualified, quote_identifier
from schemas.contract import FeedContract

LINEAGE = ("_file_id", "_row_number", "_loaded_at")


def raw_table(contract: FeedContract) -> str:
    return qualified("raw", contract.feed)


def ensure_raw_table(con: duckdb.DuckDBPyConnection, contract: FeedContract, pseudonym_key: str) -> None:
    """Ready this connection to load the feed: the token macro installed (after checking the key is
    the warehouse's) and raw.<feed> created from the contract, so staging builds before the first
    delivery. Once per feed and connection: everything a file's load repeats is in load_rows."""
    install_token_macro(con, pseudonym_key)
    con.execute("create schema if not exists raw")
    empty = pl.DataFrame(schema={ROW_NUMBER: pl.Int64, **{
        c.name: pl.Date if c.type == "date" else pl.String for c in contract.columns}})
    with _incoming(con, contract, prepare(empty, contract)) as select:
        con.execute(f"create table if not exists {raw_table(contract)} as {select} limit 0", [None])


def load_rows(con: duckdb.DuckDBPyConnection, contract: FeedContract, prepared: pl.DataFrame, file_id: int) -> int:
    """Append a file's accepted rows, as `pseudonymise.prepare` left them, to raw.<feed> with lineage
    columns; return the row count. The connection must have been readied by ensure_raw_table.

    Raw keeps every version of every period: which version is current is the registry's business
    (status 'loaded' vs 'superseded'), so a replaced delivery stays auditable.
    """
    columns = ", ".join(quote_identifier(name) for name, _ in raw_columns(contract))
    with _incoming(con, contract, prepared) as select:
        con.execute(f"insert into {raw_table(contract)} (_file_id, _row_number, _loaded_at, {columns}) {select}",
                    [file_id])
    return prepared.height


@contextmanager
def _incoming(con: duckdb.DuckDBPyConnection, contract: FeedContract, prepared: pl.DataFrame):
    """The prepared rows, tokenised, as a relation of this connection, and the select (its one
    parameter the file id) turning them into raw.<feed>'s columns."""
    con.register("incoming_rows", _tokenised(con, contract, prepared).to_arrow())
    try:
        columns = ", ".join(quote_identifier(name) for name, _ in raw_columns(contract))
        yield (f"select cast(? as integer) as _file_id, {quote_identifier(ROW_NUMBER)}::integer as _row_number, "
               f"current_timestamp as _loaded_at, {columns} from incoming_rows")
    finally:
        con.unregister("incoming_rows")


def _tokenised(con: duckdb.DuckDBPyConnection, contract: FeedContract, prepared: pl.DataFrame) -> pl.DataFrame:
    """The prepared rows with each token in place of its normalised personal value. Each distinct
    value is tokenised once (initials, Soundex codes, names and dates of birth repeat a great deal;
    HMAC is the costly step), then mapped back to its rows; a row without the value has no token."""
    wanted = tokens(contract)
    if not wanted:
        return prepared
    values = pl.concat([prepared.select(pl.lit(t.domain).alias("domain"), pl.col(t.source).alias("value"))
                        for t in wanted]).drop_nulls("value").unique()
    con.register("incoming_values", values.to_arrow())
    try:
        tokenised = pl.from_arrow(con.sql(f"select domain, value, {TOKEN_MACRO}(domain, value) as token "
                                          "from incoming_values").to_arrow_table())
    finally:
        con.unregister("incoming_values")

    by_domain = tokenised.partition_by("domain", as_dict=True, include_key=False)
    empty = pl.DataFrame(schema={"value": pl.String, "token": pl.String})

    def token(t: Token) -> pl.Expr:
        known = by_domain.get((t.domain,), empty)
        return pl.col(t.source).replace_strict(known["value"], known["token"], default=None,
                                               return_dtype=pl.String).alias(t.column)
    return prepared.with_columns(token(t) for t in wanted).drop(t.source for t in wanted)


def cross_period_key_conflicts(con: duckdb.DuckDBPyConnection, contract: FeedContract, file_id: int,
                               period_key: str) -> pl.DataFrame:
    """Findings for the rows of this file whose key is already current in another period of the
    feed (extracts.md: the current row stays). Compared on stored keys (a person identifier as its
    token), so no personal value is needed."""
    keys = [quote_identifier(stored_name(contract.column(k))) for k in contract.key]
    matches = " and ".join(f"current_rows.{k} = new_rows.{k}" for k in keys)
    conflicts = con.sql(f"""
        with other_periods as (
            select file_id, file_name, period_key from ops.file_registry
            where feed = ? and status = 'loaded' and period_key <> ?
        )
        select new_rows._row_number as row_number,
               min(other_periods.file_name) as other_file, min(other_periods.period_key) as other_period
        from {raw_table(contract)} as new_rows
        join {raw_table(contract)} as current_rows on {matches}
        join other_periods on other_periods.file_id = current_rows._file_id
        where new_rows._file_id = ?
        group by all
        order by 1""", params=[contract.feed, period_key, file_id]).to_arrow_table()
    return whole_row_findings(
        pl.from_arrow(conflicts), "key_conflict",
        pl.lit(f" ({', '.join(contract.key)}) already current in ") + pl.col("other_file")
        + pl.lit(" (period ") + pl.col("other_period")
        + pl.lit("), whose row stays current; ask the sender to correct this row's key, or to re-send that "
                 "period without it if this row replaces it"))


def remove_rows(con: duckdb.DuckDBPyConnection, contract: FeedContract, file_id: int,
                row_numbers: list[int] | None = None) -> None:
    """Take back rows of this file loaded in the current transaction (all of them when None)."""
    if row_numbers == []:
        return
    if row_numbers is None:
        con.execute(f"delete from {raw_table(contract)} where _file_id = ?", [file_id])
    else:
        con.execute(f"delete from {raw_table(contract)} where _file_id = ? and list_contains(?, _row_number)",
                    [file_id, row_numbers])


def record_findings(con: duckdb.DuckDBPyConnection, contract: FeedContract, file_id: int, file_name: str,
                    findings: pl.DataFrame) -> None:
    if findings.is_empty():
        return
    con.register("incoming_findings", findings.to_arrow())
    try:
        con.execute(
            "insert into ops.quarantine (file_id, feed, file_name, row_number, column_name, check_name, "
            "severity, reason, value) select ?, ?, ?, row_number, column_name, check_name, severity, reason, value "
            "from incoming_findings", [file_id, contract.feed, file_name])
    finally:
        con.unregister("incoming_findings")
