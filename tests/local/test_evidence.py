"""The report's view: every key question of the framework with the LA's survey and audit evidence, made safe."""

import json
from pathlib import Path

from local_helpers import OPEN_DAY

from munro.disclosure import C
from munro.indicators.catalogue import SECTIONS
from munro.local.audit_import import import_audits
from munro.local.evidence import local_evidence
from munro.local.surveys import add_action, close_survey, submit_response

DATA = Path(__file__).with_name("data")
WORKLOAD = ("How do you know what children and young people's social workers and other key professionals working "
            "with vulnerable children think about whether:")
DECISIONS = ("How do you measure and understand the quality and timeliness of professional decision making for "
             "vulnerable children and young people? Including:")


def test_evidence_by_key_question_for_an_la_and_year(app, make_survey):
    s = make_survey("staff")  # closes 2026-02-27: reporting year 2026 (2025-26)
    for team, answer, n in (("North", "agree", 8), ("South", "disagree", 7), ("South", "agree", 3)):
        for _ in range(n):
            submit_response(app, s.id, {"team": team, "workload_manageable": answer,
                                        "what_would_help": "More time to think"}, today=OPEN_DAY)
    close_survey(app, s.id)
    import_audits(app, DATA / "audits.csv", "330", 2026)
    add_action(app, la="330", survey_id=s.id, key_question="c) Their workloads are manageable",
               you_said="Workloads are not manageable in South", we_did="Two more posts in South")
    evidence = local_evidence(app, "330", 2026)
    # Every local key question, in the framework's order, once.
    assert [e["question"] for e in evidence] == [q.text for s_ in SECTIONS for q in s_.questions]
    workforce = next(e for e in evidence if e["question"] == WORKLOAD)
    work = next(x for x in workforce["surveys"] if x["question_id"] == "workload_manageable")
    assert work["answers_part"] == "c) Their workloads are manageable" and work["respondents"] == 18
    overall = {a["code"]: a["count"] for a in work["answers"]}
    assert overall["agree"] == 11 and overall["disagree"] == 7
    south = next(g for g in work["groups"] if g["group"] == "South")
    assert {a["code"]: a["count"] for a in south["answers"]}["agree"] == C  # 3: hidden, as in survey_results
    assert workforce["actions"][0]["we_did"] == "Two more posts in South"
    decisions = next(e for e in evidence if e["question"] == DECISIONS)
    assert {a["domain"] for a in decisions["audits"]} == {"child_seen", "plan", "management_oversight",
                                                         "multi_agency", "overall", "assessment_quality",
                                                         "decision_proportionate", "timeliness", "impact"}
    overall_grade = next(a for a in decisions["audits"] if a["domain"] == "overall")
    assert set(overall_grade["grades"].values()) <= {0, C}  # four audits: every count is 1 to 5
    # No free text reaches the report, and another year has nothing.
    assert "More time to think" not in json.dumps(evidence, default=str)
    # The framework asks "How is this fed into the development of the service?" twice: one entry, in both places.
    fed = [e for e in evidence if e["question"] == "How is this fed into the development of the service?"]
    assert len(fed) == 2 and fed[0] is fed[1]
    assert all(not e["surveys"] and not e["audits"] for e in local_evidence(app, "330", 2025))
