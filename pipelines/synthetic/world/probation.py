"""Victim Contact Scheme cases: created at sentence, with their whole future dated up front.

A case is eligible for violent or sexual offences with 12 months' immediate custody or more;
probation also takes a few discretionary cases (robbery and burglary with long custody, shorter
violent or sexual sentences), which are not eligible but are still owed contact once referred.
Snapshots show each case as at their date: events after it are not yet known. Cases sentenced
long before the window are added so that releases (and release notifications) happen in every
month of the window.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from pipelines.synthetic import identifiers as ids
from pipelines.synthetic.codes import VIOLENT_OR_SEXUAL
from pipelines.synthetic.draws import Draws, poisson
from pipelines.synthetic.people import make_people, offender_pnc
from pipelines.synthetic.reference import boroughs
from pipelines.synthetic.working_days import working_days_after
from pipelines.synthetic.world.outcomes import offender_people
from pipelines.synthetic.world.state import WorldState

REFERRED_ON_TIME, REFERRED_LATE = 0.82, 0.15
VLO_ON_TIME, VLO_LATE = 0.75, 0.20
OPTS_IN, OPTS_OUT = 0.70, 0.25
NOTIFIED_BEFORE, NOTIFIED_LATE = 0.82, 0.10
# Historical cases per month of the window at scale 1, releases spread over the years ahead.
HISTORICAL_RELEASES_PER_MONTH = 110

CASE_COLUMNS = [
    "vcs_key", "crime_id", "offender_id", "crn", "pnc", "urn", "offence_group", "sentence_date", "sentence_type",
    "custodial_months", "eligible", "referral_date", "victim_person_id", "victim_forename", "victim_surname",
    "victim_dob", "victim_postcode", "vlo_first_contact_date", "opt_in_date", "victim_opted_in",
    "release_expected_date", "release_actual_date", "notification_date",
]


def cases_from_sentences(state: WorldState, sentences: pl.DataFrame) -> pl.DataFrame:
    """VCS cases for the sentences that qualify (`sentences` from the court schedule), without
    victim details (see `with_victims`)."""
    d, key = state.draws, pl.col("crime_id")
    custody = pl.col("sentence_type") == "Immediate custody"
    long_custody = custody & (pl.col("custodial_months") >= 12)
    violent = pl.col("offence_group").is_in(VIOLENT_OR_SEXUAL)
    discretionary = (
        (pl.col("offence_group").is_in(["Robbery", "Burglary"]) & long_custody & (d.uniform(key, "vcs.discretionary") < 0.3))
        | (violent & ~long_custody & pl.col("sentence_type").is_in(["Immediate custody", "Suspended sentence"]) & (d.uniform(key, "vcs.discretionary") < 0.1))
    )
    cases = sentences.filter((violent & long_custody) | discretionary).with_columns(eligible=violent & long_custody)
    cases = cases.with_columns(vcs_key=pl.col("crime_id"))
    return _timeline(state.draws, cases)


def historical_cases(state: WorldState) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(cases sentenced before the court backlog, their victims and offenders as people)."""
    d = state.draws
    rng = d.python("vcs.historical")
    months_ahead = 60 + len(state.months)
    n = poisson(rng, HISTORICAL_RELEASES_PER_MONTH * state.scale * (months_ahead + 6))
    first_crime = state.allocate("crime", n)
    first_person = state.allocate("person", 2 * n)
    key = pl.col("crime_id")
    window_start = state.window_start
    frame = pl.DataFrame({"crime_id": pl.int_range(first_crime, first_crime + n, eager=True, dtype=pl.Int64)})
    frame = frame.with_columns(
        victim_person_id=pl.int_range(first_person, first_person + n, dtype=pl.Int64),
        offender_id=pl.int_range(first_person + n, first_person + 2 * n, dtype=pl.Int64),
        offence_group=d.choice(key, "vcs.hist.group", ["Violence Against the Person", "Sexual Offences", "Robbery", "Burglary"], [60, 30, 7, 3]),
        custodial_months=(d.normal(key, "vcs.hist.months") * 0.6 + 3.9).exp().clip(24, 300).round().cast(pl.Int64),
        release_expected_date=pl.lit(window_start) + pl.duration(days=d.integer(key, "vcs.hist.release", -180, 30 * months_ahead)),
        borough_code=_borough(d, key),
    )
    frame = frame.with_columns(
        sentence_date=pl.col("release_expected_date") - pl.duration(days=(pl.col("custodial_months") * 30.44 / 2).cast(pl.Int64)),
        sentence_type=pl.lit("Immediate custody"),
        eligible=pl.col("offence_group").is_in(VIOLENT_OR_SEXUAL),
        urn=pl.lit(None, pl.String),
        vcs_key=pl.col("crime_id"),
    )
    # Cases recent enough to have a URN are those the court backlog already covers; older ones keep none.
    frame = frame.filter(pl.col("sentence_date") < pl.lit(window_start) - pl.duration(days=730))
    victims = make_people(
        d,
        frame.select(
            person_id="victim_person_id", role=pl.lit("victim"), home_borough_code="borough_code",
            p_female=pl.lit(0.7), police_victim=pl.lit(False),
        ),
        window_start,
    )
    offenders = offender_people(state, frame.select(person_id="offender_id", borough_code="borough_code"))
    return with_victims(_timeline(d, frame), victims), pl.concat([victims, offenders])


