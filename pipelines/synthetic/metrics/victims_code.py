"""Victims' Code compliance metrics (VC_*), as metrics.md defines them."""

from __future__ import annotations

import polars as pl

from pipelines.synthetic.metrics import geography as geo
from pipelines.synthetic.metrics.links import borough_by_crime_ref, borough_by_urn
from pipelines.synthetic.working_days import working_day_deadline

RJ_INFO_DAYS, RJ_INFO_DAYS_ENHANCED = 5, 1
SUPPORT_REFERRAL_DAYS = 2
VCS_REFERRAL_DAYS, VLO_CONTACT_DAYS = 10, 20


def on_time(event: pl.Series, anchor: pl.Series, days: pl.Series | int) -> pl.Series:
    """Event present and on or before the working-day deadline (events before the anchor were
    nulled at validation, so a present event is never early)."""
    deadline = working_day_deadline(anchor, days)
    return (event.is_not_null() & (event <= deadline)).fill_null(False)


def police_month(police: pl.DataFrame) -> pl.DataFrame:
    """VC_RJ_INFO, VC_SUPPORT_REFERRAL, VC_NEEDS_ASSESSED for one month of loaded victims."""
    rj_days = pl.select(pl.when(pl.lit(police["enhanced_rights"])).then(RJ_INFO_DAYS_ENHANCED).otherwise(RJ_INFO_DAYS)).to_series()
    units = police.select(period_month=pl.col("report_date").dt.month_start(), borough_code="borough_code")
    everyone = pl.Series([True] * police.height)
    return pl.concat([
        geo.rate(units.with_columns(den=everyone, num=on_time(police["rj_info_date"], police["report_date"], rj_days)), "VC_RJ_INFO"),
        geo.rate(
            units.with_columns(
                den=(police["support_consent"] == "Y").fill_null(False),
                num=on_time(police["support_referral_date"], police["report_date"], SUPPORT_REFERRAL_DAYS),
            ),
            "VC_SUPPORT_REFERRAL",
        ),
        geo.rate(units.with_columns(den=everyone, num=police["needs_assessment_date"].is_not_null()), "VC_NEEDS_ASSESSED"),
    ])


def vps_offered(charges: pl.DataFrame, boroughs: pl.DataFrame) -> pl.DataFrame:
    """VC_VPS_OFFERED by outcome month, over loaded charges (outcome_code 1)."""
    units = borough_by_crime_ref(charges, boroughs).select(
        period_month=pl.col("outcome_date").dt.month_start(), borough_code="borough_code", den=pl.lit(True), num="vps_offered"
    )
    return geo.rate(units, "VC_VPS_OFFERED")


def vcs(cases: pl.DataFrame, urns: pl.DataFrame, boroughs: pl.DataFrame) -> pl.DataFrame:
    """VC_VCS_REFERRAL, VC_VLO_CONTACT, VC_RELEASE_NOTICE over the latest VCS snapshot."""
    cases = borough_by_urn(cases, urns, boroughs)
    eligible = cases.filter(pl.col("eligible"))
    referral = geo.rate(
        eligible.select(period_month=pl.col("sentence_date").dt.month_start(), borough_code="borough_code").with_columns(
            den=pl.lit(True), num=on_time(eligible["referral_date"], eligible["sentence_date"], VCS_REFERRAL_DAYS)
        ),
        "VC_VCS_REFERRAL",
    )
    referred = cases.filter(pl.col("referral_date").is_not_null())
    contact = geo.rate(
        referred.select(period_month=pl.col("referral_date").dt.month_start(), borough_code="borough_code").with_columns(
            den=pl.lit(True), num=on_time(referred["vlo_first_contact_date"], referred["referral_date"], VLO_CONTACT_DAYS)
        ),
        "VC_VLO_CONTACT",
    )
    released = cases.filter(pl.col("victim_opted_in") & pl.col("release_actual_date").is_not_null())
    notice = geo.rate(
        released.select(
            period_month=pl.col("release_actual_date").dt.month_start(),
            borough_code="borough_code",
            den=pl.lit(True),
            num=(pl.col("notification_date") < pl.col("release_actual_date")).fill_null(False),
        ),
        "VC_RELEASE_NOTICE",
    )
    return pl.concat([referral, contact, notice])
