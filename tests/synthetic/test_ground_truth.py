"""The ground truth is consistent with the files, and its expected metrics follow the handling
rules: equal to the truth in a clean world, different (and independently reproducible) with
defects."""

import datetime as dt
import hashlib
import json

import holidays
import polars as pl
import pytest

from pipelines.synthetic.feeds import court_hearings, police_crimes, police_outcomes, rj_cases, uss_responses
from pipelines.synthetic.feeds.contract import FileContext, validate
from pipelines.synthetic.months import Month

SPEC_CHECKS = {
    "missing_required", "invalid_format", "invalid_date", "outside_file_period", "not_allowed_value",
    "unresolved_borough", "not_london_lsoa", "before_report_date", "after_report_date", "dob_out_of_range",
    "duplicate_row", "key_conflict",
}
ADDED_CHECKS = {"before_sentence_date", "before_referral_date", "before_received_date"}
CATALOGUE = {
    "SAT_OVERALL", "SAT_EASE_OF_CONTACT", "SAT_ACTIONS_TAKEN", "SAT_KEPT_INFORMED", "SAT_TREATMENT",
    "SAT_OVERALL_WHITE", "SAT_OVERALL_BAME", "VC_RJ_INFO", "VC_SUPPORT_REFERRAL", "VC_NEEDS_ASSESSED",
    "VC_VPS_OFFERED", "VC_VCS_REFERRAL", "VC_VLO_CONTACT", "VC_RELEASE_NOTICE", "RJ_REFERRALS", "RJ_REFERRAL_RATE",
    "RJ_CONTACTED_5WD", "RJ_DAYS_TO_CONTACT_MEDIAN", "RJ_SUITABLE", "RJ_VICTIM_CONSENT", "RJ_DELIVERED",
    "RJ_DIRECT_SHARE", "RJ_COMPLETED", "RJ_SATISFACTION", "RJ_INFO_TO_REFERRAL", "CT_TRIALS", "CT_INEFFECTIVE",
    "CT_INEFFECTIVE_WITNESS", "CT_CRACKED_WITNESS", "CT_VICTIM_ATTENDED", "HUB_REFERRALS", "HUB_UNREPORTED_SHARE",
    "HUB_ASSESSED_5WD", "HUB_RJ_ONWARD", "DQ_ROWS_QUARANTINED", "DQ_FILES_REJECTED", "DQ_USS_ORPHANS", "DQ_LINKED_RJ",
    "OUT_CHARGED", "OUT_VICTIM_NOT_SUPPORTING",
}
# Their populations need months of case progress (delivered interventions), so a three-month
# world at scale 0.02 may not have them yet.
SLOW_TO_APPEAR = {"RJ_DIRECT_SHARE", "RJ_SATISFACTION", "RJ_DELIVERED", "RJ_COMPLETED", "RJ_VICTIM_CONSENT"}
COUNTS = {"RJ_REFERRALS", "HUB_REFERRALS", "CT_TRIALS"}
VALUES = ["numerator", "denominator", "value"]


def test_every_expected_metric_equals_the_truth_in_a_clean_world(clean):
    metrics = clean.table("metrics")
    for column in VALUES:
        same = (pl.col(f"true_{column}") == pl.col(f"expected_{column}")) | (
            pl.col(f"true_{column}").is_null() & pl.col(f"expected_{column}").is_null()
        )
        assert metrics.select(same.all()).item(), column
    assert clean.table("defects").is_empty()


def test_defects_change_the_expected_metrics_but_not_the_truth(messy, clean):
    keys = ["metric_id", "period_month", "geography_level", "borough_code", "bcu_name", "breakdown", "breakdown_value"]
    messy_metrics = messy.table("metrics")
    truth = messy_metrics.select(*keys, "true_value").join(
        clean.table("metrics").select(*keys, clean_value="true_value"), on=keys, nulls_equal=True
    )
    # Neither the defects nor the re-deliveries change the world: every true value but the DQ_
    # counts (which count the extra deliveries) is the clean world's.
    world = truth.filter(~pl.col("metric_id").str.starts_with("DQ_"))
    assert world.height > 1000 and world.select(pl.col("true_value").eq_missing(pl.col("clean_value")).all()).item()
    for metric_id in ("VC_RJ_INFO", "VC_SUPPORT_REFERRAL", "VC_NEEDS_ASSESSED", "DQ_ROWS_QUARANTINED"):
        rows = messy_metrics.filter(pl.col("metric_id") == metric_id)
        assert (rows["true_numerator"] != rows["expected_numerator"]).any() or (
            rows["true_denominator"] != rows["expected_denominator"]
        ).any(), metric_id
    quarantined = messy_metrics.filter(pl.col("metric_id") == "DQ_ROWS_QUARANTINED", pl.col("breakdown").is_null())
    assert (quarantined["true_numerator"] == 0).all() and (quarantined["expected_numerator"] > 0).all()


