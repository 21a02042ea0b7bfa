"""The merged history (definitions.md section 1, "Several returns"), worked out by hand.

LA 201 sends two returns. The 2022-23 return (2023) and the 2023-24 return
(2024) both hold child M1's episode referred on 2022-11-01, each with the
parts active in its own year:

| part (identified by)           | 2023 return                      | 2024 return                          |
|--------------------------------|----------------------------------|--------------------------------------|
| episode 2022-11-01 own fields  | need N1, open                    | need N2, closed 2023-10-15 RC7       |
| assessment started 2022-11-02  | not authorised, factors 1B       | authorised 2023-04-20, factors 1B 3B |
| assessment started 2022-11-03  | authorised 2022-12-01, factor 4B | (dated before the year: absent)      |
| section 47 started 2022-11-05  | ICPC 2022-11-20                  | absent                               |
| CIN plan started 2022-12-01    | open                             | ended 2023-06-01                     |
| CP plan started 2022-11-20     | open, latest NEG                 | ended 2023-10-01, latest EMO         |
| reviews of that plan (by date) | 2023-02-10, 2023-03-20           | 2023-03-20, 2023-05-10, 2023-08-10   |

and in the merged history each part is copied from:

| part (identified by)           | merged: copy from      |
|--------------------------------|------------------------|
| episode 2022-11-01 own fields  | 2024                   |
| assessment started 2022-11-02  | 2024 (factors too)     |
| assessment started 2022-11-03  | 2023, kept             |
| section 47 started 2022-11-05  | 2023, kept             |
| CIN plan started 2022-12-01    | 2024                   |
| CP plan started 2022-11-20     | 2024                   |
| reviews of that plan (by date) | union; 03-20 from 2024 |

M1 also has an episode only in 2023 (referred 2022-05-01, closed 2022-08-01) and one only in 2024
(referred 2023-06-01); child M2 is only in 2023. M1's own fields (ethnicity, disabilities) come
from 2024. LA 202 sends returns with the same child ids and dates but other values.
"""

from __future__ import annotations

import pytest

from munro.loading import ingest_file


def return_2023(cin, la="201", need="N1"):
    m1 = cin.Child(id="M1", ethnicity="WBRI", disabilities=["MOB"], episodes=[
        cin.Episode(referral="2022-05-01", need="N3", closure="2022-08-01", reason="RC8"),
        cin.Episode(
            referral="2022-11-01", need=need,
            assessments=[cin.Assessment("2022-11-02", factors=["1B"]),
                         cin.Assessment("2022-11-03", auth="2022-12-01", factors=["4B"])],
            cin_plans=[cin.CinPlan("2022-12-01")],
            s47=[cin.S47("2022-11-05", icpc="2022-11-20")],
            plans=[cin.Plan("2022-11-20", latest="NEG", reviews=["2023-02-10", "2023-03-20"])]),
    ])
    m2 = cin.Child(id="M2", disabilities=["NONE"], episodes=[cin.Episode(referral="2022-07-01", need=None, nfa="true")])
    return cin.xml(2023, [m1, m2], la=la)


def return_2024(cin, la="201", need="N2", with_first_assessment=True):
    assessments = ([cin.Assessment("2022-11-02", auth="2023-04-20", factors=["1B", "3B"])]
                   if with_first_assessment else [])
    m1 = cin.Child(id="M1", ethnicity="WIRI", disabilities=["HEAR", "VIS"], episodes=[
        cin.Episode(
            referral="2022-11-01", need=need, closure="2023-10-15", reason="RC7",
            assessments=assessments,
            cin_plans=[cin.CinPlan("2022-12-01", "2023-06-01")],
            plans=[cin.Plan("2022-11-20", "2023-10-01", latest="EMO",
                            reviews=["2023-03-20", "2023-05-10", "2023-08-10"])]),
        cin.Episode(referral="2023-06-01"),
    ])
    return cin.xml(2024, [m1], la=la)


