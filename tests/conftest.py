"""Shared fixtures: a small CIN census XML builder, the munro CLI (in this process or another), store snapshots.

The builder is written from FORMAT.md (the DfE element order), not from
``munro.census.format``, so that the tests check the reader against an
independent statement of the format. It writes one element per line, which
makes line numbers in error messages easy to state: ``line_of(text, needle)``.
"""

from __future__ import annotations

import subprocess
import sys
import types
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pytest

from cli_support import cli_env, run_cli

REPO = Path(__file__).resolve().parents[1]
SRC = REPO / "src"
SHARED = (REPO / ".." / "shared").resolve()
REFERENCE = SHARED / "reference" / "cin-census"
TESTS = Path(__file__).resolve().parent


# ---------------------------------------------------------------- the order of the work for two workers

# make test runs the suite on two pytest-xdist workers (--dist loadfile), each taking one unit of work at a
# time: a file, or here a group of files that share an expensive session fixture, so that one worker builds it.
SHARED_FIXTURE = {
    "pooling": ("pooling/",),  # las, pooled: three LAs synthesised, loaded, exported and pooled
    "engines": ("engines/test_conformance.py", "engines/test_export.py", "engines/test_show_sql.py"),  # two_las
    "report": tuple(f"report/test_{name}.py" for name in (  # internal_report, published_report: PDFs printed
        "appendix", "browser", "colophon", "content", "disclosure", "one_figure", "pdf_paper", "wording")),
    "benchmark": tuple(f"benchmark/test_{name}.py" for name in (  # reference_load
        "cli_benchmark", "cli_reference", "compare", "reference")),
}
# The longest units first (as measured on two cores), then the rest by their number of tests, as xdist would
# order them: a long unit started last would keep one worker busy after the other has finished.
LONGEST_FIRST = ("pooling", "report", "engines", "benchmark", "test_progress.py", "test_demo.py",
                 "indicators/test_activity.py", "indicators/test_cli_indicators.py",
                 "synth/test_synth_calibration.py")


def _unit(nodeid: str) -> str:
    """The unit of work of a test: its file (relative to tests/), or the group of files it shares a fixture with."""
    path = nodeid.split("::")[0].removeprefix("tests/")
    return next((group for group, files in SHARED_FIXTURE.items() if any(map(path.startswith, files))), path)


def pytest_collection_modifyitems(config, items):
    size = Counter(_unit(item.nodeid) for item in items)
    rank = {unit: n for n, unit in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: (rank.get(u := _unit(item.nodeid), len(rank)), -size[u], u))


