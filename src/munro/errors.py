"""Errors that are the user's to fix: the CLI prints them as one line and exits non-zero."""

from __future__ import annotations

import os


class MunroError(Exception):
    """A problem with the user's input or options, with a message meant for them."""

    exit_code = 2


class RejectedFile(MunroError):
    """A file that cannot be loaded: nothing of it reaches the store."""

    exit_code = 1

    def __init__(self, path: str | os.PathLike[str], reason: str) -> None:
        self.path = str(path)
        self.reason = reason
        super().__init__(f"{self.path}: {reason}")


class StoreProblem(MunroError):
    """The store cannot be used as it is (``munro.store.db``): damaged, not a munro store, written by a
    newer munro, in a read-only folder, on a full disk, or busy. Nothing of it was changed."""


class StoreBusy(StoreProblem):
    """Another process holds the store (DuckDB allows one writer, and no reader beside it): try again shortly.

    Its own exit status, EX_TEMPFAIL, so that a script can tell "try again" from "fix something"."""

    exit_code = 75


class StoreDamaged(StoreProblem):
    """The file is a DuckDB database that cannot be read whole: truncated, or a block that fails its checksum."""


class DiskFull(StoreProblem):
    """No space left for a write: the transaction was rolled back, the store is as it was."""
