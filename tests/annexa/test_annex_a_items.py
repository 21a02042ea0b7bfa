"""The items from an Annex A alone equal the same items from the CIN return of the same children, on every
engine; the items an Annex A cannot compute say why; contacts and early help are used where the CIN
census lacks them; and the source of a period's figures is chosen and said.

The children are ``annex_a_children``'s (LA 201, 2022-23: 1 April 2022 to 31 March 2023, the Annex A's
12 months); the population is set to 10,000, so a rate per 10,000 is its count. Worked by hand from its
table: referrals in the year A1, A2, A4, A5 (4); assessments authorised in it A1, A4, A5 (3); enquiries
A4 (1), with a conference (100%); plans started in it A4's (PHY: 1), open at 31 March A3's (1), ended in
it A4's, after 149 days (0% lasting two years); children in need at 31 March A3 and A4 (2); referral
outcomes: A2 no further action, A1 (RC8) and A5 (RC9) not in need, A4 a service (25%). Contacts (6):
A1's (referred the next day), A2's of 1 June (referred that day) and A5's (referred 3 days later) became
referrals, A2's of 1 July, A6's and A7's did not: 3 of 6, 50%, 5 children. Early help started: A5's and
A6's (2), A5's completed (1).
"""

from __future__ import annotations

import datetime as dt

import pytest
from annex_a_children import AS_AT, LA, cin_return, lists

from engine_support import ENGINES, differences, engine_for
from munro.annexa.write import write_annex_a
from munro.indicators.annex_a import ANNEX_A, compute_annex_a, compute_chosen, from_annex_a
from munro.indicators.compute import compute_keys
from munro.indicators.context import Key
from munro.loading import ingest_file, load_file
from munro.population import set_population
from munro.years import Period

D = dt.date
YEAR = Period.of_year(2023)
COMPUTED = [i for i, rule in ANNEX_A.items() if rule.why_not is None]


def _store(db, cin, *, with_return=True, annex_a=True, months=None):
    if with_return:
        path = db.parent / "cin_201_2023.xml"
        path.write_text(cin_return(cin), encoding="utf-8")
        assert ingest_file(db, path, workers=1).error is None
    if annex_a:
        data = lists() if months is None else {n: r for n, r in lists().items() if n in (6, 7)}
        out = load_file(db, write_annex_a(db.parent / "annex_a.xlsx", data), la=LA, as_at=AS_AT, months=months)
        assert out.error is None, out.error
    set_population(db, LA, 2023, 10_000)
    return db


def _figures(result, item_id: str) -> dict:
    """An item's JSON form without the figures an Annex A leaves out (and its note saying so)."""
    drop = (*from_annex_a(item_id).drop, "note")
    return {k: v for k, v in result.to_dict().items() if k not in drop}


@pytest.mark.parametrize("engine", ENGINES)
def test_items_from_the_annex_a_equal_the_same_items_from_the_cin_return(tmp_path, cin, engine):
    db = _store(tmp_path / "store.duckdb", cin)
    with engine_for(engine, db) as e:
        annex_a = compute_annex_a(e, [LA], [YEAR])[Key(LA, YEAR)]
        census = compute_keys(e, [LA], [YEAR], COMPUTED)[Key(LA, YEAR)]
    for i in COMPUTED:
        assert annex_a[i].reason is None, (i, annex_a[i].reason)
        assert differences(_figures(annex_a[i], i), _figures(census[i], i)) == [], i
    hand = {"referral_rate": 4, "assessment_rate": 3, "s47_rate": 1, "cpp_rate": 1, "cin_rate": 2,
            "cpp_starts_by_category": 1, "early_help_rate": 2}
    assert {i: annex_a[i].count for i in hand} == hand
    assert annex_a["s47_to_icpc_conversion"].value == 100.0
    assert annex_a["cpp_lasting_2y"].value == 0.0 and annex_a["cpp_lasting_2y"].denominator == 1
    assert annex_a["referral_outcome"].value == 25.0
    conversion = annex_a["contact_conversion"]
    assert (conversion.numerator, conversion.denominator, conversion.value, conversion["children"]) == (3, 6, 50.0, 5)
    assert annex_a["early_help_rate"]["completed"] == 1
    # What an Annex A leaves out of an item it computes is gone, and the note says why.
    assert "from_referral" not in annex_a["assessment_timeliness"].figures
    assert "from_referral" in annex_a["assessment_timeliness"].note
    assert "crude" not in annex_a["s47_to_icpc_conversion"].figures


