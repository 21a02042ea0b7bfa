"""What a board reads: item definitions without the catalogue's field names and JSON talk, and the
figures behind a headline labelled in words, with years as years and breakdowns as tables.

The catalogue's definitions are written for analysts (docs/indicators.md is generated from them);
``fmt.reader_definition`` gives the reader's version shown on the page. ``fmt.figures`` gives
the page's figures table; ``fmt.figure_rows`` the workbook's long form, with the same labels.
"""

from __future__ import annotations

import html
import re

import pytest

from munro.indicators.catalogue import CATALOGUE
from munro.indicators.result import ItemResult
from munro.report.fmt import figure_rows, figures, reader_definition

SNAKE = re.compile(r"\b[a-z0-9]+(?:_[a-z0-9]+)+\b")  # within_45, from_referral, cpp_numerator


@pytest.mark.parametrize("item", CATALOGUE, ids=lambda i: i.id)
def test_every_definition_reads_without_field_names(item):
    text = reader_definition(item.definition)
    assert text and text.endswith(".")
    assert "`" not in text
    assert SNAKE.findall(text) == []
    assert not re.search(r"\bnull\b", text, re.I)
    assert ".md" not in text and " --" not in text  # no doc page, no command-line option
    assert "  " not in text and " ," not in text and " ." not in text and "()" not in text


def test_the_catalogue_itself_keeps_the_analysts_wording():
    # docs/indicators.md is generated from the catalogue: the reader's version must not replace it.
    assert any("`" in i.definition for i in CATALOGUE)


@pytest.mark.parametrize("analyst, reader", [
    # A parenthesis of the field names that hold what the sentence has just said goes.
    ("The result gives the number completed within 45 working days (`within_45`). The headline is the percent.",
     "The result gives the number completed within 45 working days. The headline is the percent."),
    ("the same percent is given separately for children on a plan (`cpp`, with `cpp_numerator` and "
     "`cpp_denominator`).",
     "the same percent is given separately for children on a plan."),
    # "counted in `excluded`", in words.
    ("An assessment whose end date is before its start date is left out and counted in `excluded`.",
     "An assessment whose end date is before its start date is left out as a data-quality exception."),
    ("plans with no meeting recorded are counted in `no_meeting_recorded`. A gap is a lapse (counted in "
     "`lapses`).",
     "plans with no meeting recorded are counted separately. A gap is a lapse."),
    # "Also `field`, what it is": what it is.
    ("Referrals received in the year, per 10,000 children aged 0 to 17. Also `count`, the number of referrals.",
     "Referrals received in the year, per 10,000 children aged 0 to 17. Also the number of referrals."),
    ("Also `open_2y`: of plans open at 31 March, the percent that had started 729 days before.",
     "Also, of plans open at 31 March, the percent that had started 729 days before."),
    ("Also `visits_seen` (visits at which the child was seen) and `seen_alone` (the percent of those seen "
     "alone).",
     "Also visits at which the child was seen and the percent of those seen alone."),
    # A sentence about the JSON's shape goes; "null with a reason" is "no value".
    ("Referrals by who made them. There is no single headline: `value` is null and `groups` holds the figures.",
     "Referrals by who made them."),
    ("Needs the visits (the cp-visits layout, docs/local-data.md); without them the value is null with a reason.",
     "Needs the visits; without them there is no value (the report says why)."),
    ("An own figure is loaded with munro ingest in the own-figures layout (docs/local-data.md); without it "
     "the value is null with a reason.",
     "An own figure is loaded from a file the authority supplies; without it there is no value (the report "
     "says why)."),
    ("10 working days unless the authority sets another (munro indicators --visiting-standard).",
     "10 working days unless the authority sets another."),
    # Names left: a group by its name in the table, an item by its title.
    ("in groups: `police` (6), `la_services` (4 housing) and `nfa`. The headline is the rate for `any`.",
     "in groups: \u2018police\u2019 (6), \u2018LA services\u2019 (4 housing) and \u2018no further action\u2019. "
     "The headline is the rate for \u2018any\u2019."),
    ("Also `crude`: the conferences (counted as for `icpc_rate`) as a percent of enquiries.",
     "Also the conferences (counted as for \u201cInitial child protection conferences (rate per 10,000)\u201d) "
     "as a percent of enquiries."),
    ("without them `became_looked_after` is null with a reason, the headline counts `cin_closed` alone and a "
     "`note` says so.",
     "without them that figure is not available, the headline counts closed episodes alone."),
])
def test_reader_definition_by_hand(analyst, reader):
    assert reader_definition(analyst) == reader


# ---------------------------------------------------------------- the figures behind a headline


def _rate(**population) -> ItemResult:
    return ItemResult(id="cpp_rate", unit="per_10k", value=41.0, numerator=1201, denominator=292859, count=1201,
                      figures={"population": 292859, "population_source": "ONS",
                               "population_vintage": "ONS mid-year estimate mid-2024", "population_mid_year": 2024,
                               "population_estimated": False, **population})


def test_a_rates_figures_say_what_they_count_and_the_year_is_a_year():
    f = figures(_rate())
    rows = {label: value for label, value, _ in f.rows}
    assert rows == {
        "Children on a child protection plan at 31 March": "1,201",  # numerator and count: one figure, once
        "Children aged 0 to 17 (population)": "292,859",
        "Population source": "Office for National Statistics (ONS)",
        "Population estimate used": "ONS mid-year estimate mid-2024",
        "Population estimate (mid-year)": "mid-2024",
        "Mid-year estimate for the reporting year published": "Yes",
    }
    assert f.tables == []
    estimated = {label: value for label, value, _ in figures(_rate(population_estimated=True)).rows}
    assert estimated["Mid-year estimate for the reporting year published"].startswith("No: ")
    book = dict(figure_rows(_rate()))
    assert book["Population estimate (mid-year)"] == "mid-2024"
    assert book["Children aged 0 to 17 (population)"] == 292859  # the workbook keeps numbers as numbers


