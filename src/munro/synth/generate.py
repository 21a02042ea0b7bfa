"""``generate``: write synthetic CIN census returns for one authority.

Children are simulated one at a time, each from its own random stream, over
the requested years plus a warm-up; each child's records go straight to the
open writer of every year whose return holds it. Memory therefore does not
grow with the size of the authority, and the same seed gives the same bytes.
"""

from __future__ import annotations

import datetime as dt
import math
import os
import random
from dataclasses import dataclass
from pathlib import Path

from .. import reference
from ..census.format import FIRST_YEAR, LATEST_YEAR
from ..census.writer import ReturnWriter
from ..errors import MunroError
from ..progress import report
from ..years import census_years_check, is_in_year, year_end, year_of_date, year_start, years_label
from . import calibration as C
from .annex_a import AnnexA
from .errors import Injector
from .journeys import Codes, Simulator
from .local_records import LocalRecords
from .returns import Slicer

# Children in one year's return per 10,000 children (measured), to spread injected errors.
CHILDREN_PER_RETURN = 730.0


@dataclass
class SynthResult:
    """One written return and what it holds."""

    path: Path
    year: int
    schema_year: int
    children: int
    episodes: int
    assessments: int
    section47: int
    cp_plans: int
    errors: int = 0
    manifest: Path | None = None
    local: dict[str, Path] | None = None  # the year's local records (local_records.py): name -> CSV
    annex_a: Path | None = None  # the Annex A workbook as at a date in this year (annex_a.py)
    reference_date: dt.date | None = None  # an in-year extract's date (None: the year's annual return)


def _check_options(la, years, seed, scale, population, schema_year, errors):
    if not isinstance(la, str) or len(la) != 3 or not la.isdigit():
        raise MunroError(f"local authority code {la!r} must be 3 digits, such as 330")
    if not years:
        raise MunroError("no collection years given")
    for y in years:
        census_years_check(y, FIRST_YEAR, LATEST_YEAR)
    if not isinstance(seed, int):
        raise MunroError(f"seed must be a whole number, not {seed!r}")
    if not (isinstance(scale, (int, float)) and math.isfinite(scale) and scale > 0):
        raise MunroError(f"scale must be a number above 0, not {scale!r}")
    if population is not None and (not isinstance(population, int) or population <= 0):
        raise MunroError(f"population must be a whole number above 0, not {population!r}")
    if schema_year is not None and not FIRST_YEAR <= schema_year <= LATEST_YEAR:
        raise MunroError(f"schema year {schema_year} is outside {FIRST_YEAR}-{LATEST_YEAR}")
    if not isinstance(errors, int) or errors < 0:
        raise MunroError(f"errors must be a whole number, 0 or more, not {errors!r}")


def _populations(la: str, sim_years: range, population: int | None) -> dict[int, int]:
    if population is not None:
        return {y: population for y in sim_years}
    reference.local_authority(la)  # raises MunroError for an unknown code
    out = {}
    for y in sim_years:
        # Published for the year, else the latest before it, else the earliest (warm-up years).
        found = reference.latest_child_population(la, y)
        if found is None:
            raise MunroError(f"no published 0-17 population for local authority {la}; give --population")
        out[y] = found[0]
    return out


