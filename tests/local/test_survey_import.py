"""Importing survey-tool exports: the three tools' real layouts, nothing identifying kept, bad files load nothing."""

import datetime as dt
from pathlib import Path

import pytest
import sqlalchemy as sa
from local_helpers import dump

from munro.errors import MunroError, RejectedFile
from munro.local import schema as t
from munro.local.results import survey_answers
from munro.local.survey_import import import_responses

DATA = Path(__file__).with_name("data")


def _count(app, table):
    with app.connect() as con:
        return con.execute(sa.select(sa.func.count()).select_from(table)).scalar()


def test_microsoft_forms_export_loads_answers_and_drops_the_respondent_columns(app, make_survey):
    s = make_survey("staff")
    summary = import_responses(app, s.id, DATA / "msforms_staff.csv", "msforms")
    # Six rows; row 5 answered nothing; the answer about a threatening father goes to triage.
    assert (summary.rows, summary.loaded, summary.blank, summary.flagged) == (6, 5, 1, 1)
    first = survey_answers(app, s.id)[0]
    assert first == {"team": "Assessment North", "role": "social_worker", "improved_safety": "agree",
                     "caseload": "16_20", "workload_manageable": "disagree",
                     "what_would_help": "Fewer forms to fill in"}
    text = dump(app)
    for identifying in ("Priya Shah", "priya.shah@", "Tom Okafor", "Lina Begum", "l.begum@", "3/2/26", "9:01:12",
                        "9:07:40"):
        assert identifying not in text, identifying


def test_smartsurvey_export_keeps_no_ip_address_name_or_tracking(app, make_survey):
    s = make_survey("families")
    assert import_responses(app, s.id, DATA / "smartsurvey_families.csv", "smartsurvey").loaded == 3
    assert [r.get("team") for r in survey_answers(app, s.id)] == ["Family Help East", "Family Help East", None]
    text = dump(app)
    for identifying in ("203.0.113.45", "198.51.100.7", "192.0.2.19", "Mrs J Doe", "jdoe@", "81234567",
                        "Text message link", "03/02/2026 18:04"):
        assert identifying not in text, identifying


def test_surveymonkey_export_with_its_two_header_rows(app, make_survey):
    s = make_survey("partners")
    assert import_responses(app, s.id, DATA / "surveymonkey_partners.csv", "surveymonkey").loaded == 3
    rows = survey_answers(app, s.id)
    assert [r["agency"] for r in rows] == ["police", "schools_early_years", "health"]
    assert rows[2] == {"agency": "health", "recognise_concerns": "agree", "understand_thresholds": "neither",
                       "know_early_help": "dont_know", "what_would_help": "Training on the new threshold document"}
    text = dump(app)
    for identifying in ("114001235611", "203.0.113.200", "k.evans@", "Kate", "Evans", "09:14:02"):
        assert identifying not in text, identifying


def test_the_same_file_twice_loads_once(app, make_survey):
    s = make_survey("families")
    import_responses(app, s.id, DATA / "smartsurvey_families.csv", "smartsurvey")
    again = import_responses(app, s.id, DATA / "smartsurvey_families.csv", "smartsurvey")
    assert again.already and _count(app, t.responses) == 3


def _bad(tmp_path, name, text):
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def test_a_bad_cell_rejects_the_file_naming_row_and_column_and_loads_nothing(app, make_survey, tmp_path):
    s = make_survey("staff")
    text = (DATA / "msforms_staff.csv").read_text(encoding="utf-8-sig")
    text = text.replace("Strongly agree,14,Agree", "Strongly agreed,14,Agree").replace(",27,", ",twenty,")
    with pytest.raises(RejectedFile) as e:
        import_responses(app, s.id, _bad(tmp_path, "bad.csv", text), "msforms")
    assert str(e.value) == (
        f"{tmp_path / 'bad.csv'}: 2 problem(s), nothing was loaded:\n"
        "  row 3, column 'My work in the last six months has made the children I work with safer.': improved_safety: "
        "'Strongly agreed' is not one of: Strongly agree, Agree, Neither agree nor disagree, Disagree, "
        "Strongly disagree, Don't know\n"
        "  row 5, column 'How many children are you allocated to today?': caseload: 'twenty' is not a whole number")
    assert _count(app, t.responses) == 0 and _count(app, t.imports) == 0 and _count(app, t.triage) == 0


