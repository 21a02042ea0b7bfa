"""Plain-text and JSON renderings of survey and audit results, and of the question bank, for the command line.

Their formats are registered with ``munro.renderers`` (the kinds ``questions``, ``survey-results`` and
``audit-results``) at the end of this module.
"""

from __future__ import annotations

import io

from ..disclosure import C
from ..output import csv_writer, to_json
from ..renderers import register_output_renderer, render
from ..years import year_label
from .audits import AUDIT_FORM
from .bank import format_questions, question_rows


def _fmt(v, pct=False) -> str:
    if v is None:
        return "x"
    if v == C:
        return C
    return f"{v:.1f}%" if pct else str(v)


def format_surveys(rows: list[dict]) -> str:
    """``munro survey list`` (``surveys.survey_rows``): a line per survey."""
    return "\n".join(f"{s['id']:>4}  {s['la_code']}  {s['instrument']}/{s['version']:<4} {s['opens_on']} to "
                     f"{s['closes_on']}  {s['state']:<6} {s['responses']:>6} responses  {s['title']}" for s in rows)


def format_actions(rows: list[dict]) -> str:
    """``munro action list`` (``surveys.list_actions``): a line per action, then what was heard and done."""
    return "\n".join(f"{a['id']:>4}  {a['status']:<7}  due {a['due_on'] or '-'}  {a['key_question']}\n"
                     f"      you said: {a['you_said']}\n      we did: {a['we_did']}" for a in rows)


def render_survey_results(r, fmt: str = "table") -> str:
    """``munro survey results``: a survey's results (``munro.local.results.survey_results``) in ``fmt``."""
    return render("survey-results", fmt, r)


def survey_results_table(r) -> str:
    s = r.survey
    percent = r.response_rate * 100 if isinstance(r.response_rate, float) else r.response_rate
    rate = f", response rate {_fmt(percent, True)}" if r.invited else ""
    lines = [f"Survey {s.id}: {s.title} ({s.instrument}/{s.version}, LA {s.la_code}, {s.opens_on} to {s.closes_on})",
             f"Respondents: {_fmt(r.respondents)}{rate}; minimum group {s.min_group}; "
             "'c' = hidden to protect respondents"]
    lines += [f"Warning: {w}" for w in r.warnings]
    for q in r.questions:
        lines += ["", f"{q.id}: {q.text}", f"  answers: {q.key_question}"]
        lines += [f"    {a.label:<45} {_fmt(a.count):>6} {_fmt(a.percent, True):>7}" for a in q.answers]
        for g in q.groups:
            shown = "" if g.shown else " (fewer than the minimum, or hiding one that is: not shown)"
            counts = ", ".join(f"{a.label} {_fmt(a.count)}" for a in g.answers if a.count != 0)
            lines.append(f"  {g.breakdown} {g.group}: {_fmt(g.respondents)} respondents{shown}"
                         + (f": {counts}" if g.shown and counts else ""))
    for qid, n in r.free_text_counts.items():
        lines += ["", f"{qid}: {_fmt(n)} free-text answers"]
        if r.free_text is not None:
            lines += [f"  - {text}" for text in r.free_text[qid]]
        else:
            lines.append("  (shown only to the survey_admin and triage roles)")
    t = r.triage
    lines += ["", f"Safeguarding triage: {t['open']} open, {t['handled']} handled"]
    return "\n".join(lines)


def render_audit_results(r: dict, fmt: str = "table") -> str:
    """``munro audit results``: an LA's audits of a year (``munro.local.audits.audit_results``) in ``fmt``."""
    return render("audit-results", fmt, r)


def audit_results_table(r: dict) -> str:
    lines = [f"Case-file audits of LA {r['la']}, {year_label(r['year'])}: {r['audits']} audits"]
    for domain, d in r["domains"].items():
        grades = ", ".join(f"{g.replace('_', ' ')} {_fmt(c)} ({_fmt(d['percent'][g], True)})"
                           for g, c in d["grades"].items())
        lines.append(f"  {domain}: {_fmt(d['graded'])} graded: {grades}")
    m = r["moderation"]
    for name in ("overall", "all_domains"):
        a = m[name]
        kappa = a["kappa"] if a["kappa"] in (None, C) else f"{a['kappa']:.2f}"
        lines.append(f"Moderation ({name.replace('_', ' ')}): {_fmt(a['pairs'])} pairs, agreement "
                     f"{_fmt(a['percent_agreement'], True)}, Cohen's kappa {_fmt(kappa)}")
    for y, v in r["trend"].items():
        lines.append(f"{year_label(y)}: {_fmt(v['audits'])} audits, good or better "
                     f"{_fmt(v['good_or_better_percent'], True)}")
    return "\n".join(lines)


def import_template(version) -> str:
    """``munro survey questions --format csv``: the header row an import of the version's answers expects.

    A survey's: one column per question, named by its id (``munro survey import --tool msforms``, or any
    tool's export with one header row, matches a column to its question by id or by wording); a row per
    respondent below it. The case-file audit form's: the audit spreadsheet of ``munro audit import``."""
    if version.instrument == AUDIT_FORM:
        return sample_csv([], "", [q.id for q in version.questions])
    out = io.StringIO()
    csv_writer(out, lineterminator="\n").writerow([q.id for q in version.questions])
    return out.getvalue()


def sample_csv(cases: list[dict], la: str, domains: list[str]) -> str:
    """The sample as an audit spreadsheet to fill in: the import's columns, the case columns filled."""
    out = io.StringIO()
    w = csv_writer(out, lineterminator="\n")
    w.writerow(["la_child_id", "referral_date", "stratum", "team", "auditor", "audited_on", *domains,
                "moderator", "moderated_on", "overall_moderated", "agreed_grade"])
    for c in cases:
        w.writerow([c["la_child_id"], c["referral_date"].isoformat(), c["stratum"], "", "", "", *[""] * len(domains),
                    "", "", "", ""])
    return out.getvalue()


register_output_renderer("questions", "table", format_questions)
register_output_renderer("questions", "json", lambda version: to_json(question_rows(version)))
register_output_renderer("questions", "csv", import_template)
register_output_renderer("survey-results", "table", survey_results_table)
register_output_renderer("survey-results", "json", lambda r: to_json(r.to_dict()))
register_output_renderer("audit-results", "table", audit_results_table)
register_output_renderer("audit-results", "json", to_json)
