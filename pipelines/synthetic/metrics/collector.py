"""Everything the metrics need, collected month by month from loaded (validated) rows.

Two collectors run side by side: one fed the clean world ("true"), one fed what the warehouse
loads after handling the injected defects ("expected"). Monthly metrics that need nothing from
other months are computed as each month arrives; linked metrics wait for the end, when every
police crime that could be referenced is known.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from pipelines.synthetic.metrics import courts, data_quality, geography, hubs, links, outcomes, restorative, satisfaction, victims_code


class MetricCollector:
    def __init__(self) -> None:
        self._monthly: list[pl.DataFrame] = []
        self._police: list[pl.DataFrame] = []
        self._victim_counts: list[pl.DataFrame] = []
        self._charges: list[pl.DataFrame] = []
        self._outcomes: list[pl.DataFrame] = []
        self._responses: list[pl.DataFrame] = []
        self._hub: list[pl.DataFrame] = []
        self._rj_snapshots: list[pl.DataFrame] = []
        self._deliveries: list[dict] = []
        self._vcs_latest: pl.DataFrame | None = None
        self._rj_latest: pl.DataFrame | None = None

    def police_month(self, victims: pl.DataFrame) -> None:
        self._monthly.append(victims_code.police_month(victims))
        month = pl.col("report_date").dt.month_start()
        self._police.append(
            victims.select("crime_ref", "borough_code", period_month=month, informed=pl.col("rj_info_date").is_not_null())
        )
        self._victim_counts.append(victims.group_by(month.alias("period_month"), "borough_code").agg(victims=pl.len()))

    def outcomes(self, outcomes: pl.DataFrame) -> None:
        delivery = len(self._outcomes)  # arrival order: a crime's outcomes of one date go to the later delivery
        self._outcomes.append(outcomes.select("crime_ref", "outcome_code", "outcome_date", delivery=pl.lit(delivery)))
        self._charges.append(outcomes.filter(pl.col("outcome_code") == 1).select("crime_ref", "outcome_date", "urn", "vps_offered"))

    def survey(self, responses: pl.DataFrame) -> None:
        self._responses.append(responses)

    def hearings(self, hearings: pl.DataFrame) -> None:
        self._monthly.append(courts.courts(hearings))

    def hub(self, referrals: pl.DataFrame, borough_code: str) -> None:
        self._hub.append(referrals.with_columns(borough_code=pl.lit(borough_code)))

    def vcs_snapshot(self, cases: pl.DataFrame) -> None:
        self._vcs_latest = cases

    def rj_snapshot(self, cases: pl.DataFrame, day: dt.date) -> None:
        self._rj_latest = cases
        self._rj_snapshots.append(
            cases.select("crime_ref", "urn", "has_details").with_columns(period_month=pl.lit(day.replace(day=1)))
        )

    def delivery(self, feed: str, period_month: dt.date, rows_received: int, rows_quarantined: int) -> None:
        self._deliveries.append(
            {"feed": feed, "period_month": period_month, "rows_received": rows_received, "rows_quarantined": rows_quarantined}
        )

    def metrics(self, months: list[dt.date]) -> pl.DataFrame:
        """Every metric row, restricted to the generated months."""
        police = _concat(self._police, {"crime_ref": pl.String, "borough_code": pl.String, "period_month": pl.Date, "informed": pl.Boolean})
        charges = _concat(self._charges, {"crime_ref": pl.String, "outcome_date": pl.Date, "urn": pl.String, "vps_offered": pl.Boolean})
        boroughs = links.crime_boroughs(police)
        urns = links.urn_crimes(charges, police)
        parts = list(self._monthly)
        parts.append(victims_code.vps_offered(charges, boroughs))
        outcome_rows = _concat(self._outcomes, {"crime_ref": pl.String, "outcome_code": pl.Int64, "outcome_date": pl.Date, "delivery": pl.Int32})
        parts.append(outcomes.outcomes(police.select("crime_ref", "period_month", "borough_code"), outcome_rows))
        if self._vcs_latest is not None:
            parts.append(victims_code.vcs(self._vcs_latest, urns, boroughs))
        if self._responses:
            responses = pl.concat(self._responses)
            parts += [satisfaction.satisfaction(responses, boroughs), data_quality.uss_orphans(responses, boroughs)]
        if self._hub:
            parts.append(hubs.hubs(pl.concat(self._hub)))
        if self._rj_latest is not None:
            parts.append(restorative.rj(self._rj_latest, pl.concat(self._victim_counts)))
            rj_refs = self._rj_latest.select("crime_ref").drop_nulls()
            via_urn = self._rj_latest.select("urn").drop_nulls().join(urns, on="urn").select("crime_ref")
            informed = police.filter(pl.col("informed")).select("period_month", "borough_code", "crime_ref")
            parts.append(restorative.info_to_referral(informed, pl.concat([rj_refs, via_urn]).unique()))
            parts.append(data_quality.linked_rj(pl.concat(self._rj_snapshots), boroughs, urns))
        if self._deliveries:
            parts.append(data_quality.rows_and_files(pl.DataFrame(self._deliveries)))
        frame = pl.concat([geography.empty(), *parts])
        return frame.filter(pl.col("period_month").is_in(months))


def _concat(frames: list[pl.DataFrame], schema: dict) -> pl.DataFrame:
    return pl.concat(frames) if frames else pl.DataFrame(schema=schema)


def combine(true: pl.DataFrame, expected: pl.DataFrame) -> pl.DataFrame:
    """One row per metric key present in either world, true_* and expected_* side by side."""
    keys = geography.KEYS
    values = ["numerator", "denominator", "value"]
    joined = true.rename({c: f"true_{c}" for c in values}).join(
        expected.rename({c: f"expected_{c}" for c in values}), on=keys, how="full", coalesce=True, nulls_equal=True
    )
    return joined.select(
        *keys, *[f"true_{c}" for c in values], *[f"expected_{c}" for c in values]
    ).sort(keys, nulls_last=False)