def test_a_column_that_is_no_question_rejects_the_file(app, make_survey, tmp_path):
    s = make_survey("families")
    text = (DATA / "smartsurvey_families.csv").read_text().replace("I have been treated with respect.",
                                                                   "Were you treated well?")
    with pytest.raises(RejectedFile, match=r"column 'Were you treated well\?': matches no question of families/1"):
        import_responses(app, s.id, _bad(tmp_path, "x.csv", text), "smartsurvey")
    assert _count(app, t.responses) == 0


def test_a_mapping_file_names_columns_ignores_others_and_maps_answer_labels(app, make_survey, tmp_path):
    s = make_survey("families")
    text = (DATA / "smartsurvey_families.csv").read_text()
    text = text.replace("I have been treated with respect.", "Q4 Respect").replace(",Custom Variable 1,", ",Plan type,")
    text = text.replace("Strongly agree,Agree,Strongly agree,Strongly agree",
                        "Strongly agree,Agree,Totally,Strongly agree")
    mapping = _bad(tmp_path, "map.toml", 'ignore = ["Plan type"]\n[columns]\n"Q4 Respect" = "treated_with_respect"\n'
                                         '[answers.treated_with_respect]\n"Totally" = "strongly_agree"\n')
    import_responses(app, s.id, _bad(tmp_path, "m.csv", text), "smartsurvey", mapping_file=mapping)
    assert [r["treated_with_respect"] for r in survey_answers(app, s.id)] == ["agree", "neither", "strongly_agree"]
    assert "CP" not in {v for r in survey_answers(app, s.id) for v in r.values()}


@pytest.mark.parametrize("content,message", [
    (b"", "the file is empty: no header row"),
    (b"PK\x03\x04\x00\x00garbage", "not a CSV file"),
])
def test_unreadable_files_are_refused(app, make_survey, tmp_path, content, message):
    s = make_survey("staff")
    p = tmp_path / "f.csv"
    p.write_bytes(content)
    with pytest.raises(RejectedFile, match=message):
        import_responses(app, s.id, p, "msforms")


def test_a_closed_survey_takes_no_import(app, make_survey):
    from munro.local.surveys import close_survey
    s = make_survey("staff", closes_on=dt.date(2026, 3, 31))
    close_survey(app, s.id)
    with pytest.raises(MunroError, match="is closed: its responses are final"):
        import_responses(app, s.id, DATA / "msforms_staff.csv", "msforms")


def test_a_shifted_row_is_refused(app, make_survey, tmp_path):
    s = make_survey("families")
    text = (DATA / "smartsurvey_families.csv").read_text().replace("Ring back when you say you will",
                                                                   "Ring back, when you say you will")
    with pytest.raises(RejectedFile, match=r"row 2: has 17 cells but the header has 16 columns \(a comma inside an "
                                           "answer that is not in quotes\\?\\)"):
        import_responses(app, s.id, _bad(tmp_path, "shift.csv", text), "smartsurvey")


def test_a_microsoft_forms_workbook_reads_as_its_csv_does(app, make_survey, tmp_path):
    import csv

    from openpyxl import Workbook
    wb = Workbook()
    with open(DATA / "msforms_staff.csv", encoding="utf-8-sig", newline="") as f:
        for row in csv.reader(f):
            wb.active.append([int(c) if c.isdigit() else c for c in row])  # numbers as Excel keeps them
    wb.save(tmp_path / "forms.xlsx")
    from_csv, from_xlsx = make_survey("staff"), make_survey("staff")
    import_responses(app, from_csv.id, DATA / "msforms_staff.csv", "msforms")
    import_responses(app, from_xlsx.id, tmp_path / "forms.xlsx", "msforms")
    assert survey_answers(app, from_xlsx.id) == survey_answers(app, from_csv.id)
