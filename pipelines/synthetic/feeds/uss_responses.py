"""`uss_responses`: User Satisfaction Survey interviews, one CSV per interview month (period feed).

Handling assumed for the warehouse:
- Row-level: response_id blank or malformed; crime_ref and victim_ref blank (missing_required) or
  malformed (invalid_format); interview_date blank, not `YYYY-MM-DD HH:MM:SS` (invalid_date) or
  outside the file's month (outside_file_period); interview_mode and sample_crime_type outside
  their lists (not_allowed_value); duplicates and key conflicts on response_id.
- Field-level: an answer that is neither one of the seven labels nor Don't know / Refused, and
  respondent_ethnic_group, respondent_age_band, respondent_disability outside their lists
  (not_allowed_value): the field counts as not asked.
- Accepted: answer labels in any case; a well-formed crime_ref that matches no police crime (the
  response is kept and counted as an orphan).
"""

from __future__ import annotations

import polars as pl

from pipelines.synthetic import identifiers as ids
from pipelines.synthetic.codes import (
    USS_AGE_BANDS, USS_CRIME_TYPES, USS_DISABILITY, USS_ETHNIC_GROUPS, USS_MODES, USS_OTHER_ANSWERS, USS_QUESTIONS,
    USS_VALID_ANSWERS,
)
from pipelines.synthetic.defects import mutations as mut
from pipelines.synthetic.defects.engine import DUPLICATE_ROW, KEY_CONFLICT, DefectKind
from pipelines.synthetic.feeds.contract import (
    FIELD, ISO_TIMESTAMP, ROW, Contract, FileContext, Rule, allowed, canonical, pattern, required, unparseable, v,
)
from pipelines.synthetic.months import Month

FEED = "uss_responses"
COLUMNS = (
    "response_id", "crime_ref", "victim_ref", "interview_date", "interview_mode", "sample_crime_type",
    *USS_QUESTIONS, "respondent_ethnic_group", "respondent_age_band", "respondent_disability",
)
ANSWERS = USS_VALID_ANSWERS + USS_OTHER_ANSWERS


def file_name(month: Month, version: int = 1) -> str:
    suffix = f"_v{version}" if version > 1 else ""
    return f"uss_responses_{month.label}{suffix}.csv"


def record_key() -> pl.Expr:
    return pl.col("response_id").fill_null("")


def _parsed(ctx: FileContext) -> dict[str, pl.Expr]:
    value = v("interview_date")
    return {
        "~interview_time": pl.when(value.str.contains(ISO_TIMESTAMP)).then(value.str.strptime(pl.Datetime("us"), "%Y-%m-%d %H:%M:%S", strict=False))
    }


def _rules(ctx: FileContext) -> list[Rule]:
    day = pl.col("~interview_time").dt.date()
    return [
        required("response_id"),
        pattern("response_id", ids.RESPONSE_ID, ROW),
        required("crime_ref"),
        pattern("crime_ref", ids.CRIME_REF, ROW),
        required("victim_ref"),
        pattern("victim_ref", ids.VICTIM_REF, ROW, upper=True),
        required("interview_date"),
        unparseable("interview_date", "~interview_time", ROW),
        Rule("interview_date", "outside_file_period", ROW, day.is_not_null() & ~day.is_between(ctx.period.start, ctx.period.end)),
        required("interview_mode"),
        allowed("interview_mode", USS_MODES, ROW),
        required("sample_crime_type"),
        allowed("sample_crime_type", USS_CRIME_TYPES, ROW),
        *[allowed(q, ANSWERS, FIELD) for q in USS_QUESTIONS],
        allowed("respondent_ethnic_group", USS_ETHNIC_GROUPS, FIELD),
        allowed("respondent_age_band", USS_AGE_BANDS, FIELD),
        allowed("respondent_disability", USS_DISABILITY, FIELD),
    ]


CONTRACT = Contract(feed=FEED, columns=COLUMNS, key=("response_id",), rules=_rules, parsed=_parsed)


def render(interviews: pl.DataFrame) -> pl.DataFrame:
    return interviews.select(
        response_id=ids.response_id(pl.col("victim_row_id")),
        crime_ref="crime_ref",
        victim_ref="victim_ref",
        interview_date=pl.col("interview_date").dt.strftime("%Y-%m-%d %H:%M:%S"),
        interview_mode="interview_mode",
        sample_crime_type="sample_crime_type",
        **{q: q for q in USS_QUESTIONS},
        respondent_ethnic_group="respondent_ethnic_group",
        respondent_age_band="respondent_age_band",
        respondent_disability="respondent_disability",
        _rid="victim_row_id",
        _order="interview_date",
        _person_id="person_id",
        _crime_id="crime_id",
    )


def loaded(handled: pl.DataFrame) -> pl.DataFrame:
    return handled.select(
        response_id=v("response_id"),
        crime_ref=v("crime_ref"),
        interview_month=pl.col("~interview_time").dt.date().dt.month_start(),
        respondent_ethnic_group=canonical("respondent_ethnic_group", USS_ETHNIC_GROUPS),
        **{q: canonical(q, ANSWERS) for q in USS_QUESTIONS},
    )


def _other_answer(d, value: pl.Expr) -> pl.Expr:
    shifted = {a: USS_VALID_ANSWERS[(i + 1) % len(USS_VALID_ANSWERS)] for i, a in enumerate(USS_VALID_ANSWERS)}
    return value.replace_strict(shifted, default=USS_VALID_ANSWERS[0])


DEFECTS = [
    DefectKind("mistyped_crime_ref", "crime_ref", "mistyped_reference", lambda d, x: mut.drop_char(d, x, "crime_ref.typo", keep_first=False), weight=0.5),
    DefectKind("wrong_crime_ref", "crime_ref", "mistyped_reference", lambda d, x: mut.replace_digit(d, x, "crime_ref.wrong", 0, 7)),
    DefectKind("missing_crime_ref", "crime_ref", "missing_reference", lambda d, x: pl.lit(None, pl.String)),
    DefectKind("mistyped_victim_ref", "victim_ref", "mistyped_reference", lambda d, x: mut.drop_char(d, x, "victim_ref.typo"), weight=0.5),
    DefectKind("invalid_date", "interview_date", "invalid_date", lambda d, x: x.str.slice(0, 10)),
    DefectKind("invalid_code", "q_overall", "invalid_code", lambda d, x: mut.pick(d, "overall.bad", ["Satisfied", "5", "Very Satisfied!", "Dissatisfied"])),
    DefectKind("invalid_code", "q_kept_informed", "invalid_code", lambda d, x: mut.pick(d, "kept.bad", ["Satisfied", "N/A", "4"]), weight=0.5),
    DefectKind("lowercase_code", "q_overall", "format_variant", lambda d, x: x.str.to_lowercase()),
    DefectKind("invalid_code", "respondent_ethnic_group", "invalid_code", lambda d, x: mut.pick(d, "group.bad", ["White British", "BAME", "Black", "Asian"])),
    DefectKind(DUPLICATE_ROW, None, "duplicate_row"),
    DefectKind(KEY_CONFLICT, "q_treatment", "key_conflict", _other_answer),
]
