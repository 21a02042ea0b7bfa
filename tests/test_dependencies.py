"""Ranges in pyproject.toml, exact pins in constraints.txt (issue 20): munro can share an environment with an
analyst's notebooks, and make test still installs exactly what was tested."""

from __future__ import annotations

import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[1]


def _requirements() -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    extras = [r for group in project["optional-dependencies"].values() for r in group]
    return [Requirement(r) for r in project["dependencies"] + extras if not r.startswith("munro[")]


def _pins() -> dict[str, str]:
    lines = (ROOT / "constraints.txt").read_text(encoding="utf-8").splitlines()
    pairs = [line.split("==") for line in lines if line.strip() and not line.startswith("#")]
    return {canonicalize_name(name): version.strip() for name, version in pairs}


def test_every_dependency_is_a_range_with_an_upper_bound():
    for req in _requirements():
        operators = {s.operator for s in req.specifier}
        assert "==" not in operators and ">=" in operators, req
        # argon2-cffi numbers its releases by year: no next major to stop at.
        assert "<" in operators or req.name == "argon2-cffi", req


def test_every_dependency_is_pinned_in_constraints_within_its_range():
    pins = _pins()
    for req in _requirements():
        name = canonicalize_name(req.name)
        assert name in pins, f"{req.name} is not pinned in constraints.txt"
        assert req.specifier.contains(pins[name]), f"{req.name}=={pins[name]} is outside {req.specifier}"
