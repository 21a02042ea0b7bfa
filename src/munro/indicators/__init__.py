"""The national information items of the framework: what each one is and how it is computed.

Each item is one unit: its computation, a function of the context, registered with its
metadata by ``@item`` (``registry``) in the module that computes it (``timeliness``,
``plans``, ``activity``, ``casework``, ``imported``). ``catalogue`` quotes the framework's
sections and questions and is the view over the registered items that everything else
reads (``compute.ITEMS``, ``docs/indicators.md`` by ``python -m munro.indicators.docs``,
LAIT's measures in ``munro.benchmark.lait``).
"""
