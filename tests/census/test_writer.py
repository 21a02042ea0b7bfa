"""The streaming CIN census writer: format.py decides names, order and presence per year."""

from __future__ import annotations

import datetime as dt

import pytest
from lxml import etree

from munro import __version__
from munro.census.format import CHILD, Container, Field, Group, ListOf
from munro.census.writer import ReturnWriter

D = dt.date


def full_child() -> dict:
    """A child with a value for every element of every year's format."""
    return {
        "LAchildID": "ABC123", "UPN": "A950000178301", "FormerUPN": "H243278544154",
        "UPNunknown": None, "PersonBirthDate": D(2015, 3, 1), "ExpectedPersonBirthDate": None,
        "GenderCurrent": "2", "Sex": "F", "PersonDeathDate": None,
        "Ethnicity": "WBRI", "Disabilities": ["AUT", "LD"],
        "CINdetails": [{
            "CINreferralDate": D(2015, 5, 2), "ReferralSource": "6", "PrimaryNeedCode": "N1",
            "CINclosureDate": D(2016, 3, 1), "ReasonForClosure": "RC7",
            "DateOfInitialCPC": None, "ReferralNFA": False,
            "Assessments": [{
                "AssessmentActualStartDate": D(2015, 5, 3),
                "AssessmentInternalReviewDate": D(2015, 5, 20),
                "AssessmentAuthorisationDate": D(2015, 6, 3),
                "FactorsIdentifiedAtAssessment": ["3B", "4B"],
            }],
            "CINPlanDates": [{"CINPlanStartDate": D(2016, 1, 4), "CINPlanEndDate": D(2016, 3, 1)}],
            "Section47": [{"S47ActualStartDate": D(2015, 5, 5), "InitialCPCtarget": D(2015, 5, 26),
                           "DateOfInitialCPC": D(2015, 5, 22), "ICPCnotRequired": False}],
            "ChildProtectionPlans": [{
                "CPPstartDate": D(2015, 5, 22), "CPPendDate": D(2016, 1, 4),
                "InitialCategoryOfAbuse": "NEG", "LatestCategoryOfAbuse": "EMO",
                "NumberOfPreviousCPP": 0, "SeenSocialWorker": True,
                "Reviews": [D(2015, 8, 10), D(2016, 1, 4)],
            }],
            "PreProceedingsandFGDM": [{
                "PPStartDate": D(2015, 9, 1), "LBPSentDate": D(2015, 9, 8),
                "FGDMMeetingOffer": True, "FGDMMeetingFac": False,
                "InitialPPMeetingDate": D(2015, 9, 20), "ReviewMeetingsCount": 2,
                "StepDecisionDate": D(2015, 12, 1), "PPOutcome": "A",
            }],
        }],
    }


def expected_order(group: Group, year: int) -> list[str]:
    """Element names of a group's direct children in schema order, for ``year``."""
    out = []
    for item in group.items:
        if isinstance(item, Container):
            out.append(item.element)
        elif isinstance(item, ListOf):
            if item.in_year(year):
                out.append(item.wrapper)
        elif item.in_year(year):
            out.append(item.element)
    return out


def check_order(el, group: Group, year: int) -> None:
    """Every element under ``el`` is in the year's schema and in schema order (recursively)."""
    order = expected_order(group, year)
    names = [c.tag for c in el]
    assert set(names) <= set(order), (group.element, set(names) - set(order))
    positions = [order.index(n) for n in names]
    assert positions == sorted(positions), (group.element, names)
    by_name = {}
    for item in group.items:
        if isinstance(item, Container):
            by_name[item.element] = item
        elif isinstance(item, ListOf):
            by_name[item.wrapper] = item
        elif isinstance(item, Group):
            by_name[item.element] = item
    for c in el:
        item = by_name.get(c.tag)
        if isinstance(item, Group):
            check_order(c, item, year)
        elif isinstance(item, Container):
            sub = [i.element if isinstance(i, Field) else i.wrapper for i in item.items
                   if i.in_year(year)]
            names = [x.tag for x in c]
            assert [sub.index(n) for n in names] == sorted(sub.index(n) for n in names)
        elif isinstance(item, ListOf):
            assert {x.tag for x in c} == {item.element}


def write(tmp_path, year, children, **kw):
    path = tmp_path / f"cin_330_{year}.xml"
    with ReturnWriter(path, la="330", year=year, **kw) as w:
        for c in children:
            w.write_child(c)
    return path, w