def test_metric_rows_follow_the_catalogue_conventions(messy):
    metrics = messy.table("metrics")
    assert set(metrics["metric_id"]) <= CATALOGUE
    assert CATALOGUE - SLOW_TO_APPEAR <= set(metrics["metric_id"])
    assert set(metrics["period_month"]) == {dt.date(2025, m, 1) for m in (1, 2, 3)}
    for side in ("true", "expected"):
        num, den, value = (pl.col(f"{side}_{c}") for c in VALUES)
        present = metrics.filter(value.is_not_null())
        counts = present.filter(pl.col("metric_id").is_in(list(COUNTS)))
        medians = present.filter(pl.col("metric_id").str.ends_with("_MEDIAN"))
        rates = present.filter(~pl.col("metric_id").is_in(list(COUNTS)) & ~pl.col("metric_id").str.ends_with("_MEDIAN"))
        assert counts.select((den.is_null() & (value == num)).all()).item()
        assert medians.select((num.is_null() & den.is_null()).all()).item()
        assert rates.select(((den > 0) & ((value - num / den).abs() < 1e-12)).all()).item()


def test_geographies_are_labelled_consistently(messy):
    metrics = messy.table("metrics")
    level = pl.col("geography_level")
    assert set(metrics["geography_level"]) == {"london", "bcu", "borough"}
    assert metrics.filter(level == "borough").select((pl.col("borough_code").is_not_null() & pl.col("bcu_name").is_not_null()).all()).item()
    assert metrics.filter(level == "bcu").select((pl.col("borough_code").is_null() & pl.col("bcu_name").is_not_null()).all()).item()
    assert metrics.filter(level == "london").select((pl.col("borough_code").is_null() & pl.col("bcu_name").is_null()).all()).item()
    courts = metrics.filter(pl.col("metric_id").str.starts_with("CT_"))
    assert set(courts["geography_level"]) == {"london"} and set(courts["breakdown_value"].drop_nulls()) == {"Magistrates", "Crown"}
    dq = metrics.filter(pl.col("metric_id") == "DQ_ROWS_QUARANTINED")
    assert set(dq["breakdown"].drop_nulls()) == {"feed"} and len(set(dq["breakdown_value"].drop_nulls())) == 7


def test_every_defect_points_at_a_real_file_and_row(messy):
    defects, records, files = messy.table("defects"), messy.table("records"), messy.table("files")
    assert files.select(pl.struct("file_name", "delivery").is_unique().all()).item()
    assert set(defects.select("file_name", "delivery").rows()) <= set(files.select("file_name", "delivery").rows())
    located = defects.join(records, on=["file_name", "delivery", "row_number"], how="left", suffix="_record")
    assert located["feed_record"].is_not_null().all()
    assert (located["record_key"] == located["record_key_record"]).all()
    assert defects.select(pl.struct("file_name", "delivery", "row_number").is_unique().all()).item(), "one defect per row"
    for row in files.iter_rows(named=True):
        assert messy.path(row).is_file()


def test_records_cover_every_data_row_of_every_file(messy):
    records, files = messy.table("records"), messy.table("files")
    per_file = records.group_by("file_name", "delivery").agg(n=pl.len(), first=pl.col("row_number").min(), last=pl.col("row_number").max())
    both = files.join(per_file, on=["file_name", "delivery"])
    assert both.height == files.height
    assert (both["n"] == both["rows"]).all() and (both["first"] == 1).all() and (both["last"] == both["rows"]).all()
    police = records.filter(pl.col("feed") == "police_crimes")
    assert police["person_id"].is_not_null().all() and police["crime_id"].is_not_null().all()
    assert set(records["person_id"].drop_nulls()) <= set(messy.table("people")["person_id"])
    assert messy.table("people")["person_id"].is_unique().all()


