"""What validation found: ``Finding``, and ``Report`` with its summary by rule.

Findings carry the child's ``LAchildID``: they are meant for the people who
fix the return, so they never go to a log.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..years import year_label

if TYPE_CHECKING:
    from .registry import Rule

# Not a DfE rule: a value or element the year's format does not allow, which a strict read refuses.
FORMAT_CODE = "format"
FORMAT_MESSAGE = "Values or elements that the year's format does not allow (each finding says which)"


@dataclass(frozen=True)
class Finding:
    code: str
    type: str  # "error" or "query"
    la_child_id: str | None  # None for a return-level finding
    table: str
    fields: str  # the field(s) flagged, comma-separated
    value: str | None  # the value flagged, as written (dates ISO)
    message: str
    line: int | None = None  # the record's line in the file
    level: str = "child"


@dataclass(frozen=True)
class RuleFailure:
    """A rule that raised: the run is incomplete and says so; it never counts as passed."""

    code: str
    error: str


@dataclass
class Report:
    source: str  # the file's path, or "return N" of a store
    la_code: str
    collection_year: int
    ruleset: int
    children: int = 0
    findings: list[Finding] = field(default_factory=list)
    rules: list[Rule] = field(default_factory=list)  # the rules run
    failures: list[RuleFailure] = field(default_factory=list)
    note: str | None = None  # e.g. a ruleset other than the return's own year
    child_ids: list[str | None] = field(default_factory=list)  # every child's LAchildID in file order (for HTML)

    @property
    def child_findings(self) -> list[Finding]:
        return [f for f in self.findings if f.level == "child"]

    @property
    def return_findings(self) -> list[Finding]:
        return [f for f in self.findings if f.level == "return"]

    @property
    def errors(self) -> int:
        return sum(1 for f in self.findings if f.type == "error")

    @property
    def queries(self) -> int:
        return sum(1 for f in self.findings if f.type == "query")

    @property
    def complete(self) -> bool:
        return not self.failures

    def summary(self) -> list[tuple[str, str, int, str]]:
        """(code, type, findings, message) per rule with findings, in the order of the rules."""
        counts = Counter(f.code for f in self.findings)
        order = {r.code: i for i, r in enumerate(self.rules)}
        first: dict[str, Finding] = {}
        for f in self.findings:
            first.setdefault(f.code, f)
        return [(c, first[c].type, n, FORMAT_MESSAGE if c == FORMAT_CODE else first[c].message)
                for c, n in sorted(counts.items(), key=lambda kv: (order.get(kv[0], -1), kv[0]))]

    def counts_line(self) -> str:
        text = f"{self.errors:,} errors, {self.queries:,} queries"
        if self.failures:
            text += f"; {len(self.failures)} rule(s) FAILED to run: " + ", ".join(f.code for f in self.failures)
        return text


def heading(report: Report) -> str:
    """One line naming the return, the rules used and the counts."""
    text = (f"{report.source}: LA {report.la_code}, {year_label(report.collection_year)} return, "
            f"{year_label(report.ruleset)} rules ({len(report.rules)}), {report.children:,} children: "
            f"{report.counts_line()}")
    return text + (f" ({report.note})" if report.note else "")


def rules_run(reports: list[Report]) -> list[Rule]:
    seen, out = set(), []
    for report in reports:
        for r in report.rules:
            if (r.code, r.years) not in seen:
                seen.add((r.code, r.years))
                out.append(r)
    return out