def merged(store, db, la="201"):
    """The merged tables of one LA, with each row's source given as its collection year."""
    year = "(SELECT collection_year FROM returns r WHERE r.return_id = m.return_id)"
    q = lambda sql: store.query(db, sql.format(year=year), [la])  # noqa: E731
    return {
        "children": q("SELECT la_child_id, {year}, first_year, last_year, ethnicity FROM merged_children m "
                      "WHERE la_code = ? ORDER BY ALL"),
        "disabilities": q("SELECT la_child_id, {year}, disability FROM merged_disabilities m "
                          "WHERE la_code = ? ORDER BY ALL"),
        "episodes": q("SELECT la_child_id, referral_date::VARCHAR, {year}, collection_year, first_year, last_year, "
                      "primary_need, closure_date::VARCHAR, closure_reason, referral_nfa FROM merged_episodes m "
                      "WHERE la_code = ? ORDER BY ALL"),
        "assessments": q("SELECT la_child_id, referral_date::VARCHAR, start_date::VARCHAR, {year}, "
                         "authorisation_date::VARCHAR FROM merged_assessments m WHERE la_code = ? ORDER BY ALL"),
        "factors": q("SELECT la_child_id, referral_date::VARCHAR, assessment_start_date::VARCHAR, {year}, factor "
                     "FROM merged_assessment_factors m WHERE la_code = ? ORDER BY ALL"),
        "section47": q("SELECT la_child_id, referral_date::VARCHAR, start_date::VARCHAR, {year}, icpc_date::VARCHAR "
                       "FROM merged_section47 m WHERE la_code = ? ORDER BY ALL"),
        "cin_plans": q("SELECT la_child_id, referral_date::VARCHAR, start_date::VARCHAR, {year}, end_date::VARCHAR "
                       "FROM merged_cin_plans m WHERE la_code = ? ORDER BY ALL"),
        "cp_plans": q("SELECT la_child_id, referral_date::VARCHAR, start_date::VARCHAR, {year}, end_date::VARCHAR, "
                      "latest_category FROM merged_cp_plans m WHERE la_code = ? ORDER BY ALL"),
        "reviews": q("SELECT la_child_id, referral_date::VARCHAR, plan_start_date::VARCHAR, review_date::VARCHAR, "
                     "{year} FROM merged_cp_reviews m WHERE la_code = ? ORDER BY ALL"),
    }


EXPECTED = {
    "children": [("M1", 2024, 2023, 2024, "WIRI"), ("M2", 2023, 2023, 2023, "WBRI")],
    "disabilities": [("M1", 2024, "HEAR"), ("M1", 2024, "VIS"), ("M2", 2023, "NONE")],
    "episodes": [
        ("M1", "2022-05-01", 2023, 2023, 2023, 2023, "N3", "2022-08-01", "RC8", 0),
        ("M1", "2022-11-01", 2024, 2024, 2023, 2024, "N2", "2023-10-15", "RC7", 0),
        ("M1", "2023-06-01", 2024, 2024, 2024, 2024, "N1", None, None, 0),
        ("M2", "2022-07-01", 2023, 2023, 2023, 2023, None, None, None, 1),
    ],
    "assessments": [
        ("M1", "2022-11-01", "2022-11-02", 2024, "2023-04-20"),
        ("M1", "2022-11-01", "2022-11-03", 2023, "2022-12-01"),
    ],
    "factors": [
        ("M1", "2022-11-01", "2022-11-02", 2024, "1B"),
        ("M1", "2022-11-01", "2022-11-02", 2024, "3B"),
        ("M1", "2022-11-01", "2022-11-03", 2023, "4B"),
    ],
    "section47": [("M1", "2022-11-01", "2022-11-05", 2023, "2022-11-20")],
    "cin_plans": [("M1", "2022-11-01", "2022-12-01", 2024, "2023-06-01")],
    "cp_plans": [("M1", "2022-11-01", "2022-11-20", 2024, "2023-10-01", "EMO")],
    "reviews": [
        ("M1", "2022-11-01", "2022-11-20", "2023-02-10", 2023),
        ("M1", "2022-11-01", "2022-11-20", "2023-03-20", 2024),
        ("M1", "2022-11-01", "2022-11-20", "2023-05-10", 2024),
        ("M1", "2022-11-01", "2022-11-20", "2023-08-10", 2024),
    ],
}


