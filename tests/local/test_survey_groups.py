"""Group answers (which team) are chosen from the survey administrator's list, never typed (issue 19).

The red-team case: a respondent typed "my dad hits me, Jane Doe 14 Elm Rd" as their team; it created no
triage entry and was shown verbatim as a group label to roles that may not read free text.
"""

import datetime as dt

import pytest
import sqlalchemy as sa
from local_helpers import OPEN_DAY, dump
from test_survey_import import DATA

from munro.errors import MunroError, RejectedFile
from munro.local import schema as t
from munro.local.appdb import upgrade
from munro.local.results import survey_answers, survey_results
from munro.local.roles import ROLES
from munro.local.survey_groups import set_groups, survey_groups
from munro.local.survey_import import import_responses
from munro.local.surveys import close_survey, create_survey, submit_response, survey_version
from munro.local.triage import triage_queue

DISCLOSURE = "my dad hits me, Jane Doe 14 Elm Rd"


def _count(app, table):
    with app.connect() as con:
        return con.execute(sa.select(sa.func.count()).select_from(table)).scalar()


def test_a_group_is_one_of_the_list_and_anything_typed_is_refused(app, make_survey):
    s = make_survey("staff", teams=["North", "South"])
    rid = submit_response(app, s.id, {"team": "  north ", "workload_manageable": "agree"}, today=OPEN_DAY)
    assert survey_answers(app, s.id) == [{"team": "North", "workload_manageable": "agree"}]  # the list's spelling
    with pytest.raises(MunroError, match="^team: not one of the groups listed: North, South$") as e:
        submit_response(app, s.id, {"team": DISCLOSURE, "workload_manageable": "agree"}, today=OPEN_DAY)
    assert "Jane" not in str(e.value)  # the refusal never repeats what was typed
    assert _count(app, t.responses) == 1 and DISCLOSURE not in dump(app) and rid == 1
    # No list yet: no group answer is taken at all (the rest of a response is).
    bare = make_survey("families", teams=None)
    with pytest.raises(MunroError, match="team: the survey's administrator has not listed the groups"):
        submit_response(app, bare.id, {"team": "North"}, today=OPEN_DAY)
    submit_response(app, bare.id, {"treated_with_respect": "agree"}, today=OPEN_DAY)


def test_the_list_is_checked_and_kept_in_order(app, make_survey):
    s = make_survey("partners", teams=None)
    v = survey_version(s)
    assert set_groups(app, s, v, "team", ["  Police  north", "", "Schools", "Health visiting"]) == [
        "Police north", "Schools", "Health visiting"]
    assert survey_groups(app, s.id) == {"team": ["Police north", "Schools", "Health visiting"]}
    for labels, message in ((["A", "a"], "'a' is in the list twice"), (["x" * 61], "longer than 60 characters"),
                            (["North\x1b[2J"], "holds a control character"),
                            ([str(i) for i in range(101)], "101 groups: at most 100")):
        with pytest.raises(MunroError, match=message):
            set_groups(app, s, v, "team", labels)
    with pytest.raises(MunroError, match="'agency' is not a question answered by choosing a group .*: team\\)"):
        set_groups(app, s, v, "agency", ["Police"])
    assert survey_groups(app, s.id)["team"] == ["Police north", "Schools", "Health visiting"]  # unchanged
    closed = close_survey(app, s.id)
    with pytest.raises(MunroError, match="is closed: its groups are final"):
        set_groups(app, closed, v, "team", ["Police"])


def test_an_answer_typed_before_the_lists_is_other_for_every_role_and_screened_by_the_migration(tmp_path):
    # A database as it was before migration 0004: typed team answers, one of them a disclosure.
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'old.sqlite'}")
    upgrade(engine, "0003")
    s = create_survey(engine, la="330", instrument="staff", opens_on=dt.date(2026, 1, 5),
                      closes_on=dt.date(2026, 2, 27))
    typed = ["North"] * 6 + [DISCLOSURE] + ["Nroth"] * 5
    with engine.begin() as con:
        for i, team in enumerate(typed, 1):
            con.execute(t.responses.insert().values(id=i, survey_id=s.id))
            con.execute(t.answers.insert(), [{"response_id": i, "question_id": "team", "value": team},
                                             {"response_id": i, "question_id": "workload_manageable",
                                              "value": "agree"}])
    upgrade(engine)
    # The migration kept every answer and put the disclosure on the triage queue (by its pattern, not its text).
    assert [r["team"] for r in survey_answers(engine, s.id)] == typed
    [entry] = triage_queue(engine, role="triage", la="330")
    assert ((entry["response_id"], entry["question_id"], entry["reasons"], entry["text"])
            == (7, "team", "hurt", DISCLOSURE))
    set_groups(engine, s, survey_version(s), "team", ["North", "South"])
    close_survey(engine, s.id)
    for role in ROLES:
        r = survey_results(engine, s.id, role=role)
        work = next(q for q in r.questions if q.id == "workload_manageable")
        # 6 North; the 6 not in the list (the disclosure and 5 misspellings) are one group, "Other".
        assert {(g.group, g.respondents) for g in work.groups if g.breakdown == "team"} == {("North", 6), ("Other", 6)}
        assert "Jane" not in str(r.to_dict()) and "Nroth" not in str(r.to_dict())
    engine.dispose()


def test_an_import_maps_its_group_column_to_the_list_or_names_each_row_it_refuses(app, make_survey, tmp_path):
    s = make_survey("staff", teams=["Assessment North", "South"])
    with pytest.raises(RejectedFile) as e:
        import_responses(app, s.id, DATA / "msforms_staff.csv", "msforms")
    # Rows 4 and 5 of the file say "Family Help South": not a listed team, and nothing is loaded.
    assert str(e.value) == (
        f"{DATA / 'msforms_staff.csv'}: 2 problem(s), nothing was loaded:\n"
        "  row 4, column 'Which team do you work in?': team: not one of the groups listed: Assessment North, South\n"
        "  row 5, column 'Which team do you work in?': team: not one of the groups listed: Assessment North, South")
    assert _count(app, t.responses) == 0
    mapping = tmp_path / "map.toml"
    mapping.write_text('[answers.team]\n"Family Help South" = "South"\n', encoding="utf-8")
    assert import_responses(app, s.id, DATA / "msforms_staff.csv", "msforms", mapping_file=mapping).loaded == 5
    assert [r.get("team") for r in survey_answers(app, s.id)] == [
        "Assessment North", "Assessment North", "South", "South", "Assessment North"]