def _borough(d: Draws, key: pl.Expr) -> pl.Expr:
    codes = boroughs()["borough_code"].to_list()
    return d.integer(key, "vcs.hist.borough", 0, len(codes) - 1).replace_strict(list(range(len(codes))), codes)


def _after(frame: pl.DataFrame, base: str, lag: pl.Expr) -> pl.Series:
    """`lag` working days after `base`; null where the lag is null."""
    lags = frame.select(lag.alias("lag")).to_series()
    anchor = frame.select(pl.coalesce(base, "sentence_date")).to_series()
    stepped = working_days_after(anchor, lags.fill_null(0))
    return pl.select(pl.when(pl.lit(lags).is_not_null()).then(pl.lit(stepped))).to_series()


def _timeline(d: Draws, cases: pl.DataFrame) -> pl.DataFrame:
    key = pl.col("vcs_key")
    eligible = pl.col("eligible")
    u_ref = d.uniform(key, "vcs.referral")
    referral_lag = (
        pl.when(eligible & (u_ref < REFERRED_ON_TIME))
        .then(d.integer(key, "vcs.referral.lag", 1, 10))
        .when(eligible & (u_ref < REFERRED_ON_TIME + REFERRED_LATE))
        .then(d.integer(key, "vcs.referral.late", 11, 40))
        .when(~eligible & (u_ref < 0.5))
        .then(d.integer(key, "vcs.referral.discretionary", 5, 30))
    )
    cases = cases.with_columns(referral_date=_after(cases, "sentence_date", referral_lag))
    u_vlo = d.uniform(key, "vcs.vlo")
    referred = pl.col("referral_date").is_not_null()
    vlo_lag = pl.when(referred & (u_vlo < VLO_ON_TIME)).then(d.integer(key, "vcs.vlo.lag", 1, 20)).when(
        referred & (u_vlo < VLO_ON_TIME + VLO_LATE)
    ).then(d.integer(key, "vcs.vlo.late", 21, 60))
    cases = cases.with_columns(vlo_first_contact_date=_after(cases, "referral_date", vlo_lag))
    u_opt = d.uniform(key, "vcs.opt_in")
    cases = cases.with_columns(
        opt_in_date=pl.col("vlo_first_contact_date") + pl.duration(days=d.integer(key, "vcs.opt_in.lag", 0, 15)),
        victim_opted_in=pl.when(u_opt < OPTS_IN).then(True).when(u_opt < OPTS_IN + OPTS_OUT).then(False),
        release_expected_date=pl.coalesce(
            pl.col("release_expected_date") if "release_expected_date" in cases.columns else pl.lit(None, pl.Date),
            pl.col("sentence_date") + pl.duration(days=(pl.col("custodial_months") * 30.44 / 2).cast(pl.Int64)),
        ),
    )
    cases = cases.with_columns(
        opt_in_date=pl.when(pl.col("victim_opted_in").is_not_null()).then(pl.col("opt_in_date")),
        release_actual_date=pl.when(pl.col("sentence_type") == "Immediate custody").then(
            pl.col("release_expected_date") + pl.duration(days=d.integer(key, "vcs.release.shift", -10, 2))
        ),
    )
    u_note = d.uniform(key, "vcs.notification")
    notified = pl.col("victim_opted_in").fill_null(False) & pl.col("release_actual_date").is_not_null()
    cases = cases.with_columns(
        notification_date=pl.when(notified & (u_note < NOTIFIED_BEFORE))
        .then(pl.col("release_actual_date") - pl.duration(days=d.integer(key, "vcs.notification.before", 1, 45)))
        .when(notified & (u_note < NOTIFIED_BEFORE + NOTIFIED_LATE))
        .then(pl.col("release_actual_date") + pl.duration(days=d.integer(key, "vcs.notification.late", 0, 10)))
    )
    offenders = pl.col("offender_id")
    return cases.with_columns(
        crn=ids.crn(offenders),
        pnc=pl.when(d.uniform(key, "vcs.pnc.known") < 0.95).then(offender_pnc(d, offenders)),
    )


def with_victims(cases: pl.DataFrame, people: pl.DataFrame) -> pl.DataFrame:
    """Add the victim's details from `people` (person_id + attributes)."""
    victims = people.select(
        pl.col("person_id").alias("victim_person_id"),
        victim_forename="forename",
        victim_surname="surname",
        victim_dob="dob",
        victim_postcode="postcode",
    ).unique("victim_person_id", keep="first", maintain_order=True)
    return cases.join(victims, on="victim_person_id", how="left", maintain_order="left").select(CASE_COLUMNS)


def as_at(cases: pl.DataFrame, day: dt.date) -> pl.DataFrame:
    """The cases as the probation system shows them on `day`: later events are not yet known."""
    known = lambda column: pl.when(pl.col(column) <= day).then(pl.col(column))  # noqa: E731
    frame = cases.filter(pl.col("sentence_date") <= day).with_columns(
        referral_date=known("referral_date"),
        vlo_first_contact_date=known("vlo_first_contact_date"),
        victim_opted_in=pl.when(pl.col("opt_in_date") <= day).then(pl.col("victim_opted_in")),
        release_actual_date=known("release_actual_date"),
        notification_date=known("notification_date"),
    )
    last_event = pl.max_horizontal(
        "sentence_date", "referral_date", "vlo_first_contact_date",
        pl.when(pl.col("opt_in_date") <= day).then(pl.col("opt_in_date")), "release_actual_date", "notification_date",
    )
    return frame.with_columns(last_updated=last_event)
