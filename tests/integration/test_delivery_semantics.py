"""Period delivery semantics (extracts.md) through the real ingest step and file registry."""
import os
import shutil
import traceback
from datetime import datetime, timezone

import duckdb
import pytest

from pipelines.ingest.landing import list_landing_files
from pipelines.ingest.pipeline import IngestDefect, ingest_feed, register_unknown_files
from pipelines.ingest.pseudonymise import PseudonymKeyMismatch, key_fingerprint
from pipelines.ingest.registry import MIGRATIONS, not_yet_registered
from schemas.contract import load_contracts, parse_contract
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


def test_unknown_names_are_registered_once(con, landing, numbered_rows):
    write_police_file(landing / "police_crimes/crimes_april.csv", numbered_rows(1))
    (landing / "notes.txt").write_text("hello")
    (landing / "no_such_feed").mkdir(parents=True)
    (landing / "no_such_feed/met_crimes_2025-04.csv").write_text("crime_ref\n")
    unknown = register_unknown_files(con, load_contracts(), list_landing_files(landing))
    assert sorted(u.file_name for u in unknown) == ["crimes_april.csv", "met_crimes_2025-04.csv", "notes.txt"]
    assert register_unknown_files(con, load_contracts(), list_landing_files(landing)) == []
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


def test_a_file_renamed_as_its_unknown_reason_asks_loads(con, landing, numbered_rows):
    wrong = write_police_file(landing / "police_crimes/crimes_april.csv", numbered_rows(3))
    unknown = register_unknown_files(con, {"police_crimes": CONTRACT}, list_landing_files(landing))
    assert [u.status for u in unknown] == ["unknown"]
    wrong.rename(landing / "police_crimes/met_crimes_2025-04.csv")
    [renamed] = ingest(con, landing)
    assert (renamed.status, renamed.rows_loaded) == ("loaded", 3)
    assert [r[1] for r in registry(con)] == ["unknown", "loaded"]


def test_identical_bytes_to_a_rejected_file_are_still_a_duplicate(con, landing, numbered_rows):
    bad = write_police_file(landing / "police_crimes/met_crimes_2025-04.csv", numbered_rows(2, borough="Atlantis"))
    ingest(con, landing)
    shutil.copy(bad, landing / "police_crimes/met_crimes_2025-04_v2.csv")
    assert [r.status for r in ingest(con, landing)] == ["duplicate"]


def test_a_key_already_current_in_another_month_is_quarantined_and_the_current_row_stays(con, landing, numbered_rows):
    march = numbered_rows(3, report_date="2025-03-04", offence_date="2025-03-01")
    write_police_file(landing / "police_crimes/met_crimes_2025-03.csv", march)
    ingest(con, landing)
    april = numbered_rows(12)[2:]  # row 1 carries the key of March's row 3
    write_police_file(landing / "police_crimes/met_crimes_2025-04.csv", april)
    [result] = ingest(con, landing)
    assert (result.status, result.rows_received, result.rows_loaded, result.rows_quarantined) == ("loaded", 10, 9, 1)
    [(row, check, reason)] = con.execute(
        "select row_number, check_name, reason from ops.quarantine where file_name = 'met_crimes_2025-04.csv'"
    ).fetchall()
    assert (row, check) == (1, "key_conflict")
    assert "(crime_ref, victim_ref) already current in met_crimes_2025-03.csv (period 2025-03)" in reason
    current = con.execute("""select crime_ref, any_value(r.file_name) from raw.police_crimes p
        join ops.file_registry r on r.file_id = p._file_id where r.status = 'loaded'
        group by crime_ref having count(*) > 1""").fetchall()
    assert current == []  # the key is current once, from March
    assert con.execute("select count(*) from raw.police_crimes where _file_id = 2").fetchone()[0] == 9


def test_a_new_version_of_the_same_month_may_repeat_its_keys(con, landing, numbered_rows):
    write_police_file(landing / "police_crimes/met_crimes_2025-04.csv", numbered_rows(3))
    write_police_file(landing / "police_crimes/met_crimes_2025-04_v2.csv", numbered_rows(4))
    assert [(r.status, r.rows_quarantined) for r in ingest(con, landing)] == [("loaded", 0), ("loaded", 0)]


def test_a_month_mostly_made_of_keys_current_elsewhere_is_rejected_and_changes_nothing(con, landing, numbered_rows):
    write_police_file(landing / "police_crimes/met_crimes_2025-03.csv",
                      numbered_rows(4, report_date="2025-03-04", offence_date="2025-03-01"))
    ingest(con, landing)
    write_police_file(landing / "police_crimes/met_crimes_2025-04.csv", numbered_rows(5))
    [result] = ingest(con, landing)
    assert (result.status, result.rows_loaded, result.rows_quarantined) == ("rejected", 0, 4)
    assert result.reason.startswith("4 of 5 rows (80%) failed row-level checks")
    assert con.execute("select count(*) from raw.police_crimes where _file_id = 2").fetchone()[0] == 0


