"""Benchmarking: an LA's items beside England, its region, its statistical neighbours and every LA.

- ``reference``: the published statistics (DfE, LAIT, workforce, health, education)
  loaded into the store's ``benchmark`` table, and user imports;
- ``stats``: confidence intervals, funnel-plot limits and the plain-words flag;
- ``compare``: one LA and year, item by item (what ``munro benchmark`` prints
  and the report shows).
"""

from .compare import Comparison, compare, compare_all

__all__ = ["compare", "compare_all", "Comparison"]
