"""The munro store: an embedded DuckDB database of loaded returns and their merged history."""

from .db import open_store
from .ingest import ingest_file, ingest_files
from .returns import list_returns

__all__ = ["open_store", "ingest_file", "ingest_files", "list_returns"]
