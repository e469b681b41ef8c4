"""Victim care hub metrics (HUB_*): per month received, borough from the file's name."""

from __future__ import annotations

import polars as pl

from pipelines.synthetic.codes import HUB_TRIAGE_RJ
from pipelines.synthetic.metrics import geography as geo
from pipelines.synthetic.metrics.victims_code import on_time

ASSESSMENT_DAYS = 5


def hubs(referrals: pl.DataFrame) -> pl.DataFrame:
    """`referrals`: loaded referrals of every hub file (with borough_code from the file)."""
    units = referrals.select(period_month=pl.col("date_received").dt.month_start(), borough_code="borough_code")
    yes = pl.Series([True] * referrals.height, dtype=pl.Boolean)
    triage = referrals["triage_outcome"]
    return pl.concat([
        geo.count(units.with_columns(num=yes), "HUB_REFERRALS"),
        geo.rate(units.with_columns(den=yes, num=(referrals["crime_reported"] == "No").fill_null(False)), "HUB_UNREPORTED_SHARE"),
        geo.rate(
            units.with_columns(den=yes, num=on_time(referrals["needs_assessment_date"], referrals["date_received"], ASSESSMENT_DAYS)),
            "HUB_ASSESSED_5WD",
        ),
        geo.rate(units.with_columns(den=triage.is_not_null(), num=(triage == HUB_TRIAGE_RJ).fill_null(False)), "HUB_RJ_ONWARD"),
    ])
