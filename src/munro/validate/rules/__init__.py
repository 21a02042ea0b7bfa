"""The rules, one module per census table; importing this package registers them all."""

from . import (  # noqa: F401
    assessments,
    children,
    cin_plans,
    cp_plans,
    episodes,
    header,
    pre_proceedings,
    section47,
)
