"""Data quality metrics (DQ_*): per delivery month (a period file's month, a snapshot's month),
one row per feed (breakdown 'feed') and an all-feeds headline row. Every delivery is counted,
including a v1 later superseded by its v2: both were received and registered."""

from __future__ import annotations

import polars as pl

from pipelines.synthetic.metrics import geography as geo


def rows_and_files(deliveries: pl.DataFrame) -> pl.DataFrame:
    """`deliveries`: feed, period_month, rows_received, rows_quarantined (one row per file)."""
    rows = deliveries.select(
        "period_month", "feed", borough_code=pl.lit(None, pl.String),
        den=pl.col("rows_received"), num=pl.col("rows_quarantined"),
    )
    quarantined = _summed(rows, "DQ_ROWS_QUARANTINED")
    files = _summed(rows.with_columns(den=pl.lit(1, pl.Int64), num=pl.lit(0, pl.Int64)), "DQ_FILES_REJECTED")
    return pl.concat([quarantined, files])


def _summed(rows: pl.DataFrame, metric_id: str) -> pl.DataFrame:
    """Rates whose units are already counts (rows of a file) rather than flags."""
    headline = rows.group_by("period_month").agg(numerator=pl.col("num").sum(), denominator=pl.col("den").sum()).with_columns(
        breakdown=pl.lit(None, pl.String), breakdown_value=pl.lit(None, pl.String)
    )
    by_feed = rows.group_by("period_month", "feed").agg(numerator=pl.col("num").sum(), denominator=pl.col("den").sum()).with_columns(
        breakdown=pl.lit("feed"), breakdown_value=pl.col("feed")
    ).drop("feed")
    frame = pl.concat([headline, by_feed], how="diagonal_relaxed").filter(pl.col("denominator") > 0)
    return frame.with_columns(
        metric_id=pl.lit(metric_id), geography_level=pl.lit("london"), borough_code=pl.lit(None, pl.String),
        bcu_name=pl.lit(None, pl.String), value=pl.col("numerator") / pl.col("denominator"),
    ).select([pl.col(c).cast(t) for c, t in geo.SCHEMA.items()])


def feed_rate(units: pl.DataFrame, metric_id: str, feed: str) -> pl.DataFrame:
    """A single-feed DQ rate: the feed's row and the (identical) all-feeds row."""
    units = units.with_columns(feed=pl.lit(feed), borough_code=pl.lit(None, pl.String))
    return geo.headline_and_breakdown(units, metric_id, "feed", "rate")


def uss_orphans(responses: pl.DataFrame, boroughs: pl.DataFrame) -> pl.DataFrame:
    known = boroughs["crime_ref"].implode()
    units = responses.select(period_month="interview_month", den=pl.lit(True), num=~pl.col("crime_ref").is_in(known))
    return feed_rate(units, "DQ_USS_ORPHANS", "uss_responses")


def linked_rj(snapshots: pl.DataFrame, boroughs: pl.DataFrame, urns: pl.DataFrame) -> pl.DataFrame:
    """`snapshots`: loaded cases of every snapshot, with the snapshot's period_month."""
    by_ref = pl.col("crime_ref").is_in(boroughs["crime_ref"].implode()).fill_null(False)
    by_urn = pl.col("urn").is_in(urns["urn"].implode()).fill_null(False)
    identifiable = pl.col("crime_ref").is_not_null() | pl.col("urn").is_not_null() | pl.col("has_details")
    units = snapshots.select("period_month", den=identifiable, num=by_ref | by_urn)
    return feed_rate(units, "DQ_LINKED_RJ", "rj_cases")
