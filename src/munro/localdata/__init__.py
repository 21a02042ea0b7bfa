"""Records an LA holds beyond the CIN census, loaded from CSV (docs/local-data.md).

- ``layouts``: the CSV layouts (SSDA903 header and episodes, child protection visits,
  core group meetings, social worker allocations, the LA's own figures of the
  definitions.md section 3 items) and how a file's kind is told from its header row;
- ``reader``: one CSV checked row by row into typed columns, or refused naming row and column;
- ``schema``: their store tables, the ``local_loads`` register and the ``merged_*`` views;
- ``ingest``: atomic, idempotent loads, with the children the CIN census does not know;
- ``matching``: which children of a load are not in the LA's CIN census returns.
"""

__all__ = ["LocalOutcome", "ingest_local_file", "is_local_file"]


def __getattr__(name: str):
    # The store declares its tables from ``layouts`` and ``schema`` (below it); ``ingest`` loads through the
    # store (above it), so it is imported only when one of its names is asked for.
    if name in __all__:
        from . import ingest

        return getattr(ingest, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
