"""Records an LA holds beyond the CIN census, loaded from CSV (docs/local-data.md).

- ``layouts``: the CSV layouts (SSDA903 header and episodes, child protection visits,
  core group meetings, social worker allocations, the LA's own figures of the
  definitions.md section 3 items) and how a file's kind is told from its header row;
- ``reader``: one CSV checked row by row into typed columns, or refused naming row and column;
- ``schema``: their store tables, the ``local_loads`` register and the ``merged_*`` views;
- ``ingest``: atomic, idempotent loads, with the children the CIN census does not know;
- ``matching``: which children of a load are not in the LA's CIN census returns.
"""
