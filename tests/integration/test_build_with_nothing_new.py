"""A build with nothing new runs neither dbt nor publish; a new delivery runs both again. dbt keeps one
target folder per warehouse, so its partial parsing carries over from one build to the next; a new
warehouse's first starts from the parse state prepared with the manifest."""
import json
from pathlib import Path

import pytest

from pipelines.build import summarise
from pipelines.settings import DBT_PROJECT_DIR, load_settings
from tests.conftest import police_row, write_police_file
from tests.integration.build_helpers import build, isolated_environment, last_run_events, query

DBT_STEP = "mopac_dbt_models"
PUBLISH_STEP = "published__mopac_marts"
MAY = {"report_date": "2025-05-06", "offence_date": "2025-05-05", "needs_assessment_date": "2025-05-06",
       "support_referral_date": "2025-05-07", "rj_info_date": "2025-05-07"}


def published_state(warehouse: Path) -> dict:
    database = (warehouse / "published" / "mopac_marts.duckdb").stat()
    return {"build_id": json.loads((warehouse / "published" / "parquet" / "BUILD.json").read_text())["build_id"],
            "database": (database.st_ino, database.st_mtime_ns)}


def record(warehouse: Path, outcome) -> dict:
    dbt_log = warehouse / "dbt" / "dbt.log"
    return {"outcome": outcome, "events": last_run_events(), "published": published_state(warehouse),
            "summary": summarise(load_settings(), outcome), "dbt_log_bytes": dbt_log.stat().st_size,
            "dbt_run": latest_dbt_invocation(warehouse / "dbt")}


def latest_dbt_invocation(dbt_dir: Path) -> str:
    """dbt's log of its latest run, across its rotation (dbt rolls dbt.log over into dbt.log.1, .2, ...
    at 10 MB, about what one build of the whole project writes at debug level)."""
    def age(path: Path) -> int:  # dbt.log.2 is older than dbt.log.1, which is older than dbt.log
        return int(path.suffix[1:]) if path.suffix[1:].isdigit() else 0
    text = "".join(p.read_text() for p in sorted(dbt_dir.glob("dbt.log*"), key=age, reverse=True))
    return text[text.rindex("Running with dbt="):]


def event_types(events, step):
    return [kind for step_key, kind, _ in events if step_key == step and kind]


@pytest.fixture(scope="module")
def builds(tmp_path_factory):
    root = tmp_path_factory.mktemp("nothing_new")
    warehouse = root / "warehouse"
    landing = root / "landing" / "police_crimes"
    write_police_file(landing / "met_crimes_2025-04.csv",
                      [police_row(crime_ref=f"41{i:05d}/25", victim_ref=f"V1{i:07d}") for i in range(1, 11)])
    project_targets = {p.name for p in (DBT_PROJECT_DIR / "target").iterdir()}
    with pytest.MonkeyPatch.context() as mp:
        isolated_environment(mp, root)
        first = record(warehouse, build())
        nothing_new = record(warehouse, build())
        write_police_file(landing / "met_crimes_2025-05.csv",
                          [police_row(crime_ref=f"42{i:05d}/25", victim_ref=f"V2{i:07d}", **MAY) for i in range(1, 6)])
        new_delivery = record(warehouse, build())
        yield {"warehouse": warehouse, "first": first, "nothing_new": nothing_new, "new_delivery": new_delivery,
               "new_project_targets": {p.name for p in (DBT_PROJECT_DIR / "target").iterdir()} - project_targets}


def test_the_first_build_runs_dbt_and_publishes(builds):
    first = builds["first"]
    assert not first["outcome"].nothing_new
    assert "ASSET_MATERIALIZATION" in event_types(first["events"], DBT_STEP)
    assert "ASSET_MATERIALIZATION" in event_types(first["events"], PUBLISH_STEP)


def test_a_build_with_nothing_new_runs_neither_dbt_nor_publish_and_says_so(builds):
    first, again = builds["first"], builds["nothing_new"]
    assert again["outcome"].succeeded and again["outcome"].nothing_new
    dbt_events = event_types(again["events"], DBT_STEP)
    assert "STEP_SUCCESS" in dbt_events and "ASSET_MATERIALIZATION" not in dbt_events
    publish_events = event_types(again["events"], PUBLISH_STEP)
    assert "STEP_SKIPPED" in publish_events
    assert not {"STEP_START", "ASSET_MATERIALIZATION"} & set(publish_events), publish_events
    said = [message for step, kind, message in again["events"] if step == DBT_STEP and kind is None]
    assert any(m.startswith(f"Nothing new since build {first['published']['build_id']} published at ")
               and m.endswith(": dbt and publish not run.") for m in said), said
    assert "Nothing new: dbt and publish were not run." in again["summary"]
    assert "Nothing new" not in first["summary"]
    assert again["published"] == first["published"]        # the same copy, not republished
    assert again["dbt_log_bytes"] == first["dbt_log_bytes"]  # dbt was not even started


def test_a_new_delivery_runs_dbt_and_publishes_again(builds):
    first, later = builds["first"], builds["new_delivery"]
    assert not later["outcome"].nothing_new and "Nothing new" not in later["summary"]
    assert "ASSET_MATERIALIZATION" in event_types(later["events"], DBT_STEP)
    assert "ASSET_MATERIALIZATION" in event_types(later["events"], PUBLISH_STEP)
    assert later["published"]["build_id"] != first["published"]["build_id"]
    recorded = query(builds["warehouse"] / "mopac.duckdb",
                     "select build_id from ops.published_builds order by published_at")
    assert recorded == [(first["published"]["build_id"],), (later["published"]["build_id"],)]
    months = query(builds["warehouse"] / "published" / "mopac_marts.duckdb",
                   "select distinct period_month::varchar from marts.metric_values order by 1")
    assert months == [("2025-04-01",), ("2025-05-01",)]


def test_dbt_keeps_one_target_folder_per_warehouse_and_parses_only_what_changed(builds):
    dbt_dir = builds["warehouse"] / "dbt"
    assert {p.name for p in dbt_dir.iterdir() if p.is_dir()} <= {"compiled", "run"}
    assert {"dbt.log", "run_results.json", "partial_parse.msgpack"} <= {p.name for p in dbt_dir.iterdir()}
    assert builds["new_project_targets"] == set()  # nothing new under dbt_project/target
    second_dbt_run = builds["new_delivery"]["dbt_run"]  # the build with nothing new ran none
    assert "Partial parsing enabled" in second_dbt_run
    assert "Unable to do partial parsing" not in second_dbt_run


def test_a_new_warehouse_s_first_build_starts_from_the_parse_state_prepared_with_the_manifest(builds):
    first_dbt_run = builds["first"]["dbt_run"]
    assert "Partial parsing enabled" in first_dbt_run
    assert "Unable to do partial parsing" not in first_dbt_run  # e.g. "... because profile has changed"
    assert not (DBT_PROJECT_DIR / "mopac.duckdb").exists()  # dbt opened the warehouse's file, in its folder


def test_dbt_sends_no_usage_events_to_dbt_labs(builds):
    last_run = builds["new_delivery"]["dbt_run"]
    assert "'send_anonymous_usage_stats': 'False'" in last_run
    assert "Sending event" not in last_run
