"""What stands out, in plain words, for the summary at the top of the report.

Two things are called out: a significant difference from England (the
benchmark's 99.8% flag, so about one item in three hundred is flagged by
chance) and a worsening trend, defined as two year-on-year changes in a row in
the worse direction. Items where neither direction is better are reported as
differences, never as better or worse.
"""

from __future__ import annotations

from typing import Any

from .fmt import with_unit, year_label


def _values(trend: list[dict[str, Any]]) -> list[tuple[int, float]]:
    """The LA's series: munro's own figure where it has one, else the published one."""
    out = []
    for t in trend:
        v = t.get("own") if t.get("own") is not None else t.get("published")
        if isinstance(v, (int, float)):
            out.append((t["year"], float(v)))
    return out


def worsening(view) -> str | None:
    """A sentence when the last two changes both went the worse way, else None."""
    polarity = view.item.polarity
    series = _values(view.trend)[-3:]
    if polarity == "neither" or len(series) < 3:
        return None
    (y0, a), (_, b), (y2, c) = series
    worse = (lambda x, y: y > x) if polarity == "lower_better" else (lambda x, y: y < x)
    if worse(a, b) and worse(b, c):
        direction = "risen" if c > a else "fallen"
        return (f"{view.item.title}: {direction} two years running, from {with_unit(a, view.item.unit)} in "
                f"{year_label(y0)} to {with_unit(c, view.item.unit)} in {year_label(y2)} "
                f"({view.polarity}).")
    return None


def standout(data) -> list[str]:
    lines = []
    for v in data.items():
        flag = v.flag
        if flag and flag.startswith("significantly"):
            h, e = v.comparison.headline, v.comparison.england
            whose = "munro's figure" if (h.source or "").startswith("munro") else f"{h.source}"
            lines.append(f"{v.item.title}: {with_unit(h.value, v.item.unit)} ({whose}, {year_label(h.year)}), "
                         f"{flag} ({with_unit(e.value, v.item.unit)}).")
    for v in data.items():
        line = worsening(v)
        if line:
            lines.append(line)
    missing = [v for v in data.items() if v.result.value is None and v.result.reason is not None]
    if missing:
        shown = sum(1 for v in missing if v.published_instead)
        lines.append(f"{len(missing)} of {len(data.items())} items have no figure of munro's own; each says why "
                     f"and what data would fill it" + (f", and {shown} show the authority's published figure "
                                                        "instead." if shown else "."))
    return lines
