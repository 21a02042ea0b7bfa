"""Periods of care from the SSDA903 episodes, for the plans items that need them.

The 903 return records a child's time in care as episodes: a new episode
starts with every change of legal status or placement. A period of care
starts with an episode whose reason for new episode (``RNE``) is ``S``
(started to be looked after). A child is looked after on a date when an
episode is open then (started on or before it, not ended by it).

As DfE's statistics of children looked after do, episodes under an agreed
series of short-term placements (legal status V3, V4: short breaks) are not
counted: a disabled child's respite care is not what the items ask about.

Children are matched to the CIN census by LA and child ID (the 903 CHILD is
the LA's own identifier, the census LAchildID). The items need the 903
episodes of the period's reporting year (``ctx.has_local(la, EPISODES, period)``),
else they say so (``loaded_note``).
"""

from __future__ import annotations

import ibis.expr.types as ir

from ..localdata.layouts import SHORT_BREAKS, SSDA903_EPISODES, STARTED_LOOKED_AFTER
from .context import Context, Key

EPISODES = SSDA903_EPISODES.kind


def _in_care(ctx: Context) -> ir.Table:
    e = ctx.t.looked_after_episodes
    return e.filter(~e.legal_status.isin(list(SHORT_BREAKS)))


def looked_after_at_r(ctx: Context) -> ir.Table:
    """(la_code, period, la_child_id) of each child looked after at a period's end R (31 March for a
    reporting year), once per period."""
    e = ctx.open_at(_in_care(ctx), "start_date", "end_date")
    return e.select(*ctx.by, "la_child_id").distinct()


def care_starts(ctx: Context) -> ir.Table:
    """(la_code, la_child_id, care_start) of every period of care started (RNE S)."""
    e = _in_care(ctx)
    e = e.filter(e.reason_new == STARTED_LOOKED_AFTER)
    return e.select("la_code", "la_child_id", care_start=e.start_date)


def loaded_note(ctx: Context, key: Key) -> str | None:
    """Why the looked-after figures are missing for ``key`` (LA, period): None when the episodes of the
    period's reporting year are loaded."""
    la, p = key
    if ctx.has_local(la, EPISODES, p):
        return None
    files = " and ".join(str(y) for y in p.years) + " SSDA903 episodes file" + ("s" if len(p.years) > 1 else "")
    return (f"needs looked-after episodes (the {files}; load it with munro ingest), "
            "which the CIN census does not record")


__all__ = ["looked_after_at_r", "care_starts", "loaded_note", "EPISODES"]
