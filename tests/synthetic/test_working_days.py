"""Working days as metrics.md defines them, including its own examples."""

import datetime as dt

import polars as pl

from pipelines.synthetic.working_days import add_working_days, within_working_days, working_day_deadline, working_days_after

D = dt.date


def test_two_working_days_from_a_friday_is_the_next_tuesday():
    assert add_working_days(D(2025, 4, 4), 2) == D(2025, 4, 8)


def test_easter_bank_holidays_are_skipped():
    assert add_working_days(D(2025, 4, 17), 2) == D(2025, 4, 23)


def test_christmas_and_boxing_day_are_skipped():
    assert add_working_days(D(2025, 12, 24), 2) == D(2025, 12, 30)


def test_a_weekend_anchor_steps_from_the_next_working_day():
    assert add_working_days(D(2025, 4, 5), 1) == D(2025, 4, 7)


def test_an_event_on_the_deadline_is_within_and_a_day_later_is_not():
    anchor = pl.Series([D(2025, 4, 4)] * 3)
    events = pl.Series([D(2025, 4, 8), D(2025, 4, 9), None], dtype=pl.Date)
    assert within_working_days(events, anchor, 2).to_list() == [True, False, False]


def test_deadlines_vary_per_row_and_null_anchors_give_null():
    anchor = pl.Series([D(2025, 4, 17), None, D(2025, 4, 17)], dtype=pl.Date)
    deadlines = working_day_deadline(anchor, pl.Series([1, 1, 5]))
    assert deadlines.to_list() == [D(2025, 4, 22), None, D(2025, 4, 28)]


def test_zero_working_days_after_is_the_same_day_even_at_a_weekend():
    anchor = pl.Series([D(2025, 4, 5), D(2025, 4, 7)])
    assert working_days_after(anchor, pl.Series([0, 0])).to_list() == [D(2025, 4, 5), D(2025, 4, 7)]
