"""Council victim care hubs: referrals of police-recorded victims and of crimes never reported.

Eight boroughs run a hub. A share of each hub borough's police victims is referred to it within
a month of reporting; the rest of the hub's caseload is people whose crime was never reported to
the police (new people and new crimes that exist nowhere else). Each referral's whole future
(needs assessment, triage, onward RJ referral, closure) is dated up front; the monthly file is
extracted two weeks after month end and shows only what had happened by then.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from pipelines.synthetic.codes import HUB_TRIAGE
from pipelines.synthetic.draws import poisson
from pipelines.synthetic.months import Month
from pipelines.synthetic.people import make_people
from pipelines.synthetic.working_days import working_days_after
from pipelines.synthetic.world.state import HUB_UNREPORTED, WorldState

HUB_BOROUGHS = {
    "E09000003": "BAR",  # Barnet
    "E09000007": "CAM",  # Camden
    "E09000008": "CRO",  # Croydon
    "E09000012": "HAC",  # Hackney
    "E09000013": "HAF",  # Hammersmith and Fulham
    "E09000021": "KIN",  # Kingston upon Thames
    "E09000023": "LEW",  # Lewisham
    "E09000025": "NEW",  # Newham
}
REFERRED_SHARE = 0.035
UNREPORTED_PER_VICTIM = 0.015
EXTRACT_DELAY_DAYS = 14

REPORTED_SOURCES = {"Police": 60, "Victim Support": 15, "Self-referral": 15, "GP or health": 4, "Housing": 3, "Other": 3}
UNREPORTED_SOURCES = {"Self-referral": 35, "GP or health": 20, "Housing": 15, "School": 10, "Victim Support": 10, "Other": 10}
TRIAGE_WEIGHTS = (45, 5, 26, 14, 10)

REFERRAL_COLUMNS = [
    "hub_key", "borough_code", "person_id", "crime_id", "date_received", "referral_source", "crime_reported",
    "police_reference", "first_name", "surname", "date_of_birth", "postcode", "needs_assessment_date",
    "triage_date", "triage_outcome", "rj_referral_date", "case_closed_date",
]


def referrals_of_police_victims(state: WorldState, victims: pl.DataFrame) -> pl.DataFrame:
    """Hub referrals of this month's police victims who live in a hub borough."""
    d, key = state.draws, pl.col("victim_row_id")
    referred = victims.filter(
        pl.col("borough_code").is_in(list(HUB_BOROUGHS)) & (d.uniform(key, "hub.referred") < REFERRED_SHARE)
    )
    frame = referred.select(
        hub_key=pl.col("victim_row_id"),
        borough_code="borough_code",
        person_id="person_id",
        crime_id="crime_id",
        date_received=pl.col("report_date") + pl.duration(days=d.integer(key, "hub.received", 1, 30)),
        referral_source=d.choice(key, "hub.source", list(REPORTED_SOURCES), list(REPORTED_SOURCES.values())),
        crime_reported=pl.when(d.uniform(key, "hub.reported") < 0.95).then(pl.lit("Yes")).otherwise(pl.lit("Unknown")),
        police_reference="crime_ref",
        first_name="victim_forename",
        surname="victim_surname",
        date_of_birth="victim_dob",
        postcode="victim_postcode",
    )
    frame = frame.with_columns(
        police_reference=pl.when((pl.col("crime_reported") == "Yes") & (d.uniform("hub_key", "hub.ref_recorded") < 0.85)).then(
            pl.col("police_reference")
        )
    )
    return _timeline(state, frame)