@pytest.mark.parametrize("order", ["2023 then 2024", "2024 then 2023"])
def test_two_consecutive_returns_merge_by_definition(cin, write, db, store, order):
    files = {2023: write("la201_2023.xml", return_2023(cin)), 2024: write("la201_2024.xml", return_2024(cin))}
    for year in ((2023, 2024) if order == "2023 then 2024" else (2024, 2023)):
        ingest_file(db, files[year])
    got = merged(store, db)
    for table, rows in EXPECTED.items():
        assert got[table] == rows, table


def test_merged_rows_keep_their_lineage(cin, write, db, store):
    ingest_file(db, write("a.xml", return_2023(cin)))
    ingest_file(db, write("b.xml", return_2024(cin)))
    # the 2022-11-03 assessment is the second assessment of the second episode of the first child in 2023
    assert store.query(db, "SELECT return_id, collection_year, child_seq, episode_seq, assessment_seq "
                           "FROM merged_assessments WHERE start_date = '2022-11-03'") == [(1, 2023, 1, 2, 2)]
    assert store.query(db, "SELECT return_id, collection_year, child_seq, episode_seq, assessment_seq "
                           "FROM merged_assessments WHERE start_date = '2022-11-02'") == [(2, 2024, 1, 1, 1)]


def test_a_single_return_merges_to_itself(cin, write, db, store):
    ingest_file(db, write("a.xml", return_2023(cin)))
    got = merged(store, db)
    assert got["episodes"] == [
        ("M1", "2022-05-01", 2023, 2023, 2023, 2023, "N3", "2022-08-01", "RC8", 0),
        ("M1", "2022-11-01", 2023, 2023, 2023, 2023, "N1", None, None, 0),
        ("M2", "2022-07-01", 2023, 2023, 2023, 2023, None, None, None, 1),
    ]
    assert got["factors"] == [("M1", "2022-11-01", "2022-11-02", 2023, "1B"),
                              ("M1", "2022-11-01", "2022-11-03", 2023, "4B")]
    assert got["reviews"] == [("M1", "2022-11-01", "2022-11-20", "2023-02-10", 2023),
                              ("M1", "2022-11-01", "2022-11-20", "2023-03-20", 2023)]


def test_another_las_returns_do_not_touch_the_first(cin, write, db, store):
    ingest_file(db, write("a.xml", return_2023(cin)))
    ingest_file(db, write("b.xml", return_2024(cin)))
    first = merged(store, db)
    ingest_file(db, write("c.xml", return_2023(cin, la="202", need="N8")))
    ingest_file(db, write("d.xml", return_2024(cin, la="202", need="N9", with_first_assessment=False)))
    assert merged(store, db) == first == {**EXPECTED}
    other = merged(store, db, la="202")
    assert [(e[0], e[1], e[6]) for e in other["episodes"]] == [
        ("M1", "2022-05-01", "N3"), ("M1", "2022-11-01", "N9"), ("M1", "2023-06-01", "N1"), ("M2", "2022-07-01", None)]
    # LA 202's 2024 return has no 2022-11-02 assessment, so its 2023 copy (not authorised) is kept.
    assert other["assessments"] == [("M1", "2022-11-01", "2022-11-02", 2023, None),
                                    ("M1", "2022-11-01", "2022-11-03", 2023, "2022-12-01")]
    assert other["factors"] == [("M1", "2022-11-01", "2022-11-02", 2023, "1B"),
                                ("M1", "2022-11-01", "2022-11-03", 2023, "4B")]


