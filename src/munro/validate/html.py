"""A validation report as one self-contained, accessible HTML page.

No script and nothing fetched: the content is plain HTML tables. The two
filters (hide children with no findings; show one rule's findings) are form
controls styled with CSS ``:has()``, so they work with JavaScript off and
read as a labelled checkbox and a group of radio buttons to a screen reader.
Every child of the return is listed (those with no findings as one row
each) up to CLEAN_CHILDREN_LISTED; past that, only their number is given.
"""

from __future__ import annotations

import re
from html import escape

from ..provenance import made_by
from .findings import FORMAT_CODE, Finding, Report, heading, rules_run
from .registry import code_key

CLEAN_CHILDREN_LISTED = 20_000

_CSS = """
body { font-family: system-ui, sans-serif; margin: 1.5rem; color: #0b0c0c; background: #fff; line-height: 1.4; }
a { color: #1d70b8; } a:focus, input:focus { outline: 3px solid #fd0; }
table { border-collapse: collapse; margin: 0.5rem 0 1.5rem; }
th, td { border: 1px solid #b1b4b6; padding: 0.25rem 0.5rem; text-align: left; vertical-align: top; }
th { background: #f3f2f1; }
caption { text-align: left; font-weight: bold; padding: 0.25rem 0; }
.error { color: #942514; font-weight: bold; } .query { color: #594d00; font-weight: bold; }
fieldset { border: 1px solid #b1b4b6; margin: 0 0 1rem; } .rules label { margin-right: 1rem; white-space: nowrap; }
.skip { position: absolute; left: -999px; } .skip:focus { left: 1rem; top: 1rem; background: #fff; }
body:has(#hide-clean:checked) tr.clean { display: none; }
"""


def _cell(value: object) -> str:
    return "" if value is None else escape(str(value))


def _rule_css(codes: list[str]) -> str:
    """One CSS line per rule: with its radio button checked, every other finding row is hidden."""
    return "".join(f"body:has(#show-{_id(c)}:checked) table.findings tbody tr:not(.rule-{_id(c)}) "
                   "{ display: none; }\n" for c in codes)


def _id(code: str) -> str:
    return re.sub(r"[^A-Za-z0-9]", "_", code)


def _findings_table(report: Report, n: int) -> str:
    rows = []
    by_child: dict[str | None, list[Finding]] = {}
    for f in report.child_findings:
        by_child.setdefault(f.la_child_id, []).append(f)
    clean = 0
    for child in report.child_ids:
        found = by_child.pop(child, None)
        if found is None:
            clean += 1
            if clean <= CLEAN_CHILDREN_LISTED:
                rows.append(f'<tr class="clean"><th scope="row">{_cell(child)}</th>'
                            '<td colspan="7">no findings</td></tr>')
            continue
        rows += [_finding_row(f) for f in found]
    for found in by_child.values():  # findings of children with no LAchildID
        rows += [_finding_row(f) for f in found]
    note = ""
    if clean > CLEAN_CHILDREN_LISTED:
        note = (f"<p>{clean:,} children have no findings; the first {CLEAN_CHILDREN_LISTED:,} "
                "of them are listed.</p>")
    return (f'<table class="findings" id="findings-{n}"><caption>Findings by child, in file order</caption>'
            '<thead><tr><th scope="col">LAchildID</th><th scope="col">Rule</th><th scope="col">Type</th>'
            '<th scope="col">Table</th><th scope="col">Field(s)</th><th scope="col">Value</th>'
            '<th scope="col">Message</th><th scope="col">Line</th></tr></thead>'
            f'<tbody>{"".join(rows)}</tbody></table>{note}')


def _finding_row(f: Finding) -> str:
    return (f'<tr class="rule-{_id(f.code)}"><th scope="row">{_cell(f.la_child_id) or "(no LAchildID)"}</th>'
            f'<td>{_cell(f.code)}</td><td class="{f.type}">{f.type}</td><td>{_cell(f.table)}</td>'
            f'<td>{_cell(f.fields)}</td><td>{_cell(f.value)}</td><td>{_cell(f.message)}</td>'
            f'<td>{_cell(f.line)}</td></tr>')


