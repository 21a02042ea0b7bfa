"""LAIT, DfE's LA benchmarking tool (big data set, 2016-2025) -> benchmark rows.

LAIT fills the items the EES files here lack (assessments within 45 working
days, referral sources, plans ending after two years, Cafcass care
applications, the workforce and the NPD and health outcomes) and publishes the
rates the EES files leave out, which the tests compare with munro's. Only
measures that are a definitions.md item or one of its figures are loaded
(``MEASURES``: the measures each item names where it is registered, ``lait=``
of ``@item``); CP plan reviews (``RevCP``), for one, are not an item.

LAIT's values are text: '-' is "not available" ('x'); float artefacts such as
9.3699999999999992 are rounded back to the precision they were published at;
the rows of ``CINPermExclusion`` for year "0" are not a year and are dropped.
LAIT's year is the reporting year (year ending 31 March) for the CIN census
measures, the academic year's end for the NPD ones (2025 = 2024/25), the
financial year's end for HES and Cafcass, and for the workforce the census
year (30 September Y), which munro files under reporting year Y+1, the year
that holds the census date (``outcomes`` says why).
"""

from __future__ import annotations

from ..indicators.catalogue import ITEMS
from . import geography
from .layouts import cell
from .sources import LAIT_VIA, Emit, Source, la_area, rows_of

# The rows of MEASURES from LAIT's three topic files (lait/SOURCES.md says how it was cut).
FILE = "lait/lait_bds_selected_measures.csv"

# measure_short -> (item, figure, unit, note on how it differs from munro's figure, if it does)
MEASURES = {m.name: (i.id, m.figure, m.unit, f" {m.note}" if m.note else "") for i in ITEMS.values() for m in i.lait}


def sources() -> list[Source]:
    return [Source("LAIT", (FILE,), f"LAIT big data set, via {LAIT_VIA}")]


def read_lait(src: Source):
    for path in src.files:
        for r in rows_of(src, path):
            spec = MEASURES.get(r["measure_short"])
            if spec is None:
                continue  # not a definitions.md item
            if not r["year"].isdigit() or int(r["year"]) < 2000:
                src.drop(f"{r['measure_short']} rows for year {r['year']!r}, which is not a year")
                continue
            year, code = int(r["year"]), r["old_la_code"].strip()
            if r["measure_short"].startswith("Work_Force_"):
                year += 1  # the 30 September census of year Y lies in reporting year Y+1
            area = geography.LAIT_AREAS.get(code) or la_area(src, code, year, r["value"].strip() != "-")
            if area is None:
                continue
            item, figure, unit, note = spec
            if r["measure_short"].startswith("Work_Force_"):
                note += f" (census at 30 September {year - 1}, LAIT's {year - 1})"
            e = Emit(src, *area, year)
            e.figure(item, figure, unit, cell(r["value"]), r["measure_short"] + note)
            yield from e.rows
