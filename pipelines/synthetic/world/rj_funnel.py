"""The RJ funnel: contact, assessment, consents, intervention, closure and the victim's view.

Every stage of a case is dated at referral, with realistic drop-offs (about two thirds of
assessed cases suitable, most suitable victims consenting, 85% of participants satisfied). A
snapshot shows what had happened by its date, so cases progress from one month-end snapshot to
the next.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from pipelines.synthetic.codes import RJ_INTERVENTIONS
from pipelines.synthetic.draws import Draws
from pipelines.synthetic.working_days import working_days_after

CASE_COLUMNS = [
    "rj_key", "referral_date", "referral_source", "borough_code", "cjs_stage", "crime_ref", "urn", "offender_crn",
    "victim_person_id", "crime_id", "victim_forename", "victim_surname", "victim_dob", "victim_postcode",
    "first_contact_date", "assessment_date", "assessment_outcome", "victim_decision_date", "victim_consent",
    "offender_decision_date", "offender_consent", "intervention_type", "intervention_date", "closure_date",
    "closure_reason", "victim_satisfaction", "would_recommend",
]


def with_funnel(d: Draws, cases: pl.DataFrame) -> pl.DataFrame:
    """Date every stage of each case's funnel, with realistic drop-offs at each stage."""
    key = pl.col("rj_key")
    u_contact = d.uniform(key, "rj.contact")
    contact_lag = pl.when(u_contact < 0.6).then(d.integer(key, "rj.contact.lag", 0, 5)).when(u_contact < 0.9).then(d.integer(key, "rj.contact.late", 6, 30))
    lags = cases.select(contact_lag.alias("lag")).to_series()
    stepped = working_days_after(cases["referral_date"], lags.fill_null(0))
    cases = cases.with_columns(first_contact_date=pl.when(lags.is_not_null()).then(stepped))
    contacted = pl.col("first_contact_date").is_not_null()
    assessed = contacted & (d.uniform(key, "rj.assessed") < 0.85)
    cases = cases.with_columns(
        assessment_date=pl.when(assessed).then(pl.col("first_contact_date") + pl.duration(days=d.integer(key, "rj.assess.lag", 5, 30))),
        assessment_outcome=pl.when(assessed).then(
            pl.when(d.uniform(key, "rj.suitable") < 0.65).then(pl.lit("Suitable")).otherwise(pl.lit("Not suitable"))
        ),
    )
    suitable = pl.col("assessment_outcome") == "Suitable"
    cases = cases.with_columns(
        victim_decision_date=pl.when(suitable).then(pl.col("assessment_date") + pl.duration(days=d.integer(key, "rj.victim.lag", 3, 30))),
        victim_consent=pl.when(suitable).then(d.choice(key, "rj.victim", ["Yes", "No", "Withdrawn", "Pending"], [60, 25, 5, 10])),
        offender_decision_date=pl.when(suitable).then(pl.col("assessment_date") + pl.duration(days=d.integer(key, "rj.offender.lag", 3, 40))),
        offender_consent=pl.when(suitable).then(d.choice(key, "rj.offender", ["Yes", "No", "Pending"], [72, 20, 8])),
    )
    both = (pl.col("victim_consent") == "Yes") & (pl.col("offender_consent") == "Yes")
    delivered = both & (d.uniform(key, "rj.delivered") < 0.88)
    cases = cases.with_columns(
        intervention_date=pl.when(delivered).then(
            pl.max_horizontal("victim_decision_date", "offender_decision_date") + pl.duration(days=d.integer(key, "rj.intervention.lag", 20, 90))
        ),
        intervention_type=pl.when(delivered).then(d.choice(key, "rj.intervention", RJ_INTERVENTIONS, [35, 30, 25, 10])),
    )
    closure = (
        pl.when(pl.col("intervention_date").is_not_null())
        .then(pl.struct(date=pl.col("intervention_date") + pl.duration(days=d.integer(key, "rj.close.done", 0, 21)), reason=pl.lit("Completed")))
        .when(~contacted)
        .then(pl.struct(date=pl.col("referral_date") + pl.duration(days=d.integer(key, "rj.close.uncontacted", 30, 60)), reason=pl.lit("Unable to contact")))
        .when(~assessed)
        .then(pl.struct(date=pl.col("first_contact_date") + pl.duration(days=d.integer(key, "rj.close.unassessed", 20, 60)), reason=pl.when(d.uniform(key, "rj.close.why") < 0.6).then(pl.lit("Victim withdrew")).otherwise(pl.lit("Other"))))
        .when(~suitable)
        .then(pl.struct(date=pl.col("assessment_date") + pl.duration(days=d.integer(key, "rj.close.unsuitable", 0, 14)), reason=pl.lit("Not suitable")))
        .when(pl.col("victim_consent").is_in(["No", "Withdrawn"]))
        .then(pl.struct(date=pl.col("victim_decision_date") + pl.duration(days=d.integer(key, "rj.close.victim", 0, 14)), reason=pl.lit("Victim withdrew")))
        .when(pl.col("offender_consent") == "No")
        .then(pl.struct(date=pl.col("offender_decision_date") + pl.duration(days=d.integer(key, "rj.close.offender", 0, 14)), reason=pl.lit("Offender withdrew")))
        .when(both)
        .then(pl.struct(date=pl.max_horizontal("victim_decision_date", "offender_decision_date") + pl.duration(days=d.integer(key, "rj.close.other", 30, 90)), reason=pl.lit("Other")))
    )
    cases = cases.with_columns(closure=closure).with_columns(
        closure_date=pl.col("closure").struct.field("date"), closure_reason=pl.col("closure").struct.field("reason")
    ).drop("closure")
    completed = pl.col("closure_reason") == "Completed"
    satisfaction = d.choice(key, "rj.satisfaction", [5, 4, 3, 2, 1], [50, 35, 8, 4, 3])
    cases = cases.with_columns(
        victim_satisfaction=pl.when(completed & (d.uniform(key, "rj.surveyed") < 0.8)).then(satisfaction),
    )
    return cases.with_columns(
        would_recommend=pl.when(pl.col("victim_satisfaction").is_not_null()).then(
            pl.when((pl.col("victim_satisfaction") >= 4) | (d.uniform(key, "rj.recommend") < 0.2)).then(pl.lit("Yes")).otherwise(pl.lit("No"))
        ),
    ).select(CASE_COLUMNS)