def test_the_items_an_annex_a_cannot_compute_say_why(tmp_path, cin):
    db = _store(tmp_path / "store.duckdb", cin, with_return=False)
    with engine_for("duckdb", db) as e:
        got = compute_annex_a(e, [LA], [YEAR])[Key(LA, YEAR)]
    assert got["icpc_rate"].value is None
    assert got["icpc_rate"].reason == ("not from an Annex A: needs conferences recorded on an episode alone, "
                                       "which an Annex A does not hold")
    assert got["rereferral_12m"].reason.startswith("not from an Annex A: needs each child's referrals in the 12 "
                                                   "months before each referral")
    assert got["cin_attainment"].reason == ("not from an Annex A: it is an LA's own imported figure "
                                            "(definitions.md section 3)")
    assert all(got[i].value is None and got[i].reason for i in got if i not in COMPUTED)


def test_a_six_month_annex_a_gives_only_what_is_open_at_its_date(tmp_path, cin):
    """Lists 6 and 7 as at 31 March, 6 months: children in need and on a plan at 31 March, nothing of the year."""
    db = _store(tmp_path / "store.duckdb", cin, with_return=False, months=6)
    with engine_for("duckdb", db) as e:
        got = compute_annex_a(e, [LA], [YEAR], ["cpp_rate", "cin_rate", "referral_rate"])[Key(LA, YEAR)]
    assert (got["cpp_rate"].count, got["cin_rate"].count) == (1, 2)
    assert got["referral_rate"].reason == ("not from an Annex A: needs Annex A workbooks covering every day of "
                                           "2022-04-01 to 2023-03-31 (loaded: 2022-10-01 to 2023-03-31)")


def test_contacts_and_early_help_need_an_annex_a_covering_the_year(tmp_path, cin):
    db = _store(tmp_path / "store.duckdb", cin, annex_a=False)
    with engine_for("duckdb", db) as e:
        got = compute_keys(e, [LA], [YEAR], ["contact_conversion", "early_help_rate"])[Key(LA, YEAR)]
    assert got["contact_conversion"].reason == (
        "needs contacts (Annex A list) for every day of 2022-04-01 to 2023-03-31, which the CIN census does not "
        "collect: load the LA's Annex A workbooks covering them with munro ingest")
    assert got["early_help_rate"].value is None


def test_the_source_is_the_cin_return_where_loaded_else_the_annex_a(tmp_path, cin):
    both = _store(tmp_path / "both.duckdb", cin)
    (tmp_path / "alone").mkdir()
    alone = _store(tmp_path / "alone" / "store.duckdb", cin, with_return=False)
    assert compute_chosen(both, LA, 2023) is None  # the ordinary computation, from the return
    chosen = compute_chosen(both, LA, 2023, ["cpp_rate"], source="auto")
    assert chosen["source"] == "cin" and chosen["source_reason"].startswith("the CIN census: the period's return is "
                                                                            "loaded, validated")
    auto = compute_chosen(alone, LA, 2023, ["cpp_rate"])
    assert auto["source"] == "annex-a"
    assert auto["source_reason"] == ("the Annex A (covering 2022-04-01 to 2023-03-31): no CIN census return of "
                                     "2023 is loaded for LA 201")
    latest = compute_chosen(alone, LA, None, ["cin_rate"], source="annex-a")
    assert latest["period"] == "2022-23" and latest["items"]["cin_rate"].count == 2


def test_the_cli_shows_the_annex_a_source(tmp_path, cin, munro):
    db = _store(tmp_path / "store.duckdb", cin, with_return=False)
    done = munro("--db", db, "indicators", "--la", LA, "--year", "2023", "--items", "cin_rate,icpc_rate")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[1] == ("2022-23: figures from the Annex A (covering 2022-04-01 to 2023-03-31): no CIN census "
                        "return of 2023 is loaded for LA 201")
    assert any(line.startswith("cin_rate") and "annex-a" in line and "2 of 10,000" in line for line in lines)
    assert not any(c in done.stdout for c in ("A1", "A3", "A4"))


def test_every_item_is_declared_for_an_annex_a():
    """Each item of definitions.md section 2 (and the two of Annex A) says whether an Annex A computes it."""
    from munro.indicators.catalogue import ITEMS

    computed = {i for i, it in ITEMS.items() if it.comparability != "published"}
    assert computed == set(ANNEX_A)


def test_asking_for_an_annex_a_that_is_not_loaded_is_one_line(tmp_path, cin, munro):
    db = _store(tmp_path / "store.duckdb", cin, annex_a=False)
    done = munro("--db", db, "indicators", "--la", LA, "--source", "annex-a")
    assert done.returncode != 0
    assert done.stderr.strip().splitlines() == [
        "munro: no Annex A of LA 201 is loaded: load one with munro ingest (docs/annex-a.md)"]
