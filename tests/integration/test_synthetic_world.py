"""A seeded synthetic London through the whole build, every feed: the warehouse handles every
injected defect, file and re-delivery exactly as the generator's ground truth says it must.

The world is built as an operator would see it arrive: first the landing folder as generated (a
police _v2 and a court _v2 among it), then the re-sent RJ snapshot copied over its original, then a
second build (pipelines/synthetic/__init__.py, Re-deliveries). One month of the real public feeds
lands beside them, dated outside the generated months, so that every catalogue metric has rows while
the ground truth (which covers the generated months only) stays comparable."""
import csv
from pathlib import Path

import polars as pl
import pytest

from pipelines.linkage.quality import evaluation_frame
from pipelines.warehouse import connect_read_only
from tests.integration.build_helpers import build_world, query

VC_METRICS = ["VC_RJ_INFO", "VC_SUPPORT_REFERRAL", "VC_NEEDS_ASSESSED"]
GRAIN = ["metric_id", "period_month", "geography_level", "borough_code", "bcu_name", "breakdown", "breakdown_value"]
CATALOGUE_SEED = Path(__file__).parents[2] / "dbt_project" / "seeds" / "ref_metric_definitions.csv"
CATALOGUE = [row["metric_id"] for row in csv.DictReader(CATALOGUE_SEED.open())]
# Computed from the real public files, not the generator: tested against hand-worked values.
PUBLIC_METRICS = {"PUB_RECORDED_CRIMES", "PUB_RECORDED_CRIMES_MPS"}
# Their populations need months of case progress (post-RJ surveys), so this three-month world has
# none yet: the warehouse must then have none either.
SLOW_TO_APPEAR = {"RJ_SATISFACTION"}
# The generator's expected values count exact reference links only; the warehouse adds the person
# linkage's, so its exact part is compared with the truth and the rest with the true persons.
PERSON_LINKED = {"DQ_LINKED_RJ"}
SYNTHETIC_FEEDS = ["police_crimes", "police_outcomes", "uss_responses", "court_hearings", "probation_vcs",
                   "council_hub", "rj_cases"]


@pytest.fixture
def world(synthetic_world):
    return synthetic_world


def warehouse_metrics(root, metric_ids):
    """Every row of these metrics in the generated months (those the truth covers), breakdowns included."""
    rows = query(root / "warehouse" / "mopac.duckdb",
                 f"select {', '.join(GRAIN)}, numerator, denominator, value from marts.metric_values "
                 f"where metric_id in ({', '.join('?' * len(metric_ids))}) "
                 f"and period_month in (select distinct period_month from read_parquet(?))",
                 [*metric_ids, str(root / "ground_truth" / "metrics.parquet")])
    return pl.DataFrame(rows, schema=[*GRAIN, "numerator", "denominator", "value"], orient="row", infer_schema_length=None)


def expected_metrics(root, metric_ids):
    """The expected world's rows; a key only the defect-free (true) world has (its few members all lost
    to defects) has no expected value and no warehouse row."""
    truth = pl.read_parquet(root / "ground_truth" / "metrics.parquet")
    return truth.filter(pl.col("metric_id").is_in(metric_ids) & pl.col("expected_value").is_not_null()).select(
        *GRAIN, pl.col("expected_numerator").alias("numerator"), pl.col("expected_denominator").alias("denominator"),
        pl.col("expected_value").alias("value"))


def as_set(frame: pl.DataFrame) -> set[tuple]:
    """Rows comparable exactly: counts as integers, values to 9 decimals (a median or a ratio)."""
    return set(frame.with_columns(pl.col("period_month").cast(pl.Date),
                                  pl.col("numerator").cast(pl.Int64), pl.col("denominator").cast(pl.Int64),
                                  pl.col("value").cast(pl.Float64).round(9)).rows())


@pytest.mark.parametrize("metric_id", VC_METRICS)
def test_victims_code_metrics_cover_nearly_every_month_and_area(world, metric_id):
    expected = as_set(expected_metrics(world, [metric_id]))
    assert len(expected) >= 3 * (1 + 12 + 32) * 0.9  # months x (London + BCUs + boroughs), nearly all present


