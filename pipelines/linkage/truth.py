"""The true person behind each linkage record of a warehouse built from a synthetic world.

The generator's records.parquet names the person of every delivered row by (feed, file_name,
delivery, row_number); the warehouse's records carry (file_id, source_row_number). A delivery is
matched to its registry row through its bytes (sha256), so a snapshot re-sent under the same name
maps to the right delivery.
"""
from __future__ import annotations

from pathlib import Path

import duckdb
import polars as pl

RECORDS_TABLE = "intermediate.int_linkage__records"


def record_persons(con: duckdb.DuckDBPyConnection, truth_dir: Path, records_table: str = RECORDS_TABLE) -> pl.DataFrame:
    """record_id, feed, person_id (null where the generator knows no person) of every linkage record."""
    truth_records = pl.read_parquet(truth_dir / "records.parquet", columns=["feed", "file_name", "delivery", "row_number", "person_id"])
    truth_files = pl.read_parquet(truth_dir / "files.parquet", columns=["feed", "file_name", "delivery", "sha256"])
    con.register("_truth_records", truth_records.join(truth_files, on=["feed", "file_name", "delivery"]).to_arrow())
    try:
        return con.sql(f"""
            select records.record_id, records.feed, truth.person_id
            from {records_table} as records
            join ops.file_registry as registry on registry.file_id = records.file_id
            left join _truth_records as truth
              on truth.feed = records.feed and truth.sha256 = registry.sha256
             and truth.row_number = records.source_row_number
        """).pl()
    finally:
        con.unregister("_truth_records")
