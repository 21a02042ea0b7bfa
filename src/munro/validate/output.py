"""Validation reports as a table on screen, CSV, XLSX, JSON or HTML (html.py).

The formats are the ``validation`` kind of ``munro.renderers``, registered at the end of this module.
Every format holds the same findings, with the child's ``LAchildID``: the
output is for the people who correct the return, so keep it where the
return itself is kept.
"""

from __future__ import annotations

import io
import json
import os
from pathlib import Path
from typing import Any

from .. import __version__
from ..output import csv_writer
from ..provenance import made_by
from ..renderers import register_output_renderer, renderer
from ..years import years_label
from .findings import Finding, Report, heading, rules_run
from .html import to_html

COLUMNS = ("file", "rule", "type", "LAchildID", "table", "fields", "value", "message", "line")
TABLE_ROWS = 200  # findings listed on screen per return; the files hold them all


def finding_row(report: Report, f: Finding) -> list[str | int]:
    return [report.source, f.code, f.type, f.la_child_id or "", f.table, f.fields,
            "" if f.value is None else f.value, f.message, "" if f.line is None else f.line]


def to_table(reports: list[Report]) -> str:
    out = []
    for report in reports:
        out.append(heading(report))
        for failure in report.failures:
            out.append(f"  rule {failure.code} FAILED: {failure.error}")
        summary = report.summary()
        if summary:
            out += ["", "  rule    type   findings  message"]
            out += [f"  {code:<7} {kind:<6} {n:>8,}  {_cut(message, 90)}" for code, kind, n, message in summary]
            out += ["", "  rule    LAchildID             line  field(s) = value"]
            for f in report.findings[:TABLE_ROWS]:
                where = "(return)" if f.level == "return" else (f.la_child_id or "(no LAchildID)")
                value = "" if f.value is None else f" = {f.value}"
                out.append(f"  {f.code:<7} {_cut(where, 20):<20} {f.line or '':>6}  {_cut(f.fields, 60)}{value}")
            if len(report.findings) > TABLE_ROWS:
                out.append(f"  ... and {len(report.findings) - TABLE_ROWS:,} more: --format csv, xlsx or html "
                           "lists them all")
        out.append("")
    return "\n".join(out).rstrip("\n")


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 3] + "..."


def to_csv(reports: list[Report]) -> str:
    buf = io.StringIO()
    writer = csv_writer(buf, lineterminator="\n")
    writer.writerow(COLUMNS)
    for report in reports:
        writer.writerows(finding_row(report, f) for f in report.findings)
    return buf.getvalue()


def as_json(report: Report) -> dict[str, Any]:
    def finding(f: Finding) -> dict[str, str | int | None]:
        return {"rule": f.code, "type": f.type, "LAchildID": f.la_child_id, "table": f.table, "fields": f.fields,
                "value": f.value, "message": f.message, "line": f.line}

    return {
        "file": report.source, "la_code": report.la_code, "collection_year": report.collection_year,
        "ruleset": report.ruleset, "rules_run": len(report.rules), "children": report.children,
        "complete": report.complete, "note": report.note,
        "errors": report.errors, "queries": report.queries,
        "failures": [{"rule": x.code, "error": x.error} for x in report.failures],
        "summary": [{"rule": c, "type": t, "findings": n, "message": m} for c, t, n, m in report.summary()],
        "return_findings": [finding(f) for f in report.return_findings],
        "findings": [finding(f) for f in report.child_findings],
    }


def to_json(reports: list[Report]) -> str:
    return json.dumps({"munro_version": __version__, "returns": [as_json(r) for r in reports]}, indent=2,
                      ensure_ascii=False)


def write_xlsx(reports: list[Report], path: str | os.PathLike[str]) -> None:
    """A workbook: Findings (one row each), Summary (by rule), Rules (what each rule checks); filters on."""
    # lazily: xlsxwriter only when a workbook is written
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False, "strings_to_formulas": False,
                                           "strings_to_urls": False})
    bold = book.add_format({"bold": True})

    def sheet(name: str, header: tuple[str, ...], rows: list[list[Any]], widths: tuple[int, ...]) -> None:
        ws = book.add_worksheet(name)
        ws.write_row(0, 0, header, bold)
        for i, row in enumerate(rows, start=1):
            ws.write_row(i, 0, row)
        ws.autofilter(0, 0, max(len(rows), 1), len(header) - 1)
        ws.freeze_panes(1, 0)
        for col, width in enumerate(widths):
            ws.set_column(col, col, width)

    sheet("Findings", COLUMNS, [finding_row(r, f) for r in reports for f in r.findings],
          (30, 7, 6, 22, 20, 30, 16, 80, 8))
    sheet("Summary", ("file", "rule", "type", "findings", "message"),
          [[r.source, c, t, n, m] for r in reports for c, t, n, m in r.summary()], (30, 7, 6, 9, 100))
    sheet("Rules", ("rule", "type", "table", "fields", "message", "level", "rulesets", "munro's reading"),
          [[r.code, r.type, r.table, ", ".join(r.fields), r.message, r.level,
            years_label(r.years.start, r.years.stop - 1), r.reading] for r in rules_run(reports)],
          (7, 6, 20, 30, 80, 7, 20, 80))
    sheet("About", ("made by", "files"), [[made_by(), ", ".join(r.source for r in reports)]], (20, 80))
    book.close()


register_output_renderer("validation", "table", to_table)
register_output_renderer("validation", "csv", to_csv)
register_output_renderer("validation", "xlsx", write_xlsx, to_file=True)
register_output_renderer("validation", "json", to_json)
register_output_renderer("validation", "html", to_html)


def render(reports: list[Report], fmt: str, out: str | os.PathLike[str] | None = None) -> str | None:
    """The reports in ``fmt``, written to ``out`` if given (XLSX needs it), else returned as text."""
    write = renderer("validation", fmt)
    if write.to_file:
        if out is None:
            raise ValueError(f"{fmt.upper()} output needs a file (--out)")
        write.write(reports, out)
        return None
    text = write.write(reports)
    assert text is not None  # only a renderer to_file returns nothing
    if out is None:
        return text
    Path(out).write_text(text if text.endswith("\n") else text + "\n", encoding="utf-8")
    return None
