"""Synthetic CIN census returns that behave like a real authority's.

``generate`` simulates children's journeys (``journeys.py``, tuned by
``calibration.py``), slices them into yearly returns (``returns.py``),
optionally injects validation errors (``errors.py``) and streams each return
to XML (``munro.census.writer``); ``in_year`` dates also write in-year extracts of
the same children (``month_ends``: a monthly series over a year).
"""

from .generate import SynthResult, generate, month_ends

__all__ = ["SynthResult", "generate", "month_ends"]
