"""A whole build through the Dagster job on hand-made deliveries: canary personal data, in valid
rows and in malformed ones, never reaches any output; the published copy holds the marts only; a
re-run changes nothing."""
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import POLICE_COLUMNS, police_row, write_police_file
from tests.integration.build_helpers import build, canary_leaks, isolated_environment, query, snapshot

# One unique canary per personal field; each must never appear in clear in any output.
CANARIES = {
    "victim_ref": "V90909090", "victim_forename": "Qzcanaryfore", "victim_surname": "Qzcanarysur",
    "victim_dob": "1931-02-03", "victim_postcode": "ZZ9 9ZZ", "victim_phone": "07700900999",
    "victim_email": "qz.canary@example.org",
}
SEARCH = ["V90909090", "QZCANARY", "1931-02-03", "ZZ9 9ZZ", "ZZ99ZZ", "07700900999", "QZ.CANARY@"]
INTERFACE_TABLES = ["marts.dim_borough", "marts.dim_date", "marts.fct_victim_crime", "marts.fct_survey_response",
                    "marts.fct_trial", "marts.fct_hub_referral", "marts.metric_values", "marts.metric_definitions",
                    "marts.data_quality", "marts.fct_rj_case", "marts.fct_vcs_case", "marts.rj_funnel"]
CHECK_INTERFACE = Path(__file__).resolve().parents[3] / "shared" / "tools" / "check_interface.py"


MAY = {"report_date": "2025-05-06", "offence_date": "2025-05-05", "needs_assessment_date": "2025-05-06",
       "support_referral_date": "2025-05-07", "rj_info_date": "2025-05-07"}


def canary_line(**overrides: str) -> str:
    """A police row as a CSV line with canaries in every personal field."""
    row = police_row(crime_ref="4109999/25", victim_ref=CANARIES["victim_ref"], **overrides)
    return ",".join(f'"{v}"' if "," in v else v for v in {**row, **CANARIES}.values())


def april_rows():
    rows = [police_row(crime_ref=f"41{i:05d}/25", victim_ref=f"V1{i:07d}") for i in range(1, 21)]
    rows[0].update(CANARIES)                                             # loaded, tokenised
    rows[1].update({**CANARIES, "victim_postcode": "QZCANARY POSTCODE"})  # postcode nulled, redacted
    rows[2].update({**CANARIES, "borough": "Atlantis"})                  # whole row quarantined
    return rows


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    root = tmp_path_factory.mktemp("privacy") / "o'brien's data"  # a quote and a space in every path
    landing = root / "landing" / "police_crimes"
    april = write_police_file(landing / "met_crimes_2025-04.csv", april_rows())
    short = canary_line().split(",")
    del short[POLICE_COLUMNS.index("victim_gender")]  # an exporter dropped an empty cell: values would shift
    with open(april, "a") as handle:
        handle.write(",".join(short) + "\n")
    write_police_file(landing / "met_crimes_2025-05.csv",
                      [police_row(crime_ref=f"42{i:05d}/25", victim_ref=f"V2{i:07d}",
                                  **{**MAY, "rj_info_date": "" if i % 2 else "2025-05-07"}) for i in range(1, 11)])
    write_police_file(landing / "met_crimes_2025-05_v2.csv",
                      [police_row(crime_ref=f"43{i:05d}/25", victim_ref=f"V3{i:07d}", **MAY) for i in range(1, 5)])
    write_police_file(landing / "met_crimes_2025-06.csv", [police_row(report_date="2025-06-02", borough="Nowhere")])
    # A file cut inside a quoted field: a parser's own error text would quote the rest of the file.
    cut = write_police_file(landing / "met_crimes_2025-07.csv", [police_row(report_date="2025-07-02")])
    with open(cut, "a") as handle:
        handle.write(canary_line(report_date="2025-07-03", offence_subgroup='"Theft, ' + CANARIES["victim_surname"]))
    (root / "landing" / "police_crimes" / "README.txt").write_text("not a delivery")
    with pytest.MonkeyPatch.context() as mp:
        isolated_environment(mp, root)
        messages: list[str] = []
        build(messages)
        first = snapshot(root / "warehouse" / "mopac.duckdb")
        build(messages)
        yield {"root": root, "first": first, "second": snapshot(root / "warehouse" / "mopac.duckdb"),
               "messages": messages}


def test_the_registry_shows_every_file_with_its_fate(world):
    registry = {name: (status, received, loaded, quarantined) for _, name, status, received, loaded, quarantined, _, _
                in world["first"]["registry"]}
    assert registry == {
        "met_crimes_2025-04.csv": ("loaded", 21, 19, 2),
        "met_crimes_2025-05.csv": ("superseded", 10, 10, 0),
        "met_crimes_2025-05_v2.csv": ("loaded", 4, 4, 0),
        "met_crimes_2025-06.csv": ("rejected", 1, 0, 1),
        "met_crimes_2025-07.csv": ("rejected", None, None, None),
        "README.txt": ("unknown", None, None, None),
    }
    quarantine = {(row, column, check) for _, row, column, check in world["first"]["quarantine"]}
    assert quarantine == {(2, "victim_postcode", "invalid_format"), (3, "borough", "unresolved_borough"),
                          (21, None, "wrong_field_count"), (1, "borough", "unresolved_borough")}
    reasons = dict(query(world["root"] / "warehouse" / "mopac.duckdb",
                         "select file_name, reason from ops.file_registry where status = 'rejected'"))
    assert reasons["met_crimes_2025-07.csv"].startswith("met_crimes_2025-07.csv looks truncated: it ends inside a "
                                                        "quoted field")


def test_metrics_count_the_current_version_of_each_month(world):
    metrics = {(m, str(p)): (n, d) for m, p, level, *_, n, d, _, _, _ in world["first"]["metrics"] if level == "london"}
    assert metrics[("VC_RJ_INFO", "2025-04-01")] == (19, 19)      # rj info on day 5 counts (Fri -> Fri 11th)
    assert metrics[("VC_NEEDS_ASSESSED", "2025-05-01")] == (4, 4)  # v2's 4 rows, not v1's 10
    assert ("VC_RJ_INFO", "2025-06-01") not in metrics


def test_no_canary_personal_data_reaches_any_file_table_or_log(world):
    assert canary_leaks(world["root"], SEARCH, world["messages"], unsearched={"landing"}) == []


def test_the_published_copy_holds_marts_only_and_meets_the_interface(world):
    published = world["root"] / "warehouse" / "published" / "mopac_marts.duckdb"
    schemas = {s for (s,) in query(published, "select distinct table_schema from information_schema.tables")}
    assert schemas == {"marts"}
    assert not query(published, "select table_name from information_schema.columns where column_name like '%token%'")
    parquet = world["root"] / "warehouse" / "published" / "parquet"
    assert sorted(p.name for p in parquet.glob("*.parquet")) == sorted(
        f"{t.split('.')[1]}.parquet" for t in INTERFACE_TABLES)


@pytest.mark.skipif(not CHECK_INTERFACE.exists(), reason="../shared/tools/check_interface.py is not beside the checkout")
def test_the_published_copy_passes_the_shared_interface_checker(world):
    published = world["root"] / "warehouse" / "published" / "mopac_marts.duckdb"
    checked = subprocess.run([sys.executable, str(CHECK_INTERFACE), str(published), *INTERFACE_TABLES],
                             capture_output=True, text=True)
    assert checked.returncode == 0, checked.stdout
    assert f"{len(INTERFACE_TABLES)} tables checked, 0 problems" in checked.stdout


def test_re_running_the_build_changes_nothing(world):
    assert world["second"] == world["first"]