def generate(la: str, years: list[int], out_dir: Path, *, seed: int = 0, scale: float = 1.0,
             population: int | None = None, schema_year: int | None = None, errors: int = 0,
             annex_a: dt.date | None = None, annex_a_months: int = 12, in_year=(),
             progress=None) -> list[SynthResult]:
    """Write ``cin_<la>_<year>.xml`` for each year into ``out_dir``; see the module docstring.

    ``population`` overrides the authority's 0-17 population (required for a
    code with no published one); ``scale`` multiplies it. ``schema_year``
    writes every return in that year's format. ``errors`` injects that many
    errors into each return and lists them in ``errors_<la>_<year>.csv``. Each
    year's local records (SSDA903 header and episodes, visits, core groups,
    allocations) are written beside the returns as ``<name>_<la>_<year>.csv``. ``annex_a``, a date
    within the years, also writes the same children's Annex A workbook as at that date, of its
    ``annex_a_months`` (6 or 12), as ``annex_a_<la>_<date>.xlsx`` (``annex_a.py``). ``in_year``, dates
    before 31 March within the years, also writes an in-year extract of the same children as at each,
    ``cin_<la>_<date>.xml``: what a system exports that day (``returns.py``), listed after the annual returns.
    ``progress`` (``munro.progress``) is told how many children have been simulated.
    """
    la = str(la)
    try:
        years = sorted({int(y) for y in years}) if years else []
    except (TypeError, ValueError):
        raise MunroError(f"years must be collection years such as 2025, not {years!r}") from None
    _check_options(la, years, seed, scale, population, schema_year, errors)
    extracts = _extract_dates(in_year, years)
    out_dir = Path(out_dir)

    first_sim = years[0] - C.WARMUP_YEARS
    sim_years = range(first_sim, years[-1] + 1)
    pops = _populations(la, sim_years, population)

    # Children first referred in each simulated year, allocated by cumulative
    # rounding so that the totals do not drift; child i belongs to the year
    # whose block holds i.
    bounds, acc = [], 0.0
    for y in sim_years:
        acc += C.FIRST_REFERRAL_RATE / 10_000 * pops[y] * scale
        bounds.append(int(round(acc)))
    total = bounds[-1]

    horizon = year_end(years[-1]).toordinal()
    codes = Codes(schema_year)
    sim = Simulator(seed, horizon, codes, visible_from=year_start(years[0]).toordinal())
    slicer = Slicer(la, years, extracts)

    # Its date checked before anything is written.
    annex = AnnexA(la, annex_a, annex_a_months, seed, year_start(years[0]),
                   year_end(years[-1])) if annex_a is not None else None

    out_dir.mkdir(parents=True, exist_ok=True)
    writers: dict[int | dt.date, ReturnWriter] = {
        y: ReturnWriter(out_dir / f"cin_{la}_{y}.xml", la=la, year=y, schema_year=schema_year) for y in years}
    writers.update({d: ReturnWriter(out_dir / f"cin_{la}_{d.isoformat()}.xml", la=la, year=year_of_date(d),
                                    schema_year=schema_year, reference_date=d) for d in extracts})
    injectors = {
        y: Injector(errors, CHILDREN_PER_RETURN / 10_000 * pops[y] * scale,
                    random.Random(f"errors-{seed}-{la}-{y}"), y)
        for y in years
    } if errors else {}
    step = f"simulating LA {la}'s children"
    report(progress, step, 0, total)

    entered = []
    local = LocalRecords(la, years, out_dir, seed)
    try:
        for w in writers.values():
            w.__enter__()
            entered.append(w)
        index = 0
        for k, y in enumerate(sim_years):
            first_day = year_start(y).toordinal()
            n_days = year_end(y).toordinal() + 1 - first_day
            for index in range(bounds[k - 1] if k else 0, bounds[k]):
                child = sim.child(index, first_day, n_days)
                for year, rec in slicer.records(child):
                    if year in injectors:  # errors go into the annual returns only
                        for r in injectors[year].feed(rec):
                            writers[year].write_child(r)
                    else:
                        writers[year].write_child(rec)
                drawn = local.add(child)
                if annex is not None:
                    annex.add(child, *drawn)
                if progress and not index & 1023:
                    report(progress, step, index, total)
        for y, inj in injectors.items():
            for r in inj.finish():
                writers[y].write_child(r)
    except BaseException as exc:
        for w in entered:
            w.__exit__(type(exc), exc, exc.__traceback__)
        local.close(ok=False)
        raise
    report(progress, "writing the returns and local records", total, total)
    manifests = {}
    for y, inj in injectors.items():
        manifests[y] = _write_atomic(out_dir / f"errors_{la}_{y}.csv", inj.manifest_text())
    for w in entered:
        w.__exit__(None, None, None)
    local_files = local.close()
    annex_path = annex.write(out_dir) if annex is not None else None
    annex_year = annex_a.year + (annex_a.month > 3) if annex_a is not None else None

    return [
        SynthResult(path=w.path, year=w.year, schema_year=w.schema_year, children=w.children,
                    episodes=w.episodes, assessments=w.assessments, section47=w.section47,
                    cp_plans=w.cp_plans, errors=len(injectors[y].done) if y in injectors else 0,
                    manifest=manifests.get(y), local=local_files.get(y) if isinstance(y, int) else None,
                    annex_a=annex_path if y == annex_year else None,
                    reference_date=None if isinstance(y, int) else y)
        for y, w in writers.items()
    ]


def month_ends(year: int) -> list[dt.date]:
    """The in-year extracts of a monthly series over collection ``year`` (``munro synth --monthly-extracts``):
    the last day of each month from April to February (March's is the annual return's 31 March)."""
    firsts = [dt.date(year - 1, m, 1) for m in range(5, 13)] + [dt.date(year, m, 1) for m in (1, 2, 3)]
    return [d - dt.timedelta(days=1) for d in firsts]


def _extract_dates(dates, years: list[int]) -> list[dt.date]:
    """The in-year extracts' dates, sorted: each before 31 March in one of the years written."""
    out = sorted(set(dates or ()))
    for d in out:
        if not isinstance(d, dt.date) or year_of_date(d) not in years or not is_in_year(year_of_date(d), d):
            raise MunroError(f"an in-year extract is dated before 31 March within the years written "
                             f"({years_label(years[0], years[-1])}), not {d}")
    return out


def _write_atomic(path: Path, text: str) -> Path:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)
    return path
