"""Annex A lists 3 to 7 from the store: what an LA's own Annex A as at a date should hold, from its returns.

``annex_a_lists(db, la, as_at, months)`` reads the LA's merged history (definitions.md section 1, the
``merged_*`` views) and its local records, and returns the rows of lists 3 to 7 (``munro.annexa.layout``)
as an extract taken on ``as_at`` over the 6 or 12 months ending then (``extract.window``) would list them;
``write_annex_a_from_store`` writes them in the template's layout (``munro.annexa.write.write_annex_a``). What is dated
after the as-at date has not yet happened: an episode, assessment or plan ending after it is open, an
assessment authorised after it has no authorisation date, a conference after it is not yet held.

Which records each list holds (as ``munro.synth.annex_a`` lists the synthetic children's):

- list 3, referrals: every referral dated in the months, no further action ones too;
- list 4, assessments: every assessment open at some time in the months (started by the as-at date,
  not authorised before the months began) of an episode that was not closed before them;
- list 5, section 47 enquiries: every enquiry that started in the months, with its conference if held
  by the as-at date;
- list 6, children in need: every episode of need (referrals that were not no further action) open at
  some time in the months;
- list 7, child protection plans: every plan open at some time in the months.

The allocated team and worker of a record are the child's allocation (local records ``sw-allocations``)
open on the day its episode closed, or on the as-at date for an episode still open, else the last that
began in the episode by then; the team where the allocations carry a ``team`` column. Columns the CIN
census cannot fill are left blank and ``AnnexAOut.blank`` says why (``notes()`` and ``lines()`` too).
"""

from __future__ import annotations

import datetime as dt
import os
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from ..annexa import extract
from ..annexa import layout as L
from ..annexa.write import write_annex_a
from ..errors import MunroError
from ..localdata.layouts import CP_VISITS, SHORT_BREAKS, SSDA903_EPISODES, SW_ALLOCATIONS
from ..provenance import made_by
from ..store import Store
from ..years import year_start

WRITTEN = (3, 4, 5, 6, 7)
# Lists the CIN census cannot fill, and why: they are not written.
NOT_WRITTEN = {
    1: "contacts: the CIN census holds referrals only",
    2: "early help assessments: the CIN census holds none",
    8: "children looked after, 9 care leavers, 10 adoption and 11 adopters: the CIN census holds none of them "
       "(munro writes lists 1 to 7 only)",
}
# Columns the CIN census never fills, and why.
CENSUS_LACKS = {
    (4, "seen"): "the CIN census does not record whether the child was seen during an assessment",
    (6, "last_seen_date"): "the CIN census records no visits to children in need",
    (7, "epo_or_police_6m"): "the CIN census records no emergency protection orders or police protection",
}
_VISITS = "no child protection visits are loaded (local records, cp-visits: docs/local-data.md)"
_ALLOCATIONS = "no social worker allocations are loaded (local records, sw-allocations: docs/local-data.md)"
_NO_TEAM = "the social worker allocations loaded record no team"


