"""munro as a council installs it: a wheel built from a clean export of the tree, installed in a fresh
virtual environment without the source tree, does every step of the README's flow (issue 20).

The slow tests build the sdist from ``git archive HEAD`` (nothing ignored, untracked or uncommitted can
leak in), the pure Python wheel from that sdist (as ``python -m build`` does), install it with
``--no-deps`` in a fresh venv whose dependencies are .venv's site-packages through a ``.pth`` file
(offline; .pth files inside that folder, such as the editable install's, are not processed, so munro
comes only from the wheel), then run the CLI and the web service from it.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import socket
import subprocess
import sys
import sysconfig
import tarfile
import urllib.request
import zipfile
from pathlib import Path

import pytest

from munro.census import walk

ROOT = Path(__file__).resolve().parents[1]
LA, YEAR = "330", 2025
GOVUK_CSS = ROOT / "src/munro/report/assets/govuk-frontend.min.css"
GOVUK_JS = ROOT / "src/munro/web/assets/govuk-frontend.min.js"


def _pinned_govuk_frontend() -> str:
    lock = json.loads((ROOT / "frontend/package-lock.json").read_text(encoding="utf-8"))
    return lock["packages"]["node_modules/govuk-frontend"]["version"]


# ---------------------------------------------------------------- the committed assets (fast)


def test_the_committed_govuk_frontend_files_are_the_pinned_version():
    # Each file states its own version; make check-assets compares the bytes with the npm package.
    version = _pinned_govuk_frontend()
    assert f'--govuk-frontend-version:"{version}"' in GOVUK_CSS.read_text(encoding="utf-8")
    assert GOVUK_JS.read_text(encoding="utf-8").startswith(f'const version="{version}";')
    for folder in (GOVUK_CSS.parent, GOVUK_JS.parent):
        licence = (folder / "LICENSE-govuk-frontend.txt").read_text(encoding="utf-8")
        assert "The MIT License (MIT)" in licence
        assert "Copyright (C) 2017 Crown Copyright (Government Digital Service)" in licence


# ---------------------------------------------------------------- the compiled walker's choice (fast)


@pytest.fixture
def fresh_choice():
    walk._usable_extension.cache_clear()
    yield
    walk._usable_extension.cache_clear()


def test_the_compiled_walker_is_used_with_the_lxml_it_was_built_against(fresh_choice, monkeypatch):
    monkeypatch.delenv("MUNRO_PURE_PYTHON", raising=False)
    compiled = walk.compiled_walk()
    assert compiled is not None  # make test builds it (setup.py)
    from lxml import etree
    assert compiled.BUILT_AGAINST == (etree.__version__, ".".join(map(str, etree.LIBXML_COMPILED_VERSION)))


def test_another_lxml_turns_the_compiled_walker_off(fresh_choice, monkeypatch):
    monkeypatch.delenv("MUNRO_PURE_PYTHON", raising=False)
    monkeypatch.setattr(walk, "installed_lxml", lambda: ("7.0.0", "2.15.0"))  # an upgrade after the build
    assert walk.compiled_walk() is None


def test_a_compiled_walker_that_does_not_say_its_lxml_is_not_used(fresh_choice, monkeypatch):
    monkeypatch.delenv("MUNRO_PURE_PYTHON", raising=False)
    from munro.census import _fastwalk
    monkeypatch.delattr(_fastwalk, "BUILT_AGAINST")  # as one built before munro recorded it
    assert walk.compiled_walk() is None


# ---------------------------------------------------------------- the wheel, installed and run (slow)

# Everything munro reads at run time that is not Python, each checked by name in the wheel.
PACKAGE_DATA = [
    "munro/report/assets/govuk-frontend.min.css", "munro/report/assets/LICENSE-govuk-frontend.txt",
    "munro/report/assets/report.css", "munro/web/assets/govuk-frontend.min.js",
    "munro/web/assets/LICENSE-govuk-frontend.txt", "munro/web/assets/munro.js",
    "munro/report/templates/report.html.j2", "munro/web/templates/base.html",
    "munro/web/templates/sign_in.html", "munro/local/migrations/env.py",
    "munro/local/migrations/script.py.mako", "munro/local/instruments/scales.toml",
    "munro/local/instruments/children-12-17/1.toml", "munro/data/bank_holidays.csv",
    "munro/data/population/SOURCES.md", "munro/data/local_authorities/SOURCES.md",
]


def _tracked_files() -> list[str]:
    listed = subprocess.run(["git", "ls-tree", "-r", "-z", "--name-only", "HEAD"], cwd=ROOT, capture_output=True,
                            check=True).stdout
    return [p for p in listed.decode().split("\0") if p]


def _export(to: Path) -> Path:
    """The last commit's tree, as a clean clone holds it: nothing ignored, untracked or half-edited."""
    archive = subprocess.run(["git", "archive", "--format=tar", "HEAD"], cwd=ROOT, capture_output=True, check=True)
    with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
        tar.extractall(to, filter="data")
    return to