HUB_LIKE = parse_contract({
    "feed": "council_hub", "title": "t", "sender": "s", "description": "d", "delivery": "period", "format": "csv",
    "file_pattern": r"^(?P<borough_slug>[a-z-]+)_victim_care_hub_(?P<period>\d{4}-\d{2})(?:_v(?P<version>\d+))?\.csv$",
    "date_format": "%Y-%m-%d", "key": ["referral_id"],
    "columns": [{"name": "referral_id", "type": "string", "required": True, "description": "id"}]})
POLICE_UK_LIKE = parse_contract({
    "feed": "police_uk", "title": "t", "sender": "s", "description": "d", "delivery": "period", "format": "csv",
    "file_pattern": r"^(?P<period>\d{4}-\d{2})-(?P<force>metropolitan|city-of-london)-(?P<file_kind>street|outcomes)\.csv$",
    "date_format": "%Y-%m-%d", "key": ["crime_id"],
    "columns": [{"name": "crime_id", "type": "string", "required": True, "description": "id"}]})


def _land(landing, relative: str, ids: list[str], column: str):
    path = landing / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join([column, *ids]) + "\n")


@pytest.mark.parametrize("contract, names, column", [
    (HUB_LIKE, ["barnet_victim_care_hub_2025-03.csv", "camden_victim_care_hub_2025-03.csv"], "referral_id"),
    (POLICE_UK_LIKE, ["2025-03-metropolitan-street.csv", "2025-03-metropolitan-outcomes.csv",
                      "2025-03-city-of-london-street.csv"], "crime_id"),
])
def test_files_of_one_month_that_name_different_periods_never_replace_each_other(con, landing, contract, names, column):
    for i, name in enumerate(names):
        _land(landing, f"{contract.feed}/{name}", [f"ID-{i}"], column)
    results = ingest_feed(con, contract, list_landing_files(landing), pseudonym_key="k", max_row_failure_share=0.2)
    assert [r.status for r in results] == ["loaded"] * len(names)


def test_a_new_version_replaces_only_its_own_borough(con, landing):
    _land(landing, "council_hub/barnet_victim_care_hub_2025-03.csv", ["BAR-00001", "BAR-00002"], "referral_id")
    _land(landing, "council_hub/camden_victim_care_hub_2025-03.csv", ["CAM-00001"], "referral_id")
    _land(landing, "council_hub/barnet_victim_care_hub_2025-03_v2.csv", ["BAR-00001"], "referral_id")
    ingest_feed(con, HUB_LIKE, list_landing_files(landing), pseudonym_key="k", max_row_failure_share=0.2)
    assert con.execute("select file_name, status, period_key from ops.file_registry order by file_name").fetchall() == [
        ("barnet_victim_care_hub_2025-03.csv", "superseded", "2025-03 borough_slug=barnet"),
        ("barnet_victim_care_hub_2025-03_v2.csv", "loaded", "2025-03 borough_slug=barnet"),
        ("camden_victim_care_hub_2025-03.csv", "loaded", "2025-03 borough_slug=camden")]


def test_registry_times_are_utc_instants_whatever_the_session_time_zone(con, landing, numbered_rows):
    con.execute("set TimeZone = 'America/New_York'")
    write_police_file(landing / "police_crimes/met_crimes_2025-04.csv", numbered_rows(1, borough="Atlantis"))
    ingest(con, landing)
    con.execute("set TimeZone = 'UTC'")
    now = datetime.now(timezone.utc)
    received, processed, quarantined = con.execute(
        "select received_at, processed_at, quarantined_at from ops.file_registry join ops.quarantine using (file_id)"
    ).fetchone()
    assert all(abs((t - now).total_seconds()) < 60 for t in (received, processed, quarantined))