def as_at(cases: pl.DataFrame, day: dt.date) -> pl.DataFrame:
    """The case list as Restore: London's system shows it on `day`."""
    known = lambda column, when: pl.when(pl.col(when) <= day).then(pl.col(column))  # noqa: E731
    frame = cases.filter(pl.col("referral_date") <= day)
    closed = pl.col("closure_date") <= day
    consent = lambda who: pl.when(pl.col(f"{who}_decision_date") <= day).then(pl.col(f"{who}_consent")).when(  # noqa: E731
        pl.col("assessment_date") <= day
    ).then(pl.when(pl.col("assessment_outcome") == "Suitable").then(pl.lit("Pending")))
    return frame.with_columns(
        first_contact_date=known("first_contact_date", "first_contact_date"),
        assessment_date=known("assessment_date", "assessment_date"),
        assessment_outcome=known("assessment_outcome", "assessment_date"),
        victim_consent=consent("victim"),
        offender_consent=consent("offender"),
        intervention_type=known("intervention_type", "intervention_date"),
        intervention_date=known("intervention_date", "intervention_date"),
        case_status=pl.when(closed).then(pl.lit("Closed")).otherwise(pl.lit("Open")),
        closure_date=known("closure_date", "closure_date"),
        closure_reason=known("closure_reason", "closure_date"),
        victim_satisfaction=known("victim_satisfaction", "closure_date"),
        would_recommend=known("would_recommend", "closure_date"),
    )
