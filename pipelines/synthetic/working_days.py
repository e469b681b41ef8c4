"""Working days as metrics.md defines them: Monday-Friday except bank holidays in England and Wales.

"Within N working days of D" means on or before the date reached by stepping N working days
forward from D (D itself is day 0). The vectorised form looks dates up in a precomputed
calendar, so deadlines for a whole column cost two gathers.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

import holidays
import polars as pl

CALENDAR_START = dt.date(1990, 1, 1)
CALENDAR_END = dt.date(2045, 12, 31)


@lru_cache(maxsize=1)
def _calendar() -> tuple[pl.Series, pl.Series]:
    """(working days so far, by day offset from CALENDAR_START) and (working dates in order)."""
    bank_holidays = holidays.country_holidays(
        "GB", subdiv="ENG", years=range(CALENDAR_START.year, CALENDAR_END.year + 1)
    )
    days = pl.date_range(CALENDAR_START, CALENDAR_END, "1d", eager=True)
    is_working = (days.dt.weekday() <= 5) & ~days.is_in(pl.Series(sorted(bank_holidays.keys())).implode())
    working_so_far = is_working.cast(pl.Int64).cum_sum()
    return working_so_far, days.filter(is_working)


def add_working_days(day: dt.date, n: int) -> dt.date:
    """The date reached by stepping `n` (>= 1) working days forward from `day`."""
    result = working_day_deadline(pl.Series([day], dtype=pl.Date), pl.Series([n]))
    return result[0]


def working_day_deadline(anchor: pl.Series, n: pl.Series | int) -> pl.Series:
    """Vectorised `add_working_days`; nulls in `anchor` give null deadlines."""
    if n is not None and not isinstance(n, pl.Series):
        n = pl.Series([n] * len(anchor), dtype=pl.Int64)
    working_so_far, working_dates = _calendar()
    offsets = _day_offsets(anchor)
    reached = working_so_far.gather(offsets) + n.cast(pl.Int64)
    return working_dates.gather(reached - 1).alias(anchor.name)


def _day_offsets(anchor: pl.Series) -> pl.Series:
    start = pl.Series([CALENDAR_START], dtype=pl.Date)[0]
    offsets = pl.select((pl.lit(anchor) - pl.lit(start)).dt.total_days()).to_series()
    if offsets.drop_nulls().len() and (offsets.min() < 0 or offsets.max() >= len(_calendar()[0])):
        raise ValueError(f"date outside the working-day calendar {CALENDAR_START}..{CALENDAR_END}")
    return offsets


def within_working_days(event: pl.Series, anchor: pl.Series, n: pl.Series | int) -> pl.Series:
    """True where `event` is on or before the deadline; False where the event is absent."""
    deadline = working_day_deadline(anchor, n)
    return (event.is_not_null() & (event <= deadline)).fill_null(False)


def working_days_after(anchor: pl.Series, n: pl.Series) -> pl.Series:
    """The date `n` working days after `anchor`, or `anchor` itself where n is 0 (same-day events)."""
    stepped = working_day_deadline(anchor, n.clip(lower_bound=1))
    return pl.select(pl.when(pl.lit(n) == 0).then(pl.lit(anchor)).otherwise(pl.lit(stepped))).to_series().alias(anchor.name)
