"""Disclosure control: munro's one implementation of definitions.md section 1.

Anything published beyond the authority goes through here: the report's
``--publish``, survey and audit results, shared exports. Counts from 1 to 5
become ``'c'`` (the GSS symbol), with secondary suppression so that no hidden
count can be worked out from totals; England and regional counts are
rounded to the nearest 10; a figure computed from a hidden count is hidden.
Numbers stay numbers otherwise. Pure functions: no I/O, no store.
``docs/disclosure.md`` explains the rules for analysts.

- :mod:`.cells`: symbols, one count, a derived figure, rounding;
- :mod:`.engine`: secondary suppression over cells linked by totals;
- :mod:`.tables`: a breakdown with its total, a cross-tab, a percentage;
- :mod:`.items`: an ``ItemResult.to_dict()`` in one call;
- :mod:`.surveys`: minimum group size for survey and audit results.
"""

from .cells import (
                    LEVELS,
                    SYMBOLS,
                    THRESHOLD,
                    C,
                    U,
                    X,
                    Z,
                    is_suppressed,
                    round_to_10,
                    round_total,
                    suppress_count,
                    suppress_derived,
)
from .engine import recoverable, suppress_linked
from .items import safe_item
from .surveys import MIN_GROUP, MIN_GROUP_STAFF, suppress_survey
from .tables import safe_percent, suppress_breakdown, suppress_crosstab

__all__ = [
    "C", "X", "Z", "U", "SYMBOLS", "THRESHOLD", "LEVELS", "MIN_GROUP", "MIN_GROUP_STAFF",
    "suppress_count", "round_to_10", "round_total", "suppress_derived", "is_suppressed",
    "suppress_breakdown", "suppress_crosstab", "safe_percent", "suppress_linked", "recoverable",
    "safe_item", "suppress_survey",
]
