"""The compiled walker's stub (census/_fastwalk.pyi), which the type checker reads in place of the Cython
module, names only what the built module has: a name renamed in _fastwalk.pyx fails here, not at run time."""

import ast
import inspect
from pathlib import Path

from munro.census import _fastwalk

STUB = Path(__file__).resolve().parents[2] / "src" / "munro" / "census" / "_fastwalk.pyi"


def _stub_names() -> dict[str, list[str]]:
    """Each top-level name of the stub, with the methods it declares for a class."""
    names: dict[str, list[str]] = {}
    for node in ast.parse(STUB.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.ClassDef):
            names[node.name] = [n.name for n in node.body if isinstance(n, ast.FunctionDef)]
        elif isinstance(node, ast.FunctionDef):
            names[node.name] = []
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names[node.target.id] = []
    return names


def test_the_stub_names_what_the_compiled_module_has():
    names = _stub_names()
    assert {"BUILT_AGAINST", "Program", "Batch", "walk_one", "walk_run", "plain_children", "scan"} <= set(names)
    for name, methods in names.items():
        assert hasattr(_fastwalk, name), f"_fastwalk.pyi names {name}, which _fastwalk.pyx does not define"
        for method in methods:
            assert hasattr(getattr(_fastwalk, name), method), f"_fastwalk.pyi names {name}.{method}"


def test_the_stubs_functions_take_the_compiled_ones_parameters():
    # Cython keeps the parameter names of a def function (binding=True is its default since 3.0).
    tree = ast.parse(STUB.read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.FunctionDef):
            stub = [a.arg for a in node.args.args]
            assert list(inspect.signature(getattr(_fastwalk, node.name)).parameters) == stub, node.name
