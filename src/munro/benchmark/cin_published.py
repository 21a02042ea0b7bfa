"""DfE's Children in need tables (EES tidy files) -> benchmark rows.

The tables publish counts and percentages; rates per 10,000 are not in the
2025 files, so the loader works them out as DfE does (definitions.md section
1: count / ONS 0-17 estimate for mid-year Y-1 x 10,000, the packaged
population file) and says so in ``measure``. ``tests/benchmark`` checks these
against the rates DfE and LAIT published. Figures that are DfE's derivations
of the published counts (ICPCs within 15 working days, the crude conversion
ratio, the service share of referrals) are marked the same way. A suppressed
input gives a NULL value with its symbol, never 0.
"""

from __future__ import annotations

from .sources import EES_VIA, Emit, Source, ees_area, ratio, read, rows_of, total

FOLDER = "cin_published_stats"
_RELEASE = f"Children in need 2025 release (EES), via {EES_VIA}"


def _rate(e: Emit, item: str, r: dict, column: str, figure: str = "value") -> None:
    """A count and its rate per 10,000 (count row only for a headline)."""
    count, pop = read(r, column), e.population()
    if figure == "value":
        e.figure(item, "count", "count", count, column)
    e.figure(item, figure, "per_10k", ratio(count, pop, 10_000),
             f"{column} / ONS 0-17 mid-{e.year - 1} x 10,000 (rate worked out by munro as DfE does)",
             count[0], pop[0])


def _c1(e: Emit, r: dict) -> None:
    refs, nfa, nin = read(r, "referral_count"), read(r, "no_further_action_count"), read(r, "not_in_need_count")
    _rate(e, "referral_rate", r, "referral_count")
    e.figure("rereferral_12m", "value", "percent", read(r, "rereferral_percent"), "rereferral_percent",
             read(r, "rereferral_count")[0], refs[0])
    e.figure("referral_outcome", "group:nfa", "percent", read(r, "no_further_action_percent"),
             "no_further_action_percent", nfa[0], refs[0])
    e.figure("referral_outcome", "group:not_in_need", "percent", read(r, "not_in_need_percent"),
             "not_in_need_percent", nin[0], refs[0])
    known = total(refs, nfa, nin)  # the three published, or the first one's symbol
    service = (refs[0] - nfa[0] - nin[0], None) if known[0] is not None else known
    e.figure("referral_outcome", "value", "percent", ratio(service, refs, 100),
             "(referral_count - no_further_action_count - not_in_need_count) / referral_count (worked out by munro)",
             service[0], refs[0])


def _c3(e: Emit, r: dict) -> None:
    # Only the parent/carer factors the item names; substance misuse and "any" join factors
    # DfE counts separately (an episode can have both), so they cannot be derived.
    _rate(e, "parental_factors_rate", r, "Mental_Health_parent", "group:mental_health")
    _rate(e, "parental_factors_rate", r, "Domestic_Abuse_parent", "group:domestic_abuse")


_C4_BANDS = {"0_10": "Duration_0-10_days", "11_15": "Duration_11-15_days", "16_20": "Duration_16-20_days",
             "21_plus": "Duration_21+_days"}


def _c4(e: Emit, r: dict) -> None:
    _rate(e, "s47_rate", r, "Section47")
    _rate(e, "icpc_rate", r, "ICPC")
    e.figure("s47_to_icpc_conversion", "crude", "percent", ratio(read(r, "ICPC"), read(r, "Section47"), 100),
             "ICPC / Section47 (worked out by munro)", read(r, "ICPC")[0], read(r, "Section47")[0])
    item = "s47_to_icpc_timeliness"
    bands = {b: read(r, c) for b, c in _C4_BANDS.items()}
    for b, c in _C4_BANDS.items():
        e.figure(item, f"band:{b}", "count", bands[b], c)
    for figure, c in (("p25", "Duration_25th_Percentile"), ("median", "Duration_median"),
                      ("p75", "Duration_75th_Percentile")):
        e.figure(item, figure, "working_days", read(r, c), c)
    within, count = total(bands["0_10"], bands["11_15"]), total(*bands.values())
    e.figure(item, "within_15", "count", within, "Duration_0-10_days + Duration_11-15_days")
    e.figure(item, "count", "count", count, "sum of the four Duration_*_days bands")
    e.figure(item, "value", "percent", ratio(within, count, 100),
             "ICPCs within 15 working days / ICPCs in the four bands (worked out by munro)", within[0], count[0])


def _d3(e: Emit, r: dict) -> None:
    e.figure("cpp_repeat", "value", "percent", read(r, "CPP_subsequent_percent"), "CPP_subsequent_percent",
             read(r, "CPP_subsequent")[0], read(r, "CPP_start")[0])
    _rate(e, "cpp_starts_by_category", r, "CPP_start")


def _d5(e: Emit, r: dict) -> None:
    _rate(e, "cpp_rate", r, "CPP_At31")
    e.figure("cpp_lasting_2y", "open_2y", "percent", read(r, "2_years_or_more_percent"), "2_years_or_more_percent",
             read(r, "2_years_or_more")[0], read(r, "CPP_At31")[0])


def _b1(e: Emit, r: dict) -> None:
    _rate(e, "cin_rate", r, "At31_episodes")


def _b1_2024(e: Emit, r: dict) -> None:
    # The 2024 release published the rates (on the population estimates of its day).
    e.figure("cin_rate", "count", "count", read(r, "At31_episodes"), "At31_episodes")
    e.figure("cin_rate", "value", "per_10k", read(r, "At31_episodes_rate"), "At31_episodes_rate",
             read(r, "At31_episodes")[0])


TABLES = (  # table, file, rows of one area and year
    ("C1", "c1_children_in_need_referrals_and_rereferrals_2013_to_2025.csv", _c1),
    ("C3", "c3_factors_identified_at_end_of_assessment_2018_to_2025.csv", _c3),
    ("C4", "c4_children_in_need_section_47s_and_icpcs_2013_to_2025.csv", _c4),
    ("D3", "d3_cpps_subsequent_plan_2013_to_2025.csv", _d3),
    ("D5", "d5_cpps_at31march_by_duration_2013_to_2025.csv", _d5),
    ("B1", "b1_children_in_need_2013_to_2025.csv", _b1),
)


def sources() -> list[tuple[Source, object]]:
    out = [(Source(f"DfE Children in need 2025 (EES table {t})", (f"{FOLDER}/{f}",), _RELEASE), fn)
           for t, f, fn in TABLES]
    out.append((Source("DfE Children in need 2024 (EES table B1)",
                       (f"{FOLDER}/b1_children_in_need_2013_to_2024_with_rates.csv",),
                       f"Children in need 2024 release (EES), via {EES_VIA}"), _b1_2024))
    return out


def read_table(src: Source, fn):
    for r in rows_of(src, src.files[0]):
        year = int(r["time_period"])
        area = ees_area(src, r, year)
        if area is None:
            continue
        e = Emit(src, *area, year)
        fn(e, r)
        yield from e.rows
