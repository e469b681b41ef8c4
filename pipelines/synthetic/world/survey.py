"""The User Satisfaction Survey: ~800 interviews a month at scale 1, quota-sampled per BCU.

Respondents are victims aged 16+ of residential burglary, assault (violence with or without
injury, not domestic), personal robbery and hate crime, interviewed 1-6 weeks after their report.
Answers come from one latent satisfaction per respondent plus question-specific noise, so the
five questions are correlated; White respondents' latent score is shifted up so that they are
about five points more satisfied than the other stated groups, as MOPAC has reported.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from pipelines.synthetic.codes import USS_AGE_BANDS, USS_QUESTIONS, USS_VALID_ANSWERS
from pipelines.synthetic.draws import Draws
from pipelines.synthetic.months import Month
from pipelines.synthetic.reference import bcu_of
from pipelines.synthetic.world.state import WorldState

INTERVIEWS_PER_MONTH = 800
MIN_LAG_DAYS, MAX_LAG_DAYS = 7, 42

GROUP_OF_ETHNICITY = {
    "W": "White", "M": "Mixed or multiple", "A": "Asian or Asian British",
    "B": "Black, Black British, Caribbean or African", "O": "Other ethnic group", "N": "Prefer not to say",
}
# Latent satisfaction shifts. Thresholds below cut the latent scale into the seven answers.
WHITE_SHIFT = 0.14
CRIME_TYPE_SHIFT = {"Residential burglary": 0.10, "Assault": -0.08, "Personal robbery": -0.02, "Hate crime": -0.20}
QUESTION_SHIFT = {
    "q_ease_of_contact": 0.55, "q_actions_taken": -0.10, "q_kept_informed": -0.35, "q_treatment": 0.65, "q_overall": 0.0,
}
NOT_ASKED = {"q_ease_of_contact": 0.01, "q_actions_taken": 0.03, "q_kept_informed": 0.08, "q_treatment": 0.01, "q_overall": 0.0}
ANSWER_THRESHOLDS = (1.55, 0.85, 0.02, -0.35, -0.9, -1.55)

POOL_COLUMNS = [
    "victim_row_id", "person_id", "crime_id", "crime_ref", "victim_ref", "borough_code", "report_date",
    "sample_crime_type", "victim_ethnicity", "victim_dob",
]


def sample_type(victims: pl.DataFrame) -> pl.Expr:
    subgroup = pl.col("offence_subgroup")
    return (
        pl.when(pl.col("hate_crime"))
        .then(pl.lit("Hate crime"))
        .when(subgroup == "Burglary - Residential")
        .then(pl.lit("Residential burglary"))
        .when(subgroup.is_in(["Violence with Injury", "Violence without Injury"]) & ~pl.col("domestic_abuse"))
        .then(pl.lit("Assault"))
        .when(subgroup == "Robbery of Personal Property")
        .then(pl.lit("Personal robbery"))
    )


def add_to_pool(pool: pl.DataFrame | None, victims: pl.DataFrame) -> pl.DataFrame:
    """Keep the victims the survey may sample (16+ at report, in the four sampled crime types)."""
    age = (pl.col("report_date") - pl.col("victim_dob")).dt.total_days() / 365.25
    eligible = victims.with_columns(sample_crime_type=sample_type(victims)).filter(
        pl.col("sample_crime_type").is_not_null() & (age.is_null() | (age >= 16))
    )
    fresh = eligible.select(POOL_COLUMNS)
    return fresh if pool is None else pl.concat([pool, fresh])


def interviews_for_month(state: WorldState, pool: pl.DataFrame, month: Month) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(interviews held in `month`, the pool without the interviewed and the too-old)."""
    d, key = state.draws, pl.col("victim_row_id")
    earliest = month.start - dt.timedelta(days=MAX_LAG_DAYS)
    latest = month.end - dt.timedelta(days=MIN_LAG_DAYS)
    pool = pool.filter(pl.col("report_date") >= earliest)
    candidates = pool.filter(pl.col("report_date") <= latest).with_columns(
        bcu_name=pl.col("borough_code").replace_strict(bcu_of()),
        rank_draw=d.uniform(key, f"uss.sample.{month.label}"),
    )
    quotas = _bcu_quotas(round(INTERVIEWS_PER_MONTH * state.scale))
    chosen = (
        candidates.sort("bcu_name", "rank_draw", "victim_row_id")
        .with_columns(rank=pl.int_range(pl.len()).over("bcu_name"))
        .join(quotas, on="bcu_name", how="inner")
        .filter(pl.col("rank") < pl.col("quota"))
        .drop("rank", "quota", "rank_draw")
    )
    chosen = _interview_time(d, chosen, month)
    chosen = _answers(d, chosen)
    remaining = pool.join(chosen.select("victim_row_id"), on="victim_row_id", how="anti")
    return chosen.sort("interview_date", "victim_row_id"), remaining


