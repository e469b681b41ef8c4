"""The snapshot history one build at a time (macros/snapshot_history.sql): a later snapshot works out
again only the records it touches; a late older snapshot and a re-sent date work out every record.
After each, the history is exactly what a full refresh gives. Deliveries are staged in a copy of
the built world's warehouse, in the registry and raw.rj_cases, as ingestion leaves them."""
import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from pipelines.settings import DBT_PROJECT_DIR

DBT = str(Path(sys.executable).parent / "dbt")
HISTORY = "int_rj_cases__history"


class Warehouse:
    def __init__(self, path: Path, work: Path):
        self.path, self.work = path, work
        self.full_history_sql = None  # the model as a full refresh compiles it: what the history should be

    def sql(self, statement: str, *params):
        with duckdb.connect(str(self.path)) as con:
            return con.execute(statement, list(params)).fetchall()

    def dbt_run(self, *flags: str) -> str:
        """Runs the history model; returns the SQL it ran."""
        finished = subprocess.run(
            [DBT, "run", "--select", HISTORY, *flags, "--project-dir", str(DBT_PROJECT_DIR),
             "--profiles-dir", str(DBT_PROJECT_DIR), "--target-path", str(self.work / "target"),
             "--log-path", str(self.work / "logs")],
            env={**os.environ, "MOPAC_WAREHOUSE_DB": str(self.path), "DBT_USE_COLORS": "false"},
            capture_output=True, text=True)
        assert finished.returncode == 0, finished.stdout[-3000:]
        compiled = next((self.work / "target" / "compiled").rglob(f"{HISTORY}.sql")).read_text()
        if "--full-refresh" in flags:
            self.full_history_sql = compiled
        return compiled

    def history(self) -> set:
        return set(self.sql(f"select * from intermediate.{HISTORY}"))

    def deliver_copy_of(self, file_id: int, **change) -> int:
        """Registers and loads a new file holding file_id's rows (all but the last, and with `change`
        applied to the first ten, when given): returns its file_id."""
        [(new_id,)] = self.sql("select max(file_id) + 1 from ops.file_registry")
        self.sql("insert into ops.file_registry select * replace (?::integer as file_id, 'loaded' as status) "
                 "from ops.file_registry where file_id = ?", new_id, file_id)
        self.sql("insert into raw.rj_cases select * replace (?::integer as _file_id) from raw.rj_cases "
                 "where _file_id = ?", new_id, file_id)
        if change:
            [(last_row,)] = self.sql("select max(_row_number) from raw.rj_cases where _file_id = ?", new_id)
            self.sql("delete from raw.rj_cases where _file_id = ? and _row_number = ?", new_id, last_row)
            for column, value in change.items():
                self.sql(f"update raw.rj_cases set {column} = ? where _file_id = ? and _row_number <= 10",
                         value, new_id)
        return new_id

    def set_status(self, file_id: int, status: str):
        self.sql("update ops.file_registry set status = ? where file_id = ?", status, file_id)


@pytest.fixture(scope="module")
def warehouse(synthetic_world, tmp_path_factory):
    work = tmp_path_factory.mktemp("snapshot_history")
    shutil.copyfile(synthetic_world / "warehouse" / "mopac.duckdb", work / "mopac.duckdb")
    return Warehouse(work / "mopac.duckdb", work)


def assert_equals_a_full_refresh(warehouse: Warehouse):
    assert warehouse.history() == set(warehouse.sql(warehouse.full_history_sql))


def test_later_late_and_re_sent_snapshots_each_leave_what_a_full_refresh_gives(warehouse):
    snapshots = warehouse.sql("select file_id from ops.file_registry where feed = 'rj_cases' and status = 'loaded' "
                              "order by snapshot_date")
    assert len(snapshots) >= 3
    (before_last,), (last,) = snapshots[-2:]
    warehouse.set_status(before_last, "held")
    warehouse.set_status(last, "held")
    warehouse.dbt_run("--full-refresh")
    rows_without_them = len(warehouse.history())

    # the next month's snapshot: only the records it touches are worked out again
    warehouse.set_status(last, "loaded")
    assert "touched_keys" in warehouse.dbt_run()
    assert_equals_a_full_refresh(warehouse)
    assert len(warehouse.history()) > rows_without_them

    # the month before it, arriving late: every record
    warehouse.deliver_copy_of(before_last)
    assert "touched_keys" not in warehouse.dbt_run()
    assert_equals_a_full_refresh(warehouse)

    # the last date re-sent, ten cases closed and one case gone: every record
    re_sent = warehouse.deliver_copy_of(last, case_status="Closed")
    warehouse.set_status(last, "superseded")
    assert "touched_keys" not in warehouse.dbt_run()
    assert_equals_a_full_refresh(warehouse)
    assert not warehouse.sql(f"select 1 from intermediate.{HISTORY} where file_id = ?", last)

    # and a month later: ten cases open again and another open case missing, the records touched
    newest = warehouse.deliver_copy_of(re_sent, case_status="Open")
    warehouse.sql("update ops.file_registry set snapshot_date = snapshot_date + interval 1 month where file_id = ?",
                  newest)
    assert "touched_keys" in warehouse.dbt_run()
    assert_equals_a_full_refresh(warehouse)
