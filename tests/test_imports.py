"""Function-level imports (docs/architecture.md, "Layers"): only where a heavy optional dependency is loaded
lazily, each saying so in a comment on its line or just above it (its group of imports), and in cli.py, the
one deliberate exception its docstring gives (each command imports its modules when it runs, so that
``munro --help`` stays quick). A new import inside a function without its reason fails here, as datasette's
documentation tests fail an undocumented plugin hook."""

from __future__ import annotations

import ast
import re
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "munro"
EXCEPTION = "cli.py"
# Function-level imports made before the rule, not yet moved to the top of their module (each may hide an
# import-time cost or an order of loading to check first; web's wait for its browser tests to pass on an idle
# machine): (module, import). The list only shrinks: one moved or explained must leave it
# (test_the_known_ones_are_still_there).
KNOWN = {
    ("benchmark/compare.py", "from ..engines import connect"),
    ("benchmark/compare.py", "from ..indicators.compute import ITEMS, compute"),
    ("benchmark/compare.py", "from ..indicators.compute import ITEMS, compute_all"),
    ("benchmark/compare.py", "from ..progress import report"),
    ("benchmark/compare.py", "from ..store.db import open_store"),
    ("benchmark/compare.py", "from .reference import ensure_reference"),
    ("benchmark/compare.py", "from . import stats"),
    ("benchmark/output.py", "from .. import __version__"),
    ("benchmark/output.py", "from ..provenance import OGL"),
    ("local/migrations/versions/0004_survey_groups.py", "from munro.local.triage import screen"),
    ("local/migrations/versions/0005_audit_chain.py", "from munro.web.audit_log import GENESIS, escape, entry_hash"),
    ("report/__init__.py", "from ..progress import report"),
    ("report/__init__.py", "from . import build, html, xlsx"),
    ("report/__init__.py", "from ..store.returns import require_return, year_words"),
    ("report/__init__.py", "from .charts import Renderers"),
    ("report/__init__.py", "from .publish import make_safe"),
    ("report/__init__.py", "from .child_lists import write_child_lists"),
    ("report/__init__.py", "from ..progress import within"),
    ("report/__init__.py", "from ..store.returns import require_any_return"),
    ("report/build.py", "from ..benchmark.compare import KIND_WORDS"),
    ("report/build.py", "from ..population import SOURCE_ONS"),
    ("report/build.py", "from ..provenance import publications"),
    ("report/build.py", "from ..reference import local_authorities"),
    ("report/build.py", "from ..benchmark.compare import compare"),
    ("report/build.py", "from ..store.db import explain"),
    ("report/build.py", "from ..engines import connect"),
    ("report/build.py", "from ..indicators.compute import compute_years"),
    ("report/build.py", "from ..benchmark.compare import own_figure"),
    ("report/build.py", "from ..benchmark.compare import Lineage"),
    ("report/build.py", "from ..store.db import open_store"),
    ("report/child_lists.py", "from ..store.db import open_store"),
    ("report/child_lists.py", "from ..private import private_file"),
    ("report/child_lists.py", "from ..provenance import made_by"),
    ("report/evidence.py", "from ..local.appdb import app_db_url, open_app_db"),
    ("report/evidence.py", "from ..local.evidence import local_evidence"),
    ("report/html.py", "from .. import provenance"),
    ("report/html.py", "from ..benchmark.compare import HEADLINE_RULE"),
    ("report/html.py", "from .summary import HOW_JUDGED"),
    ("report/publish.py", "from ..indicators.compute import compute_years"),
    ("report/publish.py", "from . import summary"),
    ("report/quality.py", "from ..store.db import open_store"),
    ("web/app.py", "from ..report.html import environment"),
    ("web/app.py", "from .config import SIGN_IN_WINDOW_MINUTES"),
    ("web/app.py", "from .pages import bp"),
    ("web/app.py", "from .ratelimit import RateLimit"),
    ("web/app.py", "from .uploads import UploadRequest"),
    ("web/data.py", "from ..report import charts as charts_mod"),
    ("web/data.py", "from ..report.publish import make_safe"),
    ("web/data.py", "from ..store.db import waiting"),
    ("web/data.py", "from ..store.returns import list_returns"),
    ("web/data.py", "from ..store.returns import require_return, years_of"),
    ("web/data.py", "from werkzeug.exceptions import Forbidden"),
    ("web/downloads.py", "from ..reference import local_authorities"),
    ("web/downloads.py", "from ..report import html, xlsx"),
    ("web/downloads.py", "from ..report.pdf import print_pdf"),
    ("web/pages.py", "from ..benchmark.compare import HEADLINE_RULE"),
    ("web/pages.py", "from ..report.html import environment"),
    ("web/pages.py", "from ..report.html import glance"),
    ("web/pages.py", "from ..report.html import stylesheet as css"),
    ("web/pages.py", "from ..report.summary import HOW_JUDGED"),
    ("web/pages.py", "from ..store.returns import NoReturn, require_return"),
}
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
                   if not why and module != EXCEPTION and (module, imp) not in KNOWN]
    assert not unexplained, ("an import inside a function is only for a heavy optional dependency loaded "
                             "lazily, with a comment saying so; otherwise import it at the top of its "
                             "module:\n" + "\n".join(unexplained))


def test_the_known_ones_are_still_there():
    left = {(module, imp) for module, _, imp, why in _function_level_imports() if not why}
    gone = sorted(KNOWN - left)
    assert not gone, f"moved or explained: take them out of KNOWN: {gone}"


def test_a_comment_says_why_and_a_linter_directive_does_not():
    assert _says_why("    import altair as alt  # slow to import: only when a chart is drawn")
    assert _says_why("    # lazily: pyspark only when a Spark session starts")
    assert not _says_why("    import ibis.backends.postgres  # noqa: F401")
    assert not _says_why("    import x")


def test_the_command_lines_exception_is_said_in_its_docstring():
    assert "each command imports the library's modules it calls when it runs" in (SRC / EXCEPTION).read_text()
