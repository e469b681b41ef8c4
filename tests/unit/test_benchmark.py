"""`mopac benchmark`'s pure helpers: stages from a run's events, ratios, the table, the median of repeated
builds, putting a world back, the floor's loaders."""
import json
import subprocess
import sys

import pytest
import xlsxwriter

from pipelines.benchmark import (FINISH, OTHER, STARTUP, TOTAL, BuildMeasurement, RunEvent, Stage, World,
                                 files_by_month, format_table, median_build, ratio, restorable, stages_from_events)
from pipelines.benchmark_floor import load

STAGES = {"raw__police_crimes": "ingest police_crimes", "raw__court_hearings": "ingest court_hearings",
          "mopac_dbt_models": "dbt", "published__mopac_marts": "publish"}


def events(*rows):
    return [RunEvent(t, step, kind) for t, step, kind in rows]


def test_stages_come_from_step_events_and_add_up_to_the_wall_time():
    run = events((100.0, None, "RUN_START"),
                 (105.0, "raw__police_crimes", "STEP_START"), (108.0, "raw__police_crimes", "STEP_SUCCESS"),
                 (108.5, "raw__court_hearings", "STEP_START"), (109.0, "raw__court_hearings", "STEP_SUCCESS"),
                 (109.2, "ops__file_registry", "STEP_START"), (109.6, "ops__file_registry", "STEP_SUCCESS"),
                 (110.0, "mopac_dbt_models", "STEP_START"), (130.0, "mopac_dbt_models", "STEP_SUCCESS"),
                 (130.0, "published__mopac_marts", "STEP_START"), (133.0, "published__mopac_marts", "STEP_SUCCESS"),
                 (133.5, None, "RUN_SUCCESS"))
    stages = stages_from_events(run, launched=99.0, ended=135.0, stages_by_step=STAGES)
    seconds = {s.name: round(s.seconds, 6) for s in stages}
    assert [s.name for s in stages] == [STARTUP, "ingest police_crimes", "ingest court_hearings", "dbt", "publish",
                                        OTHER, FINISH]
    assert seconds == {STARTUP: 6.0, "ingest police_crimes": 3.0, "ingest court_hearings": 0.5, "dbt": 20.0,
                       "publish": 3.0, OTHER: 1.5, FINISH: 2.0}
    assert sum(seconds.values()) == pytest.approx(135.0 - 99.0)


def test_a_skipped_publish_and_a_failed_step_still_give_their_seconds():
    run = events((1.0, "raw__police_crimes", "STEP_START"), (2.0, "raw__police_crimes", "STEP_FAILURE"),
                 (2.1, "mopac_dbt_models", "STEP_SKIPPED"), (2.1, "published__mopac_marts", "STEP_SKIPPED"))
    stages = {s.name: s.seconds for s in stages_from_events(run, launched=0.0, ended=3.0, stages_by_step=STAGES)}
    assert stages == {STARTUP: 1.0, "ingest police_crimes": 1.0, OTHER: 0.0, FINISH: 1.0}


def test_ratios_and_the_table():
    assert ratio(30.0, 10.0) == 3.0 and ratio(None, 1.0) is None and ratio(1.0, 0.0) is None
    table = format_table([Stage(STARTUP, 5.04, peak_mb=250.4, floor_seconds=0.4),
                          Stage("dbt", 21.0, peak_mb=400.0)],
                         Stage(TOTAL, 26.04, peak_mb=1234.0, floor_seconds=1.2))
    assert table.splitlines() == [
        "stage      seconds   peak MB   floor s",
        "start-up       5.0       250       0.4",
        "dbt           21.0       400         -",
        "total         26.0     1,234       1.2",
    ]


def build_taking(seconds: float) -> BuildMeasurement:
    return BuildMeasurement("one new month on 12", 12, 13, 14, 0, "SUCCESS", seconds, [], 0, 0.0, 0.0, None, None,
                            {}, "")


def test_repeated_builds_report_the_one_of_median_wall_time_with_every_wall_time():
    median = median_build([build_taking(70.0), build_taking(55.0), build_taking(61.0)])
    assert median.wall_seconds == 61.0 and median.repeat_wall_seconds == [70.0, 55.0, 61.0]
    assert "the median of 3 builds from the same state, which took 70.0, 55.0, 61.0 s" in median.describe()
    assert median_build([build_taking(50.0), build_taking(40.0)]).wall_seconds == 50.0
    single = median_build([build_taking(42.0)])
    assert single.wall_seconds == 42.0 and "median" not in single.describe()


def test_a_world_is_put_back_as_it_was_and_its_copy_removed(tmp_path):
    world = World(tmp_path)
    (world.warehouse / "published" / "parquet_versions" / "v1").mkdir(parents=True)
    (world.warehouse / "published" / "parquet").symlink_to("parquet_versions/v1")
    (world.warehouse / "mopac.duckdb").write_text("twelve months")
    (world.dagster).mkdir()
    (world.dagster / "runs.db").write_text("one run")
    (world.landing / "police_crimes").mkdir(parents=True)
    landed = world.landing / "police_crimes" / "met_crimes_2026-01.csv"
    landed.write_text("new month")
    with restorable(world) as restore:
        (world.warehouse / "mopac.duckdb").write_text("thirteen months")
        (world.dagster / "runs.db").write_text("two runs")
        (world.warehouse / "published" / "parquet").unlink()
        (world.warehouse / "published" / "parquet").symlink_to("parquet_versions/v2")
        change_time = landed.stat().st_ctime_ns
        restore()
        assert (world.warehouse / "mopac.duckdb").read_text() == "twelve months"
        assert (world.dagster / "runs.db").read_text() == "one run"
        assert (world.warehouse / "published" / "parquet").readlink().as_posix() == "parquet_versions/v1"
        assert landed.stat().st_ctime_ns == change_time  # the registry still knows the landed files
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dagster", "landing", "warehouse"]


