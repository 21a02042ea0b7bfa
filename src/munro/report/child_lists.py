"""The restricted workbook: the children behind the report's actionable items.

The report shows how many plans lasted two years, how many conferences were
late, how many assessments took over 45 working days and how many plans were
repeats; a team manager acting on those numbers needs the children. They are
listed here, by LAchildID, in a separate workbook marked restricted, which is
never part of the report (the page, PDF and report.xlsx hold no child
identifiers) and is written only when asked for (``--with-child-lists``).

The lists follow the items' definitions (definitions.md section 2) over the
merged history; working days come from the calendar table only.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from ..calendar import calendar_table
from ..indicators.plans import TWO_YEARS_DAYS  # the item's own threshold, so list and count agree
from ..private import private_file
from ..provenance import made_by
from ..store.db import open_store
from ..years import year_end, year_label, year_start

# Each list: its sheet name, what it is, and its SQL (parameters: year start, year end).
LISTS = (
    ("Assessments over 45 days", "Assessments authorised in the year more than 45 working days after they started",
     """SELECT a.la_child_id, a.referral_date, a.start_date, a.authorisation_date,
               e.wd_index - s.wd_index AS working_days
        FROM merged_assessments a
        JOIN cal s ON s.date = a.start_date JOIN cal e ON e.date = a.authorisation_date
        WHERE a.la_code = $la AND a.authorisation_date BETWEEN $first AND $last
          AND e.wd_index - s.wd_index > 45
        ORDER BY working_days DESC, a.la_child_id"""),
    ("Conferences over 15 days", "Initial child protection conferences in the year more than 15 working days "
     "after the strategy discussion (section 47 start)",
     """SELECT q.la_child_id, q.referral_date, q.start_date AS strategy_discussion, q.icpc_date,
               e.wd_index - s.wd_index AS working_days
        FROM merged_section47 q
        JOIN cal s ON s.date = q.start_date JOIN cal e ON e.date = q.icpc_date
        WHERE q.la_code = $la AND q.icpc_date BETWEEN $first AND $last AND e.wd_index - s.wd_index > 15
        ORDER BY working_days DESC, q.la_child_id"""),
    ("Plans over two years", "Child protection plans that ended in the year after two years or more, and plans "
     "open at 31 March that had lasted two years or more",
     """SELECT la_child_id, referral_date, start_date, end_date,
               CASE WHEN end_date IS NULL OR end_date > $last THEN 'open at 31 March' ELSE 'ended in the year' END
                   AS status,
               date_diff('day', start_date, coalesce(least(end_date, $last), $last)) AS days
        FROM merged_cp_plans
        WHERE la_code = $la AND start_date <= $last
          AND ((end_date BETWEEN $first AND $last AND date_diff('day', start_date, end_date) >= $two_years)
               OR ((end_date IS NULL OR end_date > $last) AND date_diff('day', start_date, $last) >= $two_years))
        ORDER BY days DESC, la_child_id"""),
    ("Repeat plans", "Child protection plans starting in the year for a child who had a plan before "
     "(recorded as previous plans, or an earlier plan in the loaded history)",
     """SELECT p.la_child_id, p.referral_date, p.start_date, p.previous_cpp_count,
               (SELECT max(o.start_date) FROM merged_cp_plans o WHERE o.la_code = p.la_code
                   AND o.la_child_id = p.la_child_id AND o.start_date < p.start_date) AS previous_plan_start
        FROM merged_cp_plans p
        WHERE p.la_code = $la AND p.start_date BETWEEN $first AND $last
          AND (coalesce(p.previous_cpp_count, 0) > 0 OR EXISTS (
               SELECT 1 FROM merged_cp_plans o WHERE o.la_code = p.la_code AND o.la_child_id = p.la_child_id
                 AND o.start_date < p.start_date))
        ORDER BY p.start_date, p.la_child_id"""),
)


# The item each list is behind (the web service's drill-through from an item to its children).
BY_ITEM = {"assessment_timeliness": "Assessments over 45 days", "s47_to_icpc_timeliness": "Conferences over 15 days",
           "cpp_lasting_2y": "Plans over two years", "cpp_repeat": "Repeat plans"}


def child_lists(db, la: str, year: int, only: str | None = None) -> list[tuple[str, str, list[str], list[tuple]]]:
    """[(sheet, description, columns, rows)] for LA ``la`` and reporting year ``year`` (``only``: that sheet)."""
    con = open_store(db, read_only=True)
    try:
        con.register("cal", calendar_table())
        params = {"la": str(la), "first": year_start(year), "last": year_end(year),
                  "two_years": TWO_YEARS_DAYS}
        out = []
        for sheet, what, sql in LISTS:
            if only is not None and sheet != only:
                continue
            # DuckDB refuses a named parameter the statement does not use.
            cur = con.execute(sql, {k: v for k, v in params.items() if f"${k}" in sql})
            out.append((sheet, what, [d[0] for d in cur.description], cur.fetchall()))
        return out
    finally:
        con.close()


def write_child_lists(db, la: str, year: int, path: Path) -> Path:
    # lazily: xlsxwriter only when a workbook is written
    import xlsxwriter

    lists = child_lists(db, la, year)
    # A child's ID or a worker's name beginning "=" is text, never a formula; no text becomes a link.
    # The file is made owner-only first (children's identifiers): xlsxwriter writes it and keeps its mode.
    wb = xlsxwriter.Workbook(str(private_file(path)), {"strings_to_formulas": False, "strings_to_urls": False})
    try:
        bold = wb.add_format({"bold": True, "font_color": "#d4351c"})
        head = wb.add_format({"bold": True, "bottom": 1})
        day = wb.add_format({"num_format": "yyyy-mm-dd"})
        about = wb.add_worksheet("About")
        about.set_column(0, 0, 110)
        about.write(0, 0, "RESTRICTED: child-level data. Not part of the performance report; do not publish, "
                          "email outside the authority or store outside its systems.", bold)
        about.write(1, 0, f"LA {la}, reporting year {year_label(year)}: the children behind the report's "
                          f"actionable items. Made with {made_by()} from the authority's own returns.")
        for i, (sheet, what, cols, rows) in enumerate(lists):
            about.write(3 + i, 0, f"{sheet}: {len(rows):,} - {what}")
            ws = wb.add_worksheet(sheet[:31])
            ws.write(0, 0, what, wb.add_format({"bold": True}))
            ws.write_row(1, 0, cols, head)
            ws.set_column(0, len(cols) - 1, 20)
            for r, row in enumerate(rows, start=2):
                for c, v in enumerate(row):
                    if isinstance(v, dt.date):
                        ws.write_datetime(r, c, dt.datetime.combine(v, dt.time()), day)
                    elif v is None:
                        ws.write_blank(r, c, None)
                    elif isinstance(v, (int, float)):
                        ws.write_number(r, c, v)
                    else:
                        ws.write_string(r, c, str(v))
            ws.autofilter(1, 0, max(1, len(rows) + 1), len(cols) - 1)
            ws.freeze_panes(2, 0)
    finally:
        wb.close()
    return path
