"""Reference data packaged with munro: local authorities and ONS 0-17 populations.

The files under ``munro/data/`` are copies of ``shared/reference/`` (each
folder keeps its SOURCES.md), so munro runs where it is installed.
"""

from __future__ import annotations

import csv
import difflib
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from .errors import MunroError

POPULATION_FILE = "population/ons_mid-year_population_estimates_2012_to_2024.csv"
POPULATION_VINTAGE = "ONS mid-year estimates 2012-2024, 2021-Census-based series (DfE CIN release)"


@dataclass(frozen=True)
class LocalAuthority:
    code: str  # 3-digit DfE code, as in the CIN census LEA element
    gss_code: str
    name: str
    region_code: str
    region_name: str


def _rows(name: str):
    with resources.files("munro.data").joinpath(name).open(newline="", encoding="utf-8") as f:
        yield from csv.DictReader(f)


@lru_cache(maxsize=1)
def local_authorities() -> dict[str, LocalAuthority]:
    return {
        r["old_la_code"]: LocalAuthority(
            r["old_la_code"], r["new_la_code"], r["la_name"], r["region_code"], r["region_name"]
        )
        for r in _rows("local_authorities/english_las_dfe_codes.csv")
    }


@lru_cache(maxsize=1)
def dfe_years() -> dict[str, tuple[int, int]]:
    """LA code -> (first, last) reporting year it is in DfE's data (the packaged LA list's columns; a code
    listed twice, under an old and a new ONS code, spans both)."""
    out: dict[str, tuple[int, int]] = {}
    for r in _rows("local_authorities/english_las_dfe_codes.csv"):
        first, last = int(r["first_year_in_dfe_data"]), int(r["last_year_in_dfe_data"])
        was = out.get(r["old_la_code"], (first, last))
        out[r["old_la_code"]] = (min(first, was[0]), max(last, was[1]))
    return out


def local_authority(code: str) -> LocalAuthority:
    try:
        return local_authorities()[code]
    except KeyError:
        raise MunroError(_not_an_la(str(code))) from None


# ------------------------------------------------------------------ an LA as a user writes it


@lru_cache(maxsize=1)
def _la_index() -> tuple[dict[str, str], dict[str, int]]:
    """GSS code -> DfE code (every GSS code an LA has had), and DfE code -> the last year DfE data has it."""
    gss, last = {}, {}
    for r in _rows("local_authorities/english_las_dfe_codes.csv"):
        gss[r["new_la_code"].upper()] = r["old_la_code"]
        last[r["old_la_code"]] = max(last.get(r["old_la_code"], 0), int(r["last_year_in_dfe_data"] or 0))
    return gss, last


def _words(text: str) -> str:
    """A name as compared: lower case, '&' as 'and', punctuation as spaces ('St. Helens' ~ 'st helens')."""
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text.lower().replace("&", " and ")).split())


def _named(las: list[LocalAuthority], limit: int = 8) -> str:
    """'909 Cumbria, 919 Hertfordshire or 929 Northumberland' (the first ``limit``, then how many more)."""
    shown = [f"{la.code} {la.name}" for la in las[:limit]] + ([f"{len(las) - limit} more"] if len(las) > limit else [])
    return shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + " or " + shown[-1]


def _one_edit(a: str, b: str) -> bool:
    """Whether b is a with one character changed, added or removed, or two neighbours swapped."""
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        return len(diff) == 1 or len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]] \
            and a[diff[1]] == b[diff[0]]
    short, long = sorted((a, b), key=len)
    return len(long) == len(short) + 1 and any(long[:i] + long[i + 1:] == short for i in range(len(long)))


def nearest_las(text: str, n: int = 3) -> list[LocalAuthority]:
    """The English LAs nearest to ``text``: for a code, those one keystroke away (a digit mistyped, added,
    left out, or two swapped), else the closest by difflib; for a name, the closest names. Sorted by code."""

    las = local_authorities()
    text = text.strip()
    if text.isdigit():
        near = sorted(c for c in las if _one_edit(text, c)) or difflib.get_close_matches(text, list(las), n=n)
        return [las[c] for c in sorted(near[:n])]
    names = {_words(la.name): la for la in las.values()}
    close = difflib.get_close_matches(_words(text), list(names), n=n, cutoff=0.6)
    return sorted((names[x] for x in close), key=lambda la: la.code)


def _not_an_la(text: str) -> str:
    near = nearest_las(text)
    what = f"code {text}" if text.isdigit() else f"the name {text!r}"
    return f"no English LA has {what}" + (f": did you mean {_named(near)}?" if near else
                                          " (give a 3-digit DfE code such as 330, or a name such as Birmingham)")


def resolve_la(text: str) -> str:
    """The DfE code of the LA a user wrote: its code (``330``), its GSS code (``E08000025``) or its name,
    whole or a unique part of it, in any case (``birmingham``, ``hull``, ``St Helens``).

    Where a name fits several LAs, one that DfE data still has is chosen over those it replaced (``Dorset``
    is 838, not 835); otherwise they are listed. Raises MunroError naming the nearest LAs.
    """
    las = local_authorities()
    text = str(text).strip()
    if text in las:
        return text
    gss, last = _la_index()
    if text.upper() in gss:
        return gss[text.upper()]
    if not text or text.isdigit():
        raise MunroError(_not_an_la(text) if text else "no LA given (a 3-digit DfE code such as 330, or a name)")
    wanted = _words(text)
    exact = [la for la in las.values() if _words(la.name) == wanted]
    part = [la for la in las.values() if wanted and re.search(rf"\b{re.escape(wanted)}", _words(la.name))]
    for found in (exact, part):
        current = [la for la in found if last.get(la.code) == max(last.values())]
        if len(found) == 1 or len(current) == 1 and len(found) > 1:
            return (found if len(found) == 1 else current)[0].code
        if found:
            found = sorted(found, key=lambda la: la.code)
            raise MunroError(f"{text!r} could be {_named(found)}: give its code")
    raise MunroError(_not_an_la(text))


@lru_cache(maxsize=1)
def _population() -> dict[tuple[str, int], int]:
    out = {}
    for r in _rows(POPULATION_FILE):
        if r["geographic_level"] == "Local authority" and r["population_estimate"].isdigit():
            out[(r["old_la_code"], int(r["time_period"]))] = int(r["population_estimate"])
        elif r["geographic_level"] == "National":
            out[("england", int(r["time_period"]))] = int(r["population_estimate"])
    return out


def child_population(la_code: str, reporting_year: int) -> int | None:
    """ONS estimate of children aged 0-17 for reporting year Y (mid-year Y-1), or None.

    ``la_code`` may be ``"england"``.
    """
    return _population().get((la_code, reporting_year - 1))


def latest_child_population(la_code: str, reporting_year: int) -> tuple[int, int] | None:
    """The population for the year, else the nearest earlier published one: (population, mid-year)."""
    pop = _population()
    for mid_year in range(reporting_year - 1, 2011, -1):
        if (la_code, mid_year) in pop:
            return pop[(la_code, mid_year)], mid_year
    earliest = min((y for (la, y) in pop if la == la_code), default=None)
    return (pop[(la_code, earliest)], earliest) if earliest is not None else None
