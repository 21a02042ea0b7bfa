"""What a load gives back, whatever was loaded: ``LoadOutcome``.

Every kind of file munro loads (a CIN census return, a file of local records, a pooled export,
published statistics) ends in a ``LoadOutcome``: the file (``path``), what became of it (``status``,
or ``error`` when it was rejected and nothing was loaded), one line to show (``summary()``) and one JSON object
(``record()``, ``munro ingest --format json``). What each kind adds (a return's counts and
findings, a local file's children, an export's files) is its own fields, in the subclass the
kind's loader (``store.loader.Loader``) makes: ``store.ingest.IngestOutcome``, ``store.local.LocalOutcome``,
``store.annexa.AnnexAOutcome``, ``store.pooled.PooledOutcome``; above the store, the published
statistics' ``benchmark.reference.ReferenceOutcome``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any


class LoadOutcome:
    """The outcome of loading one file (a dataclass in each kind: ``path``, ``status``, ``error``)."""

    path: Path
    status: str = ""  # loaded, replaced, unchanged (already loaded), reinstated; empty when rejected
    error: str | None = None
    replaced: Any = None  # what it made superseded: a file's id in its register (an export says its files')
    kind: str | None = None  # the JSON record's kind when the file was rejected before its kind was known

    def summary(self) -> str:
        """One line (a CIN return's warnings follow on their own lines); "rejected ..." when rejected."""
        if self.error:
            return f"rejected {self.error}"
        return self.loaded_summary()

    def loaded_summary(self) -> str:
        raise NotImplementedError

    def record(self) -> dict[str, Any]:
        """``munro ingest --format json``'s object: ``file``, ``kind``, ``status`` ("rejected" with
        ``error``), what was loaded (the kind's own ``fields()``) and what it made superseded."""
        status = "rejected" if self.error else (self.status or "loaded").split(" (")[0]
        return {"file": str(self.path), "kind": None, "status": status, **self.fields(), "error": self.error}

    def fields(self) -> dict[str, Any]:
        raise NotImplementedError


__all__ = ["LoadOutcome"]
