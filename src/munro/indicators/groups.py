"""Figures for a region or any named group of LAs, from a pooled store (or any store with several LAs).

A group's figure is the item computed over the group's children as one
population: every count is the sum of the members' counts, so a percentage
is the sum of numerators over the sum of denominators (never an average of
rates), a rate divides by the sum of the members' populations, and medians
and bands come from all the group's records together.

It is computed by the same items, on any engine: the members' merged history
is read with ``la_code`` set to the group's code and each child's identifier
prefixed by its LA's code, so that children of different LAs (whose
identifiers or pseudonyms may coincide) never meet, and every look-back stays
within the child's own LA. An LA without the year's return is left out and
listed in ``missing``; the years of history are those every member has, so a
look-back item is computed only when every member can give it. A group with
any LA left out is ``partial``, and ``coverage`` says so in words, e.g.
"1 of 14 West Midlands LAs have a 2024-25 return loaded: partial"; every
output format carries both.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from typing import Any

import ibis
import ibis.expr.types as ir

from ..engines import Engine, Tables, engine_for
from ..errors import MunroError
from ..population import Population
from ..reference import dfe_years, local_authorities, local_authority
from ..store.returns import years_words
from ..years import Period
from ..years import year_label as year_words  # a year as DfE writes it, as store.returns names it
from .compute import Db, _wanted, compute_keys
from .context import Key

LONDON = ("Inner London", "Outer London")


def region_of(name: str, year: int | None = None) -> tuple[str, str, list[str]]:
    """(code, name, DfE codes of its LAs) of an English region by name ("London" joins Inner and Outer).

    With ``year``, only the LAs in DfE's data for that reporting year (Dorset's 835 until 2019, its 838
    from 2019, and so on; a year after the packaged list's last, its LAs of that last year)."""
    las = [la for la in local_authorities().values() if year is None or _existed(la.code, int(year))]
    wanted = name.strip().lower()
    if wanted == "london":
        return "E12000007", "London", sorted(la.code for la in las if la.region_name in LONDON)
    found = sorted({(la.region_code, la.region_name) for la in local_authorities().values()
                    if la.region_name.lower() == wanted})
    if not found:
        names = sorted({la.region_name for la in local_authorities().values()} | {"London"})
        raise MunroError(f"unknown region {name!r} (known: {', '.join(names)})")
    code, label = found[0]
    return code, label, sorted(la.code for la in las if la.region_code == code)


def _existed(code: str, year: int) -> bool:
    first, last = dfe_years()[code]
    latest = max(y for _, y in dfe_years().values())
    return first <= year and (year <= last or last == latest)


def parse_group(text: str) -> list[str]:
    """'330,331,332' -> ['330', '331', '332'] (each a DfE code munro knows)."""
    codes = sorted({c.strip() for c in text.split(",") if c.strip()})
    if len(codes) < 2:
        raise MunroError("a group needs at least two LA codes, e.g. --group 330,331,332")
    for code in codes:
        local_authority(code)  # a clear message for a mistyped code
    return codes


