"""The question bank: instruments, their versions, questions and answer scales, read from TOML.

Packaged files live in ``munro/local/instruments/``; an authority adds its own
in folders named by ``MUNRO_INSTRUMENTS`` (or the ``dirs`` argument) in the
same format (docs/local.md), so new questions and versions need no code.
Everything is checked when loaded: a question must answer a local key
question of the framework (``munro.indicators.catalogue.question_of``), use a
known scale, and a version of an instrument that children aged 4 to 7 answer
must describe a picture for every question. A version's ``fingerprint``
covers its questions and the scales they use, so the application database
can refuse a version whose content changed after a survey used it.
"""

from __future__ import annotations

import hashlib
import json
import os
import tomllib
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from pathlib import Path

from ..errors import MunroError
from ..indicators.catalogue import SECTIONS, question_of

PACKAGED = Path(__file__).with_name("instruments")

# Minimum respondents in a group before its results are shown (notes/peers-and-users.md 4.7).
AUDIENCES = {"children": 10, "families": 10, "staff": 5, "partners": 5, "audit": None}
GROUPS = ("age_band", "agency", "team", "role")  # the breakdowns a question's answer can define
SCALE_KINDS = ("choice", "number", "text", "label", "grade")


class InstrumentError(MunroError):
    """A question-bank file that is not valid: names the file and the field."""


@dataclass(frozen=True)
class Option:
    code: str
    label: str
    picture: str = ""  # alt text of the picture shown with it (scales for young children)
    not_graded: bool = False  # a grade scale's "not applicable": not counted as a grade


@dataclass(frozen=True)
class Band:
    code: str
    label: str
    upto: int | None  # inclusive upper bound; None for the last, open band


@dataclass(frozen=True)
class Scale:
    id: str
    title: str
    kind: str
    options: tuple[Option, ...] = ()
    bands: tuple[Band, ...] = ()
    min: int | None = None
    max: int | None = None
    max_length: int | None = None

    @property
    def categories(self) -> tuple[str, ...]:
        """The codes a counted answer can take: options, or the bands of a number."""
        return tuple(o.code for o in self.options) or tuple(b.code for b in self.bands)

    def label(self, code: str) -> str:
        return next((x.label for x in (*self.options, *self.bands) if x.code == code), code)

    def parse(self, raw: str) -> str:
        """The stored value of an answer given as an option's code or label (any case), or a number.

        Raises ValueError with the allowed answers. Number answers are stored
        as their band, so an exact caseload is never kept.
        """
        text = " ".join(str(raw).split())
        if self.kind in ("choice", "grade"):
            for o in self.options:
                if text.casefold() in (o.code.casefold(), o.label.casefold()):
                    return o.code
            raise ValueError(f"{text!r} is not one of: {', '.join(o.label for o in self.options)}")
        if self.kind == "number":
            if text in (b.code for b in self.bands):
                return text  # already stored as its band (answers kept between the web pages): as it is
            # int() alone would also take "16_20" or "1_000" (Python's digit separators).
            if not text.lstrip("-").isdigit():
                raise ValueError(f"{text!r} is not a whole number")
            n = int(text)
            if (self.min is not None and n < self.min) or (self.max is not None and n > self.max):
                raise ValueError(f"{n} is outside {self.min} to {self.max}")
            return next(b.code for b in self.bands if b.upto is None or n <= b.upto)
        if self.kind == "label" and self.max_length and len(text) > self.max_length:
            raise ValueError(f"longer than {self.max_length} characters")
        return text


@dataclass(frozen=True)
class Question:
    id: str
    text: str
    scale: Scale
    key_question: str  # a local key question of the framework (or one of its parts), quoted
    group: str | None = None  # the answer is a breakdown (age band, agency, team, role), not a result
    picture: str = ""
    overall: bool = False  # an audit form's overall grade

    @property
    def counted(self) -> bool:
        return self.group is None and self.scale.kind in ("choice", "number", "grade")

    @property
    def free_text(self) -> bool:
        return self.scale.kind == "text"

    @property
    def section(self) -> str:
        return section_of(self.key_question)


@dataclass(frozen=True)
class Version:
    instrument: str
    version: int
    title: str
    audience: str
    questions: tuple[Question, ...]
    source: str
    age_band: str = ""
    completed_with: str = ""
    pictures: bool = False
    intro: str = ""
    fingerprint: str = field(default="", compare=False)

    @property
    def key(self) -> str:
        return f"{self.instrument}/{self.version}"

    def question(self, qid: str) -> Question:
        for q in self.questions:
            if q.id == qid:
                return q
        raise KeyError(f"{self.key} has no question {qid!r}")

    @property
    def groups(self) -> dict[str, str]:
        """Breakdown name -> the question whose answer defines it."""
        return {q.group: q.id for q in self.questions if q.group}

    def canonical(self) -> str:
        """The content that the fingerprint covers, as stable JSON (kept in the application database)."""
        d = {k: v for k, v in asdict(self).items() if k not in ("source", "fingerprint")}
        return json.dumps(d, sort_keys=True, ensure_ascii=False)


