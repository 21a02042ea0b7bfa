"""``docs/indicators.md``, generated from the item catalogue (the registered items and the framework's sections).

Regenerate with ``python -m munro.indicators.docs > docs/indicators.md``;
``tests/indicators/test_catalogue.py`` fails while the file and
``render_markdown()`` differ, so the page cannot fall behind the catalogue.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable

from munro.indicators.catalogue import (
    CATALOGUE,
    COMPARABILITY,
    POLARITIES,
    SECTIONS,
    Item,
    Question,
    Section,
    by_section,
    question_of,
)

REGENERATE = "python -m munro.indicators.docs > docs/indicators.md"

UNIT_NAMES = {
    "percent": "percent",
    "per_10k": "rate per 10,000 children",
    "working_days": "working days",
    "days": "calendar days",
    "count": "count",
}

_INTRO = f"""\
# National information items

<!-- Generated from munro's item registrations by `{REGENERATE}`. Do not edit by hand. -->

This page is generated from munro's item catalogue: each item's `@item` registration beside
its computation (`src/munro/indicators/`) and the framework's sections (`catalogue.py`).
Do not edit it by hand: change the item or section and regenerate the page with

    {REGENERATE}

(`tests/indicators/test_catalogue.py` fails while the two differ).

It describes every item munro reports for the 2012 DfE, Ofsted and ADCS child protection
performance information framework, as `definitions.md` defines them: the framework's nationally
collected information items, computed from the CIN census or imported from other sources, and
the few context and local items `definitions.md` adds, which say so. The items are grouped by
the framework's five sections, in its order. Text in quotation blocks, and in double quotes
within munro's text, is the framework's own wording, quoted exactly apart from line breaks
(`...` marks words left out between a question and the part of it quoted); everything else is
munro's.

## Reading an item

- **Unit**: `percent`, `per_10k` (a rate per 10,000 children), `working_days`, `days` or
  `count`, the unit of the item's headline `value`.
- **Polarity**: whether a higher value is better (`higher_better`), a lower value is better
  (`lower_better`) or neither is better in itself (`neither`), and why.
- **Comparability**: DfE-comparable (`dfe`: the definition follows DfE's published statistics,
  so the figure can be benchmarked against them), munro's own definition (`munro`: the
  framework's item has no published equivalent, and the figure must be shown as munro's own)
  or imported as published by its source (`published`: munro does not compute the figure).
  Where some figures of an item differ from its headline, they are named.
- **Needs**: data beyond the CIN census that the item needs, loaded with `munro ingest` in the
  CSV layouts of `docs/local-data.md`. Without it the item's `value` (or the figure that needs
  it) is null with a `reason`.
- **Figures**: the figures the result carries besides its headline `value`, as
  `definitions.md` names them.

## Conventions

These follow section 1 of `definitions.md` and apply to every item computed from the CIN census.

- **The year.** Reporting year Y runs from 1 April Y-1 to 31 March Y, and an event is in the
  year when its date falls between those two dates, both included.
- **Open at 31 March** means started on or before 31 March and not ended by then: an episode
  or plan that ends on 31 March is not open at 31 March.
- **Working days** are Monday to Friday except bank holidays in England, one-off bank holidays
  included. The start day is not counted and the end day is, so events on the same day are 0
  working days apart, and a span that starts at a weekend or on a bank holiday counts from the
  next working day. A span whose end date is before its start date is a data-quality exception,
  even when no working day lies between them (from a Sunday back to the Friday before): it is
  left out of the item and counted in the item's `excluded` figure.
- **Months and years** are counted on the calendar: within 12 months after a date means on or
  before the same date 12 months later, and a year after 29 February is 28 February.
- **Rates per 10,000** divide a count by the ONS mid-year estimate of children aged 0 to 17 in
  the authority for 30 June inside the reporting year, times 10,000. A user can set the
  population for an authority and year (for synthetic or not yet published figures).
- **Referrals and episodes.** Each episode of need is opened by one referral. Referrals that led
  to no further action count in every referral measure but never as children in need.
- **Several returns.** An authority's returns for successive years are merged into one history:
  an episode and each of its parts come from the latest loaded return that holds them, and parts
  found only in earlier returns are kept. Items that look back (re-referrals, repeat plans) use
  every year loaded, and the result states which years of history were available.