def _bcu_quotas(total: int) -> pl.DataFrame:
    """Equal quotas per BCU, the remainder going to the first BCUs alphabetically."""
    bcus = sorted(set(bcu_of().values()))
    base, extra = divmod(total, len(bcus))
    return pl.DataFrame({"bcu_name": bcus, "quota": [base + (i < extra) for i in range(len(bcus))]})


def _interview_time(d: Draws, chosen: pl.DataFrame, month: Month) -> pl.DataFrame:
    key = pl.col("victim_row_id")
    first = pl.max_horizontal(pl.col("report_date") + pl.duration(days=MIN_LAG_DAYS), pl.lit(month.start))
    last = pl.min_horizontal(pl.col("report_date") + pl.duration(days=MAX_LAG_DAYS), pl.lit(month.end))
    span = (last - first).dt.total_days()
    day = first + pl.duration(days=(d.uniform(key, "uss.day") * (span + 1)).floor().cast(pl.Int64))
    seconds = d.integer(key, "uss.time", 9 * 3600, 20 * 3600 + 59 * 60)
    return chosen.with_columns(
        interview_date=day.cast(pl.Datetime("us")) + pl.duration(seconds=seconds),
        interview_mode=pl.when(d.uniform(key, "uss.mode") < 0.7).then(pl.lit("Telephone")).otherwise(pl.lit("Online")),
    )


def _answer(latent: pl.Expr) -> pl.Expr:
    answer = pl.lit(USS_VALID_ANSWERS[-1])
    for threshold, label in reversed(list(zip(ANSWER_THRESHOLDS, USS_VALID_ANSWERS))):
        answer = pl.when(latent > threshold).then(pl.lit(label)).otherwise(answer)
    return answer


def _answers(d: Draws, chosen: pl.DataFrame) -> pl.DataFrame:
    key = pl.col("victim_row_id")
    ethnic_group = pl.col("victim_ethnicity").str.slice(0, 1).replace_strict(GROUP_OF_ETHNICITY)
    chosen = chosen.with_columns(
        respondent_ethnic_group=pl.when(d.uniform(key, "uss.ethnicity.refused") < 0.03)
        .then(pl.lit("Prefer not to say"))
        .otherwise(ethnic_group),
    )
    bcus = sorted(set(bcu_of().values()))
    bcu_index = pl.col("bcu_name").replace_strict(bcus, list(range(len(bcus))))
    bcu_shift = (d.uniform(bcu_index, "uss.bcu") - 0.5) * 0.3
    latent = (
        0.45
        + pl.when(pl.col("respondent_ethnic_group") == "White").then(WHITE_SHIFT).otherwise(0.0)
        + pl.col("sample_crime_type").replace_strict(CRIME_TYPE_SHIFT)
        + bcu_shift
        + d.normal(key, "uss.latent")
    )
    chosen = chosen.with_columns(latent=latent)
    answers = {}
    for question in USS_QUESTIONS:
        u = d.uniform(key, f"uss.{question}.missing")
        value = _answer(pl.col("latent") + QUESTION_SHIFT[question] + 0.55 * d.normal(key, f"uss.{question}"))
        answers[question] = (
            pl.when(u < NOT_ASKED[question]).then(pl.lit(None, pl.String))
            .when(u < NOT_ASKED[question] + 0.015).then(pl.lit("Don't know"))
            .when(u < NOT_ASKED[question] + 0.02).then(pl.lit("Refused"))
            .otherwise(value)
        )
    age = (pl.col("interview_date").dt.date() - pl.col("victim_dob")).dt.total_days() / 365.25
    band_index = pl.when(age < 25).then(0).when(age < 35).then(1).when(age < 45).then(2).when(age < 55).then(3).when(age < 65).then(4).otherwise(5)
    band_index = pl.when(age.is_null()).then(d.integer(key, "uss.age_band", 0, 5)).otherwise(band_index)
    return chosen.with_columns(
        **answers,
        respondent_age_band=band_index.replace_strict(list(range(6)), list(USS_AGE_BANDS)),
        respondent_disability=d.choice(key, "uss.disability", ["Yes", "No", "Prefer not to say"], [15, 80, 5]),
    ).drop("latent")
