"""Outcomes for victims (OUT_*), as metrics.md defines them: per loaded police victim, by report
month and the victim's borough, from the crime's current outcome among every outcome loaded by the
end, whatever month it arrived in."""

from __future__ import annotations

import polars as pl

from pipelines.synthetic.codes import CHARGE
from pipelines.synthetic.metrics import geography as geo

# Evidential difficulties where the victim does not support action (metrics.md).
VICTIM_NOT_SUPPORTING = (14, 16)


def current_outcomes(outcomes: pl.DataFrame) -> pl.DataFrame:
    """crime_ref -> outcome_code of each crime's latest outcome row by outcome_date, then the later
    delivery. `outcomes`: crime_ref, outcome_code, outcome_date, delivery (arrival order)."""
    return (
        outcomes.sort("outcome_date", "delivery", maintain_order=True)
        .group_by("crime_ref", maintain_order=True)
        .last()
        .select("crime_ref", "outcome_code")
    )


def outcomes(victims: pl.DataFrame, outcome_rows: pl.DataFrame) -> pl.DataFrame:
    """`victims`: loaded police victims (crime_ref, period_month = report month, borough_code)."""
    code = pl.col("outcome_code")
    units = victims.join(current_outcomes(outcome_rows), on="crime_ref", how="left", maintain_order="left")
    return pl.concat([
        geo.rate(units.select("period_month", "borough_code", den=pl.lit(True), num=(code == CHARGE).fill_null(False)), "OUT_CHARGED"),
        geo.rate(
            units.select(
                "period_month", "borough_code", den=code.is_not_null(), num=code.is_in(VICTIM_NOT_SUPPORTING).fill_null(False)
            ),
            "OUT_VICTIM_NOT_SUPPORTING",
        ),
    ])
