"""A seeded synthetic London through the whole build: the warehouse reports exactly what the
generator's ground truth says it must, once the injected defects are handled as the spec says."""
import polars as pl
import pytest

from pipelines.synthetic import generate
from tests.integration.build_helpers import build, isolated_environment, query

WORLD = {"start": "2025-01", "months": 3, "scale": 0.02, "seed": 7}
VC_METRICS = ["VC_RJ_INFO", "VC_SUPPORT_REFERRAL", "VC_NEEDS_ASSESSED"]
GRAIN = ["metric_id", "period_month", "geography_level", "borough_code", "bcu_name"]


def build_world(tmp_path_factory, name, **world):
    root = tmp_path_factory.mktemp(name)
    generate(root / "landing", root / "ground_truth", **world)
    with pytest.MonkeyPatch.context() as mp:
        isolated_environment(mp, root)
        build()
    return root


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    return build_world(tmp_path_factory, "synthetic", **WORLD)


def warehouse_metrics(root, metric_ids):
    rows = query(root / "warehouse" / "mopac.duckdb",
                 f"select {', '.join(GRAIN)}, numerator, denominator from marts.metric_values "
                 f"where breakdown is null and metric_id in ({', '.join('?' * len(metric_ids))})", metric_ids)
    return pl.DataFrame(rows, schema=[*GRAIN, "numerator", "denominator"], orient="row")


def expected_metrics(root, metric_ids):
    truth = pl.read_parquet(root / "ground_truth" / "metrics.parquet")
    return truth.filter(pl.col("metric_id").is_in(metric_ids) & pl.col("breakdown").is_null()).select(
        *GRAIN, pl.col("expected_numerator").alias("numerator"), pl.col("expected_denominator").alias("denominator"))


def as_set(frame: pl.DataFrame) -> set[tuple]:
    return set(frame.with_columns(pl.col("period_month").cast(pl.Date),
                                  pl.col("numerator").cast(pl.Int64), pl.col("denominator").cast(pl.Int64)).rows())


@pytest.mark.parametrize("metric_id", VC_METRICS)
def test_victims_code_metrics_equal_the_ground_truth_in_every_month_and_area(world, metric_id):
    expected = as_set(expected_metrics(world, [metric_id]))
    assert len(expected) >= 3 * (1 + 12 + 32) * 0.9  # months x (London + BCUs + boroughs), nearly all present
    assert as_set(warehouse_metrics(world, [metric_id])) == expected


def test_every_injected_police_defect_is_handled_as_the_ground_truth_says(world):
    defects = pl.read_parquet(world / "ground_truth" / "defects.parquet").filter(
        (pl.col("feed") == "police_crimes") & pl.col("severity").is_not_null())
    expected = set(defects.select("file_name", "row_number", "column", "check", "severity").rows())
    found = set(query(world / "warehouse" / "mopac.duckdb", """
        select r.file_name, q.row_number, q.column_name, q.check_name, q.severity
        from ops.quarantine q join ops.file_registry r using (file_id)
        where r.feed = 'police_crimes'"""))
    assert {d[3] for d in expected} >= {"duplicate_row", "unresolved_borough", "invalid_format"}
    assert found == expected


def test_every_police_file_ends_in_the_expected_registry_state(world):
    files = pl.read_parquet(world / "ground_truth" / "files.parquet").filter(pl.col("feed") == "police_crimes")
    expected = {(f["file_name"], f["expected_status"], f["rows"]) for f in files.iter_rows(named=True)}
    found = set(query(world / "warehouse" / "mopac.duckdb",
                      "select file_name, status, rows_received from ops.file_registry where feed = 'police_crimes'"))
    assert found == expected
    assert any(name.endswith("_v2.csv") for name, _, _ in found)


@pytest.mark.slow
def test_a_larger_world_still_matches_the_ground_truth(tmp_path_factory):
    root = build_world(tmp_path_factory, "larger", start="2025-03", months=2, scale=0.25, seed=11)
    assert as_set(warehouse_metrics(root, VC_METRICS)) == as_set(expected_metrics(root, VC_METRICS))
