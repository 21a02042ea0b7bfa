"""munro's layers (docs/architecture.md, "Layers") held by import-linter's contracts ([tool.importlinter] of
pyproject.toml), as make lint runs them: the tree passes, and an import up the layers or a cycle between
packages, or between two modules of one package, breaks a contract."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def _lint_imports(src: Path, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(src)}
    return subprocess.run([str(LINT_IMPORTS), "--no-cache"], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=120)


def _copy_tree(tmp_path: Path) -> Path:
    """The package's modules (not its data) and pyproject.toml, in a folder of their own to change."""
    shutil.copytree(ROOT / "src" / "munro", tmp_path / "src" / "munro",
                    ignore=lambda folder, names: [n for n in names if not (n.endswith(".py") or n.endswith(".pyi")
                                                                           or (Path(folder) / n).is_dir())])
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path / "src"


def test_every_contract_is_kept():
    done = _lint_imports(ROOT / "src", ROOT)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Contracts: 2 kept, 0 broken." in done.stdout


def test_an_import_up_the_layers_breaks_the_layers(tmp_path):
    src = _copy_tree(tmp_path)
    with (src / "munro" / "store" / "returns.py").open("a") as f:
        f.write("\nfrom ..report import build  # the store reaching up to the report\n")
    done = _lint_imports(src, tmp_path)
    assert done.returncode == 1
    assert "munro's layers: each imports only from the layers below it BROKEN" in done.stdout
    assert "munro.store.returns -> munro.report.build" in done.stdout


def test_an_import_hidden_in_a_function_counts_and_a_cycle_breaks_the_acyclic_contract(tmp_path):
    src = _copy_tree(tmp_path)
    with (src / "munro" / "store" / "keys.py").open("a") as f:  # keys imports nothing else of the store
        f.write("\n\ndef _late():\n    from .pooled import ingest_export\n\n    return ingest_export\n")
    done = _lint_imports(src, tmp_path)
    assert done.returncode == 1
    assert "no cycles between munro's packages, nor between the modules of one package BROKEN" in done.stdout
    assert "No cycles are allowed in munro.store." in done.stdout


def test_a_cycle_between_two_modules_of_a_package_breaks_the_acyclic_contract(tmp_path):
    # census, indicators, validate and web were checked only as wholes while their modules imported each
    # other; every package's modules are checked now: the census walker reaching back up to its reader fails.
    src = _copy_tree(tmp_path)
    with (src / "munro" / "census" / "walk.py").open("a") as f:
        f.write("\n\ndef _late():\n    from .reader import CensusReader\n\n    return CensusReader\n")
    done = _lint_imports(src, tmp_path)
    assert done.returncode == 1
    assert "No cycles are allowed in munro.census." in done.stdout
    assert ".walk -> .reader" in done.stdout
