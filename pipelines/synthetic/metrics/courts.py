"""Court metrics (CT_*): per hearing month, London only, headline and per court_type."""

from __future__ import annotations

import polars as pl

from pipelines.synthetic.codes import COUNTED_TRIAL_OUTCOMES, WITNESS_REASONS
from pipelines.synthetic.metrics import geography as geo


def courts(hearings: pl.DataFrame) -> pl.DataFrame:
    trials = hearings.filter(pl.col("hearing_type") == "Trial").select(
        period_month="hearing_month", borough_code=pl.lit(None, pl.String), court_type="court_type",
        outcome="trial_outcome", witness=pl.col("outcome_reason").is_in(list(WITNESS_REASONS)).fill_null(False),
        attended="victim_attended",
    )
    counted = pl.col("outcome").is_in(list(COUNTED_TRIAL_OUTCOMES)).fill_null(False)
    ineffective = (pl.col("outcome") == "Ineffective").fill_null(False)
    cracked = (pl.col("outcome") == "Cracked").fill_null(False)
    units = lambda den, num: trials.with_columns(den=den, num=num)  # noqa: E731
    return pl.concat([
        geo.headline_and_breakdown(trials.with_columns(num=counted), "CT_TRIALS", "court_type", "count"),
        geo.headline_and_breakdown(units(counted, ineffective), "CT_INEFFECTIVE", "court_type", "rate"),
        geo.headline_and_breakdown(units(ineffective, pl.col("witness")), "CT_INEFFECTIVE_WITNESS", "court_type", "rate"),
        geo.headline_and_breakdown(units(cracked, pl.col("witness")), "CT_CRACKED_WITNESS", "court_type", "rate"),
        geo.headline_and_breakdown(
            # metrics.md: a counted trial with Y or N; a Vacated trial never counts, whatever its attendance
            units(counted & pl.col("attended").is_in(["Y", "N"]).fill_null(False), (pl.col("attended") == "Y").fill_null(False)),
            "CT_VICTIM_ATTENDED", "court_type", "rate",
        ),
    ])
