"""The munro store: an embedded DuckDB database of loaded returns and their merged history.

``Store`` (``database.py``) is the one door to its data: a path, a connection or another ``Store``."""

from .database import LoadRegister, Store
from .db import open_store
from .outcome import LoadOutcome
from .returns import list_returns

__all__ = ["Store", "LoadRegister", "LoadOutcome", "open_store", "list_returns"]
