"""Synthetic CIN census returns that behave like a real authority's.

``generate`` simulates children's journeys (``journeys.py``, tuned by
``calibration.py``), slices them into yearly returns (``returns.py``),
optionally injects validation errors (``errors.py``) and streams each return
to XML (``munro.census.writer``).
"""

from .generate import SynthResult, generate

__all__ = ["SynthResult", "generate"]