@dataclass
class AnnexAOut:
    """Lists 3 to 7 of LA ``la``'s Annex A as at ``as_at`` over ``months`` months (``start`` to ``as_at``).

    ``lists``: list number -> rows (dicts of ``layout``'s column names), each in date order;
    ``blank``: (list, column) -> why every value of it is blank; ``unlisted_codes``: (list, column) ->
    values left blank because they are not codes of the template's list (a census code no longer valid).
    """

    la: str
    as_at: dt.date
    months: int
    start: dt.date
    lists: dict[int, list[dict]]
    blank: dict[tuple[int, str], str] = field(default_factory=dict)
    unlisted_codes: dict[tuple[int, str], int] = field(default_factory=dict)

    def counts(self) -> dict[int, int]:
        return {n: len(rows) for n, rows in self.lists.items()}

    def notes(self) -> list[str]:
        """The workbook's Notes sheet: that it is restricted, what it covers, what is blank and not written."""
        out = [
            "RESTRICTED: child-level data (children's identifiers). Do not publish, email outside the authority "
            "or store outside its systems.",
            f"Annex A lists 3 to 7 of LA {self.la} as at {self.as_at:%d/%m/%Y}, the {self.months} months from "
            f"{self.start:%d/%m/%Y}. Made with {made_by()} from the authority's own CIN census returns and local "
            "records (docs/annex-a.md, 'Annex A out'). Nothing dated after the as-at date is shown.",
            *(f"List {n} ({L.LISTS[n].title}): {k:,} rows." for n, k in self.counts().items()),
            "Not written: " + "; ".join(f"list {n} {why}" for n, why in NOT_WRITTEN.items()) + ".",
        ]
        out += [f"Blank: list {n}, '{_header(n, col)}': {why}." for (n, col), why in self.blank.items()]
        out += [f"Blank where the value is not a code of the template's list: list {n}, '{_header(n, col)}', "
                f"{k:,} rows." for (n, col), k in self.unlisted_codes.items()]
        return out

    def lines(self, path: Path | None = None) -> list[str]:
        """What the command says: counts, the warning, what is blank and not written; never a child."""
        counts = ", ".join(f"list {n} {L.LISTS[n].title.lower()} {k:,}" for n, k in self.counts().items())
        head = f"Annex A of LA {self.la} as at {self.as_at.isoformat()} ({self.months} months from " \
               f"{self.start.isoformat()}): {counts}"
        out = [f"wrote {path}: {head}" if path is not None else head,
               "RESTRICTED: the workbook holds child-level data (children's identifiers); it is readable by "
               "you only: do not share it beyond those entitled to see it"]
        lists: dict[tuple[str, str], list[int]] = defaultdict(list)  # a column blank in several lists: once
        for (n, col), why in self.blank.items():
            lists[_header(n, col), why].append(n)
        if lists:
            out.append("blank: " + "; ".join(f"'{header}' of list{'s' * (len(ns) > 1)} {_numbers(ns)} ({why})"
                                             for (header, why), ns in lists.items()))
        if self.unlisted_codes:
            out.append("blank where not a code of the template's list: " + "; ".join(
                f"list {n} '{_header(n, col)}' {k:,}" for (n, col), k in self.unlisted_codes.items()))
        out.append("not written: lists 1, 2 and 8 to 11 (the CIN census holds no contacts, early help, children "
                   "looked after, care leavers or adoptions)")
        return out


def _numbers(numbers: list[int]) -> str:
    """3, 4 and 6; 3 to 7 (a run of three or more)."""
    if len(numbers) > 2 and numbers == list(range(numbers[0], numbers[-1] + 1)):
        return f"{numbers[0]} to {numbers[-1]}"
    if len(numbers) == 1:
        return str(numbers[0])
    return ", ".join(map(str, numbers[:-1])) + f" and {numbers[-1]}"


def _header(number: int, column: str) -> str:
    return next(c.header for c in L.LISTS[number].columns if c.name == column)


def annex_a_lists(db, la: str, as_at: dt.date, months: int = 12) -> AnnexAOut:
    """Lists 3 to 7 of LA ``la``'s Annex A as at ``as_at`` over ``months`` (6 or 12) months, from the store
    ``db`` (anything ``munro.store.Store`` takes).

    Raises ``MunroError`` (one line) for months other than 6 or 12, an LA without a current return, and
    months the LA's returns do not cover (the earliest return's year must begin by the months' first day
    and the latest return's reference date be on or after the as-at date)."""
    start, _ = extract.window(as_at, months)
    with Store(db, read_only=True) as store:
        _check_covered(store, str(la), start, as_at)
        history = _History.read(store, str(la), as_at)
    out = AnnexAOut(str(la), as_at, months, start, {n: [] for n in WRITTEN})
    history.fill(out)
    extract.in_date_order(out.lists)
    _keep_template_codes(out)
    return out


def write_annex_a_from_store(db, la: str, as_at: dt.date, months: int, out: str | os.PathLike
                             ) -> tuple[Path, AnnexAOut]:
    """``annex_a_lists`` written to ``out`` (an .xlsx, owner-only: it names children) in the template's layout,
    with a Notes sheet (``AnnexAOut.notes``). Nothing is written when the lists cannot be made."""
    path = Path(out)
    if path.suffix.lower() != ".xlsx":
        raise MunroError(f"{path}: an Annex A is an Excel workbook: name the file .xlsx")
    if path.is_dir():
        raise MunroError(f"{path}: is a folder: give the workbook's file name")
    lists = annex_a_lists(db, la, as_at, months)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_annex_a(path, lists.lists, as_at=as_at, notes=lists.notes())
    return path, lists