def test_file_registry_expectations(messy):
    files = messy.table("files")
    superseded = files.filter(pl.col("expected_status") == "superseded")
    assert sorted(superseded.select("file_name", "delivery").rows()) == [
        ("hmcts_hearings_2025-02.csv", 1), ("met_crimes_2025-01.csv", 1), ("restore_london_cases_2025-03-31.csv", 1),
    ]
    assert set(files["expected_status"]) == {"loaded", "superseded"}
    for row in files.filter(pl.col("encoding").is_not_null()).iter_rows(named=True):
        text = messy.path(row).read_bytes().decode(row["encoding"])
        data_lines = text.splitlines()[1:] if row["feed"] != "probation_vcs" else text.splitlines()
        assert len(data_lines) == row["rows"], row["file_name"]


def test_every_file_carries_its_digest_and_the_warnings_the_delivery_rules_give_it(messy):
    files = messy.table("files")
    for row in files.iter_rows(named=True):
        data = messy.path(row).read_bytes()
        assert row["sha256"] == hashlib.sha256(data).hexdigest(), row["file_name"]
        try:
            data.decode("utf-8")
            windows_1252 = False
        except UnicodeDecodeError:
            windows_1252 = row["encoding"] is not None  # a text file (workbooks are binary)
        warnings = set((row["expected_warning"] or "").split("; ")) - {""}
        assert ("windows_1252" in warnings) == windows_1252, row["file_name"]
        assert ("same_name_new_bytes" in warnings) == (row["delivery"] == 2), row["file_name"]
    assert files["sha256"].is_unique().all()
    assert files.filter(pl.col("expected_warning") == "windows_1252").height >= 2  # a court v1 and its v2 at least


def test_the_v2_corrects_defects_and_adds_and_removes_records(messy):
    records, defects = messy.table("records"), messy.table("defects")
    keys = lambda name: set(records.filter(pl.col("file_name") == name)["record_key"])  # noqa: E731
    first, second = keys("met_crimes_2025-01.csv"), keys("met_crimes_2025-01_v2.csv")
    assert first - second and second - first
    counts = defects.group_by("file_name").len()
    count = lambda name: counts.filter(pl.col("file_name") == name)["len"].item()  # noqa: E731
    assert count("met_crimes_2025-01_v2.csv") < count("met_crimes_2025-01.csv")


def test_defects_use_the_check_vocabulary_and_stay_under_the_rejection_threshold(messy):
    defects, files = messy.table("defects"), messy.table("files")
    assert set(defects["check"].drop_nulls()) <= SPEC_CHECKS | ADDED_CHECKS
    assert set(defects["severity"].drop_nulls()) == {"row", "field"}
    assert defects.filter(pl.col("severity").is_null())["check"].is_null().all()
    quarantined = defects.filter(pl.col("severity") == "row").group_by("file_name", "delivery").len()
    shares = files.join(quarantined, on=["file_name", "delivery"], how="left").with_columns(share=pl.col("len").fill_null(0) / pl.col("rows"))
    assert (shares["share"] <= 0.10).all()
    police = defects.filter(pl.col("feed") == "police_crimes")
    assert {"duplicate_row", "key_conflict", "unresolved_borough", "invalid_format", "before_report_date"} <= set(police["check"])
    assert {"name_typo", "nickname", "resolvable_borough_variant"} <= set(police["defect"])
    conflicts = police.filter(pl.col("check") == "key_conflict")
    assert conflicts.group_by("file_name", "record_key").len()["len"].min() == 2


PERIOD_FEEDS = [police_crimes, police_outcomes, uss_responses, court_hearings]


