"""Every dbt unit test of the project (the satisfied-answer rule, trial classification, funnel stages,
snapshot currency, working-day limits...), run once here rather than in every build: dbt needs the
upstream tables' columns, so they run against a copy of the built synthetic world's warehouse."""
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from pipelines.settings import DBT_PROJECT_DIR

DBT = str(Path(sys.executable).parent / "dbt")


def test_every_dbt_unit_test_passes(synthetic_world, tmp_path):
    warehouse = tmp_path / "mopac.duckdb"
    shutil.copyfile(synthetic_world / "warehouse" / "mopac.duckdb", warehouse)
    finished = subprocess.run(
        [DBT, "test", "--select", "test_type:unit", "--project-dir", str(DBT_PROJECT_DIR),
         "--profiles-dir", str(DBT_PROJECT_DIR), "--target-path", str(tmp_path / "target"),
         "--log-path", str(tmp_path / "logs")],
        env={**os.environ, "MOPAC_WAREHOUSE_DB": str(warehouse), "DBT_USE_COLORS": "false"},
        capture_output=True, text=True)
    assert finished.returncode == 0, finished.stdout[-3000:]
    results = [r for r in json.loads((tmp_path / "target" / "run_results.json").read_text())["results"]
               if not r["unique_id"].startswith("operation.")]  # the on-run-end hook's
    manifest = json.loads((tmp_path / "target" / "manifest.json").read_text())
    assert {r["unique_id"] for r in results} == set(manifest["unit_tests"])
    assert len(results) >= 13 and {r["status"] for r in results} == {"pass"}
