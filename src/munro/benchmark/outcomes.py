"""The definitions.md section 3 sources with EES or Fingertips files -> benchmark rows.

- workforce: DfE Children's social work workforce, a census at 30 September Y
  (DfE's year Y), filed under reporting year Y+1, the year (April Y to March
  Y+1) that holds the census date: the LAs then are the LAs of that reporting
  year (Cumberland's first census, September 2023, is in 2024, its first
  year), so the geography stays one and the same across sources;
- education: DfE Outcomes for children in need (NPD; academic year 2024/25 ->
  2025). ``value`` is the figure for children in need at 31 March other than
  those on a plan or looked after ("CINO"); the plan ("cppo") and looked-after
  ("cla") groups are figures of their own;
- health: OHID Fingertips 90284, injury admissions of children aged 0-14 per
  10,000 (financial year 2023/24 -> 2024). Fingertips gives Cornwall with the
  Isles of Scilly and Hackney with the City of London: the figure stays with
  the larger LA and the smaller gets none ('x'), so no value counts twice.
"""

from __future__ import annotations

from . import geography
from .layouts import cell
from .sources import EES_VIA, Emit, Source, ees_area, la_area, read, rows_of, total

_WORKFORCE = "workforce/csww_indicators_2017_to_2025.csv"
_KS2, _KS4 = "education_outcomes/ks2_la.csv", "education_outcomes/ks4_la.csv"
_ABSENCE = "education_outcomes/absence_la_total.csv"  # the "Total" phase rows only
_HEALTH = "health/la_hospital_admissions_injuries_0to14_persons.csv"  # persons, no deprivation deciles
_GROUPS = {"CINO at 31 March": "cino", "CPPO at 31 March": "cppo", "CLA 12 months at 31 March": "cla"}
_COMBINED = {"201": "Hackney", "420": "Cornwall"}  # Fingertips' joint figures, kept with the larger LA


def sources() -> list[tuple[Source, object]]:
    return [
        (Source("DfE Children's social work workforce 2025 (EES)", (_WORKFORCE,),
                f"Children's social work workforce 2025 release (EES), via {EES_VIA}"), _workforce),
        (Source("DfE Outcomes for children in need 2025 (EES)", (_KS2, _KS4, _ABSENCE),
                f"Outcomes for children in need 2024/25 release (EES), via {EES_VIA}"), _education),
        (Source("OHID Fingertips 90284", (_HEALTH,),
                f"Fingertips indicator 90284 (to 2023/24), via {EES_VIA}"), _health),
    ]


def _workforce(src: Source):
    for r in rows_of(src, _WORKFORCE):
        year = int(r["time_period"]) + 1  # census at 30 September Y -> reporting year Y+1
        area = ees_area(src, r, year)
        if area is None:
            continue
        e = Emit(src, *area, year, f"{src.vintage}; census at 30 September {year - 1} (DfE's {year - 1})")
        inpost = read(r, "inpost_fte")
        vac, agency = read(r, "vacancy_fte"), read(r, "agency_fte")
        # Numerators and denominators are full-time equivalents, as published.
        e.figure("sw_vacancy_rate", "value", "percent", read(r, "vacancy_rate_fte"),
                 "vacancy_rate_fte = vacancy_fte / (vacancy_fte + inpost_fte)", vac[0], total(vac, inpost)[0])
        e.figure("sw_turnover_rate", "value", "percent", read(r, "turnover_rate_fte"),
                 "turnover_rate_fte = leavers_fte / inpost_fte", read(r, "leavers_fte")[0], inpost[0])
        e.figure("sw_agency_rate", "value", "percent", read(r, "agency_rate_fte"),
                 "agency_rate_fte = agency_fte / (agency_fte + inpost_fte)", agency[0], total(agency, inpost)[0])
        e.figure("sw_absence_rate", "value", "percent", read(r, "absence_rate_fte"),
                 "absence_rate_fte (working days lost / working days of the FTE in post)",
                 read(r, "working_days_lost_fte")[0])
        yield from e.rows


def _academic(r: dict) -> int:
    return int(r["time_period"][:4]) + 1  # 202425 -> 2025


def _education(src: Source):
    # path, item, figure stem, (value, numerator, denominator) columns, filter
    specs = (
        (_KS2, "cin_attainment", "ks2_rwm",
         ("pt_rwm_met_expected_standard", "t_rwm_met_expected_standard", "t_rwm_eligible_pupils")),
        (_KS4, "cin_attainment", "ks4_eng_maths_9_4", ("pt_l2basics_94", "t_l2basics_94", "t_pupils")),
        (_ABSENCE, "cin_absence", "overall", ("pt_overall", "t_sess_overall", "t_sess_possible")),
        (_ABSENCE, "cin_absence", "persistent_10",
         ("pt_pupils_pa_10_exact", "t_pupils_pa_10_exact", "t_pupils")),
    )
    headline = {("cin_attainment", "ks2_rwm"), ("cin_absence", "overall")}
    for path, item, stem, (vcol, ncol, dcol) in specs:
        for r in rows_of(src, path):
            if r.get("phase_type_grouping", "Total") != "Total":
                continue
            group, year = _GROUPS[r["social_care_group"]], _academic(r)
            area = ees_area(src, r, year)
            if area is None:
                continue
            version = r.get("version") or "as published"
            e = Emit(src, *area, year, f"{src.vintage}; {r['time_period'][:4]}/{r['time_period'][4:]} {version}")
            figure = "value" if (item, stem) in headline and group == "cino" else f"{stem}:{group}"
            e.figure(item, figure, "percent", read(r, vcol), f"{vcol} ({r['social_care_group']})",
                     read(r, ncol)[0], read(r, dcol)[0])
            yield from e.rows


def _health(src: Source):
    for r in rows_of(src, _HEALTH):
        if r["Sex"] != "Persons" or r["Category Type"]:
            continue
        year = int(r["Time period"][:4]) + 1  # 2023/24 -> 2024
        if r["Area Code"] == geography.ENGLAND:
            if r["Parent Code"]:
                continue  # England is listed twice, once as its own child: the same figures
            area = ("england", geography.ENGLAND)
        elif r["Area Code"] in geography.la_by_gss():
            area = la_area(src, geography.la_by_gss()[r["Area Code"]], year, bool(r["Value"]))
        else:
            src.drop("areas that are not England or an English LA")
            continue
        if area is None:
            continue
        note = r["Value note"]
        value, count, den = cell(r["Value"]), cell(r["Count"])[0], cell(r["Denominator"])[0]
        measure = "Value (crude rate per 10,000 aged 0-14)"
        if "combined" in note and area[1] in _COMBINED:
            value, count, den = (None, "x"), None, None
            measure += f"; Fingertips gives it combined with {_COMBINED[area[1]]}, where it is kept"
        elif value[0] is None and "suppressed" in note:
            value = (None, "c")
        elif note:
            measure += f"; note: {note}"
        e = Emit(src, *area, year)
        e.figure("injury_admissions_rate", "value", "per_10k", value, measure, count, den)
        yield from e.rows