@pytest.mark.parametrize("feed", PERIOD_FEEDS + [rj_cases], ids=lambda f: f.FEED)
def test_validating_the_files_on_disk_finds_exactly_the_logged_defects(messy, feed):
    defects = messy.table("defects").filter(pl.col("severity").is_not_null())
    for row in messy.table("files").filter(pl.col("feed") == feed.FEED).iter_rows(named=True):
        path = messy.path(row)
        raw = path.read_bytes()
        text = raw.decode("utf-8") if not (feed is court_hearings and b"\x92" in raw) else raw.decode("cp1252")
        frame = pl.read_csv(text.encode(), infer_schema_length=0).with_columns(
            _row_number=pl.int_range(1, pl.len() + 1, dtype=pl.Int64)
        )
        label = path.stem.split("_")[-2] if path.stem.endswith("_v2") else path.stem.split("_")[-1]
        ctx = FileContext(feed.FEED, path.name, period=Month.parse(label) if feed in PERIOD_FEEDS else None)
        found = set(validate(feed.CONTRACT, frame, ctx).select("_row_number", "column", "check", "severity").rows())
        mine = defects.filter(pl.col("file_name") == path.name, pl.col("delivery") == row["delivery"])
        logged = set(mine.select("row_number", "column", "check", "severity").rows())
        assert found == logged, path.name


ENGLAND = holidays.country_holidays("GB", subdiv="ENG", years=range(2024, 2027))


def _deadline(day: dt.date, working_days: int) -> dt.date:
    while working_days:
        day += dt.timedelta(days=1)
        if day.weekday() < 5 and day not in ENGLAND:
            working_days -= 1
    return day


def _date(text):
    return dt.date.fromisoformat(text) if text else None


def test_police_victims_code_metrics_recomputed_independently_from_the_files(messy):
    """London VC_* expected values from the current police files on disk, handled with the
    defect log (quarantined rows dropped, nulled fields blanked), by plain Python."""
    defects = messy.table("defects").filter(pl.col("feed") == "police_crimes")
    files = messy.table("files").filter(pl.col("feed") == "police_crimes", pl.col("expected_status") == "loaded")
    metrics = messy.table("metrics").filter(pl.col("geography_level") == "london")
    for name, month in files.select("file_name", "period_month").rows():
        mine = defects.filter(pl.col("file_name") == name)
        dropped = set(mine.filter(pl.col("severity") == "row")["row_number"])
        nulled = set(mine.filter(pl.col("severity") == "field").select("row_number", "column").rows())
        totals = {"VC_RJ_INFO": [0, 0], "VC_SUPPORT_REFERRAL": [0, 0], "VC_NEEDS_ASSESSED": [0, 0]}
        rows = pl.read_csv(messy.landing / "police_crimes" / name, infer_schema_length=0).rows(named=True)
        for number, row in enumerate(rows, start=1):
            if number in dropped:
                continue
            value = lambda c: None if (number, c) in nulled or not (row[c] or "").strip() else row[c].strip()  # noqa: E731
            report = _date(value("report_date"))
            rj_days = 1 if value("enhanced_rights").upper() == "Y" else 5
            rj = _date(value("rj_info_date"))
            totals["VC_RJ_INFO"][1] += 1
            totals["VC_RJ_INFO"][0] += bool(rj and rj <= _deadline(report, rj_days))
            totals["VC_NEEDS_ASSESSED"][1] += 1
            totals["VC_NEEDS_ASSESSED"][0] += value("needs_assessment_date") is not None
            if (value("support_consent") or "").upper() == "Y":
                referral = _date(value("support_referral_date"))
                totals["VC_SUPPORT_REFERRAL"][1] += 1
                totals["VC_SUPPORT_REFERRAL"][0] += bool(referral and referral <= _deadline(report, 2))
        for metric_id, (numerator, denominator) in totals.items():
            row = metrics.filter(pl.col("metric_id") == metric_id, pl.col("period_month") == month)
            assert (row["expected_numerator"].item(), row["expected_denominator"].item()) == (numerator, denominator), (name, metric_id)


def test_manifest_records_the_arguments_and_rates(messy):
    manifest = json.loads((messy.truth / "manifest.json").read_text())
    assert manifest["arguments"] == {"start": "2025-01", "months": 3, "scale": 0.02, "seed": 7}
    assert manifest["defect_rates"]["duplicate_row"] > 0
    assert sum(manifest["files_per_feed"].values()) == messy.table("files").height
