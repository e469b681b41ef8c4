"""User Satisfaction Survey metrics (SAT_*): borough and BCU from the linked police crime;
responses matching no loaded police crime count in London only."""

from __future__ import annotations

import polars as pl

from pipelines.synthetic.codes import USS_SATISFIED, USS_STATED_NON_WHITE, USS_VALID_ANSWERS, USS_WHITE
from pipelines.synthetic.metrics import geography as geo
from pipelines.synthetic.metrics.links import borough_by_crime_ref

QUESTION_METRICS = {
    "q_overall": "SAT_OVERALL",
    "q_ease_of_contact": "SAT_EASE_OF_CONTACT",
    "q_actions_taken": "SAT_ACTIONS_TAKEN",
    "q_kept_informed": "SAT_KEPT_INFORMED",
    "q_treatment": "SAT_TREATMENT",
}


def satisfaction(responses: pl.DataFrame, boroughs: pl.DataFrame) -> pl.DataFrame:
    linked = borough_by_crime_ref(responses, boroughs).rename({"interview_month": "period_month"})

    def units(question: str, among: pl.Expr = pl.lit(True)) -> pl.DataFrame:
        answer = pl.col(question)
        return linked.select(
            "period_month", "borough_code",
            den=answer.is_in(list(USS_VALID_ANSWERS)).fill_null(False) & among.fill_null(False),
            num=answer.is_in(list(USS_SATISFIED)).fill_null(False),
        )

    group = pl.col("respondent_ethnic_group")
    parts = [geo.rate(units(q), metric) for q, metric in QUESTION_METRICS.items()]
    parts.append(geo.rate(units("q_overall", group == USS_WHITE), "SAT_OVERALL_WHITE"))
    parts.append(geo.rate(units("q_overall", group.is_in(list(USS_STATED_NON_WHITE))), "SAT_OVERALL_BAME"))
    return pl.concat(parts)