def question_rows(version: Version) -> list[dict]:
    """``munro survey questions``: the version's questions in order, each as a dict: ``instrument``,
    ``version``, ``number`` (from 1), ``id``, ``text``, ``kind`` and ``scale`` of its answers, the
    ``answers`` a counted question takes (``code`` and ``label``; a number's bands), the ``min`` and
    ``max`` of a number, the ``max_length`` of a name, the breakdown it defines (``group``), whether
    it is an audit's ``overall`` grade, and the framework's ``section`` and ``key_question`` it answers."""
    return [{"instrument": version.instrument, "version": version.version, "number": n, "id": q.id,
             "text": q.text, "kind": q.scale.kind, "scale": q.scale.id,
             "answers": [{"code": x.code, "label": x.label} for x in (*q.scale.options, *q.scale.bands)],
             "min": q.scale.min, "max": q.scale.max, "max_length": q.scale.max_length, "group": q.group,
             "overall": q.overall, "section": q.section, "key_question": q.key_question}
            for n, q in enumerate(version.questions, start=1)]


def format_questions(version: Version) -> str:
    """The questions of a version for people: a heading, then each question's id, text and answers."""
    head = f"{version.key}: {version.title} ({version.audience}, {len(version.questions)} questions)"
    lines = [head]
    for r in question_rows(version):
        if r["answers"]:
            answers = " / ".join(a["label"] for a in r["answers"])
        elif r["kind"] == "text":
            answers = "free text"
        elif r["group"]:  # a breakdown's label is chosen from the survey's own list, never typed
            answers = "one of the groups the survey's administrator lists"
        else:  # a label: a name
            answers = "a name" + (f" (at most {r['max_length']} characters)" if r["max_length"] else "")
        if r["kind"] == "number" and r["min"] is not None:
            answers = f"a number, {r['min']} to {r['max']}, kept as its band: " + answers
        lines += ["", f"{r['number']:>2}. {r['id']}: {r['text']}",
                  f"    answers: {answers}" + (f" (breakdown by {r['group'].replace('_', ' ')})" if r["group"] else "")]
    return "\n".join(lines)


def section_of(key_question: str) -> str:
    q = question_of(key_question)
    return next(s.id for s in SECTIONS if q in s.questions)


@dataclass(frozen=True)
class Bank:
    scales: dict
    versions: dict  # (instrument, version) -> Version

    def get(self, instrument: str, version: int | None = None) -> Version:
        """One version of an instrument; the latest when ``version`` is None."""
        found = sorted(v for (i, v) in self.versions if i == instrument)
        if not found:
            raise MunroError(f"no instrument {instrument!r} in the question bank; instruments: "
                             f"{', '.join(self.instruments())}")
        v = found[-1] if version is None else int(version)
        if v not in found:
            raise MunroError(f"instrument {instrument!r} has no version {v}; versions: {', '.join(map(str, found))}")
        return self.versions[(instrument, v)]

    def instruments(self) -> list[str]:
        return sorted({i for i, _ in self.versions})


def instrument_dirs(dirs=None) -> list[Path]:
    """The packaged folder, then the authority's (``dirs``, else ``MUNRO_INSTRUMENTS``, os.pathsep-separated)."""
    if dirs is None:
        dirs = [d for d in os.environ.get("MUNRO_INSTRUMENTS", "").split(os.pathsep) if d]
    return [PACKAGED, *(Path(d) for d in dirs)]


def load_bank(dirs=None) -> Bank:
    """Every scale and instrument version in the packaged and the authority's folders, checked."""
    return _load(tuple(str(d) for d in instrument_dirs(dirs)))


@lru_cache(maxsize=8)
def _load(dirs: tuple[str, ...]) -> Bank:
    scales: dict[str, Scale] = {}
    raw_versions = []
    for d in map(Path, dirs):
        if not d.is_dir():
            raise InstrumentError(f"{d}: no such folder of instruments")
        if (d / "scales.toml").exists():
            for sid, body in _read(d / "scales.toml").get("scales", {}).items():
                scale = _scale(d / "scales.toml", sid, body)
                if sid in scales and scales[sid] != scale:
                    raise InstrumentError(f"{d / 'scales.toml'}: scale {sid!r} is already defined differently; "
                                          "give a changed scale a new name")
                scales[sid] = scale
        raw_versions += [(p, _read(p)) for p in sorted(d.glob("*/*.toml"))]
    versions: dict = {}
    for path, body in raw_versions:
        v = _version(path, body, scales)
        old = versions.get((v.instrument, v.version))
        if old is not None and old.fingerprint != v.fingerprint:
            raise InstrumentError(f"{path}: {v.key} is already defined in {old.source}; "
                                  "a version never changes: add a new version number")
        versions[(v.instrument, v.version)] = v
    return Bank(scales=scales, versions=versions)


