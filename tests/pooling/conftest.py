"""Three synthetic LAs, each with its own store and key, their pseudonymised exports and one pooled store."""

from __future__ import annotations

from pathlib import Path

import pytest
from pooling_helpers import LA, LAS, YEARS

from munro.loading import ingest_file, ingest_files
from munro.store.keys import new_key_file
from munro.store.pseudonymise import export_pseudonymised
from munro.synth import generate


@pytest.fixture(scope="session")
def las(tmp_path_factory) -> dict[str, LA]:
    root = tmp_path_factory.mktemp("pooling")
    out = {}
    for code, seed in LAS.items():
        files = [r.path for r in generate(code, YEARS, root / code, seed=seed, scale=0.3, progress=False)]
        store = root / f"{code}.duckdb"
        for f in files:
            assert ingest_file(store, f).error is None
        key = root / f"{code}.key"
        new_key_file(key)
        export_pseudonymised(store, root / f"{code}-export", key)
        out[code] = LA(code, store, key, root / f"{code}-export", files)
    return out


@pytest.fixture(scope="session")
def pooled(las, tmp_path_factory) -> Path:
    """Every LA's export in one store."""
    db = tmp_path_factory.mktemp("pooled") / "pooled.duckdb"
    outcomes = list(ingest_files(db, [la.export for la in las.values()]))
    assert [o.error for o in outcomes] == [None, None, None]
    return db
