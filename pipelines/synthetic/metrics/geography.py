"""Roll metric units up to metric rows, as marts.metric_values holds them.

A unit is one member of a metric's population (a victim, a case, a trial...) with flags for
the denominator and the numerator. Rates get a row per geography only where the denominator is
above zero and count only numerator members that are also in the denominator; counts carry the
numerator as value and no denominator; medians carry a value only. Borough metrics roll up to
BCU and London; units with no borough count in London only.
"""

from __future__ import annotations

import polars as pl

from pipelines.synthetic.reference import bcu_of

KEYS = ["metric_id", "period_month", "geography_level", "borough_code", "bcu_name", "breakdown", "breakdown_value"]
SCHEMA = {
    "metric_id": pl.String,
    "period_month": pl.Date,
    "geography_level": pl.String,
    "borough_code": pl.String,
    "bcu_name": pl.String,
    "breakdown": pl.String,
    "breakdown_value": pl.String,
    "numerator": pl.Int64,
    "denominator": pl.Int64,
    "value": pl.Float64,
}


# Every level groups by all of these; the columns a level does not use are null.
GROUP = ["period_month", "breakdown_value", "geography_level", "borough_code", "bcu_name"]


def _levels(units: pl.DataFrame, with_borough: bool, breakdown: str | None) -> list[pl.DataFrame]:
    """The units labelled with each geography they count in."""
    units = units.with_columns(breakdown_value=pl.col(breakdown) if breakdown else pl.lit(None, pl.String))
    levels = [units.with_columns(geography_level=pl.lit("london"), borough_code=pl.lit(None, pl.String), bcu_name=pl.lit(None, pl.String))]
    if with_borough:
        placed = units.filter(pl.col("borough_code").is_not_null()).with_columns(bcu_name=pl.col("borough_code").replace_strict(bcu_of()))
        levels.append(placed.with_columns(geography_level=pl.lit("borough")))
        levels.append(placed.with_columns(geography_level=pl.lit("bcu"), borough_code=pl.lit(None, pl.String)))
    return levels


def _finish(frame: pl.DataFrame, metric_id: str, breakdown: str | None) -> pl.DataFrame:
    return frame.with_columns(
        metric_id=pl.lit(metric_id), breakdown=pl.lit(breakdown, pl.String)
    ).select([pl.col(c).cast(t) for c, t in SCHEMA.items()])


def rate(units: pl.DataFrame, metric_id: str, *, with_borough: bool = True, breakdown: str | None = None) -> pl.DataFrame:
    """`units`: period_month, borough_code, den (bool), num (bool)."""
    parts = [
        labelled.group_by(GROUP).agg(numerator=(pl.col("num") & pl.col("den")).sum(), denominator=pl.col("den").sum())
        for labelled in _levels(units, with_borough, breakdown)
    ]
    result = pl.concat(parts).filter(pl.col("denominator") > 0).with_columns(value=pl.col("numerator") / pl.col("denominator"))
    return _finish(result, metric_id, breakdown)


def headline_and_breakdown(units: pl.DataFrame, metric_id: str, breakdown: str, kind: str) -> pl.DataFrame:
    """London rows: the headline (all units) and one row per value of `breakdown`."""
    roll = rate if kind == "rate" else count
    headline = roll(units, metric_id, with_borough=False)
    return pl.concat([headline, roll(units, metric_id, with_borough=False, breakdown=breakdown)])


def count(units: pl.DataFrame, metric_id: str, *, with_borough: bool = True, breakdown: str | None = None) -> pl.DataFrame:
    """`units`: period_month, borough_code, num (bool); a row where the count is above zero."""
    parts = [labelled.group_by(GROUP).agg(numerator=pl.col("num").sum()) for labelled in _levels(units, with_borough, breakdown)]
    result = pl.concat(parts).filter(pl.col("numerator") > 0).with_columns(
        denominator=pl.lit(None, pl.Int64), value=pl.col("numerator").cast(pl.Float64)
    )
    return _finish(result, metric_id, breakdown)


def median(units: pl.DataFrame, metric_id: str) -> pl.DataFrame:
    """`units`: period_month, borough_code, days (the values); the interpolated median."""
    parts = [labelled.group_by(GROUP).agg(value=pl.col("days").median()) for labelled in _levels(units, True, None)]
    result = pl.concat(parts).with_columns(numerator=pl.lit(None, pl.Int64), denominator=pl.lit(None, pl.Int64))
    return _finish(result, metric_id, None)


def empty() -> pl.DataFrame:
    return pl.DataFrame(schema=SCHEMA)