@pytest.mark.parametrize("year", [2016, 2021, 2022, 2025, 2027])
def test_elements_follow_format_for_each_year(tmp_path, year):
    path, w = write(tmp_path, year, [full_child(), full_child()])
    root = etree.parse(str(path)).getroot()
    children = root.findall("Children/Child")
    assert len(children) == 2 and w.children == 2
    for child in children:
        check_order(child, CHILD, year)
    c = children[0]
    present = {el.tag for el in c.iter()}
    assert ("SeenSocialWorker" in present) == (year <= 2016)
    assert ("CINPlanDates" in present) == (year >= 2022)
    assert ("GenderCurrent" in present) == (year <= 2024)
    assert ("Sex" in present) == (year >= 2025)
    assert ("PreProceedingsandFGDM" in present) == (year >= 2027)
    assert c.findtext("CINdetails/ReferralNFA") == "false"
    assert c.findtext("CINdetails/Section47/ICPCnotRequired") == "false"
    factors = c.iterfind("CINdetails/Assessments/FactorsIdentifiedAtAssessment/AssessmentFactors")
    assert [f.text for f in factors] == ["3B", "4B"]
    reviews = c.iterfind("CINdetails/ChildProtectionPlans/Reviews/CPPreviewDate")
    assert [r.text for r in reviews] == ["2015-08-10", "2016-01-04"]
    if year <= 2016:
        assert c.findtext("CINdetails/ChildProtectionPlans/SeenSocialWorker") == "true"
    if year >= 2027:
        assert c.findtext("CINdetails/PreProceedingsandFGDM/FGDMMeetingFac") == "false"
        assert c.findtext("CINdetails/PreProceedingsandFGDM/ReviewMeetingsCount") == "2"
    assert (w.episodes, w.assessments, w.section47, w.cp_plans) == (2, 2, 2, 2)


def test_header_declaration_and_indentation(tmp_path):
    path, _ = write(tmp_path, 2025, [full_child()])
    text = path.read_bytes().decode("utf-8")
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<Message>\n    <Header>\n')
    root = etree.fromstring(path.read_bytes())
    assert root.findtext("Header/CollectionDetails/Collection") == "CIN"
    assert root.findtext("Header/CollectionDetails/Year") == "2025"
    assert root.findtext("Header/CollectionDetails/ReferenceDate") == "2025-03-31"
    src = root.find("Header/Source")
    assert [(e.tag, e.text) for e in src] == [
        ("SourceLevel", "L"), ("LEA", "330"), ("SoftwareCode", "munro synth"),
        ("Release", __version__), ("SerialNo", "001"), ("DateTime", "2025-06-01T09:00:00")]
    lines = text.splitlines()
    assert "        <Child>" in lines
    assert "                <LAchildID>ABC123</LAchildID>" in lines
    assert "                    <Disability>AUT</Disability>" in lines
    assert "                        <CPPreviewDate>2015-08-10</CPPreviewDate>" in lines
    assert lines[-2:] == ["    </Children>", "</Message>"]
    # Every line is indented by whole levels of four spaces.
    for line in lines[1:]:
        assert (len(line) - len(line.lstrip(" "))) % 4 == 0


def test_none_and_empty_values_are_omitted(tmp_path):
    child = {
        "LAchildID": "X1", "UPN": None, "UPNunknown": "UN1", "PersonBirthDate": D(2020, 1, 1),
        "Sex": "M", "Ethnicity": "WBRI", "Disabilities": [],
        "CINdetails": [{
            "CINreferralDate": D(2024, 6, 1), "ReferralSource": "2A", "PrimaryNeedCode": None,
            "CINclosureDate": None, "ReferralNFA": True,
            "Assessments": [{"AssessmentActualStartDate": D(2024, 6, 2),
                             "AssessmentAuthorisationDate": None,
                             "FactorsIdentifiedAtAssessment": []}],
            "Section47": [], "ChildProtectionPlans": None,
        }],
    }
    path, _ = write(tmp_path, 2025, [child])
    c = etree.parse(str(path)).getroot().find("Children/Child")
    tags = [el.tag for el in c.iter()]
    for absent in ("UPN", "Disabilities", "PrimaryNeedCode", "CINclosureDate",
                   "AssessmentAuthorisationDate", "FactorsIdentifiedAtAssessment", "Section47",
                   "ChildProtectionPlans", "GenderCurrent"):
        assert absent not in tags
    assert c.findtext("CINdetails/ReferralNFA") == "true"
    assert c.find("ChildCharacteristics") is not None


def test_no_file_under_final_name_when_writing_fails(tmp_path):
    path = tmp_path / "cin_330_2025.xml"
    with pytest.raises(RuntimeError):
        with ReturnWriter(path, la="330", year=2025) as w:
            w.write_child(full_child())
            raise RuntimeError("killed")
    assert not path.exists()
    assert list(tmp_path.iterdir()) == []


def test_rewrite_replaces_atomically(tmp_path):
    path, _ = write(tmp_path, 2025, [full_child()])
    before = path.read_bytes()
    with pytest.raises(KeyError):
        with ReturnWriter(path, la="330", year=2025):
            raise KeyError("x")
    assert path.read_bytes() == before


def test_schema_year_overrides_format_and_empty_return(tmp_path):
    path, w = write(tmp_path, 2025, [full_child()], schema_year=2016)
    c = etree.parse(str(path)).getroot().find("Children/Child")
    assert c.find("ChildIdentifiers/GenderCurrent") is not None
    assert c.find("ChildIdentifiers/Sex") is None
    assert w.schema_year == 2016
    path, w = write(tmp_path, 2024, [])
    root = etree.parse(str(path)).getroot()
    assert root.find("Children") is not None and w.children == 0
    with pytest.raises(ValueError):
        ReturnWriter(tmp_path / "x.xml", la="330", year=2025, schema_year=2030)
