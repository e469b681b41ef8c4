"""Crash safety: `mopac build` killed with SIGKILL at several points of ingestion, dbt and publishing.

Each time the published copy must be the previous build's, byte for byte (killed between the two
swaps: the new database beside the previous Parquet set; killed after both: the new build, whole),
the write lock must not hold the next build back, and the next build must end in the same registry,
raw rows, quarantine and marts as a build never interrupted, leaving no temporary files and no run
marked as still going.

One world (two months of police_crimes) is built once; its next deliveries (a corrected month, a
new month with bad rows and fields, a file with a header only) are built once without interruption
(the reference), and once per kill point on a copy of the world, killed, then built again. Slow:
each kill point costs two builds (6-9 minutes in all on this 2-core machine).
"""
from __future__ import annotations

import json
import signal

import pytest

from tests.conftest import police_row, write_police_file
from tests.integration import crash_helpers as crash

pytestmark = pytest.mark.slow

MONTHS = {
    "2025-03": {"report_date": "2025-03-04", "offence_date": "2025-03-01", "needs_assessment_date": "2025-03-05",
                "support_referral_date": "2025-03-06", "rj_info_date": "2025-03-07"},
    "2025-04": {},  # police_row's own dates
    "2025-05": {"report_date": "2025-05-06", "offence_date": "2025-05-05", "needs_assessment_date": "2025-05-07",
                "support_referral_date": "2025-05-08", "rj_info_date": "2025-05-12"},
}
ROWS_PER_MONTH = 300


def month_rows(month: str, first: int, **overrides: str) -> list[dict[str, str]]:
    return [police_row(crime_ref=f"{first + i:07d}/25", victim_ref=f"V{first + i:08d}",
                       **{**MONTHS[month], **overrides}) for i in range(ROWS_PER_MONTH)]


def land_the_first_deliveries(landing):
    write_police_file(landing / "met_crimes_2025-03.csv", month_rows("2025-03", 4100000))
    write_police_file(landing / "met_crimes_2025-04.csv", month_rows("2025-04", 4200000))


def land_the_next_deliveries(landing):
    """A corrected April (some RJ information now recorded late), a new May with two rows quarantined
    and one postcode nulled, and a June with a header only (rejected). Ingested in that order."""
    april = month_rows("2025-04", 4200000)
    for row in april[::7]:
        row["rj_info_date"] = "2025-04-30"
    write_police_file(landing / "met_crimes_2025-04_v2.csv", april)
    may = month_rows("2025-05", 4300000)
    may[10]["borough"] = "Atlantis"
    may[20]["crime_ref"] = "not a reference"
    may[30]["victim_postcode"] = "NOT A POSTCODE"
    write_police_file(landing / "met_crimes_2025-05.csv", may)
    write_police_file(landing / "met_crimes_2025-06.csv", [])


@pytest.fixture(scope="module")
def worlds(tmp_path_factory):
    """The first deliveries built (the world each crash starts from), and the next deliveries built
    on a copy of it without interruption (the reference)."""
    base = tmp_path_factory.mktemp("crash") / "world"
    land_the_first_deliveries(base / "landing" / "police_crimes")
    first = crash.run_build(base)
    assert first.returncode == 0, first.output
    reference = crash.copy_world(base, base.parent / "reference")
    land_the_next_deliveries(reference / "landing" / "police_crimes")
    second = crash.run_build(reference)
    assert second.returncode == 0, second.output
    warehouse = reference / "warehouse"
    return {"base": base, "reference": crash.warehouse_state(warehouse / "mopac.duckdb"),
            "reference_published": crash.published_database_tables(warehouse / "published")}


def test_the_reference_world_loads_rejects_and_publishes_the_next_deliveries(worlds):
    registry = {name: status for _, _, name, _, _, status, *_ in worlds["reference"]["registry"]}
    assert registry == {"met_crimes_2025-03.csv": "loaded", "met_crimes_2025-04.csv": "superseded",
                        "met_crimes_2025-04_v2.csv": "loaded", "met_crimes_2025-05.csv": "loaded",
                        "met_crimes_2025-06.csv": "rejected"}
    may = [r for r in worlds["reference"]["registry"] if r[2] == "met_crimes_2025-05.csv"][0]
    assert may[6:10] == (ROWS_PER_MONTH, ROWS_PER_MONTH - 2, 2, 1)
    assert worlds["reference_published"] == worlds["reference"]["marts"]


