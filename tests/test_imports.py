"""Function-level imports (docs/architecture.md, "Layers"): only where a heavy optional dependency is loaded
lazily (or a migration imports munro's code when it runs, not when alembic reads the revisions), each saying
so in a comment on its line or just above it (its group of imports), and in cli.py, the
one deliberate exception its docstring gives (each command imports its modules when it runs, so that
``munro --help`` stays quick). A new import inside a function without its reason fails here, as datasette's
documentation tests fail an undocumented plugin hook."""

from __future__ import annotations

import ast
import re
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "munro"
EXCEPTION = "cli.py"
_NOT_A_REASON = re.compile(r"#\s*(noqa\b[^#]*|type:\s*ignore\S*)")


def _says_why(text: str) -> bool:
    """A comment with words beyond a linter's directive (``# noqa: F401`` alone is not a reason)."""
    return "#" in text and bool(_NOT_A_REASON.sub("", text[text.index("#"):]).strip("# \t"))


def _explained(lines: list[str], lineno: int) -> bool:
    """Its own line says why, or one of the imports just above it (one group), or the line above the group."""
    i = lineno - 1
    why = _says_why(lines[i])
    while not why and i > 0 and re.match(r"\s*(import|from)\s", lines[i - 1]):
        i -= 1
        why = _says_why(lines[i])
    return why or (i > 0 and lines[i - 1].strip().startswith("#") and _says_why(lines[i - 1]))


def _imports_in_functions(node: ast.AST, in_function: bool = False) -> list[ast.Import | ast.ImportFrom]:
    found = []
    for child in ast.iter_child_nodes(node):
        if in_function and isinstance(child, (ast.Import, ast.ImportFrom)):
            found.append(child)
        found += _imports_in_functions(child, in_function or isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)))
    return found


def _function_level_imports() -> list[tuple[str, int, str, bool]]:
    """(module, line, the import as written, whether it says why) for every import inside a function."""
    found = []
    for path in sorted(SRC.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        lines = text.splitlines()
        found += [(path.relative_to(SRC).as_posix(), node.lineno, ast.unparse(node), _explained(lines, node.lineno))
                  for node in _imports_in_functions(ast.parse(text))]
    return found


def test_every_function_level_import_says_why():
    unexplained = [f"{module}:{line}: {imp}" for module, line, imp, why in _function_level_imports()
                   if not why and module != EXCEPTION]
    assert not unexplained, ("an import inside a function is only for a heavy optional dependency loaded "
                             "lazily, with a comment saying so; otherwise import it at the top of its "
                             "module:\n" + "\n".join(unexplained))


def test_a_comment_says_why_and_a_linter_directive_does_not():
    assert _says_why("    import altair as alt  # slow to import: only when a chart is drawn")
    assert _says_why("    # lazily: pyspark only when a Spark session starts")
    assert not _says_why("    import ibis.backends.postgres  # noqa: F401")
    assert not _says_why("    import x")


def test_the_command_lines_exception_is_said_in_its_docstring():
    assert "each command imports the library's modules it calls when it runs" in (SRC / EXCEPTION).read_text()