def test_generated_files_are_split_by_the_month_of_their_period(tmp_path):
    import datetime as dt

    import polars as pl

    pl.DataFrame({"feed": ["police_crimes", "police_crimes", "probation_vcs"],
                  "file_name": ["met_crimes_2025-02.csv", "met_crimes_2025-01_v2.csv", "vcs_cases_2025-01-31.jsonl"],
                  "period_month": [dt.date(2025, 2, 1), dt.date(2025, 1, 1), None],
                  "snapshot_date": [None, None, dt.date(2025, 1, 31)]}).write_parquet(tmp_path / "files.parquet")
    assert files_by_month(tmp_path) == {"2025-01": ["police_crimes/met_crimes_2025-01_v2.csv",
                                                    "probation_vcs/vcs_cases_2025-01-31.jsonl"],
                                        "2025-02": ["police_crimes/met_crimes_2025-02.csv"]}


def test_the_floor_loads_csv_json_lines_and_xlsx_straight_into_tables(tmp_path):
    (tmp_path / "a.csv").write_text("id,name\n1,x\n2,y\n")
    (tmp_path / "b.csv").write_bytes("id,name\n3,caf\xe9\n4\n5,2025-02-30\n".encode("cp1252"))  # a short row, a bad date
    # Windows-1252 curly quotes (0x93, 0x94) are outside DuckDB's latin-1
    (tmp_path / "b2.csv").write_bytes("id,name\n6,\u201cO\u2019Neil\u201d\n".encode("cp1252"))
    (tmp_path / "c.jsonl").write_text('{"id": 1, "case": {"stage": "x"}}\n{"id": 2, "case": {"stage": "y"}}\n')
    book = xlsxwriter.Workbook(tmp_path / "d.xlsx")
    book.add_worksheet("Notes").write_row(0, 0, ["not", "this"])
    sheet = book.add_worksheet("Referrals")
    for r, row in enumerate([["Referral ID", "Date"], ["R1", "01/02/2025"], ["R2", "02/02/2025"], ["R3", ""]]):
        sheet.write_row(r, 0, row)
    book.close()
    files = [{"feed": "one", "format": "csv", "path": str(tmp_path / "a.csv")},
             {"feed": "one", "format": "csv", "path": str(tmp_path / "b.csv")},
             {"feed": "one", "format": "csv", "path": str(tmp_path / "b2.csv")},
             {"feed": "two", "format": "jsonl", "path": str(tmp_path / "c.jsonl")},
             {"feed": "three", "format": "xlsx", "path": str(tmp_path / "d.xlsx"), "sheet": "Referrals"}]
    result = load({"database": str(tmp_path / "floor.duckdb"), "files": files})
    assert {feed: (f["files"], f["rows"]) for feed, f in result["feeds"].items()} == {
        "one": (3, 6), "two": (1, 2), "three": (1, 3)}  # no row dropped
    assert any(how.startswith("transcoded from Windows-1252") for how in result["feeds"]["one"]["loaded_with"])
    assert not list(tmp_path.glob("*.utf8.csv"))
    assert result["peak_rss_mb"] > 0 and result["load_seconds"] >= sum(f["seconds"] for f in result["feeds"].values())


def test_the_floor_runs_as_its_own_process(tmp_path):
    (tmp_path / "a.csv").write_text("id\n1\n")
    spec = tmp_path / "spec.json"
    spec.write_text(json.dumps({"database": str(tmp_path / "f.duckdb"),
                                "files": [{"feed": "one", "format": "csv", "path": str(tmp_path / "a.csv")}]}))
    subprocess.run([sys.executable, "-m", "pipelines.benchmark_floor", str(spec), str(tmp_path / "out.json")],
                   check=True)
    assert json.loads((tmp_path / "out.json").read_text())["feeds"]["one"]["rows"] == 1


def test_linkage_seconds_sum_the_linkage_models_of_the_dbt_run(tmp_path):
    from pipelines.benchmark import linkage_seconds

    run_results = tmp_path / "run_results.json"
    assert linkage_seconds(run_results) is None
    run_results.write_text(json.dumps({"results": [
        {"unique_id": "model.mopac_warehouse.int_linkage__records", "execution_time": 1.5},
        {"unique_id": "model.mopac_warehouse.int_linkage__victim_keys", "execution_time": 0.25},
        {"unique_id": "model.mopac_warehouse.fct_rj_case", "execution_time": 9.0},
        {"unique_id": "test.mopac_warehouse.not_null_int_linkage__records_record_id.1", "execution_time": 4.0}]}))
    assert linkage_seconds(run_results) == 1.75