- **Percentiles** (25th, median, 75th) interpolate linearly between the closest ranks.
- **Rounding.** Items are computed and stored unrounded; percents and rates are shown to 1
  decimal place.
- **Disclosure control** for anything published beyond the authority: counts from 1 to 5 are
  shown as `c`, with further cells hidden where a hidden one could be worked out from totals,
  and England and regional totals are rounded to the nearest 10.
- **Every result** carries `id`, `value` (the headline, or null with a `reason` when it cannot
  be computed), `unit` and its figures.

Items from other sources are imported per authority and year from a documented file layout
(an authority's own figure: the own-figures layout of `docs/local-data.md`), shown with their
source and benchmarked the same way.

## Any as-at date

Every item computed from the CIN census can also be computed for the 12 months ending on any date
R (`munro indicators --as-at DATE`), and as a monthly series of such figures (`--months`). A
reporting year is the case R = 31 March and gives exactly its figures as above. For any R:

- **The 12 months** run from the day after the same date a year before R to R, both included: the
  12 months to 15 October 2025 start on 16 October 2024. When R is the last day of a month they are
  12 whole calendar months: to 31 October 2025 from 1 November 2024, to 28 February 2025 from
  1 March 2024, to 29 February 2024 from 1 March 2023. "In the year" in an item's definition means
  in these 12 months, and "at 31 March" means at R: open at R is started on or before R and not
  ended by R.
- **Look-backs.** An item that follows an earlier cohort (re-referral after a plan) takes the 12
  months ending the same number of calendar months before R, a month's last day staying a month's
  last day: 12 months before 28 February 2025 is 29 February 2024 (the cohort of 1 March 2023 to
  29 February 2024), 12 months before 29 February 2024 is 28 February 2023, and 12 months before
  15 October 2025 is 15 October 2024. "Within 12 months after" a date stays calendar arithmetic (29
  February 2024 + 12 months is 28 February 2025).
- **Not yet happened.** For R on any day but 31 March the figures are what an extract taken on R
  would give. A record identified by a date after R (an episode referred, a plan, an assessment or
  an enquiry started, a visit or meeting held after R) does not exist yet. Any other date after R
  reads as missing, with what is recorded with it: an episode or plan that ends after R is open at
  R, an episode's reason for closure recorded after R is not known, an assessment authorised after R
  is not completed, an episode closed after R is not closed at R (a plan that ended on R whose
  episode closed the next working day has not ended with the case closed), a first core group
  meeting or a period of care after R has not happened. Dates recorded in advance (a conference's
  target date, an expected date of birth) are known at R whatever day they name.
- **A reporting year is final.** For R = 31 March nothing is cut: the merged history is read as
  section 1 of `definitions.md` has it, the latest return winning, so an outcome that follows an
  event of the year just after 31 March (an episode closed on the working day after a plan ended on
  28 March) counts once a later return records it, as it always has. This keeps every reporting
  year's figures, and their comparison with DfE's published statistics, unchanged; it also means
  that a monthly series' 31 March point is the reporting year's figure and may count such outcomes,
  which the other months' points cannot yet.
- **Rates per 10,000** divide by the ONS mid-year estimate for the 30 June inside the 12 months, as
  a reporting year's rate does (its 30 June is inside it): the 12 months to 31 October 2025 and to
  30 June 2025 take mid-2025 (the population of reporting year 2025-26), those to 29 June 2025 or to
  28 February 2025 take mid-2024 (2024-25's).
- **The data a period needs.** A reporting year needs its own return. A period ending on another day
  R needs data covering R (the return of R's reporting year, or an in-year extract of that collection
  dated on or after R) and the previous reporting year's return, the only one complete for the months
  before 1 April (a later return holds only what was still open). Without them every item is null with
  the reason, such as "needs the 2025 return (for the months before 1 April 2025)". An item that needs
  records beyond the census (visits, core groups, allocations, SSDA903 episodes) needs them for both
  reporting years the 12 months touch. An LA's own imported figures are for reporting years only.
- **A monthly series** of N points up to R (1 to 36) is the 12 months ending on R and on the same
  day of each of the N - 1 months before it, month ends when R is one (to 31 October 2025: 30
  September, 31 August, ... and 29 February in a leap year), computed together in one pass.
"""


def _quote(text: str) -> list[str]:
    return [f"> {text}", ""]


def _code(names: Iterable[str]) -> str:
    return ", ".join(f"`{n}`" for n in names)


def _question(q: Question) -> list[str]:
    lines = [f"- {q.text}"]
    if q.parts or q.then:
        lines.append("")
    lines += [f"  - {p}" for p in q.parts]
    if q.then:
        lines.append("")
        lines += [f"  - {t}" for t in q.then]
    if q.parts or q.then:
        lines.append("")
    return lines


def _section(number: int, s: Section, items: tuple[Item, ...]) -> list[str]:
    out = [f"## {number}. {s.name}", ""]
    if s.purpose:
        out += ["The framework's introduction:", ""]
        for i, paragraph in enumerate(s.purpose):
            out += [f"> {paragraph}"] + ([">"] if i < len(s.purpose) - 1 else [])
        out.append("")
    if s.questions:
        out += ["The framework's local key questions:", ""]
        for q in s.questions:
            out += _question(q)
        if out[-1] != "":
            out.append("")
    if s.note:
        out += [s.note, ""]
    out += [f"Items: {_code(i.id for i in items)}.", ""]
    for it in items:
        out += _item(it)
    return out


def _comparability(it: Item) -> str:
    text = f"{COMPARABILITY[it.comparability]} (`{it.comparability}`)"
    if it.munro_figures:
        text += f", except {_code(it.munro_figures)} (munro's own)"
    if it.dfe_figures:
        text += f", except {_code(it.dfe_figures)} (DfE-comparable)"
    text += "."
    if it.comparability_note:
        text += f" {it.comparability_note}"
    return text


def _item(it: Item) -> list[str]:
    needs = ", ".join(it.needs) if it.needs else "nothing"
    out = [
        f"### `{it.id}`: {it.title}",
        "",
        f"- **Unit:** {UNIT_NAMES[it.unit]} (`{it.unit}`).",
        f"- **Headline value:** {it.headline}.",
        f"- **Polarity:** {POLARITIES[it.polarity]} (`{it.polarity}`). {it.polarity_reason}",
        f"- **Comparability:** {_comparability(it)}",
        f"- **Source:** {it.source}.",
        f"- **Needs beyond the CIN census:** {needs}.",
    ]
    if it.figures:
        figures = _code(it.figures)
        if it.breakdown:
            label, names = it.breakdown
            figures += f"; {label}: {_code(names)}"
        out.append(f"- **Figures:** {figures}.")
    out += ["", it.definition, ""]
    if it.framework_item:
        out += [f'The framework\'s item (data source: "{it.framework_source}"):', ""]
        out += _quote(it.framework_item)
    if it.rationale_quoted:
        out += ["The framework's rationale:", ""]
        out += _quote(it.rationale)
    else:
        out += [f"**Where it comes from.** {it.rationale}", ""]
    if it.rationale_note:
        out += [it.rationale_note, ""]
    if it.framework_differences:
        out += [f"**Differences from the framework.** {it.framework_differences}", ""]
    if it.key_questions:
        out += ["Local key questions it helps answer:", ""]
        for quote in it.key_questions:
            q = question_of(quote)
            if quote == q.text:
                out += [f"> {q.text}"] + [f"> - {p}" for p in q.parts + q.then] + [""]
            else:
                out += _quote(f"{q.text} ... {quote}")
    return out


def _summary() -> list[str]:
    out = ["## All items", "", "| Section | Item | Title | Unit | Polarity | Comparability |",
           "|---|---|---|---|---|---|"]
    names = {s.id: s.short_name for s in SECTIONS}
    for it in CATALOGUE:
        out.append(
            f"| {names[it.section]} | `{it.id}` | {it.title} | `{it.unit}` | `{it.polarity}` | `{it.comparability}` |"
        )
    return out + [""]


def render_markdown() -> str:
    """The text of ``docs/indicators.md``."""
    lines = [_INTRO] + _summary()
    sections = by_section()
    for number, s in enumerate(SECTIONS, 1):
        lines += _section(number, s, sections[s.id])
    while lines and lines[-1] == "":
        lines.pop()
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.stdout.write(render_markdown())
