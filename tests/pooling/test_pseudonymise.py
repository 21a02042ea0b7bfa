"""munro export --pseudonymise: nothing that identifies a child leaves, and pseudonyms are stable per key."""

from __future__ import annotations

import json
import os
import stat

import duckdb
import pytest

from munro.errors import MunroError
from munro.indicators.compute import ITEMS
from munro.indicators.sql import format_sql
from munro.loading import ingest_file
from munro.store import identifiers as ids
from munro.store.db import open_store
from munro.store.keys import fingerprint, new_key_file, pseudonymiser, read_key
from munro.store.pseudonymise import export_pseudonymised


def _store_tables(db) -> dict[str, list[str]]:
    con = open_store(db)  # a new store: every table munro creates
    try:
        rows = con.execute("SELECT table_name, column_name FROM information_schema.columns "
                           "WHERE table_schema = 'main' ORDER BY table_name, ordinal_position").fetchall()
    finally:
        con.close()
    out: dict[str, list[str]] = {}
    for t, c in rows:
        out.setdefault(t, []).append(c)
    return out


def _original(db) -> dict[str, set[str]]:
    """Every child identifier and every exact date of birth (ISO) of the LA's own store."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        found = {"ids": set(), "dates": set()}
        for col in ("la_child_id", "upn", "former_upn"):
            found["ids"] |= {r[0] for r in con.execute(f"SELECT DISTINCT {col} FROM children "
                                                       f"WHERE {col} IS NOT NULL").fetchall()}
        for col in ids.MONTH_ONLY:  # a date on the 1st of its month is the same after degrading
            found["dates"] |= {r[0].isoformat() for r in con.execute(
                f"SELECT DISTINCT {col} FROM children WHERE {col} IS NOT NULL AND day({col}) <> 1").fetchall()}
        return found
    finally:
        con.close()


# ---------------------------------------------------------------- the declared place


def test_every_store_table_is_declared_and_every_identifier_column_is_pseudonymised(tmp_path):
    """A table added to the store (issue 9's local records, anything later) must be declared in
    munro.store.identifiers, and its child identifiers with it: this fails until it is."""
    tables = _store_tables(tmp_path / "new.duckdb")
    carried = ids.check_tables(tables)  # raises for anything undeclared
    for table, cols in tables.items():
        assert ids.is_carried(table) or table in ids.LEFT_OUT, table
        if table in ids.LEFT_OUT:
            assert not set(cols) & set(ids.CHILD_IDS), f"{table} holds child identifiers but is left out"
    assert {"children", "merged_children", "looked_after_children", "validation_findings"} <= set(carried)


def test_an_undeclared_table_or_column_stops_the_export():
    with pytest.raises(MunroError, match="not declared"):
        ids.check_tables({"children": ["la_child_id"], "foster_carers": ["carer_id"]})
    with pytest.raises(MunroError, match="nhs_number may identify a child"):
        ids.check_tables({"children": ["la_child_id", "nhs_number"]})


@pytest.mark.parametrize("item", sorted(ITEMS))
def test_no_item_reads_a_date_of_birth(item):
    """Dates of birth are degraded to months: that changes no item only while no item reads them."""
    sql = format_sql(item, 2025, "duckdb")
    for column in ids.MONTH_ONLY:
        assert column not in sql, f"{item} reads {column}: decide how pseudonymisation keeps its value"


# ---------------------------------------------------------------- the key


def test_a_new_key_is_random_private_and_never_overwritten(tmp_path):
    path = tmp_path / "la.key"
    fp = new_key_file(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    key = read_key(path)
    assert len(key) == 32 and fingerprint(key) == fp and len(fp) == 16
    with pytest.raises(MunroError, match="never overwrites"):
        new_key_file(path)
    assert read_key(path) == key
    assert new_key_file(tmp_path / "another.key") != fp


def _key(tmp_path, text: str, mode: int = 0o600):
    path = tmp_path / f"k{abs(hash(text)) % 10**8}"
    path.write_text(text + "\n")
    path.chmod(mode)
    return read_key(path)


@pytest.mark.parametrize("text, mode, message", [
    ("ab" * 20, 0o600, "the key is 20 bytes; at least 32"),
    ("0123456789abcdef" * 4, 0o600, "not random"),
    ("00" * 64, 0o600, "not random"),
    ("correct horse battery staple, four random words", 0o600, "not a munro key file"),
    (os.urandom(32).hex(), 0o644, "can be read by others"),
], ids=["too short", "a pattern", "zeros", "words", "readable by others"])  # ids: a random key is no test name
def test_a_weak_key_is_refused_in_one_line(tmp_path, text, mode, message):
    with pytest.raises(MunroError, match=message) as e:
        _key(tmp_path, text, mode)
    assert "\n" not in str(e.value)


def test_a_missing_key_is_refused(las, tmp_path):
    with pytest.raises(MunroError, match="needs --key-file"):
        export_pseudonymised(las["805"].store, tmp_path / "x", None)
    with pytest.raises(MunroError, match="no key file here"):
        export_pseudonymised(las["805"].store, tmp_path / "x", tmp_path / "nowhere.key")
    assert not (tmp_path / "x").exists()


# ---------------------------------------------------------------- what leaves


def test_no_exported_file_holds_an_identifier_a_date_of_birth_or_the_key(las):
    for la in las.values():
        original = _original(la.store)
        key = read_key(la.key)
        assert len(original["ids"]) > 500 and len(original["dates"]) > 300
        needles = [s.encode() for s in original["ids"] | original["dates"]]
        needles += [key, key.hex().encode(), key.hex().upper().encode()]
        files = sorted(la.export.iterdir())
        assert len(files) > 30
        for path in files:  # the bytes: Parquet pages and footers, and the manifest
            data = path.read_bytes()
            leaked = [n for n in needles if n in data]
            assert not leaked, f"{path.name} holds {len(leaked)} identifier(s), date(s) of birth or the key"
        for path in la.export.glob("*.parquet"):  # the decoded values of every column
            rel = duckdb.sql(f"SELECT * FROM read_parquet('{path}')")
            for column, dtype in zip(rel.columns, rel.types):
                values = {r[0] for r in duckdb.sql(f'SELECT DISTINCT CAST("{column}" AS VARCHAR) '
                                                   f"FROM read_parquet('{path}')").fetchall()}
                assert not values & original["ids"], f"{path.name}.{column}"
                if str(dtype) != "DATE":  # event dates are kept exact (the items need them): one may fall on a birthday
                    assert not values & original["dates"], f"{path.name}.{column}"
                if column in ids.MONTH_ONLY:
                    assert all(v is None or v.endswith("-01") for v in values), f"{path.name}.{column}"


def test_the_manifest_says_pseudonymised_with_the_keys_fingerprint_only(las):
    la = las["805"]
    manifest = json.loads((la.export / "munro_export.json").read_text())
    about = manifest["pseudonymised"]
    assert about["la_code"] == "805" and about["key_fingerprint"] == fingerprint(read_key(la.key))
    assert [r["collection_year"] for r in about["returns"]] == [2023, 2024, 2025]
    # the published statistics and the store's own bookkeeping stay behind
    assert "munro_meta" not in manifest["tables"] and "benchmark" not in manifest["tables"]


def test_only_current_returns_leave(las, tmp_path):
    """A superseded return stays in the LA's store (the host needs only what counts)."""
    la = las["841"]
    store = tmp_path / "own.duckdb"
    first = la.files[-1]
    changed = tmp_path / "cin_841_2025.xml"
    changed.write_bytes(first.read_bytes().replace(b"</Message>", b"</Message>\n"))
    assert ingest_file(store, first).status == "loaded"
    assert ingest_file(store, changed).status == "replaced"
    export_pseudonymised(store, tmp_path / "out", la.key)
    returns = duckdb.sql(f"SELECT status FROM '{tmp_path / 'out' / 'returns.parquet'}'").fetchall()
    assert returns == [("current",)]


# ---------------------------------------------------------------- pseudonyms across years and keys


def test_same_child_same_pseudonym_across_years_with_one_key_and_not_with_another(las, tmp_path):
    la = las["805"]
    store = tmp_path / "own.duckdb"
    ingest_file(store, la.files[1])  # 2023-24
    export_pseudonymised(store, tmp_path / "y2024", la.key)
    ingest_file(store, la.files[2])  # 2024-25 too
    export_pseudonymised(store, tmp_path / "y2025", la.key)
    other = tmp_path / "other.key"
    new_key_file(other)
    export_pseudonymised(store, tmp_path / "other", other)

    def pseudonyms(folder, year):
        return {r[0] for r in duckdb.sql(
            f"SELECT c.la_child_id FROM '{folder / 'children.parquet'}' c "
            f"JOIN '{folder / 'returns.parquet'}' r USING (return_id) WHERE r.collection_year = {year}").fetchall()}

    first, second = pseudonyms(tmp_path / "y2024", 2024), pseudonyms(tmp_path / "y2025", 2025)
    both = first & second
    assert len(both) > 100  # children in both years keep their pseudonym
    con = duckdb.connect(str(store), read_only=True)
    ids_2024 = {r[0] for r in con.execute("SELECT la_child_id FROM children WHERE return_id = 1").fetchall()}
    ids_2025 = {r[0] for r in con.execute("SELECT la_child_id FROM children WHERE return_id = 2").fetchall()}
    con.close()
    hash_id = pseudonymiser(read_key(la.key), "la_child_id")
    assert both == {hash_id(i) for i in ids_2024 & ids_2025}
    assert not pseudonyms(tmp_path / "other", 2025) & second  # another key: no pseudonym in common
