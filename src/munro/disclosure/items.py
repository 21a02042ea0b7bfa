"""An item result (``ItemResult.to_dict()``) made safe to publish in one call.

The dict is read as cells: every whole number is a count (``count``,
``numerator``, ``excluded``, ``within_45``, each band, each group's ``count``
and ``nfa_count`` ...), every float is derived (``value``, ``percent``,
``rate``, ``p25``/``median``/``p75`` ...), and what is not a figure (text,
flags, ``population`` and ``population_*``, ``cohort_*``, a rate's
denominator, which is the population) is public. The links between counts
are found from the figures themselves, each kept only if the numbers hold:

- bands add up to the ``count`` beside them; groups' counts add up to the
  item's ``count``; ``within_N`` is the sum of the bands that end by N
  (band names ``same_day``, ``1_10``, ``61_plus``);
- a float that is ``a / b x 100`` or ``a / b x 10,000`` of two counts in its
  dict or above it depends on them; for a percentage, ``b - a`` is a hidden
  count (the "not within 45 days") and must not be a recoverable 1..5;
- ``numerator`` and ``denominator`` repeat figures the item names again
  (``within_45``, ``cin_closed``, ``open.count``), and the hidden rest of a
  percentage may be published under its own name (``stepped_down``): each
  is treated as one cell with any count of the same value, so hiding one
  hides the other. A coincidence only hides one figure more.

Then :mod:`.engine` suppresses counts (1..threshold, and secondary), a
derived figure is ``'c'`` when a count it depends on is (a percentile or
mean when its ``count`` is; an unexplained float always), and the result
gains ``disclosure``: what was applied and which figures are hidden.
For England and regional results counts are rounded to 10 instead of
secondary suppression (1..threshold still ``'c'``); derived figures keep
their unrounded value unless they would reveal a ``'c'``.
"""

from __future__ import annotations

import copy
import math
import re
from collections.abc import Mapping
from typing import Any

from .cells import LEVELS, THRESHOLD, C, is_small, round_to_10
from .engine import protect

NOT_FIGURES = {"unit", "reason", "note", "disclosure"}
STATISTICS = re.compile(r"^(median|mean|p\d{1,2})$")  # depend on how many records, not on a ratio
WITHIN = re.compile(r"^within_(\d+)$")
BAND = re.compile(r"^(\d+)_(\d+|plus)$")

RULE_LA = ("counts from 1 to {t} are shown as c, with further counts hidden where a hidden one could be "
           "worked out from totals; figures computed from a hidden count are hidden too")
RULE_TOTAL = ("counts from 1 to {t} are shown as c and other counts are rounded to the nearest 10; "
              "figures computed from a hidden count are hidden too")


def safe_item(result: Mapping[str, Any], *, threshold: int = THRESHOLD, level: str = "la",
              min_denominator: int | None = None) -> dict:
    """A copy of ``result`` (``ItemResult.to_dict()`` form) safe to publish beyond the authority.

    ``level``: ``"la"`` (secondary suppression) or ``"region"``/``"england"``
    (counts rounded to 10). ``min_denominator``: also hide a percentage of
    fewer than this many.
    """
    if level not in LEVELS:
        raise ValueError(f"level must be one of {LEVELS}, not {level!r}")
    done = result.get("disclosure")
    if done is not None:
        # Its hidden cells are strings now, so its links could not be found again.
        if (done.get("level"), done.get("threshold")) != (level, threshold):
            raise ValueError(f"the result was already made safe for level {done.get('level')!r}, "
                             f"threshold {done.get('threshold')}: start from the original")
        return copy.deepcopy(dict(result))
    out = copy.deepcopy(dict(result))
    f = _Figures(out)
    values = {v: f.counts[p] for p, v in f.var.items()}
    hidden = {f.var[p] for p in f.rests} - {f.var[p] for p in f.counts if p not in f.rests}
    if level == "la":
        supp = protect(values, f.equations, threshold=threshold, hidden=hidden)
        exposed = set()
    else:
        supp = {v for v, n in values.items() if is_small(n, threshold) and v not in hidden}
        exposed = {v for v in hidden if is_small(values[v], threshold)}  # a rest the rounding leaves exact
    hidden_paths = []
    for p in f.counts:
        if p in f.rests:
            continue
        if f.var[p] in supp:
            _set(out, p, C)
            hidden_paths.append(p)
        elif level != "la":
            _set(out, p, round_to_10(f.counts[p]))
    for p, deps in f.derived.items():
        if _hide_derived(f, p, deps, supp | exposed, min_denominator):
            _set(out, p, C)
            hidden_paths.append(p)
    rule = (RULE_LA if level == "la" else RULE_TOTAL).format(t=threshold)
    out["disclosure"] = {"level": level, "threshold": threshold, "rule": rule,
                         "suppressed": sorted(".".join(map(str, p)) for p in hidden_paths)}
    return out


def _hide_derived(f, path, deps, supp, min_denominator) -> bool:
    if deps:
        for a, b, pct in deps:
            if f.var[a] in supp or (b in f.var and f.var[b] in supp):
                return True
            if pct and f.var.get(("~rest",) + a + ("/",) + b) in supp:
                return True
            if pct and min_denominator is not None and f.counts[b] < min_denominator:
                return True
        return False
    if STATISTICS.match(str(path[-1])):
        count = f.count_for(path[:-1])
        return count is None or f.var[count] in supp
    return True  # a float we cannot explain from the counts: hidden rather than guessed safe


