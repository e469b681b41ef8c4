"""The deliveries that exercise the warehouse's delivery rules beyond police_crimes: a `_v2` of a
court_hearings month (a period feed) and the latest rj_cases snapshot re-sent under the same name
(a snapshot feed). Expected metrics are recomputed here from the files on disk and the defect log
by plain Python, not with the generator's code."""

import hashlib
from collections import Counter, defaultdict

import polars as pl
import pytest

COURT_V1, COURT_V2 = "hmcts_hearings_2025-02.csv", "hmcts_hearings_2025-02_v2.csv"
RJ_SNAPSHOT = "restore_london_cases_2025-03-31.csv"
FEBRUARY = pl.date(2025, 2, 1)
WITNESS_REASONS = {"Prosecution witness absent", "Prosecution witness withdrew", "Victim absent", "Victim withdrew"}
COUNTED = {"Effective", "Cracked", "Ineffective"}


def _rows(path) -> list[dict]:
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        text = raw.decode("cp1252")
    return pl.read_csv(text.encode(), infer_schema_length=0).rows(named=True)


def _loaded(messy, file_name: str, delivery: int, path) -> list[dict]:
    """The rows the warehouse loads from a file: quarantined rows dropped, nulled fields blank."""
    defects = messy.table("defects").filter(pl.col("file_name") == file_name, pl.col("delivery") == delivery)
    dropped = set(defects.filter(pl.col("severity") == "row")["row_number"])
    nulled = set(defects.filter(pl.col("severity") == "field").select("row_number", "column").rows())
    loaded = []
    for number, row in enumerate(_rows(path), start=1):
        if number not in dropped:
            loaded.append({c: None if (number, c) in nulled or not (v or "").strip() else v.strip() for c, v in row.items()})
    return loaded


def _statuses(messy, feed: str) -> dict[tuple[str, int], tuple]:
    files = messy.table("files").filter(pl.col("feed") == feed)
    return {(f["file_name"], f["delivery"]): (f["version"], f["expected_status"], f["expected_warning"]) for f in files.iter_rows(named=True)}


# -- court_hearings: a `_v2` of February ----------------------------------------------------------

def test_a_court_month_is_redelivered_as_v2_and_the_first_version_is_superseded(messy):
    names = [p.name for p in messy.files("court_hearings")]
    assert COURT_V1 in names and COURT_V2 in names
    assert [n for n in names if "_v" in n] == [COURT_V2]
    statuses = _statuses(messy, "court_hearings")
    # February is an even month: both versions are Windows-1252 and carry that warning.
    assert statuses.pop((COURT_V1, 1)) == (1, "superseded", "windows_1252")
    assert statuses.pop((COURT_V2, 1)) == (2, "loaded", "windows_1252")
    assert {status for _, status, _ in statuses.values()} == {"loaded"}


def test_the_court_v2_adds_removes_and_corrects_hearings(messy):
    v1 = {r["hearing_id"]: r for r in _rows(messy.landing / "court_hearings" / COURT_V1)}
    v2 = {r["hearing_id"]: r for r in _rows(messy.landing / "court_hearings" / COURT_V2)}
    removed, added = v1.keys() - v2.keys(), v2.keys() - v1.keys()
    assert removed and added and len(removed) + len(added) < 0.1 * len(v2)
    # Removed: second listings of a case made in error; the case's real hearing that day stays.
    listing = lambda r: (r["urn"], r["hearing_date"], r["hearing_type"], r["court_name"])  # noqa: E731
    kept = {listing(r) for r in v2.values()}
    assert any(listing(v1[h]) in kept for h in removed)
    # Corrected: trials whose victim attendance was recorded after the first extract, and defects.
    common = v1.keys() & v2.keys()
    attendance = [h for h in common if v1[h]["victim_attended"] is None and v2[h]["victim_attended"] in ("Y", "N")]
    assert attendance and all(v2[h]["hearing_type"] == "Trial" for h in attendance)
    changed = [h for h in common if v1[h] != v2[h]]
    assert len(changed) > len(attendance)
    defects = messy.table("defects").group_by("file_name").len()
    count = lambda name: defects.filter(pl.col("file_name") == name)["len"].item()  # noqa: E731
    assert count(COURT_V2) < count(COURT_V1)


def _court_metrics(rows: list[dict]) -> dict[str, tuple[int, int | None]]:
    """CT_* for all London (metrics.md, Courts), from loaded hearing rows."""
    trials = [r for r in rows if (r["hearing_type"] or "").lower() == "trial"]
    outcome = lambda r: (r["trial_outcome"] or "").capitalize()  # noqa: E731
    counted = [r for r in trials if outcome(r) in COUNTED]
    ineffective = [r for r in counted if outcome(r) == "Ineffective"]
    cracked = [r for r in counted if outcome(r) == "Cracked"]
    witness = lambda group: sum(r["outcome_reason"] in WITNESS_REASONS for r in group)  # noqa: E731
    attended = [r for r in counted if (r["victim_attended"] or "").upper() in ("Y", "N")]
    return {
        "CT_TRIALS": (len(counted), None),
        "CT_INEFFECTIVE": (len(ineffective), len(counted)),
        "CT_INEFFECTIVE_WITNESS": (witness(ineffective), len(ineffective)),
        "CT_CRACKED_WITNESS": (witness(cracked), len(cracked)),
        "CT_VICTIM_ATTENDED": (sum((r["victim_attended"] or "").upper() == "Y" for r in attended), len(attended)),
    }


