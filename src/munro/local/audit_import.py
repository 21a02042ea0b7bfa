"""Importing case-file audits from a spreadsheet (CSV or XLSX): docs/local.md, "Audit spreadsheets".

One row per audited case. Columns (any case, spaces or underscores):
``la_child_id`` (or ``LAchildID``), ``referral_date``, ``auditor``,
``audited_on``, one column per domain of the audit form named by its id
(grades as labels or codes), optionally ``team``, ``moderator``,
``moderated_on``, ``<domain>_moderated`` for the moderator's grades and
``agreed_grade``. Every row is checked (and, given the store, its case looked
up there) before anything is stored; messages name the row and column but
never the child.
"""

from __future__ import annotations

from ..errors import MunroError
from ..store.db import open_store
from ..years import parse_date
from .audits import AUDIT_FORM, AuditRecord, record_audits
from .bank import load_bank
from .tabular import Problems, check_width, read_table

ALIASES = {"lachildid": "la_child_id", "child_id": "la_child_id", "referraldate": "referral_date",
           "cinreferraldate": "referral_date"}
REQUIRED = ("la_child_id", "referral_date", "auditor", "audited_on")
# stratum: from munro audit sample, not stored
OPTIONAL = ("team", "moderator", "moderated_on", "agreed_grade", "stratum")


def _name(header: str) -> str:
    key = "_".join(header.strip().lower().replace("-", " ").split())
    return ALIASES.get(key.replace("_", ""), ALIASES.get(key, key))


def read_audits(path, la: str, year: int, *, store=None, bank=None) -> list[AuditRecord]:
    """The file's audits, every row checked; RejectedFile listing every problem otherwise."""
    v = (bank or load_bank()).get(AUDIT_FORM)
    domains = [q.id for q in v.questions]
    # A workbook of several sheets: the one with the columns naming the case.
    table = read_table(path, fits=lambda h: {"la_child_id", "referral_date"} <= {_name(x) for x in h[0]})
    [header], rows = table.headers, table.rows
    problems = Problems(path, table.sheet)
    names = [_name(h) for h in header]
    known = set(REQUIRED) | set(OPTIONAL) | set(domains) | {f"{d}_moderated" for d in domains}
    for h, n in zip(header, names):
        if n not in known and h:
            problems.add(None, h, "is not a column of the audit spreadsheet (docs/local.md)")
    missing = [c for c in (*REQUIRED, *domains) if c not in names]
    if missing:
        problems.add(None, None, f"missing column(s): {', '.join(missing)}")
    if len(set(n for n in names if n)) != len([n for n in names if n]):
        problems.add(None, None, "a column appears twice")
    check_width(rows, len(names), problems)
    problems.raise_if_any()
    col = {n: i for i, n in enumerate(names)}
    records, seen = [], {}
    for rownum, cells in rows:
        def cell(name, cells=cells):  # called only within this iteration, by _row
            i = col.get(name)
            return cells[i].strip() if i is not None and i < len(cells) else ""
        record = _row(v, domains, rownum, cell, header, col, problems)
        if record is None:
            continue
        key = (record.la_child_id, record.referral_date)
        if key in seen:
            problems.add(rownum, None, f"the same case as row {seen[key]}")
            continue
        seen[key] = rownum
        records.append((rownum, record))
    if store is not None and records:
        _check_cases(store, la, records, problems)
    problems.raise_if_any()
    if not records:
        raise MunroError(f"{path}: no audits in the {'sheet ' + table.sheet if table.sheet else 'file'}")
    return [r for _, r in records]


def _row(v, domains, rownum, cell, header, col, problems):
    def head(name):
        return header[col[name]]
    ok = True
    values = {}
    for name in REQUIRED:
        if not cell(name):
            problems.add(rownum, head(name), "is empty")
            ok = False
    for name in ("referral_date", "audited_on", "moderated_on"):
        if cell(name):
            try:
                values[name] = parse_date(cell(name))
            except ValueError as e:
                problems.add(rownum, head(name), str(e))
                ok = False
    if len(cell("la_child_id")) > 40:
        problems.add(rownum, head("la_child_id"), "is longer than 40 characters")
        ok = False
    grades, moderated = {}, {}
    moderator = cell("moderator")
    for d in domains:
        q = v.question(d)
        for target, name, required in ((grades, d, True),
                                       (moderated, f"{d}_moderated", bool(moderator) and d == "overall")):
            raw = cell(name)
            if not raw:
                if required:
                    problems.add(rownum, head(name) if name in col else name, "no grade (use Not applicable where the "
                                 "domain does not arise)" if name == d else "the moderator's overall grade is missing")
                    ok = False
                continue
            try:
                target[d] = q.scale.parse(raw)
            except ValueError as e:
                problems.add(rownum, head(name), str(e))
                ok = False
    overall = v.question("overall").scale
    for target, name in ((grades, "overall"), (moderated, "overall_moderated")):
        if target.get("overall") == "not_applicable":
            problems.add(rownum, head(name), "the overall grade cannot be Not applicable")
            ok = False
    if moderated and not moderator:
        problems.add(rownum, head("moderator") if "moderator" in col else "moderator",
                     "moderator's grades are given but not who moderated")
        ok = False
    agreed = None
    if cell("agreed_grade"):
        try:
            agreed = overall.parse(cell("agreed_grade"))
        except ValueError as e:
            problems.add(rownum, head("agreed_grade"), str(e))
            ok = False
    if not ok:
        return None
    return AuditRecord(la_child_id=cell("la_child_id"), referral_date=values["referral_date"],
                       auditor=cell("auditor"), audited_on=values["audited_on"], grades=grades,
                       team=cell("team") or None, moderator=moderator or None,
                       moderated_on=values.get("moderated_on"), moderator_grades=moderated, agreed_grade=agreed)


def _check_cases(store, la, records, problems) -> None:
    """Every audited case must be an episode of the LA in the store."""
    con = open_store(store, read_only=True)
    try:
        known = set(con.execute("SELECT la_child_id, referral_date FROM merged_episodes WHERE la_code = ?",
                                [la]).fetchall())
    finally:
        con.close()
    for rownum, r in records:
        if (r.la_child_id, r.referral_date) not in known:
            problems.add(rownum, None, f"no episode of this child with referral date {r.referral_date} in LA {la}'s "
                                       "returns in the store")


def import_audits(engine, path, la: str, year: int, *, store=None, bank=None) -> int:
    """Check the file (and its cases against the store, if given), then store every audit in one go."""
    return record_audits(engine, la, year, read_audits(path, la, year, store=store, bank=bank), bank=bank)