def compute_group(db: Db, las: Iterable[str], year: int, items: Iterable[str] | None = None, *,
                  code: str = "group", label: str | None = None, visiting_standard: int = 10,
                  whose: str | None = None) -> dict[str, Any]:
    """The items for the LAs ``las`` together (see the module's docstring), as ``compute`` gives one LA's.

    Every LA of ``las`` without the year's return is listed in ``missing`` with why, and makes the
    result ``partial`` (a MunroError if none has it: there is nothing to compute). ``group_size`` is
    the number of ``las``; ``coverage`` says in words how many are in, naming them as ``whose``
    ("West Midlands LAs"; default "LAs of the group"). ``visiting_standard`` is as for ``compute``.
    """

    wanted = _wanted(items)
    year = int(year)
    with engine_for(db) as engine:
        history = engine.history()
        las = sorted({str(la) for la in las})
        members = [la for la in las if year in history.get(la, [])]
        missing = {la: f"needs the {year} return" if la in history else "no returns loaded"
                   for la in las if la not in members}
        years = sorted(set.intersection(*(set(history[la]) for la in members))) if members else []
        whose = whose or "LAs of the group"
        if not members:  # nothing of the year to compute: say what is loaded instead
            loaded = "; ".join(f"{la} {years_words(history[la])}" for la in las if la in history)
            raise MunroError(f"none of the {len(las)} {whose} has a {year_words(year)} return loaded"
                             + (f" (loaded: {loaded})" if loaded else "")
                             + ": load one with `munro ingest` or choose a loaded year")
        coverage = (f"{len(members)} of {len(las)} {whose} have a {year_words(year)} return loaded"
                    + (": partial" if missing else ""))
        out: dict[str, Any] = {"la": code, "label": label or f"{code} ({', '.join(las)})", "year": year,
                               "members": members, "missing": missing, "group_size": len(las),
                               "partial": bool(missing), "coverage": coverage, "history_years": years,
                               "items": {}}
        period = Period.of_year(year)
        found = compute_keys(engine, [code], [period], wanted,
                             population=lambda _la, y: _sum_population(engine, members, y),
                             visiting_standard=visiting_standard, tables=_as_one(engine.tables(members), code),
                             history={code: years},
                             local={code: _common_local(engine.local_history(), members)})  # loaded by every member
        out["items"] = found[Key(code, period)]
        return out


def compute_named_group(db: Db, year: int, *, region: str | None = None, group: str | None = None,
                        items: Iterable[str] | None = None, visiting_standard: int = 10) -> dict[str, Any]:
    """``munro indicators --region NAME`` (the region's LAs, from the packaged list; those without the year's
    return are left out and make it partial) or ``--group 330,331,332``."""
    if region is not None:
        code, name, las = region_of(region, year)
        return compute_group(db, las, year, items, code=code, label=name, whose=f"{name} LAs",
                             visiting_standard=visiting_standard)
    codes = parse_group(group or "")
    return compute_group(db, codes, year, items, code="group", label=f"LAs {', '.join(codes)}",
                         visiting_standard=visiting_standard)


def _as_one(tables: Tables, code: str) -> Tables:
    """The members' tables as one LA ``code``: children (and workers) told apart by their LA's code.

    An LA's own imported figures (``own_figures``) are its own: a group has none."""

    def one(name: str, t: ir.Table) -> ir.Table:
        if name == "own_figures":
            return t.filter(ibis.literal(False))
        cols = {c: t.la_code.concat(":", t[c]) for c in ("la_child_id", "worker_id") if c in t.columns}
        return t.mutate(**cols, la_code=ibis.literal(code)) if "la_code" in t.columns else t

    return dataclasses.replace(tables, **{f.name: one(f.name, getattr(tables, f.name))
                                          for f in dataclasses.fields(tables) if f.name != "calendar"})


def _common_local(local: dict[str, dict[str, list[int]]], members: list[str]) -> dict[str, list[int]]:
    """Kind of local records -> the years every member has loaded."""
    kinds = set.intersection(*(set(local.get(la, {})) for la in members))
    return {k: sorted(set.intersection(*(set(local[la][k]) for la in members))) for k in sorted(kinds)}


def _sum_population(engine: Engine, members: list[str], year: int) -> Population:
    """The members' populations added up (None, with the reason, if any member has none)."""
    found = {la: engine.population(la, year) for la in members}
    lacking = [la for la, p in found.items() if p is None or p.value is None]
    if lacking:
        return Population(None, reason=f"no population for LA {', '.join(lacking)} in {year}")
    sources = sorted({p.source for p in found.values() if p.source})
    vintages = sorted({p.vintage for p in found.values() if p.vintage})
    mid_years = {p.mid_year for p in found.values()}
    return Population(sum(p.value for p in found.values()), source=" + ".join(sources) or None,
                      vintage="; ".join(vintages) or None, mid_year=mid_years.pop() if len(mid_years) == 1 else None,
                      estimated=any(p.estimated for p in found.values()))


__all__ = ["compute_group", "compute_named_group", "region_of", "parse_group"]
