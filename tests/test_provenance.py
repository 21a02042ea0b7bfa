"""munro's own provenance (issue 20, deliverable 5): the version every output names is the installed
package's, and the package's metadata carries its licence, classifiers and changelog.

The outputs themselves are tested where they are made: tests/report/test_colophon.py (page, PDF,
workbooks, export manifest, indicators and benchmark JSON) and tests/web/test_web_footer.py.
"""

from __future__ import annotations

import email
import shutil
import subprocess
import sys
import tomllib
from importlib.metadata import version
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_the_version_is_the_installed_packages_and_pyprojects():
    import munro

    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert munro.__version__ == version("munro") == pyproject["project"]["version"]


def test_a_source_tree_never_installed_says_its_version_is_unknown():
    # importlib.metadata finding no distribution, as in a checkout run without `pip install`.
    code = ("import importlib.metadata as m\n"
            "def missing(name): raise m.PackageNotFoundError(name)\n"
            "m.version = missing\n"
            "import munro; print(munro.__version__)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert (done.returncode, done.stdout) == (0, "0+unknown\n"), done.stderr


def test_the_changelog_has_the_current_version():
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    assert changelog.startswith("# Changelog\n")
    assert f"\n## [{version('munro')}] - " in changelog


def test_the_wheels_metadata_carries_the_licences_and_classifiers(tmp_path):
    # What a wheel's .dist-info will hold, made as `pip wheel` makes it (setuptools' PEP 517 hook) from a copy
    # of what the metadata is read from, so the checkout gets no egg-info.
    for name in ("pyproject.toml", "setup.py", "README.md", "LICENSE", "src/munro/__init__.py",
                 "src/munro/report/assets/LICENSE-govuk-frontend.txt",
                 "src/munro/web/assets/LICENSE-govuk-frontend.txt"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / name, tmp_path / name)
    (tmp_path / "out").mkdir()
    code = "from setuptools import build_meta; print(build_meta.prepare_metadata_for_build_wheel('out'))"
    done = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=120,
                          env={"MUNRO_PURE_PYTHON": "1", "PATH": "/usr/bin:/bin"})
    assert done.returncode == 0, done.stderr[-2000:]
    info = tmp_path / "out" / done.stdout.strip().splitlines()[-1]
    meta = email.message_from_string((info / "METADATA").read_text(encoding="utf-8"))
    assert meta["License-Expression"] == "MIT"
    assert meta.get_all("License-File") == ["LICENSE", "src/munro/report/assets/LICENSE-govuk-frontend.txt",
                                            "src/munro/web/assets/LICENSE-govuk-frontend.txt"]
    licence = (info / "licenses" / "LICENSE").read_text(encoding="utf-8")
    assert licence.startswith("MIT License\n\nCopyright (c) 2026 munro contributors\n")
    assert "Crown Copyright (Government Digital Service)" in (
        info / "licenses/src/munro/web/assets/LICENSE-govuk-frontend.txt").read_text(encoding="utf-8")
    classifiers = meta.get_all("Classifier")
    assert {"Programming Language :: Python :: 3.11", "Programming Language :: Python :: 3.12",
            "Programming Language :: Python :: 3.13", "Operating System :: OS Independent",
            "Intended Audience :: Science/Research", "Topic :: Scientific/Engineering :: Information Analysis",
            } <= set(classifiers)
    # The SPDX expression is the licence's statement; setuptools refuses a License classifier beside it.
    assert not [c for c in classifiers if c.startswith("License ::")]
