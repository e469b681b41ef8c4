"""The build's console lines and log files (pipelines/build_log.py) and dbt's output as log lines."""
import io
import os
from contextlib import redirect_stdout
from datetime import datetime, timezone

from pipelines.build_log import (StepTally, new_log_path, prune_logs, run_loggers_config, stage_line)
from pipelines.defs.dbt import LinesTo, with_output_to
from pipelines.stages import stages_by_step


def test_a_log_is_named_by_its_utc_time_and_never_overwrites_another(tmp_path):
    at = datetime(2026, 3, 4, 5, 6, 7, tzinfo=timezone.utc)
    first = new_log_path(tmp_path, at)
    assert first.name == "build-20260304T050607Z.log"
    first.touch()
    assert new_log_path(tmp_path, at).name == "build-20260304T050607Z-2.log"


def test_only_the_newest_logs_are_kept(tmp_path):
    for n in range(25):
        path = tmp_path / f"build-2026030{n // 10}T0000{n % 10:02d}Z.log"
        path.touch()
        os.utime(path, ns=(n * 10**9, n * 10**9))
    (tmp_path / "notes.txt").touch()
    deleted = prune_logs(tmp_path, keep=20)
    assert len(deleted) == 5 and len(list(tmp_path.glob("build-*.log"))) == 20
    assert (tmp_path / "notes.txt").exists()
    assert max(deleted, key=lambda p: p.name).name < min(p.name for p in tmp_path.glob("build-*.log"))


def test_the_run_logs_to_its_file_and_shows_progress_or_with_verbose_the_whole_log(tmp_path):
    assert run_loggers_config(tmp_path / "a.log", verbose=False) == {
        "mopac_log_file": {"config": {"path": str(tmp_path / "a.log")}}, "mopac_progress": {}}
    assert set(run_loggers_config(tmp_path / "a.log", verbose=True)) == {"mopac_log_file", "console"}


def test_a_line_per_stage_from_counts_only():
    ingest = StepTally(0.0, materialized=[{"files_new": 2, "files_loaded": 1, "files_rejected": 1,
                                           "rows_received": 1200, "rows_loaded": 1000, "rows_quarantined": 3,
                                           "fields_nulled": 4}])
    assert stage_line("ingest police_crimes", "STEP_SUCCESS", ingest, 3.04) == (
        "ingest police_crimes: 2 new files (1 loaded, 1 rejected), 1,200 rows received, 1,000 loaded, "
        "3 quarantined (3.0 s)")
    assert stage_line("ingest police_crimes", "STEP_SUCCESS", StepTally(0.0, [{"files_new": 0}]), 0.2) == (
        "ingest police_crimes: no new files (0.2 s)")
    dbt = StepTally(0.0, materialized=[{}] * 14, checks_passed=50, checks_failed=2)
    assert stage_line("dbt", "STEP_FAILURE", dbt, 20.0) == (
        "dbt: FAILED after 20.0 s: 14 models and seeds built, 50 tests passed, 2 failed (the summary below says what "
        "stopped it)")
    assert stage_line("ingest police_crimes", "STEP_FAILURE", StepTally(0.0), 1.0) == (
        "ingest police_crimes: FAILED after 1.0 s (the summary below says what stopped it)")
    assert stage_line("dbt", "STEP_SUCCESS", dbt, 20.0) == (
        "dbt build: 14 models and seeds built, 50 tests passed, 2 failed (20.0 s)")
    assert stage_line("dbt", "STEP_SUCCESS", StepTally(0.0), 0.3) == (
        "dbt: nothing new since the last publish, not run (0.3 s)")
    publish = StepTally(0.0, materialized=[{"tables_written": 1, "tables_reused": 11, "build_id": "x"}])
    assert stage_line("publish", "STEP_SUCCESS", publish, 1.26) == "publish: 1 table written, 11 reused (1.3 s)"
    assert stage_line("publish", "STEP_SKIPPED", StepTally(0.0), 0) == "publish: not run"
    assert stage_line(None, "STEP_SUCCESS", StepTally(0.0), 1.0) is None  # not a stage: silent


def test_stages_are_named_from_the_definitions():
    stages = stages_by_step()
    assert stages["raw__police_crimes"] == "ingest police_crimes"
    assert stages["mopac_dbt_models"] == "dbt" and stages["published__mopac_marts"] == "publish"


def test_dbt_output_becomes_one_log_line_per_line_only_while_dbt_produces_events():
    logged, seen_by_dagster = [], io.StringIO()

    def dbt_events():
        print("Running with dbt=1.11")
        print("")
        print("1 of 2 START sql view model staging.a ... [RUN]", end="")
        print("\n1 of 2 OK created")
        yield "event 1"
        print("Done. PASS=2")

    with redirect_stdout(seen_by_dagster):
        for event in with_output_to(logged.append, dbt_events()):
            print(f"handled {event}")  # Dagster handling a yielded event writes where it always did
    assert logged == ["Running with dbt=1.11", "1 of 2 START sql view model staging.a ... [RUN]", "1 of 2 OK created",
                      "Done. PASS=2"]
    assert seen_by_dagster.getvalue() == "handled event 1\n"
    stream = LinesTo(logged.append)
    assert stream.write("partial") == 7 and logged[-1] == "Done. PASS=2"