def test_a_superseded_return_no_longer_feeds_the_merge(cin, write, db, store):
    ingest_file(db, write("a.xml", return_2023(cin)))
    ingest_file(db, write("b.xml", return_2024(cin)))
    outcome = ingest_file(db, write("b-corrected.xml", return_2024(cin, need="N5", with_first_assessment=False)))
    assert (outcome.status, outcome.replaced) == ("replaced", 2)
    got = merged(store, db)
    assert ("M1", "2022-11-01", 2024, 2024, 2023, 2024, "N5", "2023-10-15", "RC7", 0) in got["episodes"]
    assert store.query(db, "SELECT DISTINCT return_id FROM merged_episodes WHERE collection_year = 2024") == [(3,)]
    # The corrected 2024 return dropped the 2022-11-02 assessment: the 2023 copy is what is left.
    assert got["assessments"] == [("M1", "2022-11-01", "2022-11-02", 2023, None),
                                  ("M1", "2022-11-01", "2022-11-03", 2023, "2022-12-01")]
    assert got["factors"] == [("M1", "2022-11-01", "2022-11-02", 2023, "1B"),
                              ("M1", "2022-11-01", "2022-11-03", 2023, "4B")]
    # Reloading the first 2024 file reinstates it and its copies win again.
    ingest_file(db, write("b-again.xml", return_2024(cin)))
    assert merged(store, db) == EXPECTED


def test_a_later_year_with_a_new_episode_only(cin, write, db, store):
    """first_year/last_year span the current returns holding the episode, not every loaded one."""
    ingest_file(db, write("a.xml", return_2023(cin)))
    ingest_file(db, write("b.xml", return_2024(cin)))
    third = cin.xml(2025, [cin.Child(id="M1", ethnicity="WIRI", episodes=[cin.Episode(referral="2023-06-01")])])
    ingest_file(db, write("c.xml", third))
    got = merged(store, db)
    assert ("M1", "2023-06-01", 2025, 2025, 2024, 2025, "N1", None, None, 0) in got["episodes"]
    assert ("M1", 2025, 2023, 2025, "WIRI") in got["children"]
    # M1's 2025 copy has no disabilities: the child's winning copy brings none.
    assert [d for d in got["disabilities"] if d[0] == "M1"] == []


def test_copies_given_twice_in_one_return_resolve_to_the_first_in_the_file(cin, write, db, store):
    """A return holding a child, an episode or an assessment twice: its first copy in the file is the one
    merged, and it beats the earlier return's copy (module docstring of munro.store.merge)."""
    earlier = cin.Child(id="D1", ethnicity="ABAN", episodes=[
        cin.Episode(referral="2022-06-01", need="N5", assessments=[cin.Assessment("2022-06-02", auth="2022-07-01")])])
    first = cin.Child(id="D1", ethnicity="WBRI", episodes=[
        cin.Episode(referral="2023-05-01", need="N1"), cin.Episode(referral="2023-05-01", need="N2")])
    second = cin.Child(id="D1", ethnicity="WIRI", episodes=[
        cin.Episode(referral="2022-06-01", need="N4", assessments=[cin.Assessment("2022-06-02", auth="2022-08-01"),
                                                                   cin.Assessment("2022-06-02", auth="2022-09-01")])])
    ingest_file(db, write("a.xml", cin.xml(2023, [earlier])))
    ingest_file(db, write("b.xml", cin.xml(2024, [first, second])))
    got = merged(store, db)
    assert got["children"] == [("D1", 2024, 2023, 2024, "WBRI")]
    assert [(e[0], e[1], e[2], e[4], e[5], e[6]) for e in got["episodes"]] == [
        ("D1", "2022-06-01", 2024, 2023, 2024, "N4"),  # only the second copy of D1 in 2024 holds it
        ("D1", "2023-05-01", 2024, 2024, 2024, "N1")]
    assert got["assessments"] == [("D1", "2022-06-01", "2022-06-02", 2024, "2022-08-01")]
    # the winners' place in their file: child 1 (its first episode), child 2 (its first assessment)
    assert store.query(db, "SELECT child_seq, episode_seq FROM merged_episodes ORDER BY referral_date") == [
        (2, 1), (1, 1)]
    assert store.query(db, "SELECT child_seq, episode_seq, assessment_seq FROM merged_assessments") == [(2, 1, 1)]
