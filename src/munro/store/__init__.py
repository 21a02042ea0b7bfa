"""The munro store: an embedded DuckDB database of loaded returns and their merged history.

``Store`` (``database.py``) is the one door to its data: a path, a connection or another ``Store``."""

from .database import LoadRegister, Store
from .db import open_store
from .outcome import LoadOutcome
from .returns import list_returns

__all__ = ["Store", "LoadRegister", "LoadOutcome", "open_store", "list_returns", "ingest_file", "ingest_files"]


def __getattr__(name: str):
    # The names of before (docs/cli.md): loading is the load procedure's, above the store (munro.loading),
    # which adds the DfE rules; imported when first asked for, so the store itself never imports it.
    if name in ("ingest_file", "ingest_files"):
        from .. import loading

        return getattr(loading, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
