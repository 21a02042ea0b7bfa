"""What the PostgreSQL and Spark engines share: they read a munro export.

``munro export`` (``munro.store.export``) writes the store's tables, its merged
history as ``merged_*`` tables and the calendar as ``munro_calendar``. An
engine over an export only has to say how to reach a table by name
(``_table``); the merged tables, the calendar and the history of loaded
returns then come the same way on every such engine.
"""

from __future__ import annotations

import datetime as dt

import ibis

from ..annexa import schema as annex_a_schema
from ..population import population_among
from . import Engine


class ExportedEngine(Engine):
    _overrides: list[dict] | None = None

    def _table(self, name: str):
        """The exported table ``name`` as an Ibis table."""
        raise NotImplementedError

    def _merged(self, table: str, las):
        t = self._table(f"merged_{table}")
        return t if las is None else t.filter(t.la_code.isin(list(las)))

    def _load_calendar(self):
        return self._table("munro_calendar")

    def population(self, la: str, year: int):
        """The population of a rate: the export's overrides (``munro population set``), else ONS."""
        if self._overrides is None:
            self._overrides = self._table("population_overrides").to_pyarrow().to_pylist()
        return population_among(self._overrides, la, year)

    def annex_a(self, name: str, las):
        number = annex_a_schema.number_of(name)
        try:
            t = self._table(f"merged_annex_a_{name}")
        except Exception:  # noqa: BLE001 - an export from before Annex A: whatever the backend raises for it
            return ibis.memtable(annex_a_schema.empty_arrow(number))
        return t if las is None else t.filter(t.la_code.isin(list(las)))

    def annex_a_cover(self) -> dict[str, list[tuple]]:
        t = self._table("local_loads")
        if "as_at" not in t.columns:
            return {}
        rows = (t.filter((t.status == "current") & (t.kind == annex_a_schema.KIND))
                .select("la_code", "covers_from", "as_at").to_pyarrow().to_pylist())
        return annex_a_schema.cover([(r["la_code"], r["covers_from"], r["as_at"]) for r in rows])

    def _local_loads(self) -> list[tuple[str, str, int]]:
        t = self._table("local_loads")
        rows = t.filter(t.status == "current").select("la_code", "kind", "year").to_pyarrow().to_pylist()
        return [(r["la_code"], r["kind"], r["year"]) for r in rows]

    def _current_returns(self) -> list[tuple[str, str, int, dt.date]]:
        r = self._table("returns")
        # An export made before returns had kinds (schema 4) held annual returns only.
        kind = r.kind if "kind" in r.columns else ibis.literal("annual")
        rows = (r.filter(r.status == "current")
                .select("la_code", kind.name("kind"), "collection_year", "reference_date").to_pyarrow().to_pylist())
        return [(x["la_code"], x["kind"], x["collection_year"], x["reference_date"]) for x in rows]
