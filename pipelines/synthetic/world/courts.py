"""Court cases: every charge becomes a case whose hearings are all scheduled at charge time.

A magistrates' case has a first hearing, then either a guilty plea and a sentence, or a trial
(relisted once if ineffective or vacated) and, on conviction, a sentence. A Crown case is sent
from its first hearing at the magistrates' to a plea and trial preparation hearing (PTPH) at the
Crown Court. Some cases have an extra "Other" hearing (a mention). Hearings are then picked up
by the month they fall in. About a quarter of ineffective trials fail for victim or witness
reasons, as in London's published figures.
"""

from __future__ import annotations

import polars as pl

from pipelines.synthetic.draws import Draws
from pipelines.synthetic.reference import bcu_of
from pipelines.synthetic.working_days import working_days_after
from pipelines.synthetic.world.state import WorldState

CROWN_SHARE = {
    "Sexual Offences": 0.7, "Robbery": 0.6, "Burglary": 0.35, "Violence Against the Person": 0.22,
    "Theft": 0.05, "Criminal Damage and Arson": 0.08, "Public Order Offences": 0.1, "Other": 0.3,
}
TRIAL_OUTCOME_WEIGHTS = {"first": (45, 30, 15, 10), "relisted": (60, 30, 7, 3)}
CRACKED_REASONS = {
    "Late guilty plea": 55, "Prosecution offered no evidence": 12, "Victim withdrew": 7,
    "Prosecution witness withdrew": 5, "Victim absent": 4, "Prosecution witness absent": 4,
    "Prosecution not ready": 5, "Defendant absent": 3, "Other": 5,
}
INEFFECTIVE_REASONS = {
    "Lack of court time": 25, "Defence not ready": 10, "Prosecution not ready": 10, "Defendant absent": 8,
    "Defendant ill": 5, "Interpreter not available": 4, "Defence witness absent": 4, "Other": 9,
    "Prosecution witness absent": 9, "Victim absent": 8, "Prosecution witness withdrew": 4, "Victim withdrew": 4,
}
SENTENCE_WEIGHTS = {
    "Crown": {"Immediate custody": 55, "Suspended sentence": 20, "Community order": 15, "Fine": 3, "Discharge": 2, "Other": 5},
    "Magistrates": {"Immediate custody": 8, "Suspended sentence": 12, "Community order": 30, "Fine": 38, "Discharge": 7, "Other": 5},
}
MAGISTRATES_COURT_OF_BCU = {
    "Central West": "Westminster Magistrates’ Court",
    "South West": "Wimbledon Magistrates’ Court",
    "South": "Croydon Magistrates’ Court",
    "South East": "Bexley Magistrates’ Court",
    "East": "Barkingside Magistrates’ Court",
    "West": "Ealing Magistrates’ Court",
    "Central South": "Camberwell Green Magistrates’ Court",
    "North": "Highbury Corner Magistrates’ Court",
    "Central East": "Thames Magistrates’ Court",
    "Central North": "Highbury Corner Magistrates’ Court",
    "North West": "Willesden Magistrates’ Court",
    "North East": "Stratford Magistrates’ Court",
}
MAGISTRATES_COURT_OF_BOROUGH = {
    "E09000032": "Lavender Hill Magistrates’ Court",
    "E09000006": "Bromley Magistrates’ Court",
    "E09000017": "Uxbridge Magistrates’ Court",
    "E09000018": "Feltham Magistrates’ Court",
}
CROWN_COURT_OF_BCU = {
    "Central West": "Southwark Crown Court",
    "South West": "Kingston-upon-Thames Crown Court",
    "South": "Croydon Crown Court",
    "South East": "Woolwich Crown Court",
    "East": "Snaresbrook Crown Court",
    "West": "Isleworth Crown Court",
    "Central South": "Inner London Crown Court",
    "North": "Wood Green Crown Court",
    "Central East": "Snaresbrook Crown Court",
    "Central North": "Blackfriars Crown Court",
    "North West": "Harrow Crown Court",
    "North East": "Snaresbrook Crown Court",
}

HEARING_COLUMNS = [
    "crime_id", "slot", "urn", "court_name", "court_type", "hearing_date", "hearing_type", "trial_outcome",
    "outcome_reason", "victim_attended", "offender_id", "verdict", "sentence_type", "custodial_months",
    "victim_person_id", "offence_group", "borough_code",
]
SENTENCE_COLUMNS = [
    "crime_id", "urn", "offender_id", "victim_person_id", "offence_group", "borough_code", "first_hearing_date",
    "sentence_date", "sentence_type", "custodial_months",
]