def _read(path: Path) -> dict:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
        raise InstrumentError(f"{path}: not valid TOML ({e})") from None


def _fields(path, where, body, required, optional):
    missing = [k for k in required if k not in body]
    if missing:
        raise InstrumentError(f"{path}: {where}: missing {', '.join(missing)}")
    unknown = sorted(set(body) - set(required) - set(optional))
    if unknown:
        raise InstrumentError(f"{path}: {where}: unknown field {', '.join(unknown)}")


def _scale(path, sid, body) -> Scale:
    where = f"scale {sid!r}"
    _fields(path, where, body, ("title", "kind"), ("options", "bands", "min", "max", "max_length"))
    kind = body["kind"]
    if kind not in SCALE_KINDS:
        raise InstrumentError(f"{path}: {where}: kind {kind!r} is not one of {', '.join(SCALE_KINDS)}")
    opts = []
    for o in body.get("options", []):
        _fields(path, where + " option", o, ("code", "label"), ("picture", "not_graded"))
        opts.append(Option(str(o["code"]), str(o["label"]), str(o.get("picture", "")), bool(o.get("not_graded"))))
    bands = []
    for b in body.get("bands", []):
        _fields(path, where + " band", b, ("code", "label"), ("upto",))
        bands.append(Band(str(b["code"]), str(b["label"]), b.get("upto")))
    if kind in ("choice", "grade") and len(opts) < 2:
        raise InstrumentError(f"{path}: {where}: a {kind} scale needs at least two options")
    if kind == "number" and (not bands or bands[-1].upto is not None
                             or any(b.upto is None for b in bands[:-1])):
        raise InstrumentError(f"{path}: {where}: a number scale needs bands, each with 'upto' but the last")
    codes = [x.code for x in (*opts, *bands)]
    if len(set(codes)) != len(codes):
        raise InstrumentError(f"{path}: {where}: answer codes repeat")
    return Scale(sid, body["title"], kind, tuple(opts), tuple(bands), body.get("min"), body.get("max"),
                 body.get("max_length"))


def _version(path: Path, body: dict, scales: dict) -> Version:
    _fields(path, "instrument", body, ("instrument", "version", "title", "audience", "questions"),
            ("age_band", "completed_with", "pictures", "intro"))
    if path.parent.name != body["instrument"] or path.stem != str(body["version"]):
        raise InstrumentError(f"{path}: the file must be <instrument>/<version>.toml "
                              f"({body['instrument']}/{body['version']}.toml)")
    if not isinstance(body["version"], int) or body["version"] < 1:
        raise InstrumentError(f"{path}: version must be a whole number from 1")
    if body["audience"] not in AUDIENCES:
        raise InstrumentError(f"{path}: audience {body['audience']!r} is not one of {', '.join(AUDIENCES)}")
    pictures = bool(body.get("pictures"))
    questions, seen = [], set()
    for i, q in enumerate(body["questions"], 1):
        where = f"question {q.get('id', i)!r}"
        _fields(path, where, q, ("id", "text", "scale", "key_question"), ("group", "picture", "overall"))
        if q["id"] in seen:
            raise InstrumentError(f"{path}: {where}: the id is used twice")
        seen.add(q["id"])
        try:
            question_of(q["key_question"])
        except KeyError:
            raise InstrumentError(f"{path}: {where}: key_question is not a local key question of the framework "
                                  "(quote one of munro.indicators.catalogue.SECTIONS, or one of its parts)") from None
        if q["scale"] not in scales:
            raise InstrumentError(f"{path}: {where}: unknown scale {q['scale']!r}")
        scale = scales[q["scale"]]
        group = q.get("group")
        if group is not None and (group not in GROUPS or scale.kind not in ("choice", "label")):
            raise InstrumentError(f"{path}: {where}: group must be one of {', '.join(GROUPS)}, "
                                  "on a choice or label scale")
        if pictures and not q.get("picture"):
            raise InstrumentError(f"{path}: {where}: this version has pictures: describe this question's picture")
        if pictures and scale.kind == "choice" and not all(o.picture for o in scale.options):
            raise InstrumentError(f"{path}: {where}: scale {scale.id!r} has options without a picture")
        questions.append(Question(q["id"], q["text"], scale, q["key_question"], group, q.get("picture", ""),
                                  bool(q.get("overall"))))
    groups = [q.group for q in questions if q.group]
    if len(set(groups)) != len(groups):
        raise InstrumentError(f"{path}: two questions define the same group")
    if body["audience"] == "audit" and ([q.overall for q in questions].count(True) != 1
                                        or any(q.scale.kind != "grade" for q in questions)):
        raise InstrumentError(f"{path}: an audit form has grade questions only, one of them overall = true")
    v = Version(body["instrument"], body["version"], body["title"], body["audience"], tuple(questions),
                str(path), body.get("age_band", ""), body.get("completed_with", ""), pictures, body.get("intro", ""))
    return Version(**{**v.__dict__, "fingerprint": hashlib.sha256(v.canonical().encode()).hexdigest()})