def _set(d, path, value):
    for k in path[:-1]:
        d = d[k]
    d[path[-1]] = value


class _Figures:
    """The counts, derived figures, links and aliases of one result dict (paths are key tuples)."""

    def __init__(self, d: dict):
        self.unit = d.get("unit")
        self.counts: dict[tuple, int] = {}
        self.public: dict[tuple, int] = {}
        self.derived: dict[tuple, list] = {}  # path -> [(numerator path, denominator path, is_percent)]
        self.floats: dict[tuple, float] = {}
        self.scopes: list[tuple] = []
        self.rests: set[tuple] = set()
        self.equations: list = []
        self._walk(d, ())
        self.var = {p: p for p in self.counts}
        self._link_bands()
        self._link_groups(d)
        self._link_ratios()
        self._alias()
        self.equations = [(self.var[t], [self.var[p] for p in ps]) for t, ps in self.equations]

    def _walk(self, d: dict, path: tuple):
        self.scopes.append(path)
        for k, v in d.items():
            p = path + (k,)
            if k in NOT_FIGURES or v is None or isinstance(v, (str, bool)):
                continue
            if isinstance(v, dict):
                self._walk(v, p)
            elif isinstance(v, int):
                (self.public if self._is_public(p) else self.counts)[p] = v
            elif isinstance(v, float) and not math.isnan(v):
                self.derived[p] = []
                self.floats[p] = v

    def _is_public(self, p: tuple) -> bool:
        k = str(p[-1])
        if k == "population" or k.startswith(("population_", "cohort_")) or k.endswith("_year"):
            return True
        return p == ("denominator",) and self.unit == "per_10k"  # a rate's denominator is the population

    def ints_in(self, scope: tuple) -> dict:
        """Counts and public numbers directly in ``scope`` (not in its sub-dicts)."""
        n = len(scope) + 1
        return {p: v for p, v in (*self.counts.items(), *self.public.items())
                if len(p) == n and p[:-1] == scope}

    def count_for(self, scope: tuple):
        """The ``count`` of a scope, or of the nearest scope above it."""
        while True:
            if scope + ("count",) in self.counts:
                return scope + ("count",)
            if not scope:
                return None
            scope = scope[:-1]

    def _link_bands(self):
        for scope in self.scopes:
            bands = {p: v for p, v in self.counts.items() if p[:-1] == scope + ("bands",)}
            count = self.counts.get(scope + ("count",))
            if bands and count is not None and sum(bands.values()) == count:
                self.equations.append((scope + ("count",), list(bands)))
            spans = {p: _band_span(p[-1]) for p in bands}
            if not bands or None in spans.values():
                continue
            for p, v in self.ints_in(scope).items():
                m = WITHIN.match(str(p[-1]))
                if not m or p not in self.counts:
                    continue
                n = int(m.group(1))
                if any(lo <= n and hi > n + 1 for lo, hi in spans.values()):
                    continue  # day n is inside a band, not its last day: no exact link
                inside = [b for b, (lo, hi) in spans.items() if hi <= n + 1]
                if sum(bands[b] for b in inside) == v:
                    self.equations.append((p, inside))

    def _link_groups(self, d):
        groups = d.get("groups")
        if not isinstance(groups, dict) or ("count",) not in self.counts:
            return
        parts = [("groups", g, "count") for g in groups]
        if all(p in self.counts for p in parts) and sum(self.counts[p] for p in parts) == self.counts[("count",)]:
            self.equations.append((("count",), parts))

    def _link_ratios(self):
        for path in self.derived:
            value = self.floats[path]
            if STATISTICS.match(str(path[-1])):
                continue
            scope, pool = path[:-1], {}
            while True:
                pool.update(self.ints_in(scope))
                if not scope:
                    break
                scope = scope[:-1]
            for a, av in pool.items():
                if a not in self.counts:
                    continue  # a public number is never a numerator
                for b, bv in pool.items():
                    if a == b or bv <= 0:
                        continue
                    for scale, pct in ((100.0, True), (10_000.0, False)):
                        if math.isclose(av / bv * scale, value, rel_tol=1e-9, abs_tol=1e-12):
                            pct = pct and b in self.counts and av <= bv
                            self.derived[path].append((a, b, pct))
                            if pct:
                                self._add_rest(a, b)

    def _add_rest(self, a, b):
        rest = ("~rest",) + a + ("/",) + b
        if rest not in self.counts:
            self.counts[rest] = self.counts[b] - self.counts[a]
            self.rests.add(rest)
            self.var[rest] = rest
            self.equations.append((b, [a, rest]))

    def _alias(self):
        """numerator/denominator and each hidden rest: one cell with every count of the same value."""
        for key in [("numerator",), ("denominator",), *sorted(self.rests)]:
            if key not in self.counts:
                continue
            rep = self.var[key]
            for p, v in self.counts.items():
                if (p != key and v == self.counts[key] and self.var[p] != rep
                        and not (p in self.rests and key in self.rests)):
                    old = self.var[p]
                    for q in self.var:
                        if self.var[q] == old:
                            self.var[q] = rep


def _band_span(name) -> tuple | None:
    """(lowest, highest + 1) days of a band name, or None for a name that is not a span."""
    if name == "same_day":
        return 0, 1
    m = BAND.match(str(name))
    if not m:
        return None
    lo = int(m.group(1))
    return lo, math.inf if m.group(2) == "plus" else int(m.group(2)) + 1
