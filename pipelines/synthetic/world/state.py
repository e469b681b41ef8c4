"""What the synthetic world carries from one month to the next.

Only identifier counters, the pool of people already known to the police, and events scheduled
for later months are kept; everything else is regenerated from keyed draws on demand, so memory
stays bounded however many months are generated.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import polars as pl

from pipelines.synthetic.draws import Draws
from pipelines.synthetic.months import Month


# Records of one feed can come from different sources (an RJ case from a police victim, a hub
# referral, a court case...). Their keys drive the keyed draws and defect choices, so each source
# takes its own block of the integer space and keys never collide.
KEY_BLOCK = 10**12
HUB_UNREPORTED, RJ_FROM_HUB, RJ_FROM_COURT, RJ_NEW_VICTIM = (KEY_BLOCK * i for i in range(1, 5))


@dataclass
class WorldState:
    draws: Draws
    scale: float
    months: list[Month]
    counters: dict[str, int] = field(default_factory=dict)
    # person_id, borough_code, p_female of everyone the police have recorded as a victim.
    victim_pool: pl.DataFrame | None = None

    @property
    def first(self) -> Month:
        return self.months[0]

    @property
    def last(self) -> Month:
        return self.months[-1]

    @property
    def window_start(self) -> dt.date:
        return self.first.start

    @property
    def window_end(self) -> dt.date:
        return self.last.end

    def allocate(self, name: str, n: int) -> int:
        """Reserve `n` consecutive ids of kind `name`; returns the first."""
        start = self.counters.get(name, 0)
        self.counters[name] = start + n
        return start
