"""The national information items of the framework: what each one is and how it is computed.

``catalogue`` describes every item of definitions.md (sections 2 and 3);
``docs/indicators.md`` is generated from it by ``python -m munro.indicators.docs``.
"""