def test_expected_court_metrics_follow_the_v2_and_the_truth_stays_the_world(messy, clean):
    folder = messy.landing / "court_hearings"
    from_v2 = _court_metrics(_loaded(messy, COURT_V2, 1, folder / COURT_V2))
    from_v1 = _court_metrics(_loaded(messy, COURT_V1, 1, folder / COURT_V1))
    assert from_v1 != from_v2, "the first version would report other figures"
    headline = (pl.col("period_month") == FEBRUARY) & pl.col("breakdown").is_null() & pl.col("metric_id").str.starts_with("CT_")
    rows = messy.table("metrics").filter(headline)
    expected = {r["metric_id"]: (r["expected_numerator"], r["expected_denominator"]) for r in rows.iter_rows(named=True)}
    assert expected == {k: v for k, v in from_v2.items() if v[1] != 0}
    # The world (and so true_*) is the clean world's: the v2 describes it, the v1 is not in it.
    true = lambda frame: set(  # noqa: E731
        frame.filter(headline & pl.col("true_value").is_not_null()).select("metric_id", "true_numerator", "true_denominator").rows()
    )
    assert true(messy.table("metrics")) == true(clean.table("metrics"))


# -- rj_cases: the latest snapshot re-sent under the same name ------------------------------------

def test_the_latest_rj_snapshot_is_resent_under_the_same_name_beside_the_landing_folder(messy):
    original = messy.landing / "rj_cases" / RJ_SNAPSHOT
    resent = messy.truth / "resent" / "rj_cases" / RJ_SNAPSHOT
    assert [p for p in (messy.truth / "resent").rglob("*") if p.is_file()] == [resent]
    assert original.read_bytes() != resent.read_bytes()
    assert messy.files("rj_cases")[-1] == original
    statuses = _statuses(messy, "rj_cases")
    assert statuses.pop((RJ_SNAPSHOT, 1)) == (1, "superseded", None)
    assert statuses.pop((RJ_SNAPSHOT, 2)) == (1, "loaded", "same_name_new_bytes")
    assert {status for _, status, _ in statuses.values()} == {"loaded"}
    files = messy.table("files").filter(pl.col("file_name") == RJ_SNAPSHOT).sort("delivery")
    digests = [hashlib.sha256(p.read_bytes()).hexdigest() for p in (original, resent)]
    assert files["sha256"].to_list() == digests


def test_the_resent_snapshot_differs_from_the_original_only_in_the_corrected_case(messy):
    defects = messy.table("defects").filter(pl.col("file_name") == RJ_SNAPSHOT)
    keys = lambda delivery: set(defects.filter(pl.col("delivery") == delivery)["record_key"])  # noqa: E731
    corrected = keys(1) - keys(2)
    assert len(corrected) == 1 and keys(2) == keys(1) - corrected
    rows = {}
    for delivery, path in ((1, messy.landing / "rj_cases"), (2, messy.truth / "resent" / "rj_cases")):
        by_case = defaultdict(Counter)
        for row in _rows(path / RJ_SNAPSHOT):
            by_case[row["rj_case_id"]][tuple(row.items())] += 1
        rows[delivery] = by_case
    differing = {case for case in rows[1].keys() | rows[2].keys() if rows[1][case] != rows[2][case]}
    assert differing == corrected
    [case] = corrected
    assert sum(rows[2][case].values()) == 1  # the corrected case, once, with no defect left


@pytest.mark.parametrize("metric_id", ["RJ_REFERRALS", "RJ_SUITABLE"])
def test_expected_rj_metrics_follow_the_resent_snapshot(messy, metric_id):
    cases = _loaded(messy, RJ_SNAPSHOT, 2, messy.truth / "resent" / "rj_cases" / RJ_SNAPSHOT)
    computed: dict = defaultdict(lambda: [0, 0])
    for case in cases:
        month = case["referral_date"][:7]
        if metric_id == "RJ_REFERRALS":
            computed[month][0] += 1
        elif case["assessment_outcome"] is not None:
            computed[month][1] += 1
            computed[month][0] += case["assessment_outcome"].lower() == "suitable"
    metrics = messy.table("metrics").filter(
        pl.col("metric_id") == metric_id, pl.col("geography_level") == "london", pl.col("breakdown").is_null()
    )
    expected = {r["period_month"].isoformat()[:7]: [r["expected_numerator"], r["expected_denominator"] or 0] for r in metrics.iter_rows(named=True)}
    assert expected and expected == {m: v for m, v in computed.items() if m in {"2025-01", "2025-02", "2025-03"} and (v[1] or v[0])}


def test_data_quality_counts_both_deliveries_of_the_resent_snapshot(messy):
    files = messy.table("files").filter(pl.col("feed") == "rj_cases", pl.col("snapshot_date") == pl.date(2025, 3, 31))
    defects = messy.table("defects").filter(pl.col("file_name") == RJ_SNAPSHOT, pl.col("severity") == "row")
    quarantined = defects.select("delivery", "row_number").unique().height
    row = messy.table("metrics").filter(
        pl.col("metric_id") == "DQ_ROWS_QUARANTINED", pl.col("period_month") == pl.date(2025, 3, 1),
        pl.col("breakdown_value") == "rj_cases",
    )
    assert files.height == 2
    assert (row["expected_numerator"].item(), row["expected_denominator"].item()) == (quarantined, files["rows"].sum())
