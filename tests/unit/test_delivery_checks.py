"""Freshness and volume rules behind the non-blocking checks of every ingest asset."""
from datetime import date

from pipelines.delivery_checks import freshness, next_due, series_of, volume_outliers


def test_a_monthly_file_is_due_some_days_after_the_month_after_the_latest_ends():
    assert next_due(date(2025, 3, 1), "period", 15) == date(2025, 5, 16)   # April's file, due 15 days after April
    assert next_due(date(2025, 1, 31), "snapshot", 15) == date(2025, 3, 15)  # the February month-end snapshot
    assert next_due(date(2025, 12, 1), "period", 0) == date(2026, 2, 1)


def test_freshness_says_how_overdue_and_what_was_expected():
    late = freshness(date(2025, 3, 1), "period", 15, today=date(2025, 5, 20))
    assert not late.on_time and late.description.startswith("overdue by 4 day(s): latest period 2025-03-01")
    assert freshness(date(2025, 3, 1), "period", 15, today=date(2025, 5, 16)).on_time
    assert freshness(None, "period", 15, today=date(2025, 5, 1)).on_time  # not started: nothing to be late after


def test_volume_is_judged_within_a_series_against_its_recent_median():
    barnet = [(f"2025-0{m} borough_slug=barnet", f"barnet_{m}.xlsx", 70) for m in range(1, 6)]
    camden = [(f"2025-0{m} borough_slug=camden", f"camden_{m}.xlsx", 300) for m in range(1, 6)]
    assert volume_outliers(barnet + camden) == []  # each borough against itself
    small = [*barnet, ("2025-06 borough_slug=barnet", "barnet_6.xlsx", 20)]
    [outlier] = volume_outliers(small + camden)
    assert outlier.describe() == "barnet_6.xlsx: 20 rows against a median of 70 for its recent deliveries"
    assert volume_outliers([*barnet[:2], ("2025-03 borough_slug=barnet", "b.xlsx", 1)]) == []  # too little history


def test_a_series_is_the_period_key_without_its_date():
    assert series_of("2025-03") == "" and series_of("2025-03 force=metropolitan file_kind=street") == \
        "force=metropolitan file_kind=street"
