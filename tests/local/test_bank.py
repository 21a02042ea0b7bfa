"""The question bank: packaged instruments, their mapping to the framework, and an LA's own files."""

import shutil

import pytest

from munro.indicators.catalogue import SECTIONS, question_of
from munro.local.bank import PACKAGED, InstrumentError, load_bank

BANK = load_bank()
ALL_QUESTIONS = [(v, q) for v in BANK.versions.values() for q in v.questions]


@pytest.mark.parametrize("version,question", ALL_QUESTIONS, ids=[f"{v.key}:{q.id}" for v, q in ALL_QUESTIONS])
def test_every_question_maps_to_a_key_question_of_the_framework(version, question):
    framework_q = question_of(question.key_question)
    quoted = {q for s in SECTIONS for q in s.questions}
    assert framework_q in quoted
    assert question.section in ("outcomes", "workforce", "timeliness")


def test_the_instruments_of_the_issue_are_packaged():
    assert BANK.instruments() == ["case-file-audit", "children-12-17", "children-4-7", "children-8-11",
                                  "families", "partners", "staff"]
    assert {v.audience for v in BANK.versions.values()} == {"children", "families", "staff", "partners", "audit"}
    assert ([BANK.get(i).age_band for i in ("children-4-7", "children-8-11", "children-12-17")]
            == ["4-7", "8-11", "12-17"])


def test_the_youngest_version_has_pictures_three_faces_and_a_trusted_adult():
    v = BANK.get("children-4-7")
    assert v.pictures and "trusted adult" in v.completed_with
    counted = [q for q in v.questions if q.counted]
    assert counted and all(q.scale.id == "faces3" for q in counted)
    assert [o.label for o in counted[0].scale.options] == ["Yes", "Sort of", "No"]
    assert all(q.picture for q in v.questions) and all(o.picture for o in counted[0].scale.options)


def test_each_key_question_of_the_children_is_asked_in_every_age_version():
    wanted = {"(a) At home", "(b) At school", "(c) In their local area",
              "How do you know what children think about changes of social worker?"}
    for inst in ("children-4-7", "children-8-11", "children-12-17"):
        assert wanted <= {q.key_question for q in BANK.get(inst).questions}, inst


def test_partner_agencies_are_the_frameworks_seven():
    v = BANK.get("partners")
    agency = v.question(v.groups["agency"])
    assert [o.code for o in agency.scale.options] == ["police", "health", "schools_early_years", "adult_social_care",
                                                      "youth_services", "criminal_justice", "other"]
    asked = {q.key_question[:2] for q in v.questions}
    assert {"1)", "2)", "3)"} <= asked  # the three numbered lines of the framework's question


def test_audit_form_grades_each_domain_on_the_ofsted_scale_with_one_overall_grade():
    v = BANK.get("case-file-audit")
    assert [q.id for q in v.questions] == [
        "child_seen", "voice_of_child", "assessment_quality", "decision_proportionate", "plan", "timeliness",
        "core_group_timely", "management_oversight", "multi_agency", "family_view", "impact", "overall"]
    assert [q.id for q in v.questions if q.overall] == ["overall"]
    grades = [o.label for o in v.question("overall").scale.options if not o.not_graded]
    assert grades == ["Outstanding", "Good", "Requires improvement", "Inadequate"]


def test_answers_parse_from_labels_codes_and_numbers_into_bands():
    caseload = BANK.get("staff").question("caseload").scale
    assert [caseload.parse(x) for x in ("0", "10", "11", "17", "25", "26", "90")] == [
        "0_10", "0_10", "11_15", "16_20", "21_25", "26_plus", "26_plus"]
    agree = BANK.get("staff").question("workload_manageable").scale
    assert agree.parse("  strongly   AGREE ") == "strongly_agree" and agree.parse("dont_know") == "dont_know"
    with pytest.raises(ValueError, match="'Agreed' is not one of: Strongly agree, Agree"):
        agree.parse("Agreed")
    with pytest.raises(ValueError, match="'lots' is not a whole number"):
        caseload.parse("lots")


def _la_folder(tmp_path, body, name="safe-online", version=1, scales=None):
    d = tmp_path / "la"
    (d / name).mkdir(parents=True)
    (d / name / f"{version}.toml").write_text(body)
    if scales:
        (d / "scales.toml").write_text(scales)
    return d


LA_VERSION = '''
instrument = "safe-online"
version = 1
title = "Feeling safe online"
audience = "children"
age_band = "12-17"

[[questions]]
id = "safe_online"
text = "How often do you feel safe online?"
scale = "often3"
key_question = "(c) In their local area"
'''
LA_SCALES = '''
[scales.often3]
title = "Three points"
kind = "choice"
options = [
  { code = "often", label = "Often" },
  { code = "sometimes", label = "Sometimes" },
  { code = "never", label = "Never" },
]
'''


def test_an_la_adds_its_own_instrument_and_scale_without_code(tmp_path):
    bank = load_bank([_la_folder(tmp_path, LA_VERSION, scales=LA_SCALES)])
    v = bank.get("safe-online")
    assert v.question("safe_online").scale.categories == ("often", "sometimes", "never")
    assert v.question("safe_online").section == "outcomes"
    assert bank.get("staff").version == 1  # the packaged ones are still there


def test_an_la_question_must_answer_a_framework_key_question(tmp_path):
    body = LA_VERSION.replace('"(c) In their local area"', '"Do children like the park?"')
    with pytest.raises(InstrumentError, match=r"1\.toml: question 'safe_online': key_question is not a local key "
                                              "question of the framework"):
        load_bank([_la_folder(tmp_path, body, scales=LA_SCALES)])


@pytest.mark.parametrize("change,message", [
    (('scale = "often3"', 'scale = "often4"'), "unknown scale 'often4'"),
    (('id = "safe_online"', 'id = "safe_online"\nwording = "x"'), "unknown field wording"),
    (('audience = "children"', 'audience = "pupils"'), "audience 'pupils' is not one of"),
    (('version = 1', 'version = 2'), "the file must be <instrument>/<version>.toml"),
])
def test_la_files_with_mistakes_are_refused_naming_the_field(tmp_path, change, message):
    with pytest.raises(InstrumentError, match=message):
        load_bank([_la_folder(tmp_path, LA_VERSION.replace(*change), scales=LA_SCALES)])


def test_a_packaged_version_cannot_be_redefined_differently(tmp_path):
    d = tmp_path / "la"
    (d / "staff").mkdir(parents=True)
    text = (PACKAGED / "staff" / "1.toml").read_text().replace("My workload is manageable.", "My workload is fine.")
    (d / "staff" / "1.toml").write_text(text)
    with pytest.raises(InstrumentError, match="staff/1 is already defined in .*a version never changes"):
        load_bank([d])


def test_the_same_version_copied_unchanged_is_accepted(tmp_path):
    d = tmp_path / "la"
    shutil.copytree(PACKAGED / "families", d / "families")
    assert load_bank([d]).get("families").fingerprint == BANK.get("families").fingerprint


def test_docs_describe_every_packaged_instrument_and_triage_pattern():
    from pathlib import Path

    from munro.local.triage import PATTERNS
    doc = (Path(__file__).resolve().parents[2] / "docs" / "local.md").read_text()
    for name in BANK.instruments():
        assert f"`{name}`" in doc, name
    for pattern in PATTERNS:
        assert f"| `{pattern}` |" in doc, pattern