@pytest.mark.parametrize("metric_id", [m for m in CATALOGUE if m not in PUBLIC_METRICS | PERSON_LINKED])
def test_every_synthetic_metric_equals_the_ground_truth_in_every_month_area_and_breakdown(world, metric_id):
    expected = as_set(expected_metrics(world, [metric_id]))
    assert expected or metric_id in SLOW_TO_APPEAR, f"the generator has no truth for {metric_id}"
    assert as_set(warehouse_metrics(world, [metric_id])) == expected


def check_linked_rj_cases(root) -> tuple[int, int]:
    """DQ_LINKED_RJ's exact part equals the truth's, its parts add up to the headline, and every RJ
    case the warehouse ties to a police victim is that victim's in the truth. Returns (RJ cases tied
    to a police victim, RJ cases the person linkage added to the metric)."""
    rows = warehouse_metrics(root, ["DQ_LINKED_RJ"])
    expected = as_set(expected_metrics(root, ["DQ_LINKED_RJ"]).filter(pl.col("breakdown").is_null()))
    by_link = {value: rows.filter(breakdown="link_method", breakdown_value=value).drop("breakdown", "breakdown_value")
               for value in ("reference", "person_linkage")}
    headline = rows.filter(pl.col("breakdown").is_null())
    as_headline = by_link["reference"].with_columns(breakdown=pl.lit(None, pl.String), breakdown_value=pl.lit(None, pl.String))
    assert as_set(as_headline.select(headline.columns)) == expected
    parts = by_link["reference"].join(by_link["person_linkage"], on="period_month", suffix="_person")
    assert (headline.join(parts, on="period_month")
            .filter(pl.col("numerator") != pl.col("numerator_right") + pl.col("numerator_person")).is_empty())
    con = connect_read_only(root / "warehouse" / "mopac.duckdb")
    try:
        persons = evaluation_frame(con, root / "ground_truth")
        to_police = con.sql("select record_id from intermediate.int_linkage__victim_keys where linked_to_police").pl()
    finally:
        con.close()
    linked = persons.join(to_police, on="record_id")
    cases = linked.filter(feed="rj_cases")
    police = linked.filter(feed="police_crimes").select("victim_key", "person_id").unique()
    tied = cases["victim_key"].n_unique()
    wrong = cases.join(police, on=["victim_key", "person_id"], how="anti")["victim_key"].n_unique()
    assert tied > 0 and wrong == 0
    return tied, by_link["person_linkage"]["numerator"].sum()


def test_linked_rj_cases_are_the_truths_exact_links_plus_person_links_to_the_true_police_victim(world):
    check_linked_rj_cases(world)


def test_every_metric_of_the_catalogue_has_rows(world):
    found = {metric_id for (metric_id,) in query(world / "warehouse" / "mopac.duckdb",
                                                 "select distinct metric_id from marts.metric_values")}
    assert set(CATALOGUE) - SLOW_TO_APPEAR - found == set()


@pytest.mark.parametrize("feed", SYNTHETIC_FEEDS)
def test_every_injected_defect_is_handled_as_the_ground_truth_says(world, feed):
    defects = pl.read_parquet(world / "ground_truth" / "defects.parquet").filter(
        (pl.col("feed") == feed) & pl.col("severity").is_not_null())
    files = pl.read_parquet(world / "ground_truth" / "files.parquet").filter(pl.col("feed") == feed)
    # Defects are named by (file, delivery); the registry by (file, sha256).
    expected = set(defects.join(files.select("file_name", "delivery", "sha256"), on=["file_name", "delivery"])
                   .select("file_name", "sha256", "row_number", "column", "check", "severity").rows())
    found = set(query(world / "warehouse" / "mopac.duckdb", """
        select r.file_name, r.sha256, q.row_number, q.column_name, q.check_name, q.severity
        from ops.quarantine q join ops.file_registry r using (file_id)
        where r.feed = ?""", [feed]))
    assert found == expected