def test_a_registry_made_by_the_first_release_is_brought_up_to_date_in_place(con, landing, numbered_rows):
    con.execute(MIGRATIONS[0][1])
    con.execute("insert into ops.file_registry (feed, file_name, relative_path, sha256, size_bytes, mtime_ns, "
                "period_month, version, status) values ('police_crimes', 'met_crimes_2025-03.csv', "
                "'police_crimes/met_crimes_2025-03.csv', 'abc', 1, 1, '2025-03-01', 1, 'loaded')")
    write_police_file(landing / "police_crimes/met_crimes_2025-03_v2.csv",
                      numbered_rows(1, report_date="2025-03-04", offence_date="2025-03-01"))
    [result] = ingest(con, landing)
    assert result.status == "loaded"
    assert con.execute("select file_name, status, period_key from ops.file_registry order by file_id").fetchall() == [
        ("met_crimes_2025-03.csv", "superseded", "2025-03"), ("met_crimes_2025-03_v2.csv", "loaded", "2025-03")]
    assert con.execute("select data_type from information_schema.columns where table_name = 'file_registry' "
                       "and column_name = 'received_at'").fetchone()[0] == "TIMESTAMP WITH TIME ZONE"


def test_a_different_pseudonym_key_is_refused_and_nothing_is_loaded(con, landing, numbered_rows):
    write_police_file(landing / "police_crimes/met_crimes_2025-03.csv",
                      numbered_rows(2, report_date="2025-03-04", offence_date="2025-03-01"))
    ingest(con, landing)
    write_police_file(landing / "police_crimes/met_crimes_2025-04.csv", numbered_rows(2))
    with pytest.raises(PseudonymKeyMismatch, match="run `mopac rebuild` with the new key set"):
        ingest_feed(con, CONTRACT, list_landing_files(landing), pseudonym_key="another", max_row_failure_share=0.2)
    assert [r[0] for r in registry(con)] == ["met_crimes_2025-03.csv"]
    assert con.execute("select count(*) from raw.police_crimes").fetchone()[0] == 2
    assert con.execute("select fingerprint from ops.pseudonym_key").fetchone()[0] == key_fingerprint("k")


def test_a_warehouse_of_an_earlier_token_format_is_refused_and_its_rebuild_named(con, landing, numbered_rows):
    """A warehouse built before tokens were cut to 128 bits holds 64-character tokens, which the
    tokens made now cannot match: loading into it would split every person in two."""
    ingest(con, landing)  # an empty landing folder: the warehouse records the key's fingerprint
    con.execute("update ops.pseudonym_key set fingerprint = ?", [key_fingerprint("k", version=1)])
    write_police_file(landing / "police_crimes/met_crimes_2025-03.csv",
                      numbered_rows(2, report_date="2025-03-04", offence_date="2025-03-01"))
    with pytest.raises(PseudonymKeyMismatch, match="holds tokens of 64 characters, made by an earlier release.*"
                                                   "Run `mopac rebuild` \\(with the same MOPAC_PSEUDONYM_KEY\\)"):
        ingest(con, landing)
    assert registry(con) == []
    assert con.execute("select count(*) from raw.police_crimes").fetchone()[0] == 0


def test_a_file_loaded_in_many_chunks_loads_every_row_once_and_sees_copies_and_conflicts_across_them(
        con, landing, numbered_rows, monkeypatch):
    monkeypatch.setattr("pipelines.ingest.read.BATCH_BYTES", 4096)     # about 12 rows a block
    monkeypatch.setattr("pipelines.ingest.pipeline.CHUNK_ROWS", 25)
    rows = numbered_rows(100)
    rows.append(dict(rows[2]))                                      # row 101: a copy of row 3
    rows.append({**rows[40], "offence_subgroup": "Something else"})  # row 102: shares row 41's key
    write_police_file(landing / "police_crimes/met_crimes_2025-04.csv", rows)
    [result] = ingest(con, landing)
    assert (result.rows_received, result.rows_loaded, result.rows_quarantined) == (102, 99, 3)
    assert con.execute("select count(*), count(distinct _row_number) from raw.police_crimes").fetchone() == (99, 99)
    assert con.execute("select row_number, check_name from ops.quarantine order by 1").fetchall() == [
        (41, "key_conflict"), (101, "duplicate_row"), (102, "key_conflict")]


def test_an_unexpected_error_names_the_file_never_its_values_and_loads_nothing(con, landing, numbered_rows, monkeypatch):
    def failing_load(*args):
        raise ValueError("could not convert 'Qzcanary Smith, 07700900999'")  # what a library might say
    monkeypatch.setattr("pipelines.ingest.pipeline.load_rows", failing_load)
    write_police_file(landing / "police_crimes/met_crimes_2025-04.csv", numbered_rows(3))
    with pytest.raises(IngestDefect) as problem:
        ingest(con, landing)
    message = str(problem.value)
    assert message.startswith("police_crimes/met_crimes_2025-04.csv: ingestion stopped on an unexpected ValueError")
    assert "QZCANARY" not in message.upper() and problem.value.__cause__ is None
    assert "failing_load" in "".join(traceback.format_tb(problem.value.__traceback__))  # where, not what
    assert con.execute("select count(*) from ops.file_registry").fetchone()[0] == 0


