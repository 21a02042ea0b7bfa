"""Replacing a loaded return: a correction, or a partial extract or the wrong file?

A newer file for the same LA and year replaces the loaded one (``store.ingest``), and a replaced
return no longer counts. A corrected return differs from the one it corrects by a few per cent: some
children added or removed, some dates put right. A partial extract (one team, one quarter, a test
run) or another year's file relabelled differs by much more. So before a replacement, ``compare``
sets the new file's shape beside the loaded return's and ``refuse_if_shrunk`` refuses it, unless
the user says ``--replace``, when the new file has

- fewer than 75% (``SHARE``) of the loaded return's children, episodes (CINdetails) or child
  protection plans, and at least 10 (``MIN_DROP``) fewer: a drop of a few in a small LA's plans
  is a correction, not an extract; or
- referrals and closures in the collection year (1 April to 31 March) spanning more than 61 days
  (``SPAN_DAYS``, two months) less than the loaded return's: a full return's run from the first
  days of the year to its last, and a correction moves them by days; an extract made before the
  year's end or of part of the year does not reach them. Only dates within the year count: the
  earliest referral of a long-open case is years back and would move a lot if a correction removed
  that one child. A loaded return of fewer than 10 episodes has no span to speak of and is compared
  by its counts only.

The same file again is not a replacement (it changes nothing). The counts are those the store
keeps for each return (``returns``) and the reader counts while it reads; the span is one query
over the loaded return's episodes and a pass over the new file's episodes already in memory or
staged. Local records (``store.local``) are compared the same way by their rows and children.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from ..census.reader import CensusReader
from ..errors import RejectedFile
from ..years import year_label as year_words  # a year as DfE writes it, as store.returns names it
from .returns import la_words

SHARE = 0.75  # refused below this share of the loaded return's children, episodes or plans...
MIN_DROP = 10  # ...when at least this many fewer
SPAN_DAYS = 61  # refused when its referrals and closures in the year span more than this many days less

LABELS = {"children": "children", "episodes": "episodes", "cp_plans": "plans", "rows": "rows"}
_RETURN_MEASURES = ("children", "episodes", "cp_plans")


@dataclass(frozen=True)
class Shape:
    """What a return holds: counts (measure -> number, in the order shown) and the first and last
    referral or closure within its collection year (None: none, or not a CIN return)."""

    counts: dict[str, int | None]
    first: dt.date | None = None
    last: dt.date | None = None

    @property
    def days(self) -> int:
        """Days from the first referral or closure in the year to the last, both counted."""
        return (self.last - self.first).days + 1 if self.first and self.last else 0

    def span_words(self) -> str:
        if not self.first or not self.last:
            return "no referral or closure in the year"
        return f"{_date(self.first)} to {_date(self.last)}"

    def to_json(self) -> dict[str, Any]:
        return {"counts": self.counts, "first": self.first and self.first.isoformat(),
                "last": self.last and self.last.isoformat()}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Shape:
        def day(v: str | None) -> dt.date | None:
            return dt.date.fromisoformat(v) if v else None

        return cls(dict(data["counts"]), day(data.get("first")), day(data.get("last")))


@dataclass(frozen=True)
class Comparison:
    """A new file beside the loaded one it would replace."""

    what: str  # "2024-25 return", "2024-25 ssda903-episodes file"
    la: str
    old_id: int  # the loaded return's return_id (a local file's load_id)
    old_file: str
    old_loaded: dt.datetime
    old: Shape
    new: Shape
    dated: bool = field(default=True)  # a CIN return has a span; local records have none

    def shrunk(self) -> list[str]:
        """The measures that crossed the threshold, as words: '426 children against 21,671 (2%)'."""
        out = [f"{new:,} {LABELS.get(name, name)} against {old:,} ({_share(new, old)})"
               for name, old, new in self._counts() if old is not None and new is not None and _crossed(old, new)]
        if self._span_crossed():
            out.append(f"referrals and closures in the year from {self.new.span_words()} against "
                       f"{self.old.span_words()}" if self.new.first else
                       f"no referral or closure in the year against {self.old.span_words()}")
        return out

    @property
    def refused(self) -> bool:
        return bool(self.shrunk())

    @property
    def loaded_on(self) -> str:
        """When the loaded return was loaded: '6 December 2026'."""
        return _date(self.old_loaded)

    def reason(self) -> str:
        """One line: what it would replace, what it lacks, what to do."""
        drops = self.shrunk()
        lacks = ", ".join(drops[:-1]) + (" and " if len(drops) > 1 else "") + drops[-1]
        return (f"would replace the loaded {self.what} for {la_words(self.la)} ({self.old_file}, loaded "
                f"{self.loaded_on}) but has {lacks}: is it a partial extract or the wrong file? "
                "Load it anyway with --replace")

    def rows(self) -> list[tuple[str, str, str, bool]]:
        """(measure, loaded, new, crossed) for a table of the two side by side."""
        out = [(LABELS.get(name, name).capitalize(), _count(old),
                _count(new) + (f" ({_share(new, old)})" if old and new is not None else ""), _crossed(old, new))
               for name, old, new in self._counts()]
        if self.dated:
            out.append(("Referrals and closures in the year", self.old.span_words(), self.new.span_words(),
                        self._span_crossed()))
        return out

    def _counts(self) -> list[tuple[str, int | None, int | None]]:
        return [(name, old, self.new.counts.get(name)) for name, old in self.old.counts.items()]

    def _span_crossed(self) -> bool:
        # A return of a handful of episodes has no span to speak of: its dates are a few cases' dates.
        return (self.dated and (self.old.counts.get("episodes") or 0) >= MIN_DROP
                and self.old.days - self.new.days > SPAN_DAYS)


def _crossed(old: int | None, new: int | None) -> bool:
    return old is not None and old != 0 and new is not None and new < SHARE * old and old - new >= MIN_DROP


class ReplacementRefused(RejectedFile):
    """A file that would replace a loaded return it falls far short of; nothing is loaded."""

    def __init__(self, path: str | os.PathLike[str], comparison: Comparison) -> None:
        self.comparison = comparison
        super().__init__(path, comparison.reason())


def refuse_if_shrunk(path: str | os.PathLike[str], comparison: Comparison | None) -> None:
    """Raise ``ReplacementRefused`` when ``comparison`` crosses the threshold (the caller skips this
    when the user said ``--replace``)."""
    if comparison is not None and comparison.refused:
        raise ReplacementRefused(Path(path), comparison)


# ---------------------------------------------------------------- the shapes


def year_bounds(year: int) -> tuple[dt.date, dt.date]:
    """The collection year ``year``: 1 April of the year before to 31 March."""
    return dt.date(int(year) - 1, 4, 1), dt.date(int(year), 3, 31)


def span_of(episodes: Iterable[pa.Table | pa.RecordBatch], year: int) -> tuple[dt.date | None, dt.date | None]:
    """First and last referral or closure date of ``episodes`` within collection year ``year``."""
    start, end = (pa.scalar(d, pa.date32()) for d in year_bounds(year))
    first = last = None
    for part in episodes:
        for column in ("referral_date", "closure_date"):
            if column not in part.schema.names:
                continue
            dates = part.column(column)
            inside = pc.filter(dates, pc.and_(pc.greater_equal(dates, start), pc.less_equal(dates, end)))
            if len(inside):
                lo, hi = pc.min_max(inside).values()
                first = lo.as_py() if first is None else min(first, lo.as_py())
                last = hi.as_py() if last is None else max(last, hi.as_py())
    return first, last


def shape_of_read(rows: dict[str, int], episodes: Iterable[pa.Table | pa.RecordBatch], year: int) -> Shape:
    """A return as read: the reader's row counts and its episodes' tables (or batches)."""
    return Shape({m: int(rows.get(m, 0)) for m in _RETURN_MEASURES}, *span_of(episodes, year))


def shape_of_file(path: str | os.PathLike[str], *, schema_year: int | None = None, workers: int = 1) -> Shape:
    """Read a CIN census file through (not kept) for its shape; ``RejectedFile`` if it cannot be read."""
    reader = CensusReader(path, schema_year=schema_year, workers=workers)
    parts = [batch["episodes"].select([c for c in ("referral_date", "closure_date")
                                       if c in batch["episodes"].schema.names])
             for batch in reader.batches() if "episodes" in batch]
    assert reader.header is not None  # read before the first batch
    return shape_of_read(reader.stats.rows, parts, reader.header.collection_year)


def shape_of_return(con: duckdb.DuckDBPyConnection, return_id: int) -> Shape:
    """A loaded return: its counts from ``returns``, its span from one query over its episodes."""
    *counts, year = con.execute(f"SELECT {', '.join(_RETURN_MEASURES)}, collection_year FROM returns "
                                "WHERE return_id = ?", [return_id]).fetchall()[0]
    start, end = year_bounds(year)
    first, last = con.execute(
        "SELECT min(d), max(d) FROM (SELECT referral_date AS d FROM episodes WHERE return_id = $r "
        "UNION ALL SELECT closure_date FROM episodes WHERE return_id = $r) WHERE d BETWEEN $s AND $e",
        {"r": return_id, "s": start, "e": end}).fetchall()[0]
    return Shape({m: int(c or 0) for m, c in zip(_RETURN_MEASURES, counts)}, first, last)


def compare(con: duckdb.DuckDBPyConnection, la: str, year: int, new: Shape, sha: str | None = None,
            candidate: int | None = None) -> Comparison | None:
    """The current return of ``la`` and ``year`` beside ``new``; None when there is none, or when it is
    the same file (``sha``) or the same return (``candidate``, a superseded return made current again)."""
    rows = con.execute("SELECT return_id, file_name, loaded_at, file_sha256 FROM returns "
                       "WHERE la_code = ? AND collection_year = ? AND status = 'current'", [la, year]).fetchall()
    if not rows:
        return None
    old_id, old_file, loaded, old_sha = rows[0]
    if (sha is not None and old_sha == sha) or old_id == candidate:
        return None
    return Comparison(f"{year_words(year)} return", la, old_id, old_file, loaded, shape_of_return(con, old_id), new)


def shape_of_local(rows: int, children: int | None) -> Shape:
    """A file of local records: its rows and distinct children (None: its layout names no children)."""
    return Shape({"rows": int(rows), **({"children": int(children)} if children is not None else {})})


def shape_of_local_table(table: pa.Table) -> Shape:
    """A file of local records as read (``localdata.reader``)."""
    has = "la_child_id" in table.schema.names
    return shape_of_local(table.num_rows, pc.count_distinct(table["la_child_id"]).as_py() if has else None)


def compare_local(con: duckdb.DuckDBPyConnection, kind: str, la: str, year: int, new: Shape,
                  candidate: int | None = None) -> Comparison | None:
    """The current local load of ``kind``, ``la`` and ``year`` beside ``new`` (``shape_of_local``); None
    when there is none or it is ``candidate`` (a superseded load made current again)."""
    found = con.execute("SELECT load_id, file_name, loaded_at, rows, children FROM local_loads "
                        "WHERE kind = ? AND la_code = ? AND year = ? AND status = 'current'",
                        [kind, la, year]).fetchall()
    if not found or found[0][0] == candidate:
        return None
    old_id, old_file, loaded, rows, children = found[0]
    old = Shape({"rows": rows, "children": children} if "children" in new.counts else {"rows": rows})
    return Comparison(f"{year_words(year)} {kind} file", la, old_id, old_file, loaded, old, new, dated=False)


# ---------------------------------------------------------------- words


def _date(d: dt.date) -> str:
    return f"{d.day} {d:%B %Y}"


def _count(n: int | None) -> str:
    return "-" if n is None else f"{n:,}"


def _share(new: int, old: int) -> str:
    pct = round(100 * new / old)
    return "under 1%" if new and pct == 0 else f"{pct}%"


__all__ = ["SHARE", "MIN_DROP", "SPAN_DAYS", "Shape", "Comparison", "ReplacementRefused", "refuse_if_shrunk",
           "compare", "compare_local", "shape_of_local", "shape_of_local_table", "shape_of_read", "shape_of_file",
           "shape_of_return", "span_of"]
