"""The run's copies of an LA's merged history, filled on a thread of their own while the items build and
compile their queries (munro.engines.duckdb, within query_threads): the same tables as copies made before
the items, and a copy that fails raised by the pass, not read half made."""

from __future__ import annotations

import duckdb
import pytest

from munro.engines import LOCAL, MERGED, connect
from munro.engines import duckdb as duckdb_engine
from munro.indicators.compute import compute_years

LA, YEARS = "805", [2024, 2025]


def test_the_copies_filled_beside_are_the_copies_made_before(two_las):
    with connect(two_las) as before, connect(two_las) as beside:
        before.tables((LA,))
        with beside.query_threads():
            beside.tables((LA,))
        for t in MERGED + LOCAL:
            a, b = (e.raw.sql(f"SELECT * FROM m1_{t}").to_arrow_table() for e in (before, beside))
            if t in ("children", "cp_visits", "sw_allocations"):
                assert a.num_rows, f"the LA has {t}"
            assert a.schema == b.schema, t
            assert a.num_rows == b.num_rows, t
            both = duckdb.connect()
            both.register("a", a)
            both.register("b", b)
            for x, y in (("a", "b"), ("b", "a")):
                assert both.execute(f"SELECT count(*) FROM (FROM {x} EXCEPT ALL FROM {y})").fetchall() == [(0,)], t
            both.close()


def test_a_copy_that_fails_is_raised_by_the_pass_and_made_again_when_next_asked_for(two_las, monkeypatch):
    with connect(two_las) as engine:
        good = compute_years(two_las, LA, YEARS)
        selects = duckdb_engine.merged_selects

        def failing(**kwargs):
            for name, select in selects(**kwargs):
                # binds (the copy is made empty with its columns), fails once rows are copied
                yield name, (f"SELECT * FROM ({select}) WHERE error('the copy failed') IS NULL" if name == "children"
                             else select)

        monkeypatch.setattr(duckdb_engine, "merged_selects", failing)
        with pytest.raises(duckdb.Error, match="the copy failed"):
            compute_years(engine, LA, YEARS)
        monkeypatch.undo()
        again = compute_years(engine, LA, YEARS)
    assert {y: {i: r.to_dict() for i, r in f["items"].items()} for y, f in again.items()} == \
        {y: {i: r.to_dict() for i, r in f["items"].items()} for y, f in good.items()}
