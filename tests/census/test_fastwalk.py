"""The compiled walker (census/_fastwalk.pyx) is a shortcut through the Python walker.

The Python ``ChildWalker`` is the definition: for every file, the rows,
warnings and errors must be the same whichever walker runs.
"""

from pathlib import Path

import pyarrow as pa
import pytest

from munro.census import walk
from munro.census.reader import CensusReader
from munro.errors import RejectedFile
from munro.synth import generate

SHARED = Path(__file__).resolve().parents[3] / "shared" / "reference" / "cin-census"


def test_the_compiled_walker_is_built():
    # make test builds it (setup.py); without it munro still works, only slower.
    assert walk.compiled_walk() is not None


def _read(path, monkeypatch, pure: bool):
    if pure:
        monkeypatch.setenv("MUNRO_PURE_PYTHON", "1")
    else:
        monkeypatch.delenv("MUNRO_PURE_PYTHON", raising=False)
    reader = CensusReader(path)
    try:
        parts: dict[str, list] = {}
        for batch in reader.batches():
            for table, data in batch.items():
                parts.setdefault(table, []).append(data)
    except RejectedFile as e:
        return ("rejected", e.reason)
    tables = {t: pa.concat_tables(p).to_pylist() for t, p in parts.items()}
    return ("read", tables, dict(reader.stats.warnings), dict(reader.stats.rows), reader.stats.children)


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory):
    folder = tmp_path_factory.mktemp("fast")
    files = [r.path for r in generate("805", [2016, 2022, 2025], folder, seed=3, scale=0.5)]
    files += [r.path for r in generate("805", [2024], folder / "errors", seed=4, scale=0.5, errors=12)]
    files += [r.path for r in generate("805", [2027], folder / "draft", seed=5, scale=0.5, schema_year=2027)]
    return files


def test_same_rows_on_synthetic_returns(synthetic, monkeypatch):
    for path in synthetic:
        fast, pure = _read(path, monkeypatch, False), _read(path, monkeypatch, True)
        assert fast[0] == "read"
        assert fast == pure, path.name


@pytest.mark.parametrize("path", sorted(SHARED.rglob("*.xml")), ids=lambda p: p.name)
def test_same_outcome_on_every_reference_sample(path, monkeypatch):
    assert _read(path, monkeypatch, False) == _read(path, monkeypatch, True)


@pytest.mark.parametrize("old,new", [
    ("<ReferralNFA>false</ReferralNFA>", ""),                                   # missing required
    ("<ReferralNFA>false</ReferralNFA>", "<ReferralNFA>maybe</ReferralNFA>"),   # untyped yes/no
    ("<Ethnicity>", "<Ethnicity>WBRI</Ethnicity><Ethnicity>"),                  # repeated
    ("<ChildCharacteristics>", "<ChildCharacteristics>stray"),                  # stray text
    ("<CINreferralDate>", "<CINreferralDate> \u00a0"),                          # non-ASCII space
    ("<UPN>", "<Unknown/><UPN>"),                                               # unknown element
])
def test_same_message_for_a_broken_child(synthetic, tmp_path, monkeypatch, old, new):
    text = synthetic[1].read_text()
    # break the 40th child only, so rows before it have been flattened by the fast walker
    parts = text.split("<Child>")
    assert len(parts) > 41 and old in parts[40]
    parts[40] = parts[40].replace(old, new, 1)
    path = tmp_path / "broken.xml"
    path.write_text("<Child>".join(parts))
    fast, pure = _read(path, monkeypatch, False), _read(path, monkeypatch, True)
    assert fast == pure


@pytest.mark.parametrize("date,valid", [
    ("2000-02-29", True), ("2024-02-29", True), ("1900-02-29", False), ("2023-02-29", False),
    ("2023-04-31", False), ("2023-00-10", False), ("2023-13-01", False), ("0000-01-01", False),
    ("0001-01-01", True), ("9999-12-31", True), ("1969-12-31", True), ("2023-1-01", False),
])
def test_dates_are_read_alike_on_the_calendar(synthetic, tmp_path, monkeypatch, date, valid):
    text = synthetic[1].read_text()
    parts = text.split("<CINreferralDate>")
    parts[40] = date + parts[40][10:]
    path = tmp_path / "dates.xml"
    path.write_text("<CINreferralDate>".join(parts))
    fast, pure = _read(path, monkeypatch, False), _read(path, monkeypatch, True)
    assert fast == pure
    if valid:
        import datetime as dt
        dates = [r["referral_date"] for r in fast[1]["episodes"]]
        assert dt.date.fromisoformat(date) in dates
    else:
        assert fast[0] == "rejected" and "<CINreferralDate> is not a date" in fast[1]
