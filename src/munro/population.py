"""Population denominators for rates per 10,000 (definitions.md section 1).

The rate for reporting year Y divides by the ONS mid-year estimate of children
aged 0-17 at mid-year Y-1 (30 June inside the reporting year), from the file
packaged by ``munro.reference``. A user can override the population of an
authority (or of England) for a year, which is how a synthetic or new
authority, or a year ONS has not published yet, gets rates. Overrides live in
the store's ``population_overrides`` table; everything else comes from the
packaged file, so a store never holds a copy of ONS figures that could go stale.

Every resolved population says where it came from (``source``) and which
figures it is (``vintage``), so that a rate can always be traced and
reproduced. Resolution, for LA ``la`` and reporting year Y:

1. an override for (``la``, Y), if there is one;
2. the ONS estimate for mid-year Y-1;
3. when mid-year Y-1 is later than the latest mid-year in the packaged
   series, the authority's estimate for that latest mid-year, marked
   ``estimated`` (the usual case for the newest census before ONS publishes);
4. otherwise no population, with the reason and, where an override is
   possible, the command that sets one.

Only step 3 reaches back in time, and only past the end of the whole series:
an authority whose own estimates stop (a council reorganised away, such as
Cumbria 909 after mid-2022) gets no population for later years rather than a
figure for an area that no longer exists.

``population_for`` resolves one LA and year from the store; an engine that has
read the overrides once (from the store or a munro export) resolves each with
``population_among``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import getpass
import os
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import duckdb

from . import reference
from .census.format import FIRST_YEAR, LATEST_YEAR
from .errors import MunroError
from .output import table
from .store.database import Store
from .years import census_years_check, year_label

ENGLAND = "england"
SOURCE_OVERRIDE = "override"
SOURCE_ONS = "ONS"
# Far above England's 0-17 population (about 12 million): only a typo gets here.
MAX_POPULATION = 100_000_000
MAX_NOTE = 500

# "2021-Census-based series (DfE CIN release)": taken from reference so that
# a new packaged file changes the text of every rate in one place.
_SERIES = reference.POPULATION_VINTAGE.split(", ", 1)[-1]


@dataclass(frozen=True)
class Population:
    """The population a rate divides by, and where it came from.

    ``value`` is None when there is none, and then ``reason`` says why.
    ``mid_year`` is the mid-year of the figure used: Y-1, or for an
    ``estimated`` figure the latest published mid-year.
    """

    value: int | None
    source: str | None = None  # "override" or "ONS"
    vintage: str | None = None
    mid_year: int | None = None
    estimated: bool = False
    reason: str | None = None


# ---------------------------------------------------------------- checking what the user gave


def _check_la(la) -> str:
    if isinstance(la, int) and not isinstance(la, bool):
        la = str(la)
    text = la.strip() if isinstance(la, str) else la
    if isinstance(text, str) and text.lower() == ENGLAND:
        return ENGLAND
    # [0-9], not \d: the CIN census codes are ASCII, and "३३०" must not pass.
    if not (isinstance(text, str) and re.fullmatch(r"[0-9]{3}", text)):
        raise MunroError(f"local authority code {la!r} must be 3 digits, such as 330 (or 'england')")
    return text


def _check_year(year) -> int:
    if isinstance(year, bool) or not isinstance(year, int):
        raise MunroError(f"year {year!r} must be a reporting year such as 2025 (for 2024-25)")
    return year


def _check_override_year(year) -> int:
    year = _check_year(year)
    # An override for a year no return can be loaded for would never be used.
    return census_years_check(year, FIRST_YEAR, LATEST_YEAR)


def _check_population(population) -> int:
    if isinstance(population, bool) or not isinstance(population, int) or population <= 0:
        raise MunroError(f"population must be a whole number above 0, not {population!r}")
    if population > MAX_POPULATION:
        raise MunroError(f"population {population:,} is not plausible for children aged 0-17 "
                         f"(more than {MAX_POPULATION:,})")
    return population


def _check_note(note) -> str | None:
    if note is None:
        return None
    if not isinstance(note, str):
        raise MunroError(f"the note must be text, not {note!r}")
    note = note.strip()
    # The note is shown in one-line tables and inside every rate's vintage.
    if any(not c.isprintable() for c in note):
        raise MunroError("the note must be one line of text (no line breaks or control characters)")
    if len(note) > MAX_NOTE:
        raise MunroError(f"the note is {len(note)} characters long; at most {MAX_NOTE} are kept")
    return note or None


def la_label(la: str) -> str:
    """'330' -> 'LA 330 (Birmingham)'; 'england' -> 'England'; an unknown code -> 'LA 999'."""
    if la == ENGLAND:
        return "England"
    known = reference.local_authorities().get(la)
    return f"LA {la} ({known.name})" if known else f"LA {la}"


# ---------------------------------------------------------------- the ONS series


@lru_cache(maxsize=1)
def _series_span() -> tuple[int, int]:
    """First and last mid-year of the packaged series (England's rows span it)."""
    mids = [m for m in range(1971, 2200) if reference.child_population(ENGLAND, m + 1) is not None]
    return mids[0], mids[-1]


@lru_cache(maxsize=1024)
def _la_mid_years(la: str) -> tuple[int, ...]:
    first, last = _series_span()
    return tuple(m for m in range(first, last + 1) if reference.child_population(la, m + 1) is not None)


def _ons_vintage(mid_year: int) -> str:
    return f"ONS mid-year estimate mid-{mid_year}, {_SERIES}"


def _from_ons(la: str, year: int) -> Population:
    mid = year - 1
    _, last = _series_span()
    value = reference.child_population(la, year)
    if value is not None:
        return Population(value, SOURCE_ONS, _ons_vintage(mid), mid)
    if mid > last:
        value = reference.child_population(la, last + 1)
        if value is not None:
            return Population(
                value, SOURCE_ONS,
                f"{_ons_vintage(last)}; estimated: mid-{mid} is not published yet, the latest (mid-{last}) is used",
                last, estimated=True)
    return Population(None, reason=_no_population_reason(la, year))


def _no_population_reason(la: str, year: int) -> str:
    mid = year - 1
    first, _ = _series_span()
    own = _la_mid_years(la)
    if la != ENGLAND and la not in reference.local_authorities():
        why = "not a known English LA code"
    elif not own:
        why = "none is published for it in the packaged series"
    elif mid < first:
        why = f"the packaged series starts at mid-{first}"
    elif mid < own[0]:
        why = f"its estimates start at mid-{own[0]}"
    elif mid > own[-1]:
        why = f"its estimates stop at mid-{own[-1]}"
    else:
        why = f"not published for mid-{mid}"
    text = f"no ONS population for {la_label(la)} for {year_label(year)} ({why}) and no override"
    if FIRST_YEAR <= year <= LATEST_YEAR:
        text += f": set one with 'munro population set --la {la} --year {year} N'"
    return text


# ---------------------------------------------------------------- the store


@contextlib.contextmanager
def _connection(db_or_con, write: bool, create: bool = False):
    """A DuckDB connection to the store (anything ``munro.store.Store`` takes, or an Ibis DuckDB backend):
    the caller's left open, one opened here closed.

    A path with no store yet gives None unless ``create``: nothing has been
    overridden there, and the ONS figures need no store.
    """
    raw = getattr(db_or_con, "con", None)  # an Ibis DuckDB backend (a Store is taken as it is)
    if isinstance(raw, duckdb.DuckDBPyConnection) and not isinstance(db_or_con, Store):
        db_or_con = raw
    if isinstance(db_or_con, (str, os.PathLike)) and not create and not Path(db_or_con).exists():
        yield None
        return
    with Store(db_or_con, read_only=not write) as store:
        yield store.con


_OVERRIDE_COLUMNS = ("la_code", "year", "population", "note", "set_by", "set_at")


def read_overrides(con, la: str | None = None, year: int | None = None, *, catalog: str | None = None) -> list[dict]:
    """The rows of ``population_overrides`` (of ``la``, of ``year``; None: all) for ``population_among``:
    the store's table on DuckDB connection ``con``, or in its ``catalog`` where the store is ATTACHed so."""
    if con is None:
        return []
    where, params = [], []
    if la is not None:
        where.append("la_code = ?")
        params.append(la)
    if year is not None:
        where.append("year = ?")
        params.append(year)
    prefix = "" if catalog is None else f"{catalog}."
    sql = f"SELECT {', '.join(_OVERRIDE_COLUMNS)} FROM {prefix}population_overrides"
    if where:
        sql += " WHERE " + " AND ".join(where)
    # Asked, not tried: a failed query would abort the caller's open transaction.
    # The table is missing in a schema-1 store opened read-only (so not upgraded): no overrides.
    exists = ("SELECT count(*) FROM information_schema.tables WHERE table_name = 'population_overrides' AND "
              + ("table_catalog = current_database()" if catalog is None else "table_catalog = ?"))
    if not con.execute(exists, [] if catalog is None else [catalog]).fetchall()[0][0]:
        return []
    rows = con.execute(sql + " ORDER BY la_code, year", params).fetchall()
    return [dict(zip(_OVERRIDE_COLUMNS, r)) for r in rows]


def _override_vintage(row: dict) -> str:
    text = f"override set {row['set_at']:%Y-%m-%d %H:%M} by {row['set_by']}"
    return f"{text}: {row['note']}" if row["note"] else f"{text} (no note)"


def _from_override(row: dict) -> Population:
    return Population(row["population"], SOURCE_OVERRIDE, _override_vintage(row), row["year"] - 1)


def _resolve(con, la: str, year: int) -> Population:
    return _pick(read_overrides(con, la, year), la, year)


def _pick(overrides: list[dict], la: str, year: int) -> Population:
    found = [r for r in overrides if r["la_code"] == la and r["year"] == year]
    return _from_override(found[0]) if found else _from_ons(la, year)


# ---------------------------------------------------------------- the API


def population_for(db_or_con, la: str, year: int) -> Population:
    """The population a rate for ``la`` in reporting year ``year`` divides by.

    ``db_or_con`` is the store's path, or an open DuckDB connection to it (or
    an Ibis DuckDB backend); the store only holds the overrides, so a path
    with no store yet gives the ONS figure. ``la`` is a 3-digit DfE code or
    ``"england"``. Raises MunroError for a malformed code or year; an
    unknown code or a year with no figure gives ``value=None`` and a reason.
    """
    la, year = _check_la(la), _check_year(year)
    with _connection(db_or_con, write=False) as con:
        return _resolve(con, la, year)


def population_among(overrides: list[dict], la: str, year: int) -> Population:
    """``population_for`` with the overrides already read (rows of ``population_overrides``),
    for an engine that reads a munro export rather than the store."""
    return _pick(overrides, _check_la(la), _check_year(year))


def set_population(db, la: str, year: int, population: int, note: str | None = None,
                   set_by: str | None = None) -> Population:
    """Record a population for ``la`` in reporting year ``year``, replacing any earlier override.

    The code need not be a known authority (a synthetic "999" is fine).
    ``set_by`` defaults to the operating-system user. Returns the
    population that now applies.
    """
    la, year = _check_la(la), _check_override_year(year)
    population, note = _check_population(population), _check_note(note)
    set_by = set_by or _current_user()
    with _connection(db, write=True, create=True) as con:
        con.execute("INSERT OR REPLACE INTO population_overrides VALUES (?, ?, ?, ?, ?, ?)",
                    [la, year, population, note, set_by, dt.datetime.now().replace(microsecond=0)])
        return _resolve(con, la, year)


def unset_population(db, la: str, year: int) -> Population:
    """Remove the override for ``la`` and ``year``; returns the population that now applies (ONS or none)."""
    la, year = _check_la(la), _check_year(year)
    with _connection(db, write=True) as con:
        if con is None or not read_overrides(con, la, year):
            raise MunroError(f"no population override for {la_label(la)} for {year_label(year)}: nothing to unset")
        con.execute("DELETE FROM population_overrides WHERE la_code = ? AND year = ?", [la, year])
        return _resolve(con, la, year)


def list_populations(db, la: str | None = None) -> list[dict]:
    """The overrides in the store (of one LA if given), by LA and year.

    Each dict: ``la_code``, ``la_name`` (None for an unknown code),
    ``year``, ``population``, ``ons_population`` (the ONS figure the override
    replaces, None if there is none), ``note``, ``set_by``, ``set_at``.
    """
    la = _check_la(la) if la is not None else None
    with _connection(db, write=False) as con:
        rows = read_overrides(con, la)
    las = reference.local_authorities()
    return [{"la_code": r["la_code"],
             "la_name": "England" if r["la_code"] == ENGLAND else getattr(las.get(r["la_code"]), "name", None),
             "year": r["year"], "population": r["population"],
             "ons_population": _from_ons(r["la_code"], r["year"]).value,
             "note": r["note"], "set_by": r["set_by"], "set_at": r["set_at"]} for r in rows]


def format_populations(rows: list[dict]) -> str:
    """``list_populations`` as a table for people (as JSON: ``munro.output.record`` of each row)."""
    if not rows:
        return "No population overrides."
    header = ("LA", "name", "year", "population", "ONS", "set at", "set by", "note")
    lines = [header]
    for r in rows:
        ons = f"{r['ons_population']:,}" if r["ons_population"] is not None else "none"
        lines.append((r["la_code"], r["la_name"] or "-", year_label(r["year"]), f"{r['population']:,}", ons,
                      f"{r['set_at']:%Y-%m-%d %H:%M}", r["set_by"], r["note"] or ""))
    return table(lines)


def format_population(la: str, year: int, p: Population) -> str:
    """A resolved population for people: the figure, then its source and vintage (or the reason)."""
    head = f"{la_label(_check_la(la))}, {year_label(year)}: "
    if p.value is None:
        return head + "no population\n  reason: " + p.reason
    return "\n".join([head + f"{p.value:,}", f"  source: {p.source}", f"  vintage: {p.vintage}"])


def _current_user() -> str:
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        # No USER/LOGNAME and no passwd entry, as in some containers.
        return "unknown"
