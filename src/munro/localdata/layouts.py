"""The CSV layouts munro reads beside the CIN census (documented in docs/local-data.md).

Each layout is a kind of file: its columns (the name munro documents, and the
names the SSDA903 return or the Standard Safeguarding Dataset gives the same
column, so that an extract from either loads unchanged), what each holds, and
the store table its rows go to. A file's kind is told from its header row:
the one layout whose required columns are all there.

Columns munro does not use (postcodes, URNs, SSD row ids) may be present and
are ignored, so that nothing identifying is stored without a need for it.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import MunroError

# Value types: id (a child or worker identifier), date, flag (0/1), code (from a list or a pattern),
# text, number.
TYPES = ("id", "date", "flag", "code", "text", "number")
SQL = {"id": "VARCHAR", "date": "DATE", "flag": "INTEGER", "code": "VARCHAR", "text": "VARCHAR",
       "number": "DOUBLE"}


@dataclass(frozen=True)
class Column:
    name: str  # munro's name, as docs/local-data.md gives it
    type: str
    store: str  # the store table's column
    required: bool = True
    aliases: tuple[str, ...] = ()  # the same column in the SSDA903 or SSD layouts
    codes: tuple[str, ...] = ()  # the values allowed (empty: any value matching ``pattern``)
    pattern: str = ""
    help: str = ""

    def names(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)


@dataclass(frozen=True)
class Layout:
    kind: str
    table: str  # the store table
    title: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]  # store columns identifying a row within an LA (the merged view keeps one load's copy)
    unique: bool = False  # two rows with the same key contradict each other (else they are kept, as recorded)
    per_year: bool = False  # rows are figures of the load's year: each year's are kept (not only the latest's)

    def column(self, store: str) -> Column:
        return next(c for c in self.columns if c.store == store)


_CHILD = Column("child_id", "id", "la_child_id", aliases=("CHILD", "LAchildID", "la_child_id"),
                help="the child's LAchildID in the CIN census (the SSDA903 CHILD)")
_CHILD_903 = Column("CHILD", "id", "la_child_id", aliases=("child_id", "LAchildID"),
                    help="the child's identifier, the same as LAchildID in the CIN census")
# The SSDA903 codes munro's items read; the other 903 codes are checked for shape only, because their
# lists change from year to year and munro does not use them.
RNE_CODES = ("S", "L", "P", "T", "U", "B")
STARTED_LOOKED_AFTER = "S"
CONTINUES = "X1"  # REC: the episode ends and another begins the same day, in the same period of care
SHORT_BREAKS = ("V3", "V4")  # LS: agreed series of short-term placements, not counted as looked after
_CODE = r"[A-Z0-9]{1,4}"

SSDA903_HEADER = Layout(
    kind="ssda903-header", table="looked_after_children", title="SSDA903 header (one row per child)",
    columns=(
        _CHILD_903,
        Column("SEX", "code", "sex", codes=("1", "2"), help="1 male, 2 female"),
        Column("DOB", "date", "birth_date", help="date of birth"),
        Column("ETHNIC", "code", "ethnicity", required=False, pattern=r"[A-Z]{4}", help="ethnicity code"),
        Column("UPN", "text", "upn", required=False, help="unique pupil number"),
    ),
    key=("la_child_id",),
    unique=True,
)

SSDA903_EPISODES = Layout(
    kind="ssda903-episodes", table="looked_after_episodes", title="SSDA903 episodes (one row per episode of care)",
    columns=(
        _CHILD_903,
        Column("DECOM", "date", "start_date", help="date the episode started"),
        Column("RNE", "code", "reason_new", codes=RNE_CODES,
               help="reason for new episode: S started to be looked after, L, P, T, U, B changes"),
        Column("LS", "code", "legal_status", pattern=_CODE, help="legal status (V3, V4: short breaks)"),
        Column("CIN", "code", "need_code", pattern=r"N[0-9]", help="category of need"),
        Column("PLACE", "code", "placement", pattern=_CODE, help="placement type"),
        Column("PLACE_PROVIDER", "code", "provider", required=False, pattern=_CODE, help="placement provider"),
        Column("DEC", "date", "end_date", required=False, help="date the episode ceased (empty: open)"),
        Column("REC", "code", "reason_ceased", required=False, pattern=r"[A-Z0-9]{1,4}",
               help="reason the episode ceased (X1: a new episode follows the same day); needed with DEC"),
    ),
    key=("la_child_id", "start_date"),
    unique=True,
)

CP_VISITS = Layout(
    kind="cp-visits", table="cp_visits", title="Child protection visits (one row per visit)",
    columns=(
        Column("child_id", "id", "la_child_id", aliases=("cppv_person_id", "CHILD", "LAchildID", "la_child_id"),
               help=_CHILD.help),
        Column("plan_start_date", "date", "plan_start_date", required=False, aliases=("CPPstartDate",),
               help="start of the plan the visit was for (optional: visits are placed in the plan open on "
                    "their date)"),
        Column("visit_date", "date", "visit_date", aliases=("cppv_cp_visit_date",), help="date of the visit"),
        Column("seen", "flag", "seen", aliases=("cppv_cp_visit_seen",), help="the child was seen"),
        Column("seen_alone", "flag", "seen_alone", required=False, aliases=("cppv_cp_visit_seen_alone",),
               help="the child was seen alone (empty: not recorded)"),
    ),
    key=("la_child_id", "visit_date"),
)

CORE_GROUPS = Layout(
    kind="core-groups", table="core_groups", title="Core group meetings (one row per meeting)",
    columns=(
        Column("child_id", "id", "la_child_id", aliases=("CHILD", "LAchildID", "la_child_id"), help=_CHILD.help),
        Column("plan_start_date", "date", "plan_start_date", aliases=("CPPstartDate",),
               help="start of the child protection plan (CPPstartDate in the CIN census)"),
        Column("meeting_date", "date", "meeting_date", help="date of the core group meeting"),
    ),
    key=("la_child_id", "plan_start_date", "meeting_date"),
)

SW_ALLOCATIONS = Layout(
    kind="sw-allocations", table="sw_allocations", title="Social worker allocations (one row per allocation)",
    columns=(
        Column("child_id", "id", "la_child_id", aliases=("invo_person_id", "CHILD", "LAchildID", "la_child_id"),
               help=_CHILD.help),
        Column("worker_id", "id", "worker_id", aliases=("invo_professional_id", "SW_ID"),
               help="the allocated social worker (any stable identifier)"),
        Column("start_date", "date", "start_date", aliases=("invo_involvement_start_date", "SW_DECOM"),
               help="date the worker was allocated"),
        Column("end_date", "date", "end_date", required=False, aliases=("invo_involvement_end_date", "SW_DEC"),
               help="date the allocation ended (empty: still allocated)"),
        # As LA systems and Annex A write it; the drill-down by team (munro.indicators.drill) reads it.
        Column("team", "text", "team", required=False,
               aliases=("team_name", "Allocated Team", "allocated_team", "invo_professional_team", "SW_TEAM"),
               help="the worker's team for this allocation (optional: without it, drill down by worker only)"),
    ),
    key=("la_child_id", "worker_id", "start_date"),
)

OWN_FIGURES = Layout(
    kind="own-figures", table="own_figures", title="The LA's own figures of the items from other sources",
    columns=(
        Column("item_id", "code", "item_id", pattern=r"[a-z0-9_]+",
               help="a definitions.md section 3 item, such as sw_vacancy_rate"),
        Column("figure", "code", "figure", required=False, pattern=r"[a-z0-9_]+(:[a-z0-9_]+)?",
               help="'value' (the default) or another figure's name, such as ks4_eng_maths_9_4"),
        Column("value", "number", "value", help="the figure, in the item's unit"),
        Column("numerator", "number", "numerator", required=False, help="optional"),
        Column("denominator", "number", "denominator", required=False, help="optional"),
        Column("source", "text", "source", help="where the figure comes from"),
    ),
    key=("item_id", "figure"),
    unique=True,
    per_year=True,
)

LAYOUTS: dict[str, Layout] = {x.kind: x for x in (SSDA903_HEADER, SSDA903_EPISODES, CP_VISITS, CORE_GROUPS,
                                                  SW_ALLOCATIONS, OWN_FIGURES)}
KINDS = tuple(LAYOUTS)


def _norm(name: str) -> str:
    return name.strip().lstrip("\ufeff").lower()


def header_map(layout: Layout, header: list[str]) -> dict[str, int]:
    """store column -> its position in ``header`` (names and aliases, in any case)."""
    where = {_norm(h): i for i, h in enumerate(header)}
    out = {}
    for c in layout.columns:
        for n in c.names():
            if _norm(n) in where:
                out[c.store] = where[_norm(n)]
                break
    return out


def detect(header: list[str]) -> Layout | None:
    """The layout whose required columns are all in ``header`` (None when none or several fit)."""
    fits = []
    for layout in LAYOUTS.values():
        found = header_map(layout, header)
        if all(c.store in found for c in layout.columns if c.required):
            fits.append((len(found), layout))
    fits.sort(key=lambda f: -f[0])
    if not fits or (len(fits) > 1 and fits[0][0] == fits[1][0]):
        return None
    return fits[0][1]


def nearest(header: list[str]) -> tuple[Layout, list[str]] | None:
    """The layout a header comes closest to (at least two of its required columns), with the missing ones."""
    best = None
    for x in LAYOUTS.values():
        found = header_map(x, header)
        required = [c for c in x.columns if c.required]
        have = sum(c.store in found for c in required)
        if have >= 2 and (best is None or have / len(required) > best[0]):
            best = (have / len(required), x, [c.name for c in required if c.store not in found])
    return (best[1], best[2]) if best else None


def layout(kind: str) -> Layout:
    try:
        return LAYOUTS[kind]
    except KeyError:
        raise MunroError(f"unknown kind {kind!r} (known: {', '.join(KINDS)})") from None
