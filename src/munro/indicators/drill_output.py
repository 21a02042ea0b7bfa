"""A drill-down by team or worker as text (``drill.shown``'s form): a table for people, JSON and CSV.

The formats are the ``drill-down`` kind of ``munro.renderers``, registered at the end of this module.
A breakdown by worker names staff: :func:`write` puts it in an owner-only file (munro.private), as the
child lists are.
"""

from __future__ import annotations

import io
import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..output import csv_writer
from ..private import open_private
from ..renderers import register_output_renderer
from .catalogue import item
from .drill import HEADLINE, TOTAL
from .output import shown as value_shown

RESTRICTED = ("RESTRICTED: names social workers; exact figures, * where a figure rests on 5 or fewer records. "
              "Keep it as child lists are kept.")


def cell(v: Any, unit: str, name: str) -> str:
    if v is None:
        return ""
    if isinstance(v, str):
        return v  # a suppressed figure: c
    if name in ("value", "median"):
        return value_shown(v, unit if name == "value" else "working_days").replace(" working days", "")
    return f"{v:,}"


def to_table(out: Mapping[str, Any]) -> str:
    """Per item, a row per unit and the LA's total."""
    who = "team" if out["by"] == "team" else "worker"
    lines = [f"LA {out['la']}, {out['period']}, by {who}: {out['rule']}",
             RESTRICTED if out["restricted"] else f"Disclosure control: {out.get('disclosure', 'none')}", ""]
    for i, entry in out["items"].items():
        unit = item(i).unit
        rows = {**entry["units"], TOTAL: entry["total"]}
        names = [n for n in HEADLINE if any(n in r for r in rows.values())]
        head = f"{i}  {item(i).title} ({unit.replace('_', ' ')})"
        lines.append(head + (f": {entry['note']}" if "note" in entry else ""))
        table = [[who, *names]] + [[u, *(cell(r.get(n), unit, n) + ("*" if r.get("small") and n == "value" else "")
                                        for n in names)] for u, r in rows.items()]
        widths = [max(len(row[k]) for row in table) for k in range(len(table[0]))]
        for row in table:
            lines.append("  " + "  ".join([row[0].ljust(widths[0])] + [c.rjust(w) for c, w in
                                                                        zip(row[1:], widths[1:])]).rstrip())
        reasons = sorted({r["reason"] for r in rows.values() if "reason" in r})
        lines += [f"  ({r})" for r in reasons]
        lines.append("")
    if out["not_broken_down"]:
        lines.append("Not broken down (the LA's own figures, imported as published): "
                     + ", ".join(out["not_broken_down"]))
    return "\n".join(lines).rstrip("\n")


def to_json(out: Mapping[str, Any]) -> str:
    return json.dumps(out, indent=2, sort_keys=False)


def to_csv(out: Mapping[str, Any]) -> str:
    buf = io.StringIO()
    w = csv_writer(buf, lineterminator="\n")
    w.writerow(["la", "period", "by", "item_id", "unit", *HEADLINE, "small", "note"])
    for i, entry in out["items"].items():
        for u, r in {**entry["units"], TOTAL: entry["total"]}.items():
            w.writerow([out["la"], out["period"], out["by"], i, u, *(r.get(n, "") for n in HEADLINE),
                        "y" if r.get("small") else "", r.get("reason", entry.get("note", ""))])
    return buf.getvalue()


register_output_renderer("drill-down", "table", to_table)
register_output_renderer("drill-down", "json", to_json)
register_output_renderer("drill-down", "csv", to_csv)


def write(path: str | os.PathLike[str], text: str) -> Path:
    """``text`` to ``path``, owner-only (munro.private): a drill-down by worker is restricted."""
    with open_private(path, "w", encoding="utf-8", newline="") as f:
        f.write(text if text.endswith("\n") else text + "\n")
    return Path(path)


__all__ = ["to_table", "to_json", "to_csv", "write"]