def schedule_cases(state: WorldState, cases: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(every hearing of `cases`, one sentence row per convicted case).

    `cases`: crime_id, urn, borough_code, offence_group, charge_date, offender_id, victim_person_id.
    """
    d, key = state.draws, pl.col("crime_id")
    bcu = pl.col("borough_code").replace_strict(bcu_of())
    cases = cases.with_columns(
        crown=d.uniform(key, "court.crown") < pl.col("offence_group").replace_strict(CROWN_SHARE),
        magistrates_court=pl.col("borough_code").replace_strict(MAGISTRATES_COURT_OF_BOROUGH, default=bcu.replace_strict(MAGISTRATES_COURT_OF_BCU)),
        crown_court=bcu.replace_strict(CROWN_COURT_OF_BCU),
    )
    cases = _dates(cases, "first_hearing_date", pl.col("charge_date"), _first_hearing_lag(d, key))
    cases = cases.with_columns(
        plea=d.uniform(key, "court.plea") < pl.when(pl.col("crown")).then(0.40).otherwise(0.55),
        other_hearing=d.uniform(key, "court.other") < 0.12,
    )
    cases = _dates(cases, "ptph_date", pl.col("first_hearing_date"), d.integer(key, "court.ptph", 21, 35))
    trial_base = pl.when(pl.col("crown")).then(pl.col("ptph_date")).otherwise(pl.col("first_hearing_date"))
    trial_lag = pl.when(pl.col("crown")).then(d.integer(key, "court.trial.crown", 120, 360)).otherwise(d.integer(key, "court.trial.mags", 56, 180))
    cases = _dates(cases, "trial1_date", trial_base, trial_lag)
    cases = _trial(d, cases, "trial1", "first")
    cases = _dates(cases, "trial2_date", pl.col("trial1_date"), d.integer(key, "court.relist", 42, 150))
    cases = _trial(d, cases, "trial2", "relisted")
    relisted = pl.col("trial1_outcome").is_in(["Ineffective", "Vacated"])
    final = lambda part: pl.when(relisted).then(pl.col(f"trial2_{part}")).otherwise(pl.col(f"trial1_{part}"))  # noqa: E731
    cases = cases.with_columns(
        has_trial=~pl.col("plea"),
        has_trial2=~pl.col("plea") & relisted,
        final_outcome=final("outcome"),
        final_reason=final("reason"),
        final_verdict=final("verdict"),
        final_date=final("date"),
    )
    convicted = pl.col("plea") | (
        pl.col("has_trial")
        & (
            ((pl.col("final_outcome") == "Effective") & (pl.col("final_verdict") == "Guilty"))
            | ((pl.col("final_outcome") == "Cracked") & (pl.col("final_reason") == "Late guilty plea"))
        )
    )
    plea_hearing = pl.when(pl.col("crown")).then(pl.col("ptph_date")).otherwise(pl.col("first_hearing_date"))
    sentence_base = pl.when(pl.col("plea")).then(plea_hearing).otherwise(pl.col("final_date"))
    cases = cases.with_columns(convicted=convicted)
    cases = _dates(cases, "sentence_date", sentence_base, d.integer(key, "court.sentence", 14, 42))
    cases = _dates(cases, "other_date", pl.col("first_hearing_date"), d.integer(key, "court.other.lag", 7, 20))
    court_type = pl.when(pl.col("crown")).then(pl.lit("Crown")).otherwise(pl.lit("Magistrates"))
    sentence_type = pl.when(pl.col("crown")).then(
        d.choice(key, "court.sentence.crown", list(SENTENCE_WEIGHTS["Crown"]), list(SENTENCE_WEIGHTS["Crown"].values()))
    ).otherwise(
        d.choice(key, "court.sentence.mags", list(SENTENCE_WEIGHTS["Magistrates"]), list(SENTENCE_WEIGHTS["Magistrates"].values()))
    )
    cases = cases.with_columns(court_type=court_type, sentence_type=sentence_type)
    cases = cases.with_columns(custodial_months=_custodial_months(d, key))
    sentences = cases.filter(pl.col("convicted")).select(SENTENCE_COLUMNS)
    return _hearings(cases).sort("crime_id", "slot"), sentences


def _first_hearing_lag(d: Draws, key: pl.Expr) -> pl.Expr:
    """Days from charge to first hearing: the next day when remanded in custody, else 2-5 weeks."""
    return pl.when(d.uniform(key, "court.first.remand") < 0.2).then(1).otherwise(d.integer(key, "court.first", 14, 35))


def _dates(cases: pl.DataFrame, name: str, base: pl.Expr, lag_days: pl.Expr) -> pl.DataFrame:
    """`name` = base + lag, moved to the next working day (courts do not sit at weekends)."""
    raw = cases.select((base + pl.duration(days=lag_days) - pl.duration(days=1)).alias("day")).to_series()
    ones = pl.Series([1] * cases.height, dtype=pl.Int64)
    return cases.with_columns(working_days_after(raw, ones).alias(name))


def _trial(d: Draws, cases: pl.DataFrame, prefix: str, listing: str) -> pl.DataFrame:
    key = pl.col("crime_id")
    outcome = d.choice(key, f"court.{prefix}.outcome", ["Effective", "Cracked", "Ineffective", "Vacated"], TRIAL_OUTCOME_WEIGHTS[listing])
    cases = cases.with_columns(outcome.alias(f"{prefix}_outcome"))
    o = pl.col(f"{prefix}_outcome")
    reason = (
        pl.when(o == "Cracked")
        .then(d.choice(key, f"court.{prefix}.cracked", list(CRACKED_REASONS), list(CRACKED_REASONS.values())))
        .when(o == "Ineffective")
        .then(d.choice(key, f"court.{prefix}.ineffective", list(INEFFECTIVE_REASONS), list(INEFFECTIVE_REASONS.values())))
    )
    verdict = pl.when(o == "Effective").then(
        pl.when(d.uniform(key, f"court.{prefix}.verdict") < 0.62).then(pl.lit("Guilty")).otherwise(pl.lit("Not guilty"))
    )
    cases = cases.with_columns(reason.alias(f"{prefix}_reason"), verdict.alias(f"{prefix}_verdict"))
    r = pl.col(f"{prefix}_reason")
    u = d.uniform(key, f"court.{prefix}.attended")
    attended = (
        pl.when(o == "Vacated")
        .then(pl.lit(None, pl.String))
        .when(r.is_in(["Victim absent", "Victim withdrew"]))
        .then(pl.lit("N"))
        .when(u < 0.12)
        .then(pl.lit("NA"))
        .when(o == "Effective")
        .then(pl.when(u < 0.94).then(pl.lit("Y")).otherwise(pl.lit("N")))
        .when(o == "Cracked")
        .then(pl.when(u < 0.6).then(pl.lit("Y")).otherwise(pl.lit("N")))
        .otherwise(pl.when(u < 0.8).then(pl.lit("Y")).otherwise(pl.lit("N")))
    )
    return cases.with_columns(attended.alias(f"{prefix}_attended"))


def _custodial_months(d: Draws, key: pl.Expr) -> pl.Expr:
    serious = pl.col("offence_group").is_in(["Sexual Offences", "Robbery", "Violence Against the Person"])
    lognormal = (d.normal(key, "court.months") * 0.8 + pl.when(serious).then(3.2).otherwise(2.5)).exp()
    crown_custody = lognormal.clip(4, 480).round().cast(pl.Int64)
    return (
        pl.when(pl.col("sentence_type") == "Immediate custody")
        .then(pl.when(pl.col("crown")).then(crown_custody).otherwise(d.integer(key, "court.months.mags", 1, 6)))
        .when(pl.col("sentence_type") == "Suspended sentence")
        .then(d.integer(key, "court.months.suspended", 3, 24))
    )


def _hearings(cases: pl.DataFrame) -> pl.DataFrame:
    common = ["crime_id", "urn", "offender_id", "victim_person_id", "offence_group", "borough_code"]
    crown_court = pl.when(pl.col("crown")).then(pl.col("crown_court")).otherwise(pl.col("magistrates_court"))
    nothing = pl.lit(None, pl.String)

    def slot(number: int, present: pl.Expr, date: str, hearing_type: str, court: pl.Expr, court_type: pl.Expr,
             outcome: pl.Expr = nothing, reason: pl.Expr = nothing, attended: pl.Expr = nothing,
             verdict: pl.Expr = nothing, sentence: pl.Expr = nothing, months: pl.Expr = pl.lit(None, pl.Int64)) -> pl.DataFrame:
        return cases.filter(present).select(
            *common,
            slot=pl.lit(number),
            court_name=court,
            court_type=court_type,
            hearing_date=pl.col(date),
            hearing_type=pl.lit(hearing_type),
            trial_outcome=outcome,
            outcome_reason=reason,
            victim_attended=attended,
            verdict=verdict,
            sentence_type=sentence,
            custodial_months=months,
        )

    mags, mags_type = pl.col("magistrates_court"), pl.lit("Magistrates")
    trial_court_type = pl.col("court_type")
    everyone = pl.lit(True)
    frames = [
        slot(1, everyone, "first_hearing_date", "First hearing", mags, mags_type),
        slot(2, pl.col("other_hearing"), "other_date", "Other", mags, mags_type),
        slot(3, pl.col("crown"), "ptph_date", "Plea and trial preparation", pl.col("crown_court"), pl.lit("Crown")),
        slot(4, pl.col("has_trial"), "trial1_date", "Trial", crown_court, trial_court_type,
             pl.col("trial1_outcome"), pl.col("trial1_reason"), pl.col("trial1_attended"), pl.col("trial1_verdict")),
        slot(5, pl.col("has_trial2"), "trial2_date", "Trial", crown_court, trial_court_type,
             pl.col("trial2_outcome"), pl.col("trial2_reason"), pl.col("trial2_attended"), pl.col("trial2_verdict")),
        slot(6, pl.col("convicted"), "sentence_date", "Sentence", crown_court, trial_court_type,
             sentence=pl.col("sentence_type"), months=pl.col("custodial_months")),
    ]
    return pl.concat(frames).select(HEARING_COLUMNS)
