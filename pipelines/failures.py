"""What went wrong in a build, in terms an operator can act on: the message of each failed step,
and for each failed dbt test its failing rows' delivery file and row.

Messages raised by this project name files, rows, columns and checks, never values, so they are
shown as they are. A failed test's query (its compiled SQL in run_results.json) selects its failing
rows; where the tested model carries lineage (file_id, source_row_number), those rows lead back to
the delivery.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from pipelines.warehouse import connect_read_only

EXAMPLE_ROWS = 5


@dataclass(frozen=True)
class FailedTest:
    name: str
    failures: int
    rows: list[tuple[str, int]] = field(default_factory=list)  # (delivery file, row) of a few failing rows

    def describe(self) -> str:
        where = f"; e.g. {', '.join(f'{name} row {row}' for name, row in self.rows)}" if self.rows else ""
        return f"failed dbt test {self.name}: {self.failures:,} failing row(s){where}"


def innermost_message(error) -> str:
    """The exception at the bottom of a Dagster error chain (SerializableErrorInfo): the one raised
    by our code, rather than Dagster's 'error occurred while executing' wrapper."""
    while error.cause is not None:
        error = error.cause
    return error.message.strip()


def failed_dbt_tests(run_results: Path, warehouse_db: Path) -> list[FailedTest]:
    """The tests that failed in the dbt invocation that wrote run_results.json."""
    if not run_results.exists():
        return []
    results = json.loads(run_results.read_text())["results"]
    failed = [r for r in results if r["unique_id"].startswith("test.") and r["status"] in ("fail", "error")]
    if not failed:
        return []
    con = connect_read_only(warehouse_db)
    try:
        return [FailedTest(r["unique_id"].split(".")[2], r.get("failures") or 0,
                           _failing_rows(con, r.get("compiled_code"))) for r in failed]
    finally:
        con.close()


def _failing_rows(con: duckdb.DuckDBPyConnection, test_sql: str | None) -> list[tuple[str, int]]:
    if not test_sql:
        return []
    failing = f"(\n{test_sql}\n) as failing"  # on lines of its own: the query may end in a -- comment
    try:
        columns = {d[0] for d in con.execute(f"select * from {failing} limit 0").description}
        if not {"file_id", "source_row_number"} <= columns:
            return []
        return con.execute(f"""
            select registry.file_name, failing.source_row_number
            from {failing} join ops.file_registry as registry using (file_id)
            order by 1, 2 limit ?""", [EXAMPLE_ROWS]).fetchall()
    except duckdb.Error:  # a test that errored rather than failed: its query does not run
        return []