def _return_section(report: Report, n: int) -> str:
    parts = [f'<section aria-labelledby="return-{n}"><h2 id="return-{n}">{_cell(report.source)}</h2>',
             f"<p>{_cell(heading(report))}</p>"]
    if report.failures:
        parts.append('<p class="error">Some rules failed to run, so this check is incomplete:</p><ul>'
                     + "".join(f"<li>Rule {_cell(x.code)}: {_cell(x.error)}</li>" for x in report.failures)
                     + "</ul>")
    summary = report.summary()
    if summary:
        parts.append('<table class="findings"><caption>Findings by rule</caption><thead><tr><th scope="col">Rule</th>'
                     '<th scope="col">Type</th><th scope="col">Findings</th><th scope="col">Message</th></tr>'
                     "</thead><tbody>"
                     + "".join(f'<tr class="rule-{_id(c)}"><td>{_cell(c)}</td><td class="{t}">{t}</td>'
                               f"<td>{k:,}</td><td>{_cell(m)}</td></tr>" for c, t, k, m in summary)
                     + "</tbody></table>")
    else:
        parts.append("<p>No findings.</p>")
    if report.return_findings:
        parts.append('<table class="findings"><caption>Findings about the whole return</caption><thead><tr>'
                     '<th scope="col">Rule</th><th scope="col">Type</th><th scope="col">Value</th>'
                     '<th scope="col">Message</th></tr></thead><tbody>'
                     + "".join(f'<tr class="rule-{_id(f.code)}"><td>{_cell(f.code)}</td><td class="{f.type}">'
                               f"{f.type}</td><td>{_cell(f.value)}</td><td>{_cell(f.message)}</td></tr>"
                               for f in report.return_findings)
                     + "</tbody></table>")
    parts.append(_findings_table(report, n))
    return "".join(parts) + "</section>"


def _filters(codes: list[str]) -> str:
    radios = ['<label><input type="radio" name="rule" id="show-all" checked> every rule</label>']
    radios += [f'<label><input type="radio" name="rule" id="show-{_id(c)}"> {_cell(c)}</label>' for c in codes]
    return ('<form aria-label="Filters"><fieldset><legend>Children</legend>'
            '<label><input type="checkbox" id="hide-clean"> Hide children with no findings</label></fieldset>'
            '<fieldset class="rules"><legend>Show the findings of</legend>' + " ".join(radios)
            + "</fieldset></form>")


def _rules_table(reports: list[Report]) -> str:
    rows = "".join(f'<tr><td>{_cell(r.code)}</td><td class="{r.type}">{r.type}</td><td>{_cell(r.table)}</td>'
                   f"<td>{_cell(', '.join(r.fields))}</td><td>{_cell(r.message)}</td><td>{_cell(r.reading)}</td></tr>"
                   for r in rules_run(reports))
    return ('<section aria-labelledby="rules"><h2 id="rules">The rules checked</h2><table>'
            '<caption>Each rule, with munro\'s reading where the DfE text needs one</caption><thead><tr>'
            '<th scope="col">Rule</th><th scope="col">Type</th><th scope="col">Table</th>'
            '<th scope="col">Field(s)</th><th scope="col">Message</th><th scope="col">Reading</th></tr></thead>'
            f"<tbody>{rows}</tbody></table></section>")


def to_html(reports: list[Report]) -> str:
    # In the order of the codes' numbers (100, 1103, ..., 2887Q, ...), the format findings last.
    codes = sorted({f.code for r in reports for f in r.findings}, key=lambda c: (c == FORMAT_CODE, code_key(c)))
    body = "".join(_return_section(r, n) for n, r in enumerate(reports, start=1))
    return ('<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>CIN census validation: {_cell(', '.join(r.source for r in reports))}</title>"
            f"<style>{_CSS}{_rule_css(codes)}</style></head><body>"
            '<a class="skip" href="#main">Skip to the findings</a>'
            "<header><h1>CIN census validation</h1>"
            "<p>This page holds children's identifiers: keep it where the return itself is kept.</p></header>"
            f'<main id="main">{_filters(codes)}{body}{_rules_table(reports)}</main>'
            f"<footer><p>Checked by {made_by()} with the DfE's validation rules of the year named with "
            "each return.</p></footer>"
            "</body></html>\n")
