"""Whole builds as an operator lives them: a delivery that repeats an earlier month's key, a data
test that fails, a build run with another pseudonym key, and blocking checks that must stop the
job before anything is published."""
import json

import duckdb
import pytest

from pipelines.build import rebuild_from_landing, run_build, summarise
from pipelines.ingest.findings import no_findings
from pipelines.settings import load_settings
from tests.conftest import write_police_file
from tests.integration.build_helpers import build, isolated_environment, query

MARCH = {"report_date": "2025-03-04", "offence_date": "2025-03-01", "needs_assessment_date": "2025-03-05",
         "support_referral_date": "2025-03-06", "rj_info_date": "2025-03-06"}


@pytest.fixture
def root(tmp_path, monkeypatch):
    isolated_environment(monkeypatch, tmp_path)
    return tmp_path


def land_march_and_april(root, numbered_rows):
    """March rows 1-3; April rows 3-12, its first row carrying the key of March's row 3."""
    folder = root / "landing" / "police_crimes"
    write_police_file(folder / "met_crimes_2025-03.csv", numbered_rows(3, **MARCH))
    return write_police_file(folder / "met_crimes_2025-04.csv", numbered_rows(12)[2:])


def published_build_id(root) -> str:
    return json.loads((root / "warehouse" / "published" / "parquet" / "BUILD.json").read_text())["build_id"]


def test_a_key_current_in_an_earlier_month_is_quarantined_and_publishing_goes_on(root, numbered_rows):
    land_march_and_april(root, numbered_rows)
    build()
    db = root / "warehouse" / "mopac.duckdb"
    assert query(db, "select file_name, row_number, check_name from ops.quarantine") == [
        ("met_crimes_2025-04.csv", 1, "key_conflict")]
    published = root / "warehouse" / "published" / "mopac_marts.duckdb"
    assert query(published, "select count(*), count(distinct crime_ref) from marts.fct_victim_crime") == [(12, 12)]


def test_a_failing_data_test_names_its_rows_keeps_the_published_copy_and_a_corrected_version_recovers(
        root, numbered_rows, monkeypatch):
    folder = root / "landing" / "police_crimes"
    write_police_file(folder / "met_crimes_2025-03.csv", numbered_rows(3, **MARCH))
    build()
    before = published_build_id(root)
    warehouse = root / "warehouse" / "mopac.duckdb"
    with duckdb.connect(str(warehouse)) as con:  # what builds before 2026-11-22 left
        con.execute("create schema test_failures; create view test_failures.stale as select 1 as one")
    # The defect the review found: a key checked within its file only.
    monkeypatch.setattr("pipelines.ingest.pipeline.cross_period_key_conflicts", lambda *args: no_findings())
    write_police_file(folder / "met_crimes_2025-04.csv", numbered_rows(12)[2:])
    outcome = run_build(load_settings(), log=lambda _: None)
    assert not outcome.succeeded and "mopac_dbt_models" in outcome.failed_steps
    [failed] = outcome.failed_tests
    assert failed.name.startswith("unique_combination_stg_police_crimes")
    assert (failed.failures, failed.rows) == (2, [("met_crimes_2025-03.csv", 3), ("met_crimes_2025-04.csv", 1)])
    summary = summarise(load_settings(), outcome)
    assert "met_crimes_2025-03.csv row 3, met_crimes_2025-04.csv row 1" in summary
    assert "What to do: README, 'When a build fails'" in summary
    assert published_build_id(root) == before
    # the rows were found by the test's own query: the warehouse keeps no views of failing rows
    assert query(warehouse, "select count(*) from information_schema.schemata where schema_name = 'test_failures'") == [(0,)]

    write_police_file(folder / "met_crimes_2025-04_v2.csv", numbered_rows(12)[3:])  # the sender's correction
    build()
    assert published_build_id(root) != before


def test_a_build_with_another_pseudonym_key_loads_nothing_and_a_rebuild_changes_the_key(
        root, numbered_rows, monkeypatch):
    land_march_and_april(root, numbered_rows)
    build()
    db, published = root / "warehouse" / "mopac.duckdb", root / "warehouse" / "published" / "mopac_marts.duckdb"
    keys_before = query(published, "select victim_key from marts.fct_victim_crime order by crime_ref")
    registry_before = query(db, "select file_id, status from ops.file_registry order by 1")

    monkeypatch.setenv("MOPAC_PSEUDONYM_KEY", "a-different-key-altogether")
    write_police_file(root / "landing" / "police_crimes" / "met_crimes_2025-05.csv",
                      numbered_rows(2, report_date="2025-05-06", offence_date="2025-05-05"))
    outcome = run_build(load_settings(), log=lambda _: None)
    assert not outcome.succeeded
    assert "not the key this warehouse was built with" in outcome.failed_steps["raw__police_crimes"]
    assert "mopac rebuild" in summarise(load_settings(), outcome)
    assert query(db, "select file_id, status from ops.file_registry order by 1") == registry_before
    assert query(published, "select victim_key from marts.fct_victim_crime order by crime_ref") == keys_before

    kept, outcome = rebuild_from_landing(load_settings(), log=lambda _: None)
    assert outcome.succeeded and kept.parent == root / "warehouse" / "replaced" and kept.exists()
    keys_after = query(published, "select victim_key from marts.fct_victim_crime where report_month < '2025-05-01' "
                                  "order by crime_ref")
    assert len(keys_after) == len(keys_before) and not set(keys_after) & set(keys_before)


def test_a_load_that_loses_rows_stops_the_job_before_publishing(root, numbered_rows, monkeypatch):
    land_march_and_april(root, numbered_rows)
    monkeypatch.setattr("pipelines.ingest.pipeline.record_findings", lambda *args: None)
    outcome = run_build(load_settings(), log=lambda _: None)
    assert not outcome.succeeded and "ops/file_registry:every_row_accounted_for" in outcome.failed_checks
    assert not (root / "warehouse" / "published" / "mopac_marts.duckdb").exists()


def test_a_personal_value_in_the_quarantine_stops_the_job_before_publishing(root, numbered_rows, monkeypatch):
    rows = numbered_rows(10)
    rows[0]["victim_postcode"] = "NOT A POSTCODE"
    write_police_file(root / "landing" / "police_crimes" / "met_crimes_2025-04.csv", rows)
    monkeypatch.setattr("pipelines.ingest.validate.REDACTED", "[a redaction that went wrong]")
    outcome = run_build(load_settings(), log=lambda _: None)
    assert not outcome.succeeded and "ops/file_registry:quarantine_holds_no_personal_data" in outcome.failed_checks
    assert not (root / "warehouse" / "published" / "mopac_marts.duckdb").exists()