def _build_env() -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MUNRO_", "PYTHON"))}
    env["MUNRO_PURE_PYTHON"] = "1"  # the pure Python wheel: py3-none-any
    return env


def _run(*args, **kw) -> subprocess.CompletedProcess:
    done = subprocess.run([str(a) for a in args], capture_output=True, text=True, timeout=180, **kw)
    assert done.returncode == 0, f"{args}: {done.stdout[-2000:]}{done.stderr[-2000:]}"
    return done


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> dict:
    """The sdist of a clean export, and the wheel built from that sdist."""
    tmp = tmp_path_factory.mktemp("wheel")
    tree = _export(tmp / "clone")
    dist = tmp / "dist"
    # build_sdist is what `python -m build --sdist` calls; --no-build-isolation, below, keeps the wheel offline
    # with .venv's setuptools and Cython (make installs pyproject's [build-system] requirements there).
    _run(sys.executable, "-c", f"from setuptools import build_meta; build_meta.build_sdist({str(dist)!r})",
         cwd=tree, env=_build_env())
    (sdist,) = dist.glob("munro-*.tar.gz")
    with tarfile.open(sdist) as tar:
        sdist_names = tar.getnames()
        tar.extractall(tmp / "unpacked", filter="data")
    (unpacked,) = (tmp / "unpacked").iterdir()
    _run(sys.executable, "-m", "pip", "wheel", unpacked, "--no-deps", "--no-build-isolation", "--no-index",
         "--quiet", "-w", dist, env=_build_env())
    (wheel,) = dist.glob("munro-*.whl")
    return {"sdist": sdist_names, "unpacked": unpacked, "wheel": wheel, "tmp": tmp}


def _venv_with(wheel: Path, venv: Path) -> Path:
    """A fresh venv holding munro from ``wheel`` only; its dependencies seen through a .pth file."""
    _run(sys.executable, "-m", "venv", "--without-pip", venv)
    bindir = venv / ("Scripts" if os.name == "nt" else "bin")
    python = bindir / ("python.exe" if os.name == "nt" else "python")
    site = Path(_run(python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])").stdout.strip())
    (site / "munro-test-deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    _run(sys.executable, "-m", "pip", "--python", python, "install", "--no-deps", "--no-index", "--quiet",
         wheel, env=_build_env())
    return bindir


@pytest.fixture(scope="module")
def installed(built) -> Path:
    return _venv_with(built["wheel"], built["tmp"] / "venv")


def _env(**extra) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MUNRO_", "PYTHON"))}
    env.update(extra)
    return env


