"""Court cases of crimes reported before the window, so hearing volumes are realistic from the
first month.

Charges are simulated as for the window's own crimes (same charge rates and report-to-charge
lags), so cases charged early in the window from earlier reports are included too. Their crimes
appear in no delivered police file: their hearings, sentences and any VCS or RJ cases that follow
link to no police crime.
"""

from __future__ import annotations

import polars as pl

from pipelines.synthetic.calibration import counts_for
from pipelines.synthetic.draws import poisson
from pipelines.synthetic.world.outcomes import CHARGE_RATE_BY_GROUP, assign_urns, charge_lag
from pipelines.synthetic.world.state import WorldState

BACKLOG_MONTHS = 24


def court_backlog(state: WorldState) -> pl.DataFrame:
    """Charged cases (crime_id, urn, borough_code, offence_group, charge_date, offender_id,
    victim_person_id) of crimes reported in the 24 months before the window."""
    rows = []
    for back in range(BACKLOG_MONTHS, 0, -1):
        month = state.first.plus(-back)
        counts = counts_for(month.year, month.month).group_by("borough_code", "offence_group").agg(pl.col("count").sum())
        rng = state.draws.python(f"court.backlog.{month.label}")
        for borough, group, count in counts.sort("borough_code", "offence_group").iter_rows():
            n = poisson(rng, count * state.scale * CHARGE_RATE_BY_GROUP[group])
            rows.extend([(borough, group, month.start, month.days)] * n)
    n = len(rows)
    first_crime = state.allocate("crime", n)
    first_person = state.allocate("person", 2 * n)
    frame = pl.DataFrame(rows, schema=["borough_code", "offence_group", "month_start", "days"], orient="row").with_columns(
        crime_id=pl.int_range(first_crime, first_crime + n, dtype=pl.Int64),
        offender_id=pl.int_range(first_person, first_person + n, dtype=pl.Int64),
        victim_person_id=pl.int_range(first_person + n, first_person + 2 * n, dtype=pl.Int64),
    )
    report_date = pl.col("month_start") + pl.duration(days=state.draws.integer("crime_id", "court.backlog.day", 0, pl.col("days") - 1))
    frame = frame.with_columns(outcome_date=report_date + pl.duration(days=charge_lag(state.draws, pl.col("crime_id"))))
    frame = assign_urns(state, frame.drop("month_start", "days")).sort("crime_id")
    return frame.rename({"outcome_date": "charge_date"})
