"""The README's "Querying the warehouse" section, run as an analyst and a BI tool would: every query
through the DuckDB Python API and through SQLAlchemy (duckdb-engine), both read-only on the published
copy; answers checked against the generator's ground truth. A BI connection held open never blocks
a build. `mopac docs` describes every published column."""
import json
import re
import shutil

import duckdb
import polars as pl
import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from pipelines.docs import STATIC_PAGE, generate_docs
from pipelines.publish import PUBLISHED_DB_NAME
from pipelines.settings import PROJECT_ROOT, load_settings
from tests.integration.build_helpers import build, isolated_environment, query

QUERY_BLOCK = re.compile(r"```sql\n-- query: (\w+)\n(.*?)```", re.DOTALL)
WILSON_Z = 1.96


def readme_queries() -> dict[str, str]:
    return dict(QUERY_BLOCK.findall((PROJECT_ROOT / "README.md").read_text()))


def published(root):
    return root / "warehouse" / "published" / PUBLISHED_DB_NAME


def through_duckdb(db, sql):
    con = duckdb.connect(str(db), read_only=True)
    try:
        cursor = con.execute(sql)
        return [d[0] for d in cursor.description], cursor.fetchall()
    finally:
        con.close()


def through_sqlalchemy(db, sql):
    engine = create_engine(f"duckdb:///{db}", connect_args={"read_only": True}, poolclass=NullPool)
    try:
        with engine.connect() as connection:
            result = connection.execute(text(sql))
            return list(result.keys()), [tuple(row) for row in result]
    finally:
        engine.dispose()


def answer(root, name) -> pl.DataFrame:
    """The README query's answer, the same through both connections."""
    sql = readme_queries()[name]
    columns, rows = through_duckdb(published(root), sql)
    assert through_sqlalchemy(published(root), sql) == (columns, rows)
    assert rows, f"{name} returned nothing"
    return pl.DataFrame(rows, schema=columns, orient="row")


def truth(root, metric_id, level) -> pl.DataFrame:
    return pl.read_parquet(root / "ground_truth" / "metrics.parquet").filter(
        (pl.col("metric_id") == metric_id) & (pl.col("geography_level") == level) & pl.col("breakdown").is_null())


def wilson(successes: int, n: int) -> tuple[float, float]:
    p, z2 = successes / n, WILSON_Z ** 2
    centre, spread = p + z2 / (2 * n), WILSON_Z * (p * (1 - p) / n + z2 / (4 * n * n)) ** 0.5
    return (centre - spread) / (1 + z2 / n), (centre + spread) / (1 + z2 / n)


def test_the_readme_has_the_three_queries():
    assert set(readme_queries()) == {"rolling_satisfaction_by_bcu", "rj_funnel_by_cjs_stage",
                                     "victims_code_by_borough_against_london"}


def test_rolling_satisfaction_by_bcu_sums_the_months_of_the_ground_truth(synthetic_world):
    found = answer(synthetic_world, "rolling_satisfaction_by_bcu")
    expected = (truth(synthetic_world, "SAT_OVERALL", "bcu").sort("period_month")
                .with_columns(pl.col("expected_numerator").cum_sum().over("bcu_name").alias("satisfied"),
                              pl.col("expected_denominator").cum_sum().over("bcu_name").alias("responses")))
    # a world shorter than 12 months: every month's window holds all months so far
    assert set(found.select("bcu_name", "period_month", "satisfied", "responses").rows()) == set(
        expected.select("bcu_name", pl.col("period_month").cast(pl.Date), "satisfied", "responses").rows())
    for row in found.iter_rows(named=True):
        assert (row["ci_lower"], row["ci_upper"]) == pytest.approx(wilson(row["satisfied"], row["responses"]))
        assert row["ci_lower"] - 1e-12 <= row["satisfaction"] <= row["ci_upper"] + 1e-12  # rounding at 0 and 1


