"""Importing responses exported from Microsoft Forms, SmartSurvey or SurveyMonkey (docs/local.md).

Each tool's export has its own columns about the respondent (an ID, times,
a name, an e-mail or IP address): those are named in ``TOOLS`` and never read,
so an import stores nothing identifying. Every other column must be a
question of the survey's instrument version: matched by its question id or
its exact wording (any case and spacing), or named in a mapping file. Every
cell is checked before anything is stored; one bad cell rejects the file with
a line per problem naming the row and column. A group column (which team) must
hold one of the survey's listed groups (survey_groups.py), or a name the
mapping file's ``[answers.<id>]`` maps to one: anything else refuses the file.
"""

from __future__ import annotations

import hashlib
import tomllib
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

from ..errors import MunroError, RejectedFile
from . import schema as t
from .survey_groups import choose, survey_groups
from .surveys import MAX_TEXT, _now, get_survey, store_responses, survey_version
from .tabular import Problems, check_width, read_table

# The export columns about the respondent, never read. ``prefixes`` cover numbered ones.
TOOLS = {
    "msforms": {"header_rows": 1, "prefixes": (),
                "columns": ("ID", "Start time", "Completion time", "Email", "Name", "Last modified time",
                            "Total points", "Quiz feedback")},
    "smartsurvey": {"header_rows": 1, "prefixes": ("Custom Variable",),
                    "columns": ("UserID", "UserNo", "Name", "Email", "IP Address", "Unique ID", "Started", "Ended",
                                "Tracking Link", "Custom Value")},
    # SurveyMonkey's CSV has two header rows: the question, then "Response" (or an option's label).
    "surveymonkey": {"header_rows": 2, "prefixes": ("Custom Data",),
                     "columns": ("Respondent ID", "Collector ID", "Start Date", "End Date", "IP Address",
                                 "Email Address", "First Name", "Last Name")},
}
_SINGLE = ("", "response", "open-ended response")  # SurveyMonkey's second header for a one-answer question


@dataclass
class ImportSummary:
    survey_id: int
    tool: str
    rows: int  # data rows in the file
    loaded: int  # responses stored
    blank: int  # rows with no answer, not stored
    flagged: int  # free-text answers put on the triage queue
    already: bool = False  # the same file was imported before: nothing done

    def line(self) -> str:
        if self.already:
            return f"survey {self.survey_id}: this file was already imported; nothing changed"
        return (f"survey {self.survey_id}: {self.loaded} responses loaded from {self.tool} ({self.rows} rows, "
                f"{self.blank} blank), {self.flagged} answers flagged for safeguarding triage")


def _norm(text: str) -> str:
    return " ".join(str(text).split()).casefold()


def read_mapping(path) -> dict:
    """A mapping file: ``[columns]`` header = question id, ``ignore = [...]``, ``[answers.<id>]`` label = code."""
    try:
        body = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
        raise MunroError(f"{path}: not a readable mapping file ({e})") from None
    unknown = set(body) - {"columns", "ignore", "answers"}
    if unknown:
        raise MunroError(f"{path}: unknown section(s) {', '.join(sorted(unknown))} (columns, ignore, answers)")
    return body


def _headers(tool: str, headers: list[list[str]]) -> list[str]:
    if tool != "surveymonkey":
        return headers[0]
    out, top = [], ""
    for i, sub in enumerate(headers[1] + [""] * (len(headers[0]) - len(headers[1]))):
        top = headers[0][i] if i < len(headers[0]) and headers[0][i] else top  # a matrix question spans columns
        out.append(top if _norm(sub) in _SINGLE else f"{top} - {sub}")
    return out


