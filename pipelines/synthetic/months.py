"""Calendar months of the generated window."""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Month:
    year: int
    month: int

    @classmethod
    def parse(cls, text: str) -> "Month":
        year, month = text.split("-")
        return cls(int(year), int(month))

    @property
    def label(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def start(self) -> dt.date:
        return dt.date(self.year, self.month, 1)

    @property
    def end(self) -> dt.date:
        return dt.date(self.year, self.month, self.days)

    @property
    def days(self) -> int:
        return calendar.monthrange(self.year, self.month)[1]

    @property
    def index(self) -> int:
        """Months since year 0: a key for draws that is unique per month."""
        return self.year * 12 + self.month - 1

    def plus(self, months: int) -> "Month":
        index = self.index + months
        return Month(index // 12, index % 12 + 1)


def window(start: str, months: int) -> list[Month]:
    first = Month.parse(start)
    return [first.plus(i) for i in range(months)]
