"""Write accepted rows and findings into the warehouse, inside the caller's transaction."""
from __future__ import annotations

import duckdb
import polars as pl

from pipelines.ingest.pseudonymise import install_token_macro, prepare, storable_projection
from pipelines.ingest.read import ROW_NUMBER
from schemas.contract import FeedContract

LINEAGE = ("_file_id", "_row_number", "_loaded_at")


def load_rows(con: duckdb.DuckDBPyConnection, contract: FeedContract, accepted: pl.DataFrame,
              file_id: int | None, pseudonym_key: str) -> int:
    """Append a file's accepted rows to raw.<feed> with lineage columns; return the row count.

    Raw keeps every version of every period: which version is current is the registry's business
    (status 'loaded' vs 'superseded'), so a replaced delivery stays auditable.
    """
    typed = prepare(accepted, contract)
    install_token_macro(con, pseudonym_key)
    con.register("incoming_rows", typed.to_arrow())
    try:
        select = (f"select cast(? as integer) as _file_id, {ROW_NUMBER}::integer as _row_number, "
                  f"current_timestamp as _loaded_at, {', '.join(storable_projection(typed.columns, contract))} "
                  f"from incoming_rows")
        con.execute("create schema if not exists raw")
        con.execute(f"create table if not exists raw.{contract.feed} as {select} limit 0", [file_id])
        con.execute(f"insert into raw.{contract.feed} by name {select}", [file_id])
    finally:
        con.unregister("incoming_rows")
    return typed.height


def ensure_raw_table(con: duckdb.DuckDBPyConnection, contract: FeedContract, pseudonym_key: str) -> None:
    """Create raw.<feed> (empty) from the contract, so staging builds before the first delivery."""
    empty = pl.DataFrame(schema={ROW_NUMBER: pl.Int64, **{c.name: pl.String for c in contract.columns}})
    load_rows(con, contract, empty, None, pseudonym_key)


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
