"""Is a feed's delivery on time, and of its usual size? Pure functions over the file registry, behind
the non-blocking freshness and volume checks of every ingest asset (pipelines/defs/ingest.py).

Every feed delivers monthly: a period file after its month ends, a snapshot at a month end. A
contract's `due_days` says how many days after that its file is due. Volume is compared within a
series: the files of a feed whose period keys differ only in their date (one hub borough; street
files of one force), each delivery against the median of the series' previous ones.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from statistics import median

# A delivery below half or above twice the median of its series' recent deliveries is unusual.
VOLUME_TOLERANCE = 2.0
RECENT_DELIVERIES = 6
MIN_HISTORY = 3


def _add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    return date(day.year + month // 12, month % 12 + 1, 1)


def next_due(latest: date, delivery: str, due_days: int) -> date:
    """When the delivery after `latest` (a period's first day, or a snapshot date) is due."""
    next_period_ends = _add_months(latest, 2) if delivery == "period" else _add_months(latest, 2) - timedelta(days=1)
    return next_period_ends + timedelta(days=due_days)


@dataclass(frozen=True)
class Freshness:
    on_time: bool
    description: str


def freshness(latest: date | None, delivery: str, due_days: int, today: date) -> Freshness:
    if latest is None:  # nothing to be late after: a feed not yet started is not overdue
        return Freshness(True, "no delivery has been loaded yet")
    due = next_due(latest, delivery, due_days)
    what = f"latest {'period' if delivery == 'period' else 'snapshot'} {latest:%Y-%m-%d}; the next was due {due:%Y-%m-%d}"
    if today > due:
        return Freshness(False, f"overdue by {(today - due).days} day(s): {what}")
    return Freshness(True, what)


@dataclass(frozen=True)
class VolumeOutlier:
    file_name: str
    rows: int
    median: float

    def describe(self) -> str:
        return f"{self.file_name}: {self.rows:,} rows against a median of {self.median:,.0f} for its recent deliveries"


def series_of(period_key: str) -> str:
    """The period key without its date: '2025-03 borough_slug=barnet' -> 'borough_slug=barnet'."""
    return period_key.partition(" ")[2]


def volume_outliers(deliveries: list[tuple[str, str, int]]) -> list[VolumeOutlier]:
    """(period_key, file_name, rows_received) of a feed's current deliveries; the latest of each series
    against the median of up to RECENT_DELIVERIES before it (with at least MIN_HISTORY)."""
    by_series: dict[str, list[tuple[str, str, int]]] = {}
    for period_key, file_name, rows in sorted(deliveries):
        by_series.setdefault(series_of(period_key), []).append((period_key, file_name, rows))
    outliers = []
    for series in by_series.values():
        *history, (_, file_name, rows) = series
        recent = [r for _, _, r in history[-RECENT_DELIVERIES:]]
        if len(recent) >= MIN_HISTORY:
            typical = median(recent)
            if not typical / VOLUME_TOLERANCE <= rows <= typical * VOLUME_TOLERANCE:
                outliers.append(VolumeOutlier(file_name, rows, typical))
    return outliers