def unreported_referrals(state: WorldState, month: Month, victims: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(referrals of crimes never reported, received in `month`; the new people behind them)."""
    d = state.draws
    counts = victims.group_by("borough_code").len()
    volume = pl.DataFrame({"borough_code": sorted(HUB_BOROUGHS)}).join(counts, on="borough_code", how="left").fill_null(0)
    rng = d.python(f"hub.unreported.{month.label}")
    # Every hub receives something each month, so every hub delivers a (non-empty) file.
    sizes = [(b, max(1, poisson(rng, n * UNREPORTED_PER_VICTIM))) for b, n in volume.iter_rows()]
    total = sum(n for _, n in sizes)
    first_person, first_crime = state.allocate("person", total), state.allocate("crime", total)
    frame = pl.DataFrame({"borough_code": [b for b, n in sizes for _ in range(n)]}, schema={"borough_code": pl.String})
    frame = frame.with_columns(
        person_id=pl.int_range(first_person, first_person + total, dtype=pl.Int64),
        crime_id=pl.int_range(first_crime, first_crime + total, dtype=pl.Int64),
    )
    people = make_people(
        d,
        frame.select("person_id", role=pl.lit("victim"), home_borough_code="borough_code", p_female=pl.lit(0.6), police_victim=pl.lit(False)),
        state.window_start,
    )
    key = pl.col("crime_id")
    frame = frame.join(people, on="person_id", how="left", maintain_order="left").select(
        hub_key=pl.col("crime_id") + HUB_UNREPORTED,
        borough_code="borough_code",
        person_id="person_id",
        crime_id="crime_id",
        date_received=pl.lit(month.start) + pl.duration(days=d.integer(key, "hub.unreported.day", 0, month.days - 1)),
        referral_source=d.choice(key, "hub.unreported.source", list(UNREPORTED_SOURCES), list(UNREPORTED_SOURCES.values())),
        crime_reported=pl.when(d.uniform(key, "hub.unreported.unknown") < 0.15).then(pl.lit("Unknown")).otherwise(pl.lit("No")),
        police_reference=pl.lit(None, pl.String),
        first_name="forename",
        surname="surname",
        date_of_birth=pl.when(d.uniform(key, "hub.dob.known") < 0.85).then(pl.col("dob")),
        postcode=pl.when(d.uniform(key, "hub.postcode.known") < 0.9).then(pl.col("postcode")),
    )
    return _timeline(state, frame), people


def _timeline(state: WorldState, frame: pl.DataFrame) -> pl.DataFrame:
    d, key = state.draws, pl.col("hub_key")
    u = d.uniform(key, "hub.assessed")
    lag = pl.when(u < 0.62).then(d.integer(key, "hub.assess.lag", 0, 5)).when(u < 0.85).then(d.integer(key, "hub.assess.late", 6, 20))
    lags = frame.select(lag.alias("lag")).to_series()
    stepped = working_days_after(frame["date_received"], lags.fill_null(0))
    frame = frame.with_columns(needs_assessment_date=pl.when(lags.is_not_null()).then(stepped))
    assessed = pl.col("needs_assessment_date").is_not_null()
    frame = frame.with_columns(
        triage_date=pl.coalesce("needs_assessment_date", pl.col("date_received") + pl.duration(days=21))
        + pl.duration(days=d.integer(key, "hub.triage.lag", 0, 10)),
        triage_outcome=pl.when(assessed)
        .then(d.choice(key, "hub.triage", list(HUB_TRIAGE), TRIAGE_WEIGHTS))
        .when(d.uniform(key, "hub.unable") < 0.6)
        .then(pl.lit("Unable to contact")),
    )
    return frame.with_columns(
        rj_referral_date=pl.when(pl.col("triage_outcome") == "Referred to restorative justice").then(
            pl.col("triage_date") + pl.duration(days=d.integer(key, "hub.rj.lag", 0, 10))
        ),
        case_closed_date=pl.when(d.uniform(key, "hub.closed") < 0.7).then(
            pl.col("triage_date") + pl.duration(days=d.integer(key, "hub.closed.lag", 10, 90))
        ),
    ).select(REFERRAL_COLUMNS)


def as_extracted(referrals: pl.DataFrame, month: Month) -> pl.DataFrame:
    """The referrals received in `month` as the hub's extract shows them two weeks later."""
    extract_day = month.end + dt.timedelta(days=EXTRACT_DELAY_DAYS)
    known = lambda column, when=None: pl.when(pl.col(when or column) <= extract_day).then(pl.col(column))  # noqa: E731
    return referrals.filter(pl.col("date_received").is_between(month.start, month.end)).with_columns(
        needs_assessment_date=known("needs_assessment_date"),
        triage_outcome=known("triage_outcome", "triage_date"),
        rj_referral_date=known("rj_referral_date"),
        case_closed_date=known("case_closed_date"),
    )