@pytest.mark.parametrize("kill_at", crash.KILL_POINTS)
def test_a_build_killed_at_any_point_leaves_the_published_copy_and_the_next_build_recovers(
        worlds, tmp_path, kill_at):
    world = crash.copy_world(worlds["base"], tmp_path / "world")
    warehouse, published = world / "warehouse", world / "warehouse" / "published"
    before = crash.published_files(published)
    before_tables = crash.published_database_tables(published)
    land_the_next_deliveries(world / "landing" / "police_crimes")

    killed = crash.run_build(world, kill_at=kill_at)
    assert killed.returncode == -signal.SIGKILL, killed.output
    assert f"{crash.KILLED_MARK} {kill_at}:" in killed.output, killed.output
    if kill_at.startswith("dbt"):  # dbt did not outlive the build (dbt_orphaned: the kernel killed it)
        dbt = int((world / "dbt.pid").read_text())
        assert crash.wait_until_gone(dbt) and not crash.dbt_finished(world, dbt)
    if kill_at.startswith("ingest"):
        # The corrected April was committed; May, its rows loaded in an open transaction
        # (ingest_mid_file) or not yet started, left nothing: no registry row, no raw rows.
        assert crash.registry_statuses(warehouse / "mopac.duckdb") == {
            "met_crimes_2025-03.csv": "loaded", "met_crimes_2025-04.csv": "superseded",
            "met_crimes_2025-04_v2.csv": "loaded"}
    killed_run, status = crash.dagster_runs(world)[-1]
    assert status == "STARTED"  # the killed build could not record the end of its run

    # The write lock file is left behind, naming the dead process, but it holds nothing back.
    assert json.loads((warehouse / ".write.lock").read_text())["command"] == "mopac build"
    assert crash.write_lock_is_free(warehouse)
    if kill_at == "publish_between_swaps":
        # The database is the new build (every new delivery in it); the Parquet set behind the
        # pointer, and its BUILD.json, are still the previous build's.
        after = crash.published_files(published)
        assert after["database"] != before["database"]
        assert {k: v for k, v in after.items() if k != "database"} == {k: v for k, v in before.items()
                                                                      if k != "database"}
        assert crash.published_database_tables(published) == worlds["reference"]["marts"]
    elif kill_at == "publish_before_record":
        # Both copies are the new build, consistent with each other; only the record is missing.
        assert crash.published_build_id(published) != before["build_id"]
        assert crash.published_database_tables(published) == worlds["reference"]["marts"]
        assert crash.published_parquet_tables(published) == worlds["reference"]["marts"]
    else:
        assert crash.published_files(published) == before  # byte for byte
        assert crash.published_database_tables(published) == before_tables  # and it opens

    recovered = crash.run_build(world)
    assert recovered.returncode == 0, recovered.output
    assert "Waiting: the warehouse is being written" not in recovered.output
    assert "Nothing new" not in recovered.output  # a killed build recorded no publish: dbt runs again
    if kill_at == "publish_between_swaps":  # finished first, before anything else
        assert "killed between its two swaps" in crash.build_log(recovered)
    elif kill_at in ("publish_staging_written", "publish_before_database_swap"):
        assert "Removed what killed publishes left" in crash.build_log(recovered)
    runs = dict(crash.dagster_runs(world))
    assert runs[killed_run] == "FAILURE" and list(runs.values())[-1] == "SUCCESS"
    assert not {"STARTING", "STARTED", "CANCELING"} & set(runs.values())  # no run slot held for ever
    assert crash.warehouse_state(warehouse / "mopac.duckdb") == worlds["reference"]
    assert crash.published_database_tables(published) == worlds["reference"]["marts"]
    assert crash.published_parquet_tables(published) == worlds["reference"]["marts"]
    assert crash.stray_files(warehouse) == []