def test_the_rj_funnel_by_stage_narrows_and_its_referrals_are_the_ground_truths(synthetic_world):
    found = answer(synthetic_world, "rj_funnel_by_cjs_stage")
    for row in found.iter_rows(named=True):
        assert row["referred"] >= row["contacted"] >= row["assessed"] >= row["suitable"] >= row["victim_consented"] \
            >= row["delivered"] >= row["completed"]
    # The snapshots also hold cases referred before the generated months, which the truth leaves out;
    # in the months it covers, the funnel's referrals are its RJ_REFERRALS.
    referrals = truth(synthetic_world, "RJ_REFERRALS", "london").select(
        pl.col("period_month").cast(pl.Date), "expected_numerator")
    in_funnel = dict(query(published(synthetic_world), "select period_month, sum(referred) from marts.rj_funnel group by 1"))
    assert {month: in_funnel.get(month) for month, _ in referrals.rows()} == dict(referrals.rows())
    assert found["referred"].sum() >= referrals["expected_numerator"].sum() > 0


def test_victims_code_by_borough_against_london_matches_the_ground_truth(synthetic_world):
    found = answer(synthetic_world, "victims_code_by_borough_against_london")
    boroughs = truth(synthetic_world, "VC_RJ_INFO", "borough").group_by("borough_code").agg(
        (pl.col("expected_numerator").sum() / pl.col("expected_denominator").sum()).alias("compliance"))
    london = truth(synthetic_world, "VC_RJ_INFO", "london")
    london_rate = london["expected_numerator"].sum() / london["expected_denominator"].sum()
    names = dict(query(published(synthetic_world), "select borough_name, borough_code from marts.dim_borough"))
    assert len(found) == len(boroughs) > 20
    expected = dict(boroughs.rows())
    for row in found.iter_rows(named=True):
        assert row["compliance"] == pytest.approx(expected[names[row["borough_name"]]])
        assert row["against_london"] == pytest.approx(row["compliance"] - london_rate)


def test_a_bi_connection_held_open_never_blocks_a_build(tmp_path, monkeypatch, synthetic_world):
    root = tmp_path / "bi"
    shutil.copytree(synthetic_world, root, symlinks=True, ignore=shutil.ignore_patterns("ground_truth"))
    isolated_environment(monkeypatch, root)
    engine = create_engine(f"duckdb:///{published(root)}", connect_args={"read_only": True}, poolclass=NullPool)
    sql = text("select count(*) from marts.fct_victim_crime")
    with engine.connect() as dashboard:
        before = dashboard.execute(sql).scalar()
        # delivered while the dashboard is open: the last police month again, without its second half
        police = root / "landing" / "police_crimes"
        last_month = sorted(police.glob("met_crimes_????-??.csv"))[-1]
        lines = last_month.read_text().splitlines(keepends=True)
        (police / f"{last_month.stem}_v2.csv").write_text("".join(lines[:len(lines) // 2]))
        build()  # publishes while the dashboard's connection is open
        assert dashboard.execute(sql).scalar() == before  # it keeps reading the build it opened
    with engine.connect() as reconnected:
        assert reconnected.execute(sql).scalar() < before


def test_mopac_docs_describes_every_column_of_every_published_table(synthetic_world, monkeypatch):
    isolated_environment(monkeypatch, synthetic_world)
    folder = generate_docs(load_settings(), log=lambda _: None)
    assert (folder / STATIC_PAGE).exists() and (folder / "index.html").exists()
    manifest = json.loads((folder / "manifest.json").read_text())
    catalog = json.loads((folder / "catalog.json").read_text())
    published_tables = {table for (table,) in query(published(synthetic_world), "select table_name from information_schema.tables "
                                                                      "where table_schema = 'marts'")}
    undescribed = []
    for table in published_tables:
        node = manifest["nodes"][f"model.mopac_warehouse.{table}"]
        if not node["description"].strip():
            undescribed.append(table)
        columns = catalog["nodes"][f"model.mopac_warehouse.{table}"]["columns"]
        undescribed += [f"{table}.{c}" for c in columns
                        if not node["columns"].get(c.lower(), {}).get("description", "").strip()]
    assert undescribed == []