@pytest.mark.slow
def test_the_wheel_and_sdist_hold_everything_munro_reads(built):
    wheel = built["wheel"]
    assert wheel.name.endswith("-py3-none-any.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    assert not [n for n in PACKAGE_DATA if n not in names]
    assert not [n for n in names if n.endswith((".so", ".pyd", ".pyx", ".c"))]
    if "LICENSE" in _tracked_files():  # munro's own licence: setuptools' default license-files take it
        assert any(n.endswith(".dist-info/licenses/LICENSE") for n in names)
    root = built["sdist"][0].split("/")[0]
    sdist = {n.removeprefix(root + "/") for n in built["sdist"]}
    # the compiled walker's source, for a compiled wheel built from the sdist
    assert {"setup.py", "pyproject.toml", "MANIFEST.in", "src/munro/census/_fastwalk.pyx"} <= sdist
    assert not [n for n in PACKAGE_DATA if "src/" + n not in sdist]


@pytest.mark.slow
def test_a_compiled_wheel_built_from_the_sdist_uses_its_walker(built, tmp_path):
    # Where the machine has a compiler (make test's does: it builds the walker in place), the same sdist
    # gives a wheel for this interpreter and platform whose census reader is the compiled one.
    env = {k: v for k, v in _build_env().items() if k != "MUNRO_PURE_PYTHON"}
    _run(sys.executable, "-m", "pip", "wheel", built["unpacked"], "--no-deps", "--no-build-isolation", "--no-index",
         "--quiet", "-w", tmp_path / "dist", env=env)
    (wheel,) = (tmp_path / "dist").glob("munro-*.whl")
    tag = sysconfig.get_platform().replace("-", "_").replace(".", "_")
    assert wheel.name.endswith(f"-cp{sys.version_info.major}{sys.version_info.minor}-"
                               f"cp{sys.version_info.major}{sys.version_info.minor}-{tag}.whl"), wheel.name
    assert [n for n in zipfile.ZipFile(wheel).namelist() if n.startswith("munro/census/_fastwalk.")
            and n.endswith((".so", ".pyd"))]
    bindir = _venv_with(wheel, tmp_path / "venv")
    used = _run(bindir / "python", "-c", "import munro.census.walk as w; print(w.compiled_walk() is not None)",
                env=_env(), cwd=tmp_path).stdout.strip()
    assert used == "True"


@pytest.mark.slow
def test_the_installed_wheel_runs_the_readme_flow(installed, tmp_path):
    env = _env()
    where = _run(installed / "python", "-c", "import munro, munro.census.walk as w; "
                 "print(munro.__file__); print(w.compiled_walk())", env=env, cwd=tmp_path).stdout.split("\n")
    assert Path(where[0]).is_relative_to(installed.parent), where  # munro from the wheel, not the source tree
    assert where[1] == "None"  # the pure wheel has no compiled walker

    munro = installed / "munro"
    # The web service on a store of its own, started first: it starts while the CLI works.
    with _served(munro, tmp_path / "served.duckdb", env) as get:
        _readme_flow(munro, tmp_path, env)
        _check_served_pages(get)


def _readme_flow(munro: Path, tmp_path: Path, env: dict) -> None:
    store = tmp_path / "store.duckdb"
    returns = tmp_path / "returns"
    _run(munro, "synth", "--la", LA, "--years", str(YEAR), "--seed", "1", "--scale", "0.02", "--out", returns,
         env=env)
    xml = returns / f"cin_{LA}_{YEAR}.xml"
    children = xml.read_bytes().count(b"<Child>")
    assert children > 100

    # validate reads the file alone (no store), so it runs beside the load
    validating = subprocess.Popen([munro, "validate", xml, "--format", "json", "--out", tmp_path / "findings.json"],
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=tmp_path)
    loaded = _run(munro, "--db", store, "ingest", "--la", LA, *sorted(returns.iterdir()), env=env).stdout
    assert f"(LA {LA}, 2024-25): {children} children" in loaded
    assert "ssda903" in loaded  # the local records beside the return
    assert validating.wait(timeout=180) == 0, validating.stderr.read()
    (found,) = json.loads((tmp_path / "findings.json").read_text(encoding="utf-8"))["returns"]
    # every rule of the year run over every child; synth without --errors writes no error
    assert (found["children"], found["complete"], found["errors"]) == (children, True, 0)

    items = json.loads(_run(munro, "--db", store, "indicators", "--la", LA, "--year", YEAR, "--format", "json",
                            env=env).stdout)
    assert (items["la"], items["year"]) == (LA, YEAR)
    assert items["items"]["assessment_timeliness"]["denominator"] > 0

    compared = json.loads(_run(munro, "--db", store, "benchmark", "--la", LA, "--year", YEAR, "--format", "json",
                               "--items", "cpp_rate", env=env).stdout)
    # Birmingham's published rate, from the DfE tables packaged in data/cin_published_stats
    published = compared["items"]["cpp_rate"]["published"]
    assert published["kind"] == "published" and published["source"].startswith("DfE Children in need 2025")

    report = tmp_path / "report"
    _run(munro, "--db", store, "report", "--la", LA, "--year", YEAR, "--out", report, env=env)
    page = (report / "index.html").read_text(encoding="utf-8")
    assert '--govuk-frontend-version:"' + _pinned_govuk_frontend() + '"' in page  # the styles, inlined
    assert (report / "report.pdf").read_bytes().startswith(b"%PDF-")
    assert "xl/workbook.xml" in zipfile.ZipFile(report / "report.xlsx").namelist()


@contextlib.contextmanager
def _served(munro: Path, store: Path, env: dict):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen([munro, "--db", store, "serve", "--port", str(port)], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True, env=dict(env, MUNRO_INSECURE_COOKIES="1"))

    def get(path):
        # the first time, wait for the line said once the port is taken (after a warning about the cookies)
        while not getattr(get, "ready", False):
            line = server.stderr.readline()
            assert line, f"munro serve stopped: {server.stderr.read()}"
            get.ready = line.startswith("munro: serving")
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=30) as r:
            return r.status, r.headers.get_content_type(), r.read()

    try:
        yield get
    finally:
        server.terminate()
        server.wait(timeout=30)


def _check_served_pages(get) -> None:
    status, kind, body = get("/sign-in")
    assert (status, kind) == (200, "text/html") and b"Sign in" in body
    status, kind, body = get("/assets/munro.css")
    assert (status, kind) == (200, "text/css") and b".govuk-header" in body
    status, kind, body = get("/assets/govuk-frontend.min.js")
    assert (status, kind, body) == (200, "text/javascript", GOVUK_JS.read_bytes())