def test_a_file_rewritten_with_its_modification_time_kept_is_still_seen(con, landing, numbered_rows):
    path = write_police_file(landing / "police_crimes/met_crimes_2025-04.csv", numbered_rows(4))
    ingest(con, landing)
    kept = path.stat()
    corrected = numbered_rows(4)
    corrected[0]["needs_assessment_date"] = "2025-04-06"  # one digit: the same size
    write_police_file(path, corrected)
    os.utime(path, ns=(kept.st_atime_ns, kept.st_mtime_ns))  # as `cp -p` or `rsync -t` would leave it
    assert path.stat().st_size == kept.st_size
    [again] = ingest(con, landing)
    assert again.status == "loaded" and [r[1] for r in registry(con)] == ["superseded", "loaded"]


def test_the_same_bytes_touched_or_copied_over_themselves_are_nothing_new(con, landing, numbered_rows):
    path = write_police_file(landing / "police_crimes/met_crimes_2025-04.csv", numbered_rows(4))
    ingest(con, landing)
    shutil.copyfile(path, landing / "copy.csv")
    shutil.copyfile(landing / "copy.csv", path)  # new times, same bytes
    (landing / "copy.csv").unlink()
    assert ingest(con, landing) == []
    assert [r[1] for r in registry(con)] == ["loaded"]
    assert ingest(con, landing) == []  # and the new times are remembered: not even re-read


def test_only_files_whose_name_size_or_times_changed_since_registration_are_looked_at_again(con, landing,
                                                                                            numbered_rows):
    for month in ("02", "03", "04"):
        write_police_file(landing / f"police_crimes/met_crimes_2025-{month}.csv", numbered_rows(2))
    ingest(con, landing)
    assert not_yet_registered(con, list_landing_files(landing)) == []
    touched = landing / "police_crimes/met_crimes_2025-02.csv"
    os.utime(touched, ns=(touched.stat().st_atime_ns, touched.stat().st_mtime_ns + 1))
    write_police_file(landing / "police_crimes/met_crimes_2025-05.csv", numbered_rows(2))
    con.execute("update ops.file_registry set ctime_ns = null where file_name = 'met_crimes_2025-03.csv'")
    assert [f.file_name for f in not_yet_registered(con, list_landing_files(landing))] == [
        "met_crimes_2025-02.csv", "met_crimes_2025-05.csv"]  # a row without a change time matches on the rest


def test_a_snapshot_re_sent_under_its_name_replaces_it_with_a_warning_that_fits_snapshots(con, landing):
    contract = load_contracts()["rj_cases"]
    path = landing / "rj_cases/restore_london_cases_2025-03-31.csv"
    path.parent.mkdir(parents=True)
    header = ",".join(c.name for c in contract.columns)
    row = "RJL-000001,2025-03-02,Police,Camden,Out of court" + "," * 15 + "Open" + "," * 4
    path.write_text(header + "\n" + row + "\n")
    ingest_feed(con, contract, list_landing_files(landing), pseudonym_key="k", max_row_failure_share=0.2)
    path.write_text(header + "\n" + row.replace("Camden", "Islington") + "\n")
    [again] = ingest_feed(con, contract, list_landing_files(landing), pseudonym_key="k", max_row_failure_share=0.2)
    assert again.status == "loaded"
    warning = con.execute("select warnings from ops.file_registry where file_id = 2").fetchone()[0]
    assert warning.endswith("sent earlier for the same snapshot date with other bytes")


def test_a_personal_value_repeated_in_a_feed_with_one_personal_column_loads_each_row_once(con, landing):
    """police_outcomes carries one personal column (suspect_pnc): a suspect charged for three crimes
    is tokenised once and each of the three rows is loaded once."""
    outcomes = load_contracts()["police_outcomes"]
    path = landing / "police_outcomes" / "met_outcomes_2025-03.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("crime_ref,outcome_code,outcome_date,urn,suspect_pnc,vps_offered,victim_withdrew_support\n" + "".join(
        f"400000{i}/25,1,2025-03-1{i},01AB000000{i},2019/0123456E,Y,N\n" for i in range(1, 4)))
    [result] = ingest_feed(con, outcomes, list_landing_files(landing), pseudonym_key="k", max_row_failure_share=0.2)
    assert result.status == "loaded"
    assert con.execute("select count(*), count(distinct _row_number), count(distinct suspect_pnc_token) "
                       "from raw.police_outcomes").fetchone() == (3, 3, 1)