def test_the_world_injects_defects_of_every_kind_the_checks_name(world):
    defects = pl.read_parquet(world / "ground_truth" / "defects.parquet").filter(pl.col("severity").is_not_null())
    assert set(defects["feed"]) >= {"police_crimes", "police_outcomes", "court_hearings", "council_hub", "rj_cases"}
    assert set(defects["check"]) >= {"duplicate_row", "key_conflict", "invalid_format", "missing_required",
                                     "not_allowed_value", "invalid_date", "unresolved_borough"}


@pytest.mark.parametrize("feed", SYNTHETIC_FEEDS)
def test_every_file_ends_in_its_expected_registry_state(world, feed):
    files = pl.read_parquet(world / "ground_truth" / "files.parquet").filter(pl.col("feed") == feed)
    expected = {(f["file_name"], f["sha256"], f["expected_status"], f["rows"]) for f in files.iter_rows(named=True)}
    found = set(query(world / "warehouse" / "mopac.duckdb",
                      "select file_name, sha256, status, rows_received from ops.file_registry where feed = ?", [feed]))
    assert found == expected


def test_the_re_deliveries_exercise_both_rules(world):
    registry = query(world / "warehouse" / "mopac.duckdb", """
        select feed, file_name, status, coalesce(warnings, '') from ops.file_registry
        where feed in ('court_hearings', 'rj_cases') and (status = 'superseded' or warnings like '%replaces%')""")
    kinds = {(feed, status, "snapshot date" in warning) for feed, _, status, warning in registry}
    assert ("court_hearings", "superseded", False) in kinds
    assert ("rj_cases", "superseded", False) in kinds and ("rj_cases", "loaded", True) in kinds


@pytest.mark.parametrize("feed", SYNTHETIC_FEEDS)
def test_every_accepted_row_is_in_raw_once(world, feed):
    """Nothing lost, nothing doubled: raw holds each loaded or superseded file's accepted rows."""
    counts = query(world / "warehouse" / "mopac.duckdb", f"""
        select r.file_id, r.rows_loaded, count(p._row_number), count(distinct p._row_number)
        from ops.file_registry r left join raw.{feed} p on p._file_id = r.file_id
        where r.feed = ? and r.status in ('loaded', 'superseded') group by all""", [feed])
    assert counts and all(loaded == rows == distinct for _, loaded, rows, distinct in counts)


def test_the_current_rj_cases_are_the_newest_snapshot_as_re_sent(world):
    db = world / "warehouse" / "mopac.duckdb"
    newest = query(db, "select max(snapshot_date) from ops.file_registry where feed = 'rj_cases' and status = 'loaded'")
    current = set(query(db, "select rj_case_id, case_status from intermediate.int_rj_cases__current"))
    raw = set(query(db, """select rj_case_id, case_status from raw.rj_cases p join ops.file_registry r on r.file_id = p._file_id
                           where r.status = 'loaded' and r.snapshot_date = ?""", [newest[0][0]]))
    assert current == raw and len(current) > 50


@pytest.mark.slow
def test_a_longer_world_matches_the_ground_truth_and_has_every_metric(tmp_path_factory):
    """Six months: long enough for RJ cases referred in the world to complete and be surveyed, so
    RJ_SATISFACTION has rows too, and no metric of the catalogue is exempt."""
    root = build_world(tmp_path_factory, "longer", start="2025-01", months=6, scale=0.05, seed=11)
    synthetic = [m for m in CATALOGUE if m not in PUBLIC_METRICS | PERSON_LINKED]
    assert as_set(warehouse_metrics(root, synthetic)) == as_set(expected_metrics(root, synthetic))
    _, added_by_person_linkage = check_linked_rj_cases(root)
    assert added_by_person_linkage > 0, "the person linkage added no RJ case here: its check measured nothing"
    found = {metric_id for (metric_id,) in query(root / "warehouse" / "mopac.duckdb",
                                                 "select distinct metric_id from marts.metric_values")}
    assert set(CATALOGUE) - found == set()
