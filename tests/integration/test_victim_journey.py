"""The victim journey follows outcomes and RJ cases that arrive months after the report: the next
build changes the older crime's row in marts.fct_victim_crime and its report month's OUT_* and
RJ_INFO_TO_REFERRAL figures, though no police file of that month changed. It follows them back too:
a _v2 that withdraws an outcome or a crime, and a snapshot without a case, undo what they brought."""
import csv
from pathlib import Path

import pytest

from tests.conftest import police_row, write_police_file
from tests.integration.build_helpers import build, isolated_environment, query

JANUARY = {"report_date": "2025-01-06", "offence_date": "2025-01-05", "needs_assessment_date": "2025-01-07",
           "support_referral_date": "2025-01-07", "rj_info_date": "2025-01-07"}
CHARGED, FILED, VICTIM_DOES_NOT_SUPPORT = "4000001/25", "4000002/25", "4000003/25"
OUTCOME_COLUMNS = ["crime_ref", "outcome_code", "outcome_date", "urn", "suspect_pnc", "vps_offered",
                   "victim_withdrew_support"]
RJ_COLUMNS = ["rj_case_id", "referral_date", "referral_source", "borough", "cjs_stage", "crime_ref", "urn",
              "case_status"]


def write_csv(path: Path, columns: list[str], rows: list[dict[str, str]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, restval="")
        writer.writeheader()
        writer.writerows(rows)


def journey(db: Path) -> dict[str, tuple]:
    return {crime_ref: (code, charged, rj_case_id) for crime_ref, code, charged, rj_case_id in query(
        db, "select crime_ref, current_outcome_code, charged, rj_case_id from marts.fct_victim_crime")}


def january_london(db: Path) -> dict[str, tuple]:
    return {metric_id: (numerator, denominator) for metric_id, numerator, denominator in query(db, """
        select metric_id, numerator, denominator from marts.metric_values
        where period_month = '2025-01-01' and geography_level = 'london'
          and metric_id in ('OUT_CHARGED', 'OUT_VICTIM_NOT_SUPPORTING', 'RJ_INFO_TO_REFERRAL')""")}


@pytest.fixture
def landing(tmp_path, monkeypatch):
    isolated_environment(monkeypatch, tmp_path)
    return tmp_path / "landing"


def test_a_late_outcome_and_rj_case_change_an_older_crimes_journey_on_the_next_build(landing):
    db = landing.parent / "warehouse" / "mopac.duckdb"
    write_police_file(landing / "police_crimes" / "met_crimes_2025-01.csv", [
        police_row(crime_ref=crime_ref, victim_ref=f"V0000000{i}", **JANUARY)
        for i, crime_ref in enumerate([CHARGED, FILED, VICTIM_DOES_NOT_SUPPORT], start=1)])
    write_csv(landing / "police_outcomes" / "met_outcomes_2025-01.csv", OUTCOME_COLUMNS, [
        {"crime_ref": CHARGED, "outcome_code": "18", "outcome_date": "2025-01-20"},
        {"crime_ref": FILED, "outcome_code": "18", "outcome_date": "2025-01-21"}])
    build()
    assert journey(db) == {CHARGED: (18, False, None), FILED: (18, False, None),
                           VICTIM_DOES_NOT_SUPPORT: (None, None, None)}
    assert january_london(db) == {"OUT_CHARGED": (0, 3), "OUT_VICTIM_NOT_SUPPORTING": (0, 2),
                                  "RJ_INFO_TO_REFERRAL": (0, 3)}

    # Six months on: July's police file (other crimes), a charge for a January crime reopened, an
    # outcome for a January crime that had none, and an RJ referral naming a January crime.
    write_police_file(landing / "police_crimes" / "met_crimes_2025-07.csv", [
        police_row(crime_ref="4000009/25", victim_ref="V00000009", report_date="2025-07-01",
                   offence_date="2025-06-30", needs_assessment_date="", support_referral_date="", rj_info_date="")])
    write_csv(landing / "police_outcomes" / "met_outcomes_2025-07.csv", OUTCOME_COLUMNS, [
        {"crime_ref": CHARGED, "outcome_code": "1", "outcome_date": "2025-07-14", "urn": "01AB0000125",
         "vps_offered": "Y"},
        {"crime_ref": VICTIM_DOES_NOT_SUPPORT, "outcome_code": "16", "outcome_date": "2025-07-15"}])
    write_csv(landing / "rj_cases" / "restore_london_cases_2025-07-31.csv", RJ_COLUMNS, [
        {"rj_case_id": "RJL-000001", "referral_date": "2025-07-21", "referral_source": "Police", "borough": "Camden",
         "cjs_stage": "Out of court", "crime_ref": FILED, "case_status": "Open"}])
    build()

    assert journey(db) == {CHARGED: (1, True, None), FILED: (18, False, "RJL-000001"),
                           VICTIM_DOES_NOT_SUPPORT: (16, False, None), "4000009/25": (None, None, None)}
    assert january_london(db) == {"OUT_CHARGED": (1, 3), "OUT_VICTIM_NOT_SUPPORTING": (1, 3),
                                  "RJ_INFO_TO_REFERRAL": (1, 3)}
    rj_case = query(db, "select link_method, linked_crime_ref, victim_key is not null from marts.fct_rj_case")
    assert rj_case == [("crime_ref", FILED, True)]

    # A month later: January's _v2 without FILED, July's outcomes _v2 without the charge, and a newer
    # RJ snapshot without RJL-000001 but with a case for the crime whose victim does not support.
    write_police_file(landing / "police_crimes" / "met_crimes_2025-01_v2.csv", [
        police_row(crime_ref=crime_ref, victim_ref=f"V0000000{i}", **JANUARY)
        for i, crime_ref in [(1, CHARGED), (3, VICTIM_DOES_NOT_SUPPORT)]])
    write_csv(landing / "police_outcomes" / "met_outcomes_2025-07_v2.csv", OUTCOME_COLUMNS, [
        {"crime_ref": VICTIM_DOES_NOT_SUPPORT, "outcome_code": "16", "outcome_date": "2025-07-15"}])
    write_csv(landing / "rj_cases" / "restore_london_cases_2025-08-31.csv", RJ_COLUMNS, [
        {"rj_case_id": "RJL-000002", "referral_date": "2025-08-04", "referral_source": "Police", "borough": "Camden",
         "cjs_stage": "Out of court", "crime_ref": VICTIM_DOES_NOT_SUPPORT, "case_status": "Open"}])
    build()

    assert journey(db) == {CHARGED: (18, False, None), VICTIM_DOES_NOT_SUPPORT: (16, False, "RJL-000002"),
                           "4000009/25": (None, None, None)}
    assert january_london(db) == {"OUT_CHARGED": (0, 2), "OUT_VICTIM_NOT_SUPPORTING": (1, 2),
                                  "RJ_INFO_TO_REFERRAL": (1, 2)}
