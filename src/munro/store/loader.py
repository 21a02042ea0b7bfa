"""The one load procedure of every kind of file munro loads: ``Loader`` (one kind) and ``load`` (its steps).

A kind of file is one ``Loader`` subclass; one instance loads one file, with the options it was made
with. ``load(db, loader, path)`` opens the store and runs the loader's steps in this order:

1. ``accept(path)``, before the store is opened: the path is one this loader reads (by default, a file);
2. ``known_unread(store, path)``: a file its register already holds, told by its bytes before it is read
   (a CIN return: reading a large one costs far more than hashing it); by default, none;
3. ``read(store, path, staging)``: the whole file read (staged: ``staging`` removes what it left when the
   load ends) and what it is settled (its LA, year, date); nothing written;
4. ``known(store, staged)``: a file its register already holds, told once it has been read (its LA and
   year are part of what it is); by default, none;
5. ``check(store, staged)``: the checks against the store that refuse it (``RejectedFile``), before the
   store is written;
6. ``publish(store, staged)`` inside the one ``Store.transaction()`` of the load: by default the current
   file of the same ``same(staged)`` in the loader's ``register`` superseded, then ``write`` (the rows and
   the file's row in its register); its ``LoadOutcome``, ``loaded`` or ``replaced``;
7. ``published(staged, outcome)``, after the commit (a local file's report of unmatched children).

A file already loaded (2, 4) is ``unchanged``, or, superseded since, ``reinstated``: made current again in
its own transaction (``LoadRegister.reinstate``), once ``may_reinstate`` has not refused it. An error at
any step leaves the store as it was; one the user can act on (a full or read-only disk: ``explain``) is
raised as its one line. A new kind of file is one subclass: ``read``, ``same`` and ``write`` at least.
"""

from __future__ import annotations

import contextlib
from abc import ABC, abstractmethod
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar, Generic, TypeVar

from ..errors import RejectedFile
from .database import Store, StoreLike
from .db import explain
from .outcome import LoadOutcome

S = TypeVar("S")  # a file as read (staged), what the steps after ``read`` hand on
Out = TypeVar("Out", bound=LoadOutcome)


@dataclass
class Known(Generic[Out]):
    """A file found in its register: its id there, whether it is current, the values of the register's
    ``same`` columns it was loaded for, and its outcome (what was loaded, as the register says)."""

    id: int
    current: bool
    same: dict[str, Any]
    outcome: Out


class Loader(ABC, Generic[S, Out]):
    """One kind of file: the steps ``load`` drives (see the module's docstring)."""

    register: ClassVar[str | None] = None  # the register of loaded files (None: ``publish`` keeps its own)
    Outcome: ClassVar[type[LoadOutcome]]  # what a file of this kind gives back, ``error`` when rejected

    def accept(self, path: Path) -> None:
        if not path.is_file():
            raise RejectedFile(path, "no such file" if not path.exists() else "is not a file")

    def known_unread(self, store: Store, path: Path) -> Known[Out] | None:
        return None

    @abstractmethod
    def read(self, store: Store, path: Path, staging: contextlib.ExitStack) -> S: ...

    def known(self, store: Store, staged: S) -> Known[Out] | None:
        return None

    def check(self, store: Store, staged: S) -> None:
        return None

    def may_reinstate(self, store: Store, path: Path, known: Known[Out]) -> None:
        """Refuse (``RejectedFile``) to make a superseded file current again; by default it may be."""
        return None

    def publish(self, store: Store, staged: S) -> Out:
        """Inside the load's transaction: the file current for the same values superseded, the file written."""
        if self.register is None:
            raise NotImplementedError(f"{type(self).__name__} has no register: it publishes by itself")
        files = store.register(self.register)
        old = files.supersede_current(self.same(staged))
        outcome = self.write(store, staged, files.next_id())
        outcome.replaced = old
        outcome.status = "replaced" if old is not None else "loaded"
        return outcome

    def same(self, staged: S) -> dict[str, Any]:
        """The values of the register's ``same`` columns the file is loaded for (its LA and year ...)."""
        raise NotImplementedError

    def write(self, store: Store, staged: S, file_id: int) -> Out:
        """Inside the load's transaction: the rows, and the file's row in its register as ``file_id``."""
        raise NotImplementedError

    def published(self, staged: S, outcome: Out) -> None:
        return None

    def explain(self, error: BaseException, store: Store, path: Path) -> BaseException | None:
        """The one-line error to raise for ``error`` met loading ``path``, or None to raise it as it is."""
        return explain(error, store.path, writing=True)


def load(db: StoreLike, loader: Loader[S, Out], path: str | Path) -> Out:
    """Load the file ``path`` into the store ``db`` (anything ``Store`` takes) with ``loader``; its outcome.
    Raises ``RejectedFile`` (nothing loaded) for a file refused."""
    path = Path(path)
    loader.accept(path)
    with Store(db) as store, contextlib.ExitStack() as staging:
        try:
            known = loader.known_unread(store, path)
            if known is not None:
                return _unchanged_or_reinstated(store, loader, path, known)
            staged = loader.read(store, path, staging)
            known = loader.known(store, staged)
            if known is not None:
                return _unchanged_or_reinstated(store, loader, path, known)
            loader.check(store, staged)
            with store.transaction():
                outcome = loader.publish(store, staged)
        except Exception as e:
            problem = loader.explain(e, store, path)
            if problem is None:
                raise
            raise problem from e
    loader.published(staged, outcome)
    return outcome


def _unchanged_or_reinstated(store: Store, loader: Loader[S, Out], path: Path, known: Known[Out]) -> Out:
    outcome = known.outcome
    if known.current:
        outcome.status = "unchanged (already loaded)"
        return outcome
    loader.may_reinstate(store, path, known)
    assert loader.register is not None  # a file is known only in a register
    with store.transaction():
        outcome.replaced = store.register(loader.register).reinstate(known.id, known.same)
    outcome.status = "reinstated"
    return outcome


__all__ = ["Loader", "Known", "load"]
