"""Period delivery semantics (extracts.md) through the real ingest step and file registry."""
import os
import shutil

import duckdb
import pytest

from pipelines.ingest.landing import list_landing_files
from pipelines.ingest.pipeline import ingest_feed, register_unknown_files
from schemas.contract import load_contracts
from tests.conftest import write_police_file

CONTRACT = load_contracts()["police_crimes"]


@pytest.fixture
def landing(tmp_path):
    return tmp_path / "landing"


@pytest.fixture
def con(tmp_path):
    connection = duckdb.connect(str(tmp_path / "wh.duckdb"))
    yield connection
    connection.close()


def ingest(con, landing):
    return ingest_feed(con, CONTRACT, list_landing_files(landing), pseudonym_key="k", max_row_failure_share=0.2)


def registry(con):
    return con.execute("select file_name, status, version, rows_received, rows_loaded, rows_quarantined, "
                       "superseded_by from ops.file_registry order by file_id").fetchall()


def current_rows(con):
    return con.execute("""select count(*) from raw.police_crimes where _file_id in
                          (select file_id from ops.file_registry where status = 'loaded')""").fetchone()[0]


def test_a_v2_replaces_its_month_and_the_v1_stays_registered_as_superseded(con, landing, numbered_rows):
    write_police_file(landing / "police_crimes/met_crimes_2025-04.csv", numbered_rows(5))
    write_police_file(landing / "police_crimes/met_crimes_2025-04_v2.csv", numbered_rows(3))
    assert [r.status for r in ingest(con, landing)] == ["loaded", "loaded"]
    assert registry(con) == [("met_crimes_2025-04.csv", "superseded", 1, 5, 5, 0, 2),
                             ("met_crimes_2025-04_v2.csv", "loaded", 2, 3, 3, 0, None)]
    assert current_rows(con) == 3
    assert con.execute("select count(*) from raw.police_crimes").fetchone()[0] == 8  # nothing deleted


def test_a_lower_version_arriving_late_is_superseded_on_arrival(con, landing, numbered_rows):
    write_police_file(landing / "police_crimes/met_crimes_2025-04_v2.csv", numbered_rows(3))
    ingest(con, landing)
    write_police_file(landing / "police_crimes/met_crimes_2025-04.csv", numbered_rows(5))
    [late] = ingest(con, landing)
    assert late.status == "superseded" and late.reason.startswith("version 1 arrived after version 2")
    assert current_rows(con) == 3


def test_identical_bytes_under_any_name_are_a_duplicate_and_change_nothing(con, landing, numbered_rows):
    first = write_police_file(landing / "police_crimes/met_crimes_2025-04.csv", numbered_rows(4))
    ingest(con, landing)
    shutil.copy(first, landing / "police_crimes/met_crimes_2025-04_v2.csv")
    [copy] = ingest(con, landing)
    assert copy.status == "duplicate" and "identical bytes to met_crimes_2025-04.csv" in copy.reason
    assert registry(con)[0][1] == "loaded" and current_rows(con) == 4


def test_a_rejected_version_leaves_the_previous_version_current(con, landing, numbered_rows):
    write_police_file(landing / "police_crimes/met_crimes_2025-04.csv", numbered_rows(4))
    ingest(con, landing)
    bad = numbered_rows(4, borough="Atlantis")
    write_police_file(landing / "police_crimes/met_crimes_2025-04_v2.csv", bad)
    [rejected] = ingest(con, landing)
    assert rejected.status == "rejected" and rejected.reason.startswith("4 of 4 rows (100%) failed")
    assert [r[1] for r in registry(con)] == ["loaded", "rejected"] and current_rows(con) == 4
    assert con.execute("select count(*), any_value(check_name) from ops.quarantine where file_id = 2").fetchone() == \
        (4, "unresolved_borough")
    assert (landing / "police_crimes/met_crimes_2025-04_v2.csv").exists()  # left untouched for inspection


def test_the_same_name_with_new_bytes_supersedes_with_a_warning(con, landing, numbered_rows):
    path = write_police_file(landing / "police_crimes/met_crimes_2025-04.csv", numbered_rows(4))
    ingest(con, landing)
    write_police_file(path, numbered_rows(2))
    os.utime(path, ns=(1, 1))
    [again] = ingest(con, landing)
    assert again.status == "loaded"
    assert [r[1] for r in registry(con)] == ["superseded", "loaded"] and current_rows(con) == 2
    warning = con.execute("select warnings from ops.file_registry where file_id = 2").fetchone()[0]
    assert "the sender should have raised the version (_v2)" in warning


def test_re_running_ingest_changes_nothing(con, landing, numbered_rows):
    write_police_file(landing / "police_crimes/met_crimes_2025-04.csv", numbered_rows(4))
    ingest(con, landing)
    before = registry(con)
    assert ingest(con, landing) == []
    assert registry(con) == before and con.execute("select count(*) from raw.police_crimes").fetchone()[0] == 4


def test_unknown_names_are_registered_once_and_waiting_feeds_left_alone(con, landing, numbered_rows):
    write_police_file(landing / "police_crimes/crimes_april.csv", numbered_rows(1))
    (landing / "notes.txt").write_text("hello")
    (landing / "uss_responses").mkdir(parents=True)
    (landing / "uss_responses/uss_responses_2025-04.csv").write_text("response_id\n")
    unknown, waiting = register_unknown_files(con, {"police_crimes": CONTRACT}, list_landing_files(landing))
    assert sorted(u.file_name for u in unknown) == ["crimes_april.csv", "notes.txt"]
    assert [w.relative_path for w in waiting] == ["uss_responses/uss_responses_2025-04.csv"]
    assert register_unknown_files(con, {"police_crimes": CONTRACT}, list_landing_files(landing))[0] == []
    reason = con.execute("select reason from ops.file_registry where file_name = 'crimes_april.csv'").fetchone()[0]
    assert "matches no feed's file pattern" in reason


def test_windows_1252_files_load_with_a_warning(con, landing, numbered_rows):
    write_police_file(landing / "police_crimes/met_crimes_2025-04.csv",
                      numbered_rows(2, offence_subgroup="Theft \u2013 other"), encoding="cp1252")
    [result] = ingest(con, landing)
    assert result.status == "loaded"
    warning = con.execute("select warnings from ops.file_registry").fetchone()[0]
    assert "decoded as Windows-1252" in warning
    assert con.execute("select distinct offence_subgroup from raw.police_crimes").fetchone()[0] == "Theft \u2013 other"


def test_an_undecodable_file_is_rejected_and_says_what_to_do(con, landing):
    path = landing / "police_crimes/met_crimes_2025-04.csv"
    path.parent.mkdir(parents=True)
    path.write_bytes(b"crime_ref\n\x81\x8d\x8f\n")
    [result] = ingest(con, landing)
    assert result.status == "rejected" and "re-export it as UTF-8" in result.reason
