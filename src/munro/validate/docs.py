"""``docs/rules.md``, generated from the registered validation rules.

Regenerate with ``python -m munro.validate.docs > docs/rules.md``; ``tests/test_docs.py`` fails
while the file and ``render_markdown()`` differ, so the page cannot fall behind the rules.
"""

from __future__ import annotations

import sys

from ..years import year_label as label
from .registry import FIRST_RULESET, LATEST_RULESET, YEAR_END_ONLY, all_rules, code_order

REGENERATE = "python -m munro.validate.docs > docs/rules.md"


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def _years(years: range) -> str:
    last = min(years.stop - 1, LATEST_RULESET)
    first = max(years.start, FIRST_RULESET)
    return label(first) if first == last else f"{label(first)} to {label(last)}"


def render_markdown() -> str:
    rules = sorted(all_rules(), key=lambda r: (code_order(r), r.years.start))
    lines = [
        "# The DfE validation rules munro checks",
        "",
        f"<!-- Generated from src/munro/validate/rules/ by `{REGENERATE}`. Do not edit by hand. -->",
        "",
        "Every rule of the children in need census that `munro validate` and `munro ingest` check, one row for",
        "each version of a rule, with the collection years it applies to (a rule that changed has a row for each",
        "version). The message is the DfE's; where the DfE text needs reading, munro's reading follows it",
        "(docs/validation.md explains the rulesets and the harder readings).",
        "",
        f"{len({r.code for r in rules})} rules, {len(rules)} versions, rulesets {label(FIRST_RULESET)} to "
        f"{label(LATEST_RULESET)} (the {label(LATEST_RULESET)} ruleset is the DfE's draft).",
        "",
        "An in-year extract (a ReferenceDate before 31 March) is checked with every rule of its year but those",
        "that wait for the year's end, its dates measured to its own ReferenceDate: "
        + "; ".join(f"{code} ({why})" for code, why in YEAR_END_ONLY.items()) + ".",
        "",
        "| rule | type | years | table | fields | message | munro's reading |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in rules:
        kind = r.type + (" (whole return)" if r.level == "return" else "")
        lines.append(f"| {r.code} | {kind} | {_years(r.years)} | {r.table} | {_cell(', '.join(r.fields))} | "
                     f"{_cell(r.message)} | {_cell(r.reading)} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.stdout.write(render_markdown())
