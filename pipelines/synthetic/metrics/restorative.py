"""Access to restorative justice (RJ_*): the latest snapshot's state, by referral month and the
case's own borough; RJ_INFO_TO_REFERRAL by the police victim's report month and borough."""

from __future__ import annotations

import polars as pl

from pipelines.synthetic.metrics import geography as geo
from pipelines.synthetic.metrics.victims_code import on_time
from pipelines.synthetic.reference import bcu_of

CONTACT_DAYS = 5


def rj(cases: pl.DataFrame, victims_per_borough: pl.DataFrame) -> pl.DataFrame:
    """`cases`: loaded latest snapshot; `victims_per_borough`: period_month, borough_code, victims
    (loaded police victims reported that month)."""
    units = cases.select(period_month=pl.col("referral_date").dt.month_start(), borough_code="borough_code")
    flag = lambda expr: cases.select(expr.fill_null(False).alias("x"))["x"]  # noqa: E731
    yes = pl.Series([True] * cases.height, dtype=pl.Boolean)
    consented = flag(pl.col("victim_consent") == "Yes")
    delivered = flag(pl.col("intervention_date").is_not_null())
    satisfaction = pl.col("victim_satisfaction")
    contacted = cases.filter(pl.col("first_contact_date").is_not_null())
    return pl.concat([
        geo.count(units.with_columns(num=yes), "RJ_REFERRALS"),
        referral_rate(units, victims_per_borough),
        geo.rate(units.with_columns(den=yes, num=on_time(cases["first_contact_date"], cases["referral_date"], CONTACT_DAYS)), "RJ_CONTACTED_5WD"),
        geo.median(
            contacted.select(
                period_month=pl.col("referral_date").dt.month_start(),
                borough_code="borough_code",
                days=(pl.col("first_contact_date") - pl.col("referral_date")).dt.total_days(),
            ),
            "RJ_DAYS_TO_CONTACT_MEDIAN",
        ),
        geo.rate(units.with_columns(den=flag(pl.col("assessment_outcome").is_not_null()), num=flag(pl.col("assessment_outcome") == "Suitable")), "RJ_SUITABLE"),
        geo.rate(units.with_columns(den=flag(pl.col("assessment_outcome") == "Suitable"), num=consented), "RJ_VICTIM_CONSENT"),
        geo.rate(units.with_columns(den=consented, num=delivered), "RJ_DELIVERED"),
        geo.rate(units.with_columns(den=delivered, num=flag(pl.col("intervention_type") == "Direct conference")), "RJ_DIRECT_SHARE"),
        geo.rate(units.with_columns(den=flag(pl.col("case_status") == "Closed"), num=flag(pl.col("closure_reason") == "Completed")), "RJ_COMPLETED"),
        geo.rate(units.with_columns(den=flag(satisfaction.is_not_null()), num=flag(satisfaction >= 4)), "RJ_SATISFACTION"),
    ])


def referral_rate(units: pl.DataFrame, victims_per_borough: pl.DataFrame) -> pl.DataFrame:
    """Referrals x 1000 per police-recorded victim: numerator and denominator are different
    populations, so both are summed per geography before dividing."""
    referrals = geo.count(units.with_columns(num=pl.lit(True)), "RJ_REFERRAL_RATE")
    victims = _sum_victims(victims_per_borough)
    keys = ["metric_id", "period_month", "geography_level", "borough_code", "bcu_name", "breakdown", "breakdown_value"]
    joined = victims.join(referrals.select(*keys, referred="numerator"), on=keys, how="left", nulls_equal=True)
    return joined.with_columns(
        numerator=pl.col("referred").fill_null(0) * 1000, denominator=pl.col("victims")
    ).with_columns(value=pl.col("numerator") / pl.col("denominator")).select([pl.col(c).cast(t) for c, t in geo.SCHEMA.items()])


def _sum_victims(victims_per_borough: pl.DataFrame) -> pl.DataFrame:
    """Police victims per borough, BCU and London (a row per geography with victims)."""
    frame = victims_per_borough.with_columns(bcu_name=pl.col("borough_code").replace_strict(bcu_of(), default=None))
    borough = frame.filter(pl.col("borough_code").is_not_null()).group_by("period_month", "borough_code", "bcu_name").agg(victims=pl.col("victims").sum()).with_columns(geography_level=pl.lit("borough"))
    bcu = frame.filter(pl.col("bcu_name").is_not_null()).group_by("period_month", "bcu_name").agg(victims=pl.col("victims").sum()).with_columns(geography_level=pl.lit("bcu"), borough_code=pl.lit(None, pl.String))
    london = frame.group_by("period_month").agg(victims=pl.col("victims").sum()).with_columns(geography_level=pl.lit("london"), borough_code=pl.lit(None, pl.String), bcu_name=pl.lit(None, pl.String))
    return pl.concat([borough, bcu, london], how="diagonal_relaxed").filter(pl.col("victims") > 0).with_columns(
        metric_id=pl.lit("RJ_REFERRAL_RATE"), breakdown=pl.lit(None, pl.String), breakdown_value=pl.lit(None, pl.String)
    )


def info_to_referral(informed: pl.DataFrame, linked_crime_refs: pl.DataFrame) -> pl.DataFrame:
    """`informed`: loaded police victims with an rj_info_date (period_month, borough_code,
    crime_ref); `linked_crime_refs`: crime_refs of RJ cases linked to a police crime."""
    units = informed.with_columns(den=pl.lit(True), num=pl.col("crime_ref").is_in(linked_crime_refs["crime_ref"].implode()))
    return geo.rate(units, "RJ_INFO_TO_REFERRAL")
