"""The register of items: each item's metadata and computation, registered together with ``@item``.

An item is one unit: the function that computes it (``fn(ctx) -> {Key(la, period): ItemResult}``) is
decorated with its metadata, as the validation rules are (``munro.validate.registry``)::

    @item(id="cin_rate", title="...", section="activity", unit="per_10k", ...,
          lait=(LaitMeasure("CIN", "value", "per_10k"),))
    def cin_rate(ctx: Context) -> dict[Key, ItemResult]:
        ...

Everything else about items is derived from the register: the catalogue
(``catalogue.py``, which is the one module that imports the item modules, and so
fills the register), ``docs/indicators.md``, ``compute.ITEMS`` and LAIT's
measures (``benchmark/lait.py``). This module imports no item module.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import MISSING, dataclass, field, fields
from types import ModuleType
from typing import TYPE_CHECKING, Any

from .result import UNITS, ItemResult

if TYPE_CHECKING:  # annotations only: the context imports Ibis
    from .context import Context, Key

POLARITIES = {
    "higher_better": "higher is better",
    "lower_better": "lower is better",
    "neither": "neither higher nor lower is better in itself",
}
# ``published`` exists because definitions.md section 3 items are imported as
# their publisher computes them: calling a Home Office or HES figure
# "DfE-comparable" or "munro's own" would both be untrue.
COMPARABILITY = {
    "dfe": "DfE-comparable",
    "munro": "munro's own definition",
    "published": "imported as published by its source",
}
# How an item breaks down by team or worker (munro.indicators.drill): "value", every figure per unit; "count",
# only the counts it is computed from (a rate per 10,000 divides by the 0-17 population, which no team or
# worker has); "none", not at all (an LA's own imported figures, which are the authority's alone).
DRILLS = ("value", "count", "none")
# The framework's sections, in its order (``catalogue.SECTIONS`` quotes them).
SECTION_IDS = ("outcomes", "workforce", "timeliness", "plans", "activity")

# Wording several item modules share: the framework's data source of the items it expected from the
# CIN census (quoted), and the unit per_10k in words.
CIN_SOURCE = "CIN Census (Currently collected in CIN Census)"
PER_10K = "per 10,000 children aged 0 to 17"

_ID = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)*$")

Compute = Callable[["Context"], "dict[Key, ItemResult]"]


@dataclass(frozen=True)
class LaitMeasure:
    """A LAIT measure (``measure_short``) that publishes one of the item's figures.

    ``note`` says how the published figure differs from munro's, where it does.
    """

    name: str
    figure: str
    unit: str
    note: str = ""


@dataclass(frozen=True, kw_only=True)
class Item:
    id: str
    title: str
    section: str
    source: str  # where munro's figure comes from
    needs: tuple[str, ...]  # data beyond the CIN census, if any
    framework_item: str | None  # the framework's wording, quoted; None when the framework has no such item
    framework_source: str | None  # the framework's "Data Source" column, quoted
    rationale: str
    rationale_quoted: bool  # True: the framework's own rationale; False: munro's statement of where the item comes from
    rationale_note: str = ""
    unit: str
    polarity: str
    polarity_reason: str
    comparability: str
    # Figures whose comparability differs from the headline's.
    munro_figures: tuple[str, ...] = ()
    dfe_figures: tuple[str, ...] = ()
    comparability_note: str = ""
    headline: str  # what ``value`` is, in words
    definition: str
    figures: tuple[str, ...] = ()
    breakdown: tuple[str, tuple[str, ...]] | None = None  # ("bands" | "groups" | ..., names)
    framework_differences: str = ""
    key_questions: tuple[str, ...] = ()  # quoted local questions (or parts of them) the item helps answer
    lait: tuple[LaitMeasure, ...] = ()  # the LAIT measures that publish its figures (benchmark/lait.py)
    drill: str | None = None  # one of DRILLS; None: derived (``drill_of``)
    compute: Compute = field(repr=False, compare=False)  # fn(ctx) -> {Key(la, period): ItemResult}

    def __post_init__(self) -> None:
        # Cheap checks at import time: a typo here would otherwise reach a published report.
        if not _ID.match(self.id):
            raise ValueError(f"item id {self.id!r} is not snake_case")
        if self.section not in SECTION_IDS:
            raise ValueError(f"{self.id}: unknown section {self.section!r}")
        if self.unit not in UNITS:
            raise ValueError(f"{self.id}: unknown unit {self.unit!r}")
        if self.polarity not in POLARITIES:
            raise ValueError(f"{self.id}: unknown polarity {self.polarity!r}")
        if self.comparability not in COMPARABILITY:
            raise ValueError(f"{self.id}: unknown comparability {self.comparability!r}")
        unknown = set(self.munro_figures + self.dfe_figures) - set(self.figures)
        if unknown:
            raise ValueError(f"{self.id}: comparability given for figures it does not have: {sorted(unknown)}")
        for m in self.lait:
            if not isinstance(m, LaitMeasure) or m.unit not in UNITS:
                raise ValueError(f"{self.id}: a LAIT measure must be a LaitMeasure in one of the units, not {m!r}")
        if not callable(self.compute):
            raise ValueError(f"{self.id}: its computation is not a function")
        object.__setattr__(self, "drill", drill_of(self) if self.drill is None else self.drill)
        if self.drill not in DRILLS:
            raise ValueError(f"{self.id}: unknown drill {self.drill!r} (known: {', '.join(DRILLS)})")


def drill_of(entry: Item) -> str:
    """An item's drill-down when its registration does not say: none for figures imported as published
    (section 3: the LA's own), counts only for a rate per 10,000, else every figure."""
    if entry.comparability == "published":
        return "none"
    return "count" if entry.unit == "per_10k" else "value"


_METADATA = {f.name for f in fields(Item)} - {"compute"}
_REQUIRED = {f.name for f in fields(Item) if f.name != "compute" and f.default is MISSING}


class Register:
    """Items as they are registered; one per process (``REGISTER``), others only in tests."""

    def __init__(self) -> None:
        self._items: dict[str, Item] = {}

    def item(self, **metadata: Any) -> Callable[[Compute], Compute]:
        """Register the decorated function as the computation of the item ``metadata`` describes.

        Metadata that ``Item`` does not know, or lacks, is refused, as is an id or a LAIT measure
        registered twice.
        """
        unknown, missing = sorted(set(metadata) - _METADATA), sorted(_REQUIRED - set(metadata))
        if unknown:
            raise ValueError(f"item {metadata.get('id')!r}: unknown metadata {unknown}")
        if missing:
            raise ValueError(f"item {metadata.get('id')!r}: metadata missing: {missing}")

        def register(fn: Compute) -> Compute:
            self.add(Item(**metadata, compute=fn))
            return fn

        return register

    def add(self, entry: Item) -> None:
        if entry.id in self._items:
            raise ValueError(f"item {entry.id!r} is registered twice "
                             f"(in {self._items[entry.id].compute.__module__} and {entry.compute.__module__})")
        taken = {m.name: i.id for i in self._items.values() for m in i.lait}
        for m in entry.lait:
            if m.name in taken:
                raise ValueError(f"item {entry.id!r}: LAIT measure {m.name!r} already belongs to {taken[m.name]!r}")
        self._items[entry.id] = entry

    def in_order(self, modules: Iterable[ModuleType]) -> tuple[Item, ...]:
        """Every item, module by module in the order given, each module's in the order they are defined.

        The order is not the order of registration, which follows the order the modules happen to be
        imported in; an item whose module is not given is refused, so a new module cannot be forgotten.
        """
        order = [m.__name__ for m in modules]
        stray = sorted(i.id for i in self._items.values() if i.compute.__module__ not in order)
        if stray:
            raise ValueError(f"items registered outside the item modules {order}: {stray}")
        registered = list(self._items.values())  # a module's items register in the order they are defined
        return tuple(sorted(registered, key=lambda i: (order.index(i.compute.__module__), registered.index(i))))

    def of_module(self, module: str) -> dict[str, Item]:
        """id -> item of those ``module`` (a module's ``__name__``) has registered so far."""
        return {i.id: i for i in self._items.values() if i.compute.__module__ == module}

    def computations(self, module: str) -> dict[str, Compute]:
        """id -> computation of the items ``module`` has registered so far."""
        return {i: entry.compute for i, entry in self.of_module(module).items()}

REGISTER = Register()
item = REGISTER.item