def read_responses(path, survey, version, tool: str, mapping: dict | None = None,
                   groups: dict | None = None) -> tuple[list[dict], int, int]:
    """``(responses, rows, blank rows)`` from an export, every cell checked (RejectedFile otherwise);
    ``groups``: the survey's lists, which a group column's cells must name."""
    if tool not in TOOLS:
        raise MunroError(f"tool must be one of {', '.join(TOOLS)}")
    spec, mapping = TOOLS[tool], mapping or {}
    by_text = {_norm(q.text): q.id for q in version.questions} | {_norm(q.id): q.id for q in version.questions}
    mapped = {_norm(k): v for k, v in mapping.get("columns", {}).items()}
    # A workbook of several sheets: the one with a column of a question of the survey.
    table = read_table(path, spec["header_rows"],
                       fits=lambda h: any(_norm(n) in by_text or _norm(n) in mapped for n in _headers(tool, h)))
    rows = table.rows
    names = _headers(tool, table.headers)
    problems = Problems(path, table.sheet)
    ignored = {_norm(x) for x in mapping.get("ignore", [])} | {_norm(x) for x in spec["columns"]}
    columns: dict[int, str] = {}
    for i, h in enumerate(names):
        key = _norm(h)
        if not key or key in ignored or any(key.startswith(_norm(p)) for p in spec["prefixes"]):
            continue
        qid = mapped.get(key) or by_text.get(key)
        if qid is None or qid not in {q.id for q in version.questions}:
            problems.add(None, h, f"matches no question of {version.key} (name it in a mapping file's [columns], "
                                  "or list it under ignore)")
        elif qid in columns.values():
            problems.add(None, h, f"is a second column for question {qid}")
        else:
            columns[i] = qid
    check_width(rows, len(names), problems)
    problems.raise_if_any()
    if not columns:
        where = f"sheet {table.sheet}: " if table.sheet else ""
        raise RejectedFile(path, f"{where}no column is a question of {version.key}")
    aliases = {qid: {_norm(k): v for k, v in a.items()} for qid, a in mapping.get("answers", {}).items()}
    out, blank = [], 0
    for rownum, cells in rows:
        answers = {}
        for i, qid in columns.items():
            raw = cells[i].strip() if i < len(cells) else ""
            if not raw:
                continue
            q = version.question(qid)
            try:
                if q.free_text:
                    if len(raw) > MAX_TEXT:
                        raise ValueError(f"longer than {MAX_TEXT} characters")
                    answers[qid] = raw
                elif q.scale.kind == "label":
                    answers[qid] = choose((groups or {}).get(qid), aliases.get(qid, {}).get(_norm(raw), raw))
                else:
                    answers[qid] = q.scale.parse(aliases.get(qid, {}).get(_norm(raw), raw))
            except ValueError as e:
                problems.add(rownum, names[i], f"{qid}: {e}")
        if answers:
            out.append(answers)
        else:
            blank += 1
    problems.raise_if_any()
    return out, len(rows), blank


def import_responses(engine: sa.Engine, survey_id: int, path, tool: str, *, mapping_file=None,
                     bank=None) -> ImportSummary:
    """Check an export, then store all its responses in one transaction (see the module docstring)."""
    s = get_survey(engine, survey_id)
    if s.closed_at is not None:
        raise MunroError(f"survey {survey_id} is closed: its responses are final")
    digest = hashlib.sha256(Path(path).read_bytes()).hexdigest() if Path(path).is_file() else None
    with engine.connect() as con:
        done = con.execute(sa.select(t.imports.c.id).where(t.imports.c.survey_id == survey_id,
                                                            t.imports.c.sha256 == digest)).first()
    if done is not None:
        return ImportSummary(survey_id, tool, 0, 0, 0, 0, already=True)
    version = survey_version(s, bank)
    responses, n_rows, blank = read_responses(path, s, version, tool,
                                              read_mapping(mapping_file) if mapping_file else None,
                                              survey_groups(engine, survey_id))
    with engine.begin() as con:
        import_id = con.execute(t.imports.insert().values(survey_id=survey_id, tool=tool, sha256=digest,
                                                          rows=n_rows, imported_at=_now())).inserted_primary_key[0]
        ids = store_responses(con, s, version, responses, import_id)
        flagged = con.execute(sa.select(sa.func.count()).select_from(t.triage)
                              .where(t.triage.c.response_id.in_(ids))).scalar() if ids else 0
    return ImportSummary(survey_id, tool, n_rows, len(ids), blank, flagged)
