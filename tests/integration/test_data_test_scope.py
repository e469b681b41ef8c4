"""Data tests on tables that grow with history check the keys new deliveries brought, whole: a new row
that repeats an old crime fails the unique test; a fault among rows no new delivery touched is left
to a build that tests every row (a full refresh, a changed project)."""
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from pipelines.data_test_scope import EVERY_ROW, DataTestScope, record_data_test_scope
from pipelines.settings import DBT_PROJECT_DIR

DBT = str(Path(sys.executable).parent / "dbt")
UNIQUE_TEST = "unique_combination_stg_police_crimes_crime_ref__victim_key"


@pytest.fixture(scope="module")
def warehouse_with_two_repeats(synthetic_world, tmp_path_factory):
    """A copy of the built world's warehouse where one single-victim crime of the first police file is
    repeated in that same (old) file and another in the newest police file."""
    warehouse = tmp_path_factory.mktemp("scope") / "mopac.duckdb"
    shutil.copyfile(synthetic_world / "warehouse" / "mopac.duckdb", warehouse)
    with duckdb.connect(str(warehouse)) as con:
        [(oldest, newest)] = con.execute("select min(file_id), max(file_id) from ops.file_registry "
                                         "where feed = 'police_crimes' and status = 'loaded'").fetchall()
        [(old_crime,), (other_crime,)] = con.execute(
            "select crime_ref from raw.police_crimes where _file_id = ? group by crime_ref having count(*) = 1 "
            "order by crime_ref limit 2", [oldest]).fetchall()
        for crime, into_file in ((old_crime, oldest), (other_crime, newest)):
            con.execute("insert into raw.police_crimes select * replace (? as _file_id) from raw.police_crimes "
                        "where crime_ref = ? and _file_id = ?", [into_file, crime, oldest])
    return warehouse, newest - 1


def failing_rows(warehouse: Path, scope: DataTestScope) -> int:
    work = warehouse.parent  # one dbt target for both tests: the second parses only what changed
    with duckdb.connect(str(warehouse)) as con:
        record_data_test_scope(con, scope)
    subprocess.run(
        [DBT, "test", "--select", UNIQUE_TEST, "--project-dir", str(DBT_PROJECT_DIR),
         "--profiles-dir", str(DBT_PROJECT_DIR), "--target-path", str(work / "target"),
         "--log-path", str(work / "logs")],
        env={**os.environ, "MOPAC_WAREHOUSE_DB": str(warehouse), "DBT_USE_COLORS": "false"},
        capture_output=True, text=True)
    [result] = [r for r in json.loads((work / "target" / "run_results.json").read_text())["results"]
                if r["unique_id"].startswith("test.")]  # not the on-run-end hook's
    assert result["status"] in {"pass", "fail"}, result["message"]
    return result["failures"]


def test_a_new_delivery_repeating_an_old_crime_fails_and_untouched_rows_are_not_read_again(
        warehouse_with_two_repeats):
    warehouse, before_newest = warehouse_with_two_repeats
    # the repeat delivered in the newest file, with the row of the old file it repeats: 2 rows
    assert failing_rows(warehouse, DataTestScope(before_newest, "newest file only")) == 2


def test_every_row_is_tested_when_the_scope_says_so(warehouse_with_two_repeats):
    warehouse, _ = warehouse_with_two_repeats
    assert failing_rows(warehouse, DataTestScope(EVERY_ROW, "every row")) == 4