def test_groups_are_a_table_one_row_per_group():
    r = ItemResult(id="referral_source", unit="percent", count=200, groups={
        "police": {"count": 120, "percent": 60.0, "nfa_count": 12, "nfa_percent": 10.0},
        "la_services": {"count": 80, "percent": 40.0, "nfa_count": "c", "nfa_percent": "c"}})
    f = figures(r)
    assert [(label, value) for label, value, _ in f.rows] == [("Referrals received in the year", "200")]
    [t] = f.tables
    assert (t.caption, t.head) == ("By source", "Source")
    assert t.columns == ["Referrals", "Percent of all referrals", "Led to no further action",
                         "Percent of the source's referrals that led to no further action"]
    assert t.rows == [("Police", [("120", True), ("60.0", True), ("12", True), ("10.0", True)]),
                      ("LA services", [("80", True), ("40.0", True), ("c", True), ("c", True)])]
    assert ("Police: referrals", 120) in figure_rows(r)


def test_parts_of_a_result_are_a_table():
    r = ItemResult(id="cin_duration", unit="percent", value=17.6, numerator=1713, denominator=9745, excluded=0,
                   figures={"open": {"count": 9745, "median": 204.0, "bands": {"up_to_3m": 1}},
                            "closed": {"count": 14181, "excluded": 0, "median": 123.0, "bands": {"up_to_3m": 1}}})
    f = figures(r)
    [t] = f.tables
    assert t.head == "Episodes of need"
    assert t.columns == ["Episodes", "Median (days)", "Left out (end before start)"]
    assert [(label, [text for text, _ in cells]) for label, cells in t.rows] == [
        ("Open at 31 March", ["9,745", "204", "no figure"]), ("Closed in the year", ["14,181", "123", "0"])]


def test_a_measure_taken_two_ways_is_one_table_beside_the_headlines_own():
    r = ItemResult(id="assessment_timeliness", unit="percent", value=86.0, numerator=13488, denominator=15675,
                   count=15675, excluded=0,
                   figures={"p25": 24.0, "median": 33.0, "p75": 41.0, "within_45": 13488,
                            "from_referral": {"value": 78.7, "count": 14104, "excluded": 0, "p25": 26.0,
                                              "median": 36.0, "p75": 44.0, "within_45": 11097}})
    f = figures(r)
    assert [(label, value) for label, value, _ in f.rows] == [
        ("Assessments completed within 45 working days", "13,488"), ("Assessments completed in the year", "15,675")]
    [t] = f.tables
    assert t.columns == ["Assessments", "Within 45 working days", "Percent within 45 working days",
                         "25th percentile", "Median", "75th percentile", "Left out (end before start)"]
    assert [(label, [text for text, _ in cells]) for label, cells in t.rows] == [
        ("The start of the assessment", ["15,675", "13,488", "86.0", "24", "33", "41", "0"]),
        ("The referral", ["14,104", "11,097", "78.7", "26", "36", "44", "0"])]
    assert "working days" in t.caption


def test_dates_and_cohort_years_read_as_dates_and_years():
    r = ItemResult(id="rereferral_after_cpp_12m", unit="percent", value=13.8, numerator=203, denominator=1469,
                   count=1469, figures={"cohort_year": 2024, "cohort_start": "2023-04-01", "cohort_end": "2024-03-31"})
    rows = {label: value for label, value, _ in figures(r).rows}
    assert rows["Cohort: plans that ended in"] == "2023-24"
    assert rows["Cohort: plans that ended on or after"] == "1 April 2023"
    assert rows["Cohort: plans that ended on or before"] == "31 March 2024"


def test_days_carry_their_unit():
    r = ItemResult(id="child_seen_per_cpp", unit="percent", value=57.5, numerator=1499, denominator=2606,
                   count=2606, figures={"visiting_standard": 10, "seen_alone": 48.07})
    rows = {label: value for label, value, _ in figures(r).rows}
    assert rows["Visiting standard"] == "10 working days"
    assert rows["Of those visits, seen alone (percent, where recorded)"] == "48.1%"


# ---------------------------------------------------------------- on the page


def _text(fragment: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", " ", fragment))


def test_the_page_shows_no_field_name(internal_report):
    page = internal_report.html.read_text(encoding="utf-8")
    definitions = re.findall(r'Definition</dt>\s*<dd class="govuk-summary-list__value">(.*?)</dd>', page, re.S)
    assert len(definitions) == len(CATALOGUE)
    for d in definitions:
        assert "<code>" not in d and "`" not in d and SNAKE.findall(_text(d)) == []
    tables = re.findall(r'<table class="govuk-table munro-figures.*?</table>', page, re.S)
    assert len(tables) > 10
    shown = _text(" ".join(tables))
    assert "_" not in shown
    assert "mid year" not in shown and "numerator" not in shown.lower()
    assert re.search(r"Population estimate \(mid-year\)\s+mid-20\d\d\b", shown)
    assert not re.search(r"\b2,0\d\d\b", shown.split("Population estimate (mid-year)")[1][:40])
    # A breakdown is a table with a row per group, not a list of "groups: police: count" rows.
    assert re.search(r"By source.*?<th scope=\"row\"[^>]*>Police</th>", " ".join(tables), re.S)
