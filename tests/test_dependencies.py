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


def _imported_distributions() -> dict[str, set[str]]:
    """Each third-party distribution that munro's own code imports, with the modules importing it."""
    import ast
    import sys
    from importlib.metadata import packages_distributions

    owners = packages_distributions()
    found: dict[str, set[str]] = {}
    for path in (ROOT / "src" / "munro").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for top in {n.split(".")[0] for n in names} - set(sys.stdlib_module_names) - {"munro"}:
                for dist in owners.get(top, [top]):
                    found.setdefault(canonicalize_name(dist), set()).add(str(path.relative_to(ROOT)))
    return found


def test_munro_imports_only_what_it_declares():
    # A package munro imports but does not declare works in make test's environment (where the test
    # extras are installed) and fails in a council's install: scipy, a test dependency only, for one.
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    declared = {canonicalize_name(Requirement(r).name) for r in project["dependencies"]}
    for extra in ("postgresql", "spark"):
        declared |= {canonicalize_name(Requirement(r).name) for r in project["optional-dependencies"][extra]}
    undeclared = {d: sorted(m) for d, m in _imported_distributions().items() if d not in declared}
    assert not undeclared
