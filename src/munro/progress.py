"""Progress of long work: the library reports its steps by name, and a terminal may show them.

A function that takes long (loading a return, validating a file, the
benchmark, the report, an export, synthetic returns) accepts
``progress=None``: a callable ``progress(step, done, total)``, called with
the name of the step under way ("reading cin_330_2025.xml", "computing
2024-25", "printing PDF"), how much of it is done and its total (``None``
when it is not known beforehand). Without one the library prints nothing.
A step's name never holds a child's identifier: files, years, LAs, tables.

``terminal(quiet)`` is what the command line passes: a :class:`TerminalProgress`
on stderr when stderr is a terminal and ``--quiet`` was not given, else
``None``, so that what goes to stdout is the same either way.
"""

from __future__ import annotations

import contextlib
import sys
import threading
from collections.abc import Callable, Iterator

Progress = Callable[[str, int, int | None], None]


def report(progress: Progress | None, step: str, done: int = 0, total: int | None = None) -> None:
    """Tell ``progress`` (if any: None, or anything not callable, is none) that ``step`` is under way,
    ``done`` of ``total``."""
    if callable(progress):
        progress(step, done, total)


def pause(progress: Progress | None) -> None:
    """Let a reporter stop what it runs in the background until its next step (before a warning or
    the command's own output is written, which its refresh would draw over)."""
    stop = getattr(progress, "pause", None)
    if stop is not None:
        stop()


class _Within:
    """Another reporter's steps, each named with a prefix (``within``)."""

    def __init__(self, progress: Progress, prefix: str):
        self.progress, self.prefix = progress, prefix

    def __call__(self, step: str, done: int = 0, total: int | None = None) -> None:
        self.progress(self.prefix + step, done, total)

    def pause(self) -> None:
        pause(self.progress)


def within(progress: Progress | None, prefix: str) -> Progress | None:
    """``progress`` with each step's name after ``prefix`` ("LA 330: "), for work done once per LA."""
    return None if progress is None else _Within(progress, prefix)


class TerminalProgress:
    """The step under way as one line on a terminal (rich): a spinner, the step's name,
    a bar when its total is known, how much is done and the time it has taken.

    The line is rewritten as the work goes on and erased when the step is
    followed by output (``pause``) or the work ends, so the terminal keeps only
    what the command prints. Only a finished step's line disappears: nothing
    is written to stdout.
    """

    REFRESH_SECONDS = 0.125

    def __init__(self, console=None):
        # lazily: rich only when progress is shown on a terminal
        from rich.console import Console

        self.console = console if console is not None else Console(file=sys.stderr)
        self._lock = threading.RLock()
        self._bar = None
        self._task = None
        self._step: str | None = None
        self._stop = threading.Event()
        self._ticker: threading.Thread | None = None

    def _start(self) -> None:
        # lazily: rich only when progress is shown on a terminal
        from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

        self._bar = Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(),
                             TextColumn("{task.fields[amount]}"), TimeElapsedColumn(),
                             console=self.console, transient=True, auto_refresh=False,
                             # click writes past rich's stream proxies: the command pauses before it prints
                             redirect_stdout=False, redirect_stderr=False)
        self._bar.start()
        self._step = self._task = None
        # Our own refresh thread (not rich's), so that pause() can wait for it to end.
        self._stop.clear()
        self._ticker = threading.Thread(target=self._tick, name="munro-progress", daemon=True)
        self._ticker.start()

    def _tick(self) -> None:
        while not self._stop.wait(self.REFRESH_SECONDS):
            with self._lock:
                if self._bar is not None:
                    self._bar.refresh()

    def __call__(self, step: str, done: int = 0, total: int | None = None) -> None:
        amount = f"{done:,}/{total:,}" if total else (f"{done:,}" if done else "")
        with self._lock:
            if self._bar is None:
                self._start()
            if step != self._step:
                if self._task is not None:
                    self._bar.remove_task(self._task)
                self._task = self._bar.add_task(step, total=total, completed=done, amount=amount)
                self._step = step
            else:
                self._bar.update(self._task, total=total, completed=done, amount=amount)
            self._bar.refresh()

    def pause(self) -> None:
        """Erase the line and stop refreshing it until the next step."""
        with self._lock:
            bar, self._bar = self._bar, None
            ticker, self._ticker = self._ticker, None
            self._stop.set()
            if bar is not None:
                bar.stop()
        if ticker is not None:
            ticker.join()

    close = pause

    def __enter__(self) -> TerminalProgress:
        return self

    def __exit__(self, *exc) -> None:
        self.pause()


def is_terminal(stream) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):  # no stream, or a closed one
        return False


def _stderr():
    return sys.stderr


@contextlib.contextmanager
def terminal(quiet: bool = False) -> Iterator[TerminalProgress | None]:
    """A :class:`TerminalProgress` on stderr while the block runs, when stderr is a terminal and
    not ``quiet``; else ``None`` (nothing is shown)."""
    stream = _stderr()
    if quiet or not is_terminal(stream):
        yield None
        return
    # lazily: rich only when progress is shown on a terminal
    from rich.console import Console

    with TerminalProgress(Console(file=stream)) as progress:
        yield progress


__all__ = ["Progress", "report", "pause", "within", "TerminalProgress", "terminal", "is_terminal"]
