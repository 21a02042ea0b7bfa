"""Working-day arithmetic on day ordinals, fast enough to call per event.

The simulation works on ``date.toordinal()`` integers. This is a table
version of ``munro.calendar`` (same calendar, built from its
``calendar_table``), because per-call numpy business-day functions cost
microseconds each and the simulation calls them millions of times.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from ..calendar import FIRST_DATE, LAST_DATE, calendar_table


class WorkingDays:
    def __init__(self) -> None:
        table = calendar_table(FIRST_DATE, LAST_DATE)
        working = table["is_working_day"].to_numpy().astype(bool)
        self.base = FIRST_DATE.toordinal()
        self.last = LAST_DATE.toordinal()
        # cum[i]: working days from FIRST_DATE up to and including base + i.
        self.cum = table["wd_index"].to_numpy().astype(np.int64).tolist()
        # days[k]: ordinal of the k-th working day (1-based; days[0] unused).
        self.days = [self.base - 1] + (np.flatnonzero(working) + self.base).tolist()

    def add(self, a: int, n: int) -> int:
        """The n-th working day after ``a`` (``a`` itself for n = 0)."""
        if n <= 0:
            return a
        i = a - self.base
        try:
            return self.days[self.cum[i] + n]
        except IndexError:  # beyond the calendar: only ever far after any return
            return a + n * 7 // 5 + 1

    def between(self, a: int, b: int) -> int:
        """Working days d with a < d <= b."""
        return self.cum[b - self.base] - self.cum[a - self.base]

    def roll(self, d: int) -> int:
        """The first working day on or after ``d``."""
        i = d - 1 - self.base
        try:
            return self.days[self.cum[i] + 1]
        except IndexError:
            return d


@lru_cache(maxsize=1)
def working_days() -> WorkingDays:
    return WorkingDays()
