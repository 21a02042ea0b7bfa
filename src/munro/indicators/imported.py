"""The items from other sources (definitions.md section 3): an LA's own figures, imported.

munro does not compute them. An LA imports its figure for a year in the
own-figures layout (docs/local-data.md) with ``munro ingest``; each item then
reads it from ``own_figures`` (the merged view keeps each year's latest load),
so it appears in the indicators output, the benchmark and the report as a
computed item does, with its source. Without an import it is None with a
reason; the published figures of every LA stay in the benchmark table.
"""

from __future__ import annotations

from ..localdata.layouts import OWN_FIGURES
from .catalogue import CATALOGUE
from .context import Context
from .result import ItemResult, clean

# id -> unit: definitions.md section 3, in catalogue order
IMPORTED = {i.id: i.unit for i in CATALOGUE if i.comparability == "published"}


def own_figures(ctx: Context, item: str):
    """The LA's imported figures of ``item`` for the reporting year."""
    f = ctx.t.own_figures
    f = f.filter((f.item_id == item) & (f.year == ctx.year))
    return f.select("la_code", "figure", "value", "numerator", "denominator", "source")


def _imported(item: str):
    unit = IMPORTED[item]

    def compute_item(ctx: Context) -> dict[str, ItemResult]:
        found: dict[str, dict[str, dict]] = {}
        for row in ctx.rows(own_figures(ctx, item)):
            found.setdefault(row["la_code"], {})[row["figure"]] = row
        out = {}
        for la in ctx.las:
            figures = found.get(la, {})
            head = figures.get("value")
            if head is None:
                out[la] = ItemResult.missing(item, unit, (
                    f"not imported: munro does not compute it; load the LA's own {ctx.year - 1}-{str(ctx.year)[2:]} "
                    f"figure in the {OWN_FIGURES.kind} layout with munro ingest (docs/local-data.md)"))
                continue
            extra = {name: clean(r["value"]) for name, r in sorted(figures.items()) if name != "value"}
            out[la] = ItemResult(id=item, unit=unit, value=clean(head["value"]),
                                 numerator=_whole(head["numerator"]), denominator=_whole(head["denominator"]),
                                 figures={"source": head["source"], **extra},
                                 note="imported: the LA's own figure from its source, not computed by munro")
        return out

    compute_item.__name__ = item
    return compute_item


def _whole(x):
    x = clean(x)
    return int(x) if isinstance(x, float) and x.is_integer() else x


ITEMS = {item: _imported(item) for item in IMPORTED}
