"""The one register of output formats: for each kind of result munro writes, its formats and how.

As datasette's ``register_output_renderer``: the module that makes a kind of result registers a
function per format (``register_output_renderer("validation", "csv", to_csv)``), and everything
else asks here: the command line's ``--format`` choices (``munro.options.FormatChoice``), the
library's ``render`` functions (``munro.validate.output.render``, ...) and the tests. :func:`render`
refuses a format the kind does not have, in one line naming the ones it has.

A renderer takes the result and returns its text; one registered ``to_file`` writes a file instead,
taking its path after the result (``munro validate --format xlsx --out FILE``). The formats of a
kind are listed in the order they were registered, which is the order ``--help`` shows them.

Each kind is registered by one module, imported the first time the kind is asked for, so that a
command loads only its own (the items' module loads Ibis, which takes most of a second).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass

from .errors import MunroError

# kind of result -> the module that registers its formats (and what it is)
KINDS = {
    "listing": "munro.output",  # every listing command (returns, population list, user list, ...): rows
    "questions": "munro.local.output",  # munro survey questions: an instrument version's questions
    "validation": "munro.validate.output",  # munro validate: the reports of the files checked
    "indicators": "munro.indicators.output",  # munro indicators: one LA's (or group's) items, or a list
    "indicator-series": "munro.indicators.output",  # munro indicators --months: one LA's monthly series
    "drill-down": "munro.indicators.drill_output",  # munro indicators --by: one LA's items per team or worker
    "benchmark": "munro.benchmark.output",  # munro benchmark --la LA: one LA's comparisons
    "benchmark-all": "munro.benchmark.output",  # munro benchmark --la all: every LA's comparisons
    "survey-results": "munro.local.output",  # munro survey results: a closed survey's results
    "audit-results": "munro.local.output",  # munro audit results: an LA's case-file audits of a year
}


@dataclass(frozen=True)
class Renderer:
    kind: str
    fmt: str
    write: Callable[..., str | None]
    to_file: bool = False  # writes a file (its path after the result) rather than returning text


_REGISTERED: dict[str, dict[str, Renderer]] = {}


def register_output_renderer(kind: str, fmt: str, write: Callable[..., str | None], *,
                             to_file: bool = False) -> None:
    """Register ``write`` as the way to write a result of ``kind`` in format ``fmt``."""
    if kind not in KINDS:
        raise ValueError(f"{kind!r} is not a kind of result of munro.renderers.KINDS")
    _REGISTERED.setdefault(kind, {})[fmt] = Renderer(kind, fmt, write, to_file)


def formats(kind: str) -> tuple[str, ...]:
    """The formats of ``kind``, in the order registered (the first is the commands' default)."""
    if kind not in _REGISTERED:
        importlib.import_module(KINDS[kind])  # its module registers them as it is imported
    return tuple(_REGISTERED[kind])


def renderer(kind: str, fmt: str) -> Renderer:
    """The renderer of ``kind`` in ``fmt``; a format it does not have is refused in one line."""
    known = formats(kind)
    if fmt not in known:
        raise MunroError(f"unknown format {fmt!r} for {kind}: the formats are {', '.join(known)}")
    return _REGISTERED[kind][fmt]


def render(kind: str, fmt: str, *result, **options) -> str | None:
    """``result`` (the renderer's arguments) of ``kind`` written in ``fmt``."""
    return renderer(kind, fmt).write(*result, **options)