def _check_covered(store, la: str, start: dt.date, as_at: dt.date) -> None:
    first, last = store.one("SELECT min(collection_year), max(reference_date) FROM returns "
                            "WHERE la_code = ? AND status = 'current'", [la]) or (None, None)
    if first is None:
        raise MunroError(f"no CIN census return of LA {la} is loaded: load its returns with `munro ingest` first")
    if start < year_start(first) or as_at > last:
        raise MunroError(f"an Annex A as at {as_at} covers {start} to {as_at}, but LA {la}'s returns cover "
                         f"{year_start(first)} to {last}: give a date whose months they cover, or load the "
                         "returns that do")


# ---------------------------------------------------------------- the history as at the date


def _known(day: dt.date | None, as_at: dt.date) -> dt.date | None:
    """A date as an extract on ``as_at`` shows it: one after it has not happened yet."""
    return day if day is not None and day <= as_at else None


@dataclass
class _History:
    """One LA's records dated by the as-at date, by child (dates after it as not yet happened)."""

    as_at: dt.date
    children: dict[str, dict]
    episodes: list[dict]
    parts: dict[str, dict[tuple, list[dict]]]  # assessments, section47, plans: by (child, referral date)
    reviews: dict[tuple, list[dt.date]]  # by (child, referral date, plan start)
    visits: dict[str, list[tuple]] | None  # by child: (date, seen alone); None: not loaded
    in_care: set[str] | None  # children looked after at the as-at date; None: not loaded
    allocations: dict[str, list[tuple]] | None  # by child: (start, end, worker, team); None: not loaded
    has_team: bool = False

    @classmethod
    def read(cls, store, la: str, as_at: dt.date) -> _History:
        def rows(sql: str) -> list[dict]:
            cur = store.con.execute(sql, {"la": la, "a": as_at} if "$a" in sql else {"la": la})
            names = [d[0] for d in cur.description]
            return [dict(zip(names, r)) for r in cur.fetchall()]

        children = {r["la_child_id"]: r for r in rows(
            "SELECT c.la_child_id, c.birth_date, c.gender, c.sex, c.ethnicity, "
            "(SELECT bool_or(d.disability <> 'NONE') FROM merged_disabilities d WHERE d.la_code = c.la_code "
            "AND d.la_child_id = c.la_child_id) AS disabled FROM merged_children c WHERE c.la_code = $la")}
        episodes = rows("SELECT la_child_id, referral_date, referral_source, primary_need, closure_date, "
                        "closure_reason, icpc_date, referral_nfa FROM merged_episodes "
                        "WHERE la_code = $la AND referral_date <= $a")
        for e in episodes:
            e["closure_date"] = _known(e["closure_date"], as_at)
            e["closure_reason"] = e["closure_reason"] if e["closure_date"] else None
            e["icpc_date"] = _known(e["icpc_date"], as_at)
        parts: dict[str, dict[tuple, list[dict]]] = {}
        for table, cols, dates in (("assessments", "start_date, authorisation_date", ("authorisation_date",)),
                                   ("section47", "start_date, icpc_date, icpc_not_required", ("icpc_date",)),
                                   ("cp_plans", "start_date, end_date, initial_category, latest_category, "
                                                "previous_cpp_count", ("end_date",))):
            by_episode: dict[tuple, list[dict]] = defaultdict(list)
            for r in rows(f"SELECT la_child_id, referral_date, {cols} FROM merged_{table} "
                          "WHERE la_code = $la AND start_date <= $a ORDER BY start_date"):
                for d in dates:
                    r[d] = _known(r[d], as_at)
                by_episode[r["la_child_id"], r["referral_date"]].append(r)
            parts[table] = by_episode
        reviews: dict[tuple, list[dt.date]] = defaultdict(list)
        for r in rows("SELECT la_child_id, referral_date, plan_start_date, review_date FROM merged_cp_reviews "
                      "WHERE la_code = $la AND review_date <= $a ORDER BY review_date"):
            reviews[r["la_child_id"], r["referral_date"], r["plan_start_date"]].append(r["review_date"])
        history = cls(as_at, children, episodes, parts, reviews, None, None, None)
        if _loaded(store, la, CP_VISITS.kind):
            history.visits = defaultdict(list)
            for r in rows("SELECT la_child_id, visit_date, seen_alone FROM merged_cp_visits "
                          "WHERE la_code = $la AND visit_date <= $a AND seen = 1 ORDER BY visit_date"):
                history.visits[r["la_child_id"]].append((r["visit_date"], r["seen_alone"]))
        if _loaded(store, la, SSDA903_EPISODES.kind):
            short = ", ".join(f"'{s}'" for s in SHORT_BREAKS)
            history.in_care = {r["la_child_id"] for r in rows(
                "SELECT DISTINCT la_child_id FROM merged_looked_after_episodes WHERE la_code = $la "
                f"AND start_date <= $a AND (end_date IS NULL OR end_date > $a) AND legal_status NOT IN ({short})")}
        if _loaded(store, la, SW_ALLOCATIONS.kind):
            # A store from before the team column (opened read-only, not upgraded) has none.
            team = "team" if "team" in store.columns(f"merged_{SW_ALLOCATIONS.table}") else "NULL"
            history.allocations = defaultdict(list)
            for r in rows(f"SELECT la_child_id, start_date, end_date, worker_id, {team} AS team "
                          "FROM merged_sw_allocations WHERE la_code = $la AND start_date <= $a "
                          "ORDER BY start_date, worker_id"):
                history.allocations[r["la_child_id"]].append(
                    (r["start_date"], _known(r["end_date"], as_at), r["worker_id"], r["team"]))
                history.has_team = history.has_team or bool((r["team"] or "").strip())
        return history

    # -- the lists ------------------------------------------------------------
    def fill(self, out: AnnexAOut) -> None:
        S, A = out.start, self.as_at
        year_ago = extract.last_12_months(A)
        refs_12m: dict[str, int] = defaultdict(int)
        for e in self.episodes:
            if e["referral_date"] >= year_ago:
                refs_12m[e["la_child_id"]] += 1
        s47_12m, icpc_12m = self._last_12_months(year_ago)
        lists = out.lists
        for e in self.episodes:
            cid, ref, close = e["la_child_id"], e["referral_date"], e["closure_date"]
            child = self._child(cid)
            allocated = self._allocated(cid, ref, close or A)
            if S <= ref:
                lists[3].append({**_without(child, "disabled"), "referral_date": ref,
                                 "referral_source": e["referral_source"], "referral_nfa": _flag(e["referral_nfa"]),
                                 "referrals_12m": refs_12m[cid], **allocated})
            if e["referral_nfa"] == 1 or (close is not None and close < S):
                continue
            assessments = self.parts["assessments"].get((cid, ref), [])
            plans = self.parts["cp_plans"].get((cid, ref), [])
            for a in assessments:
                if a["authorisation_date"] is None or a["authorisation_date"] >= S:
                    lists[4].append({**child, "start_date": a["start_date"],
                                     "authorisation_date": a["authorisation_date"],
                                     "needs_support": extract.assessed_in_need(
                                         a["authorisation_date"] is not None, a is assessments[-1],
                                         e["closure_reason"]), **allocated})
            for s in self.parts["section47"].get((cid, ref), []):
                if s["start_date"] >= S:
                    held = s["icpc_date"]
                    lists[5].append({
                        **child, "s47_date": s["start_date"],
                        "icpc_not_required": False if held else _flag(s["icpc_not_required"]),
                        "icpc_date": held, "icpc_plan": any(p["start_date"] == held for p in plans) if held else None,
                        "s47_12m": s47_12m[cid], "icpc_12m": icpc_12m[cid], **allocated})
            lists[6].append({**child, "cin_start_date": ref, "primary_need": e["primary_need"],
                             "cin_closure_date": close, "closure_reason": e["closure_reason"],
                             "case_status": self._status(cid, close, assessments, plans), **allocated})
            for p in plans:
                if p["end_date"] is None or p["end_date"] >= S:
                    lists[7].append({**child, **self._plan(cid, ref, p), **allocated})
        self._say_what_is_blank(out)

    def _last_12_months(self, year_ago: dt.date) -> tuple[dict[str, int], dict[str, int]]:
        """Per child: section 47 enquiries begun, and initial conferences held, in the 12 months to the date
        (a conference recorded on both its enquiry and its episode counted once)."""
        s47: dict[str, int] = defaultdict(int)
        icpcs: dict[str, set] = defaultdict(set)
        for (cid, ref), enquiries in self.parts["section47"].items():
            for s in enquiries:
                s47[cid] += s["start_date"] >= year_ago
                if s["icpc_date"] is not None and s["icpc_date"] >= year_ago:
                    icpcs[cid].add((ref, s["icpc_date"]))
        for e in self.episodes:
            if e["icpc_date"] is not None and e["icpc_date"] >= year_ago:
                icpcs[e["la_child_id"]].add((e["referral_date"], e["icpc_date"]))
        return s47, defaultdict(int, {cid: len(held) for cid, held in icpcs.items()})

    def _child(self, cid: str) -> dict:
        c = self.children.get(cid) or {}
        birth = c.get("birth_date")
        if birth is None or birth > self.as_at:  # not yet born at the date
            return {"child_id": cid, "gender": "0", "ethnicity": "NOBT", "birth_date": None, "disabled": False}
        sex = {"M": "1", "F": "2", "U": "0"}.get(c.get("sex") or "")
        return {"child_id": cid, "gender": c.get("gender") or sex, "ethnicity": c.get("ethnicity"),
                "birth_date": birth, "disabled": c.get("disabled")}

    def _allocated(self, cid: str, referral: dt.date, day: dt.date) -> dict:
        """The team and worker of the child's allocation open on ``day``, else the last begun in the episode."""
        if self.allocations is None:
            return {"team": None, "worker": None}
        mine = self.allocations.get(cid, [])
        open_then = [a for a in mine if a[0] <= day and (a[1] is None or a[1] >= day)]
        chosen = open_then[-1] if open_then else next((a for a in reversed(mine) if referral <= a[0] <= day), None)
        return {"team": chosen[3], "worker": chosen[2]} if chosen else {"team": None, "worker": None}

    def _status(self, cid: str, close, assessments: list[dict], plans: list[dict]) -> str:
        if close is not None:
            return "closed"
        if self.in_care is not None and cid in self.in_care:
            return "looked_after"
        if any(p["end_date"] is None for p in plans):
            return "cp_plan"
        if any(a["authorisation_date"] is None for a in assessments):
            return "open_assessment"
        return "cin_plan"

    def _plan(self, cid: str, ref: dt.date, p: dict) -> dict:
        end = p["end_date"]
        seen = [v for v in (self.visits or {}).get(cid, []) if p["start_date"] <= v[0] <= (end or self.as_at)]
        last = seen[-1] if seen else None
        reviews = self.reviews.get((cid, ref, p["start_date"]))
        return {"cpp_start_date": p["start_date"], "initial_category": p["initial_category"],
                "latest_category": p["latest_category"], "last_visit_date": last[0] if last else None,
                "seen_alone": _flag(last[1]) if last else None, "review_date": reviews[-1] if reviews else None,
                "cpp_end_date": end, "previous_plans": p["previous_cpp_count"]}

    def _say_what_is_blank(self, out: AnnexAOut) -> None:
        out.blank.update(CENSUS_LACKS)
        if self.visits is None:
            out.blank.update({(7, "last_visit_date"): _VISITS, (7, "seen_alone"): _VISITS})
        if self.allocations is None:
            out.blank.update({(n, c): _ALLOCATIONS for n in WRITTEN for c in ("team", "worker")})
        elif not self.has_team:
            out.blank.update({(n, "team"): _NO_TEAM for n in WRITTEN})
        out.blank = dict(sorted(out.blank.items()))


def _loaded(store, la: str, kind: str) -> bool:
    if not store.has_table("local_loads"):
        return False
    return bool(store.one("SELECT count(*) FROM local_loads WHERE la_code = ? AND kind = ? AND status = 'current'",
                          [la, kind])[0])


def _flag(value) -> bool | None:
    return None if value is None else bool(value)


def _without(row: dict, *columns: str) -> dict:
    return {k: v for k, v in row.items() if k not in columns}


def _keep_template_codes(out: AnnexAOut) -> None:
    """A value that is not a code of its Annex A list (a code a later census dropped) is left blank, counted."""
    for number, rows in out.lists.items():
        for col in L.LISTS[number].columns:
            if col.kind != "code":
                continue
            allowed = set(L.CODES[col.codes].values)
            bad = 0
            for row in rows:
                if row.get(col.name) is not None and row[col.name] not in allowed:
                    row[col.name] = None
                    bad += 1
            if bad:
                out.unlisted_codes[number, col.name] = bad
