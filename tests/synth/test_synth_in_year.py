"""``munro synth --in-year DATE``: in-year extracts of the same children (issue 22), each what a system
exports on its date: nothing dated after it, episodes open at it still open, those closed since 1 April of
its collection year, and the annual returns unchanged by writing them."""

from __future__ import annotations

import datetime as dt

import pytest

from munro.census.reader import CensusReader
from munro.cli import main
from munro.errors import MunroError
from munro.synth import generate, month_ends

OCTOBER = dt.date(2025, 10, 31)


def _tables(path):
    reader = CensusReader(path)
    out: dict[str, list[dict]] = {}
    for batch in reader.batches():
        for table, rows in batch.items():
            out.setdefault(table, []).extend(rows.to_pylist())
    return reader.header, out


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    plain, with_extract = tmp_path_factory.mktemp("plain"), tmp_path_factory.mktemp("extract")
    generate("805", [2025, 2026], plain, seed=3, scale=0.2, progress=False)
    results = generate("805", [2025, 2026], with_extract, seed=3, scale=0.2, in_year=[OCTOBER], progress=False)
    return plain, with_extract, results


def test_the_extract_is_written_after_the_annual_returns(written):
    _, folder, results = written
    assert [(r.path.name, r.year, r.reference_date) for r in results] == [
        ("cin_805_2025.xml", 2025, None), ("cin_805_2026.xml", 2026, None),
        ("cin_805_2025-10-31.xml", 2026, OCTOBER)]
    assert results[2].local is None and results[2].children > 0
    header, _ = _tables(folder / "cin_805_2025-10-31.xml")
    assert (header.collection_year, header.reference_date, header.kind) == (2026, OCTOBER, "in-year")


def test_the_annual_returns_are_the_same_bytes_with_or_without_extracts(written):
    plain, folder, _ = written
    for name in ("cin_805_2025.xml", "cin_805_2026.xml"):
        assert (plain / name).read_bytes() == (folder / name).read_bytes(), name


def test_the_extract_holds_nothing_after_its_date_and_the_year_so_far(written):
    _, folder, _ = written
    _, extract = _tables(folder / "cin_805_2025-10-31.xml")
    _, annual = _tables(folder / "cin_805_2026.xml")
    start = dt.date(2025, 4, 1)
    for table, rows in extract.items():
        for row in rows:
            for column, value in row.items():
                # An unborn child's expected date of birth is ahead by nature.
                if isinstance(value, dt.date) and column != "expected_birth_date":
                    assert value <= OCTOBER, (table, column, value)
    episodes = {(e["la_child_id"], e["referral_date"]): e for e in extract["episodes"]}
    for e in episodes.values():
        assert e["referral_date"] <= OCTOBER
        assert e["closure_date"] is None or start <= e["closure_date"] <= OCTOBER
    # The 2025-26 return's episodes known by 31 October: the same in the extract, open if they closed later.
    for e in annual["episodes"]:
        if e["referral_date"] > OCTOBER:
            continue
        if e["closure_date"] is not None and e["closure_date"] < start:
            continue
        mine = episodes[(e["la_child_id"], e["referral_date"])]
        closed_by_then = e["closure_date"] is not None and e["closure_date"] <= OCTOBER
        assert mine["closure_date"] == (e["closure_date"] if closed_by_then else None)
    assert {c["la_child_id"] for c in extract["children"]} <= {c["la_child_id"] for c in annual["children"]}


def test_month_ends_are_april_to_february():
    assert month_ends(2026) == [dt.date(2025, 4, 30), dt.date(2025, 5, 31), dt.date(2025, 6, 30),
                                dt.date(2025, 7, 31), dt.date(2025, 8, 31), dt.date(2025, 9, 30),
                                dt.date(2025, 10, 31), dt.date(2025, 11, 30), dt.date(2025, 12, 31),
                                dt.date(2026, 1, 31), dt.date(2026, 2, 28)]


@pytest.mark.parametrize("day", [dt.date(2026, 3, 31), dt.date(2023, 10, 31), dt.date(2026, 4, 30)])
def test_an_extract_date_outside_the_years_or_on_31_march_is_one_line(tmp_path, day):
    with pytest.raises(MunroError) as info:
        generate("805", [2025, 2026], tmp_path, scale=0.01, in_year=[day], progress=False)
    assert str(info.value) == ("an in-year extract is dated before 31 March within the years written "
                               f"(2024-25 to 2025-26), not {day}")
    assert not list(tmp_path.glob("*.xml"))


def test_cli_synth_in_year_and_monthly(tmp_path, capsys):
    main(["synth", "--la", "805", "--years", "2026", "--out", str(tmp_path), "--scale", "0.01", "--quiet",
          "--in-year", "2025-10-31", "--monthly-extracts"])
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 1 + 11  # the annual return, then the eleven month ends (31 October once)
    assert out[7].endswith("; an in-year extract as at 2025-10-31")
    assert sorted(p.name for p in tmp_path.glob("cin_*.xml"))[:2] == ["cin_805_2025-04-30.xml",
                                                                      "cin_805_2025-05-31.xml"]