def pytest_xdist_make_scheduler(config, log):
    """--dist loadfile by the units above (with --no-loadscope-reorder, pyproject.toml: in the order above)."""
    if config.getvalue("dist") != "loadfile":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class ByUnit(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return _unit(nodeid)

    return ByUnit(config, log)


# ---------------------------------------------------------------- the compact description


@dataclass
class Assessment:
    start: str
    review: str | None = None
    auth: str | None = None
    factors: list[str] | None = None  # None: no FactorsIdentifiedAtAssessment wrapper


@dataclass
class CinPlan:
    start: str
    end: str | None = None


@dataclass
class S47:
    start: str
    target: str | None = None
    icpc: str | None = None
    not_required: str = "false"


@dataclass
class Plan:
    start: str
    end: str | None = None
    initial: str = "NEG"
    latest: str = "NEG"
    previous: str = "0"
    seen: str | None = None  # SeenSocialWorker: defaults to "true" up to 2016, absent after
    reviews: list[str] = field(default_factory=list)


@dataclass
class PreProceedings:
    start: str
    lbp_sent: str | None = None
    offered: str | None = None
    facilitated: str | None = None
    initial_meeting: str | None = None
    review_count: str | None = None
    step_decision: str | None = None
    outcome: str | None = None
    court_app: str | None = None
    letter: str | None = None


@dataclass
class Episode:
    referral: str = "2022-06-01"
    source: str = "1A"
    need: str | None = "N1"
    closure: str | None = None
    reason: str | None = None
    icpc: str | None = None
    assessments: list[Assessment] = field(default_factory=list)
    cin_plans: list[CinPlan] = field(default_factory=list)
    s47: list[S47] = field(default_factory=list)
    nfa: str = "false"
    plans: list[Plan] = field(default_factory=list)
    pre_proceedings: list[PreProceedings] = field(default_factory=list)


@dataclass
class Child:
    id: str = "C1"
    upn: str | None = None
    former_upn: str | None = None
    upn_unknown: str | None = None
    birth: str | None = "2015-05-01"
    expected_birth: str | None = None
    gender: str | None = None  # GenderCurrent; default "1" up to 2024
    sex: str | None = None  # Sex; default "M" from 2025
    death: str | None = None
    ethnicity: str = "WBRI"
    disabilities: list[str] | None = None
    episodes: list[Episode] = field(default_factory=lambda: [Episode()])


# ---------------------------------------------------------------- XML text


def _el(lines, depth, tag, value):
    if value is not None:
        lines.append(f"{'  ' * depth}<{tag}>{value}</{tag}>")


def _open(lines, depth, tag):
    lines.append(f"{'  ' * depth}<{tag}>")


def _close(lines, depth, tag):
    lines.append(f"{'  ' * depth}</{tag}>")


def child_lines(year: int, c: Child, depth: int = 2) -> list[str]:
    out: list[str] = []
    d = depth
    _open(out, d, "Child")
    _open(out, d + 1, "ChildIdentifiers")
    for tag, v in (("LAchildID", c.id), ("UPN", c.upn), ("FormerUPN", c.former_upn),
                   ("UPNunknown", c.upn_unknown), ("PersonBirthDate", c.birth),
                   ("ExpectedPersonBirthDate", c.expected_birth)):
        _el(out, d + 2, tag, v)
    if year <= 2024:
        _el(out, d + 2, "GenderCurrent", c.gender if c.gender is not None else "1")
    else:
        _el(out, d + 2, "Sex", c.sex if c.sex is not None else "M")
    _el(out, d + 2, "PersonDeathDate", c.death)
    _close(out, d + 1, "ChildIdentifiers")
    _open(out, d + 1, "ChildCharacteristics")
    _el(out, d + 2, "Ethnicity", c.ethnicity)
    if c.disabilities is not None:
        _open(out, d + 2, "Disabilities")
        for code in c.disabilities:
            _el(out, d + 3, "Disability", code)
        _close(out, d + 2, "Disabilities")
    _close(out, d + 1, "ChildCharacteristics")
    for e in c.episodes:
        e_d = d + 1
        _open(out, e_d, "CINdetails")
        for tag, v in (("CINreferralDate", e.referral), ("ReferralSource", e.source),
                       ("PrimaryNeedCode", e.need), ("CINclosureDate", e.closure),
                       ("ReasonForClosure", e.reason), ("DateOfInitialCPC", e.icpc)):
            _el(out, e_d + 1, tag, v)
        for a in e.assessments:
            _open(out, e_d + 1, "Assessments")
            _el(out, e_d + 2, "AssessmentActualStartDate", a.start)
            _el(out, e_d + 2, "AssessmentInternalReviewDate", a.review)
            _el(out, e_d + 2, "AssessmentAuthorisationDate", a.auth)
            if a.factors is not None:
                _open(out, e_d + 2, "FactorsIdentifiedAtAssessment")
                for f in a.factors:
                    _el(out, e_d + 3, "AssessmentFactors", f)
                _close(out, e_d + 2, "FactorsIdentifiedAtAssessment")
            _close(out, e_d + 1, "Assessments")
        for p in e.cin_plans:
            _open(out, e_d + 1, "CINPlanDates")
            _el(out, e_d + 2, "CINPlanStartDate", p.start)
            _el(out, e_d + 2, "CINPlanEndDate", p.end)
            _close(out, e_d + 1, "CINPlanDates")
        for s in e.s47:
            _open(out, e_d + 1, "Section47")
            for tag, v in (("S47ActualStartDate", s.start), ("InitialCPCtarget", s.target),
                           ("DateOfInitialCPC", s.icpc), ("ICPCnotRequired", s.not_required)):
                _el(out, e_d + 2, tag, v)
            _close(out, e_d + 1, "Section47")
        _el(out, e_d + 1, "ReferralNFA", e.nfa)
        for p in e.plans:
            _open(out, e_d + 1, "ChildProtectionPlans")
            for tag, v in (("CPPstartDate", p.start), ("CPPendDate", p.end),
                           ("InitialCategoryOfAbuse", p.initial), ("LatestCategoryOfAbuse", p.latest),
                           ("NumberOfPreviousCPP", p.previous)):
                _el(out, e_d + 2, tag, v)
            seen = p.seen if p.seen is not None else ("true" if year <= 2016 else None)
            _el(out, e_d + 2, "SeenSocialWorker", seen)
            if p.reviews:
                _open(out, e_d + 2, "Reviews")
                for r in p.reviews:
                    _el(out, e_d + 3, "CPPreviewDate", r)
                _close(out, e_d + 2, "Reviews")
            _close(out, e_d + 1, "ChildProtectionPlans")
        for pp in e.pre_proceedings:
            _open(out, e_d + 1, "PreProceedingsandFGDM")
            for tag, v in (("PPStartDate", pp.start), ("LBPSentDate", pp.lbp_sent),
                           ("FGDMMeetingOffer", pp.offered), ("FGDMMeetingFac", pp.facilitated),
                           ("InitialPPMeetingDate", pp.initial_meeting),
                           ("ReviewMeetingsCount", pp.review_count),
                           ("StepDecisionDate", pp.step_decision), ("PPOutcome", pp.outcome),
                           ("CourtAppDate", pp.court_app), ("LetterInitCPDate", pp.letter)):
                _el(out, e_d + 2, tag, v)
            _close(out, e_d + 1, "PreProceedingsandFGDM")
        _close(out, e_d, "CINdetails")
    _close(out, d, "Child")
    return out


def header_lines(year: int, la: str = "201", reference_date: str | None = None,
                 collection: str | None = "CIN", software: str | None = "munro tests") -> list[str]:
    ref = reference_date if reference_date is not None else f"{year}-03-31"
    out = ["  <Header>", "    <CollectionDetails>"]
    _el(out, 3, "Collection", collection)
    _el(out, 3, "Year", year)
    _el(out, 3, "ReferenceDate", ref)
    out += ["    </CollectionDetails>", "    <Source>"]
    _el(out, 3, "SourceLevel", "L")
    _el(out, 3, "LEA", la)
    _el(out, 3, "SoftwareCode", software)
    _el(out, 3, "Release", "1")
    _el(out, 3, "SerialNo", "001")
    _el(out, 3, "DateTime", f"{year}-05-01T09:00:00")
    out += ["    </Source>", "  </Header>"]
    return out


def cin_xml(year: int, children: list[Child] | None = None, *, la: str = "201",
            reference_date: str | None = None, collection: str | None = "CIN",
            declaration: str = '<?xml version="1.0" encoding="UTF-8"?>') -> str:
    """A whole return: line 1 is the XML declaration, line 2 ``<Message>``, the header from line 3."""
    children = [Child()] if children is None else children
    lines = [declaration, "<Message>", *header_lines(year, la, reference_date, collection), "  <Children>"]
    for c in children:
        lines += child_lines(year, c)
    lines += ["  </Children>", "</Message>", ""]
    return "\n".join(lines)


def line_of(text: str, needle: str, nth: int = 1) -> int:
    """1-based line number of the nth line of ``text`` containing ``needle``."""
    seen = 0
    for i, line in enumerate(text.splitlines(), start=1):
        if needle in line:
            seen += 1
            if seen == nth:
                return i
    raise AssertionError(f"{needle!r} not found {nth} time(s)")


def many_children(year: int, n: int, prefix: str = "K", **child_kw) -> list[Child]:
    return [Child(id=f"{prefix}{i:06d}", **child_kw) for i in range(1, n + 1)]


@pytest.fixture(scope="session")
def cin():
    """The builder, as one namespace: ``cin.xml(2023, [cin.Child(...)])`` and friends."""
    return types.SimpleNamespace(
        Child=Child, Episode=Episode, Assessment=Assessment, CinPlan=CinPlan, S47=S47, Plan=Plan,
        PreProceedings=PreProceedings, xml=cin_xml, line_of=line_of, many=many_children,
    )


@pytest.fixture
def write(tmp_path):
    """``write(name, text_or_bytes)`` -> the path of a new file in the test's folder."""

    def _write(name: str, content: str | bytes) -> Path:
        p = tmp_path / name
        p.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
        return p

    return _write


@pytest.fixture
def db(tmp_path) -> Path:
    return tmp_path / "store.duckdb"


# ---------------------------------------------------------------- the CLI and the store


def run_process(*args, env: dict | None = None, cwd=None, timeout: float = 120) -> subprocess.CompletedProcess:
    """``python -m munro.cli ARGS`` in a subprocess, text output captured: for what only a real process shows
    (waiting on another process's lock, the interpreter's exit)."""
    return subprocess.run([sys.executable, "-m", "munro.cli", *map(str, args)], capture_output=True,
                          text=True, env=env or cli_env(), cwd=cwd or REPO, timeout=timeout)


@pytest.fixture
def munro():
    """``munro(*args, env=None, cwd=None)``: the CLI in this process (MUNRO_DB unset unless ``env`` sets it)."""
    return run_cli


@pytest.fixture
def munro_process():
    """``munro_process(*args, env=None, cwd=None)``: the CLI in a subprocess, for what needs a real process."""
    return run_process


@pytest.fixture
def munro_env():
    """``munro_env(MUNRO_DB=...)``: an environment for ``munro(..., env=)``."""
    return cli_env


def snapshot(db: Path) -> dict[str, list[tuple]]:
    """Every table's rows, sorted: equal snapshots mean the store's content is unchanged."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        tables = [r[0] for r in con.execute(
            "SELECT table_name FROM information_schema.tables ORDER BY table_name").fetchall()]
        return {t: con.execute(f'SELECT * FROM "{t}" ORDER BY ALL').fetchall() for t in tables}
    finally:
        con.close()


def query(db: Path, sql: str, params=None) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def data_row_count(db: Path) -> int:
    """Rows in every table except munro_meta (which holds the schema version)."""
    return sum(len(rows) for t, rows in snapshot(db).items() if t != "munro_meta")


@pytest.fixture(scope="session")
def store():
    """Store inspection: ``store.snapshot(db)``, ``store.query(db, sql)``, ``store.data_rows(db)``."""
    return types.SimpleNamespace(snapshot=snapshot, query=query, data_rows=data_row_count)
