"""The internal report's appendix "Breakdown by team": every item that breaks down, per team, for the report's
period (munro.indicators.drill; docs/drill-down.md).

Only in the internal report: ``munro report --publish`` never has it, since a team's figures are about a
part of the service the authority manages, not for publication. Its figures are exact, as every figure of
the internal report is (munro.report.drill.shown uncontrolled), with a figure resting on 1 to 5 records
marked: a head of service needs to see that three children are unallocated, not "c". By worker is not in
the report at all: it names staff, and is written only to a restricted file (``munro indicators --by
worker --out``) or seen on the web by an LA's analysts; the restricted child lists are about children,
for case follow-up, and do not carry it either, so that staff-level figures reach no one new.

The web's internal report download (munro.web.downloads) carries the same appendix disclosure-controlled,
as its drill-down pages show a team's figures (``controlled``): the service follows one rule for teams.

The appendix takes a ``years.Period``, so a report of a reporting year and one as at any date share it.
Without allocations with a team loaded for the LA, the page has one note saying what to load, with no
heading, and the workbook no sheet.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..errors import MunroError, StoreProblem
from ..indicators.catalogue import item
from ..indicators.drill import UNALLOCATED, breakdown
from ..years import Period, date_words
from .drill import LABELS, WHOLE, shown, table
from .fmt import UNIT_WORDS

TITLE = "Breakdown by team"
DISCLOSURE = ("Exact figures, as everywhere in this internal report: * marks a team's figures resting on 5 or "
              "fewer records; read them with care.")
CONTROLLED = ("Disclosure-controlled, as on the service's drill-down pages: counts from 1 to 5, and figures "
              "from which one could be worked out, are shown as c.")
SMALL = "* 5 or fewer records"
SHEET = "Breakdown by team"


@dataclass
class TeamAppendix:
    period: Period
    shown: dict[str, Any] | None = None  # shown() of the breakdown by team of every item; None with ``note``
    note: str | None = None  # why there is no breakdown
    items: list[dict[str, Any]] = field(default_factory=list)  # one table per item, in definitions order
    controlled: bool = False  # the figures disclosure-controlled (the web's download), else exact

    @property
    def disclosure(self) -> str:
        return CONTROLLED if self.controlled else DISCLOSURE

    @property
    def period_words(self) -> str:
        if self.period.is_year:
            return f"the reporting year {self.period.label} (1 April to {date_words(self.period.end)})"
        return f"the {self.period.label}"

    @property
    def rule(self) -> str:
        """Which team a child counts under (munro.indicators.drill's rule), as a sentence for this period."""
        return (f"Each child is counted under the team of its social worker allocation open on "
                f"{date_words(self.period.end)}, the end of the period (else the allocation that started last "
                f"before then; {UNALLOCATED} when none had started)")

    @property
    def teams(self) -> list[str]:
        return list(self.shown["units"]) if self.shown else []

    @property
    def not_broken(self) -> list[str]:
        return [item(i).title for i in (self.shown or {}).get("not_broken_down", {})]


def gather(db, la: str, period: Period, *, controlled: bool = False,
           find: Callable[[], dict[str, Any]] | None = None) -> TeamAppendix:
    """The appendix for LA ``la`` and ``period``: every item's breakdown by team, computed in one pass, exact
    unless ``controlled``. ``find()`` gives that breakdown as shown (munro.report.drill.shown) from a cache
    (the web's drill-down pages'), raising as ``breakdown`` does; without it, it is computed here."""
    try:
        found = find() if find is not None else shown(breakdown(db, la, period, by="team"), controlled=controlled)
    except StoreProblem:
        raise  # the store itself: not a note about allocations, and the report would be wrong
    except MunroError as e:  # no allocations loaded for the LA, or none with a team
        return TeamAppendix(period, note=f"There is no breakdown by team: {e}.", controlled=controlled)
    out = TeamAppendix(period, shown=found, controlled=controlled)
    for i, entry in found["items"].items():
        it = item(i)
        columns, rows = table(entry, it.unit)
        out.items.append({"id": i, "title": it.title, "unit": it.unit, "unit_words": UNIT_WORDS[it.unit] or "number",
                          "columns": columns, "rows": rows, "note": entry.get("note"), "entry": entry,
                          "headline": it.headline})
    return out


def about(t: dict[str, Any]) -> str:
    """What an item's table shows: its value, or for a rate why only the count is given."""
    note = t["note"]
    return f"{note[0].upper()}{note[1:]}." if note else f"Value: {t['headline']}."


def write_sheet(wb, formats: dict[str, Any], appendix: TeamAppendix) -> None:
    """The appendix (with its breakdown) as a sheet of report.xlsx: a small table per item, figures as
    numbers, the small-number mark in a last column."""
    bold, head, wrap, title = (formats[k] for k in ("bold", "head", "wrap", "title"))
    ws = wb.add_worksheet(SHEET)
    ws.set_column(0, 0, 34)
    ws.set_column(1, 6, 12)
    ws.write(0, 0, f"Appendix: {TITLE.lower()}, {appendix.period_words}", title)
    ws.write(1, 0, "Internal: not part of a published report.", bold)
    ws.write(2, 0, f"{appendix.rule}.")
    ws.write(3, 0, appendix.disclosure)
    row = 5
    for t in appendix.items:
        entry, unit = t["entry"], t["unit"]
        rows = [*entry["units"].items(), (WHOLE, entry["total"])]
        keys = [k for k, label in LABELS.items() if label in t["columns"]]
        ws.write(row, 0, f"{t['title']} ({t['unit_words']})", bold)
        row += 1
        ws.write(row, 0, about(t))
        ws.write_row(row + 1, 0, ("Team", *t["columns"], "Note"), head)
        for k, (team, figures) in enumerate(rows, start=row + 2):
            ws.write_string(k, 0, team)
            if figures.get("small"):
                ws.write_string(k, len(keys) + 1, SMALL)
            for c, key in enumerate(keys, start=1):
                v = figures.get(key)
                fmt = formats["nums"].get(unit if key == "value" else "count")
                if key == "median":  # a median may be a half: one decimal place
                    fmt = formats["nums"]["per_10k"]
                if isinstance(v, (int, float)) and not isinstance(v, bool):
                    ws.write_number(k, c, v, fmt)
                elif v is not None:
                    ws.write_string(k, c, str(v))
        row += len(rows) + 3
    if appendix.not_broken:
        ws.write(row, 0, "Not broken down (the authority's own figures, imported as published): "
                         + ", ".join(appendix.not_broken), wrap)


__all__ = ["TeamAppendix", "gather", "write_sheet", "TITLE", "SHEET", "DISCLOSURE", "CONTROLLED"]
