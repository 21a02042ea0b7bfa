"""What stands out, in plain words, for the summary at the top of the report and the dashboard.

Every line is about the item's headline (``benchmark.compare.HEADLINE_RULE``), the figure shown
beside it everywhere, and names only what is statistically meaningful:

- a significant difference from England: the 99.8% interval of the headline excludes England's
  figure (so about one item in three hundred is flagged by chance);
- a worsening trend: the last two year-on-year changes both went the worse way *and* the change
  over the two years is beyond chance, its 99.8% interval excluding no change
  (``benchmark.compare.trend_change``). A drift of a few tenths of a point over thousands of
  children is noise and is not named. Items where neither direction is better are never
  called better or worse.

``differences`` lists the items whose own figure (from the returns, or imported) differs from
the published one: a data-quality finding the reader must see before the figures.
"""

from __future__ import annotations

from typing import Any

from ..years import year_label
from .fmt import with_unit

HOW_JUDGED = ("A difference from England is called significant when the 99.8% confidence interval of this "
              "authority's figure excludes England's. A trend is called worsening when the last two "
              "year-on-year changes both went the way the item's polarity calls worse and the change over "
              "the two years is beyond chance (its 99.8% confidence interval excludes no change); items "
              "without the counts behind their figures, or whose years come from different sources, are "
              "not judged.")


def worsening(view) -> str | None:
    """A sentence when the last two changes both went the worse way, beyond chance; else None."""
    t = getattr(view.comparison, "trend_change", None)
    if not t or t.get("quality") != "worse" or not t.get("significant"):
        return None
    unit = view.item.unit
    return (f"{view.item.title}: {t['direction']} two years running, from {with_unit(t['from'], unit)} in "
            f"{year_label(t['from_year'])} to {with_unit(t['to'], unit)} in {year_label(t['to_year'])} "
            f"({view.polarity}; the change is beyond chance at 99.8%).")


def _source_words(h) -> str:
    if h.kind == "published":
        return f"{h.source}"
    return "munro's figure from the returns" if h.kind == "returns" else "the authority's imported figure"


def standout(data) -> list[str]:
    lines = []
    for v in data.items():
        flag, h = v.flag, v.headline
        if flag and flag.startswith("significantly") and h is not None:
            e = v.comparison.england
            england = with_unit(e.value, v.item.unit)
            if h.period:  # an as-at figure: England's is a reporting year's, and says which
                england += f", England's published {year_label(e.year)} figure"
            lines.append(f"{v.item.title}: {with_unit(h.value, v.item.unit)} ({_source_words(h)}, "
                         f"{h.period or year_label(h.year)}), {flag} ({england}).")
    for v in data.items():
        line = worsening(v)
        if line:
            lines.append(line)
    missing = [v for v in data.items() if v.headline is None and v.result.reason is not None]
    if missing:
        shown = sum(1 for v in missing if v.published_instead)
        lines.append(f"{len(missing)} of {len(data.items())} items have no figure for {data.label}; each "
                     f"says why and what data would fill it" + (f", and {shown} show the authority's latest "
                                                                "published figure of an earlier year instead."
                                                                if shown else "."))
    return lines


def differences(data) -> list[dict[str, Any]]:
    """The items whose own figure differs from the published one for the year, each with a sentence."""
    out = []
    for v in data.items():
        if not v.differs:
            continue
        c, unit = v.comparison, v.item.unit
        whose = "your returns give" if c.own.kind == "returns" else "your imported figure is"
        out.append({"item": v.item.id, "title": v.item.title, "own": c.own, "published": c.published, "unit": unit,
                    "own_words": "munro, from the returns" if c.own.kind == "returns" else "imported",
                    "reasons": c.data_quality["likely_reasons"],
                    "message": (f"{v.item.title}, {year_label(c.published.year)}: {whose} "
                                f"{with_unit(c.own.value, unit)}; {c.published.source} published "
                                f"{with_unit(c.published.value, unit)} for the same year. The published figure "
                                f"is the one shown and compared. Likely reasons: "
                                f"{'; '.join(c.data_quality['likely_reasons'])}.")})
    return out
