"""LAIT, DfE's LA benchmarking tool (big data set, 2016-2025) -> benchmark rows.

LAIT fills the items the EES files here lack (assessments within 45 working
days, referral sources, plans ending after two years, Cafcass care
applications, the workforce and the NPD and health outcomes) and publishes the
rates the EES files leave out, which the tests compare with munro's. Only
measures that are a definitions.md item or one of its figures are loaded
(``MEASURES``); CP plan reviews (``RevCP``), for one, are not an item.

LAIT's values are text: '-' is "not available" ('x'); float artefacts such as
9.3699999999999992 are rounded back to the precision they were published at;
the rows of ``CINPermExclusion`` for year "0" are not a year and are dropped.
LAIT's year is the reporting year (year ending 31 March) for the CIN census
measures, the academic year's end for the NPD ones (2025 = 2024/25), the
financial year's end for HES and Cafcass, and for the workforce the census
year (30 September Y), which munro files under reporting year Y+1, the year
that holds the census date (``outcomes`` says why).
"""

from __future__ import annotations

from . import geography
from .layouts import cell
from .sources import LAIT_VIA, Emit, Source, la_area, rows_of

# The rows of MEASURES from LAIT's three topic files (lait/SOURCES.md says how it was cut).
FILE = "lait/lait_bds_selected_measures.csv"

# measure_short -> (item, figure, unit, note on how it differs from munro's figure, if it does)
MEASURES = {
    "CIN": ("cin_rate", "value", "per_10k", ""),
    "CPP_Num": ("cpp_rate", "count", "count", ""),
    "CPP_rate": ("cpp_rate", "value", "per_10k", ""),
    "CPP_Total_NumRef": ("referral_rate", "count", "count", ""),
    "CPP_Total_Rateper10,000": ("referral_rate", "value", "per_10k", ""),
    "ReReferral": ("rereferral_12m", "value", "percent", ""),
    "CIN_Refferals_NFA": ("referral_outcome", "group:nfa", "percent", ""),
    "Referrals_AssessedNotNeed": ("referral_outcome", "group:not_in_need", "percent", ""),
    "RefBySource_Police_%": ("referral_source", "group:police", "percent", ""),
    "RefBySource_HealthServ_%": ("referral_source", "group:health", "percent", ""),
    "RefBySource_Schl_%": ("referral_source", "group:schools", "percent",
                           " (schools only; munro's group adds education services, 2B)"),
    "Continue_Assess_Comp": ("assessment_timeliness", "value", "percent", ""),
    "Section_47": ("s47_rate", "value", "per_10k", ""),
    "ISCP_Conf": ("icpc_rate", "value", "per_10k", ""),
    "CP_conf_15days": ("s47_to_icpc_timeliness", "value", "percent", ""),
    "10_ICPC": ("s47_to_icpc_timeliness", "band:0_10", "count", ""),
    "15_ICPC": ("s47_to_icpc_timeliness", "band:11_15", "count", ""),
    "20_ICPC": ("s47_to_icpc_timeliness", "band:16_20", "count", ""),
    "21_ICPC": ("s47_to_icpc_timeliness", "band:21_plus", "count", ""),
    "CPP_Abuse": ("cpp_starts_by_category", "count", "count", " (all categories; LAIT has none by category)"),
    "CPP_Abuse_Rate": ("cpp_starts_by_category", "value", "per_10k", ""),
    "PrevRegCPR": ("cpp_repeat", "value", "percent", ""),
    "ReRegCPR": ("cpp_repeat", "numerator", "count", ""),
    "CPPlans2yrs": ("cpp_lasting_2y", "value", "percent", ""),
    "CPPlans2yrsActive": ("cpp_lasting_2y", "open_2y", "percent", ""),
    "CareApplications": ("court_applications_rate", "value", "per_10k",
                         " (Cafcass; denominator: ONS 0-17 projections)"),
    # NPD outcomes: "CIN" is children in need at 31 March other than those on a plan or looked after (CINO).
    "CIN_KS2_ExpStd_RWM": ("cin_attainment", "value", "percent", " (KS2 reading, writing and maths, CINO)"),
    "CPPO_KS2_RWM": ("cin_attainment", "ks2_rwm:cppo", "percent", ""),
    "CIN_EngMaths9-4": ("cin_attainment", "ks4_eng_maths_9_4:cino", "percent", ""),
    "CINTotalAb_3Term": ("cin_absence", "value", "percent", " (overall absence, CINO)"),
    "CPPTotalAb_3Term": ("cin_absence", "overall:cppo", "percent", ""),
    "CINPermAbsent_3Term": ("cin_absence", "persistent_10:cino", "percent", ""),
    "CPPPerAbs_3Term": ("cin_absence", "persistent_10:cppo", "percent", ""),
    "CINFixedExclusion": ("cin_exclusions", "value", "percent", " (at least one suspension, CINO)"),
    "CINPermExclusion": ("cin_exclusions", "permanent", "percent", ""),
    "Work_Force_Vac_Rate": ("sw_vacancy_rate", "value", "percent", ""),
    "Work_Force_TO_Rate": ("sw_turnover_rate", "value", "percent", ""),
    "Work_Force_SWAbsence": ("sw_absence_rate", "value", "percent", ""),
    "Work_Force_Agecy_Rate": ("sw_agency_rate", "value", "percent", ""),
    "HospAd0-14": ("injury_admissions_rate", "value", "per_10k", " (children aged 0-14)"),
}


def sources() -> list[Source]:
    return [Source("LAIT", (FILE,), f"LAIT big data set, via {LAIT_VIA}")]


def read_lait(src: Source):
    for path in src.files:
        for r in rows_of(src, path):
            spec = MEASURES.get(r["measure_short"])
            if spec is None:
                continue  # not a definitions.md item
            if not r["year"].isdigit() or int(r["year"]) < 2000:
                src.drop(f"{r['measure_short']} rows for year {r['year']!r}, which is not a year")
                continue
            year, code = int(r["year"]), r["old_la_code"].strip()
            if r["measure_short"].startswith("Work_Force_"):
                year += 1  # the 30 September census of year Y lies in reporting year Y+1
            area = geography.LAIT_AREAS.get(code) or la_area(src, code, year, r["value"].strip() != "-")
            if area is None:
                continue
            item, figure, unit, note = spec
            if r["measure_short"].startswith("Work_Force_"):
                note += f" (census at 30 September {year - 1}, LAIT's {year - 1})"
            e = Emit(src, *area, year)
            e.figure(item, figure, unit, cell(r["value"]), r["measure_short"] + note)
            yield from e.rows
