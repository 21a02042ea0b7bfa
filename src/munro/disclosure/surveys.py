"""Survey and audit results: a minimum group size, then the counts rule.

A question's answers are counted by group in one or more breakdowns (age
band, agency, team); each breakdown covers every respondent (a "not known"
group if need be), so all add up to the same answer totals.

1. A group with fewer than ``min_group`` respondents (but at least one) is
   not shown at all: every answer count and its respondent count are ``'c'``.
   Default 10, as for surveys of children and families
   (notes/peers-and-users.md 4.7); staff surveys use ``MIN_GROUP_STAFF`` (5).
2. If that leaves one hidden group in a breakdown, the overall counts minus
   the shown groups would give it back, so the next smallest group with
   respondents is hidden too (whole groups, so a reader never sees half a
   group).
3. If the whole survey has fewer than ``min_group`` respondents, nothing is
   shown.
4. Then every count, in every breakdown and the overall answers together,
   follows the counts rule (1..threshold hidden, secondary suppression
   across rows, columns and breakdowns; :mod:`.engine`), so hiding cannot be
   undone by differencing one breakdown against another.
"""

from __future__ import annotations

from collections.abc import Mapping

from .cells import THRESHOLD, check_count
from .engine import suppress_linked

MIN_GROUP = 10  # children and families
MIN_GROUP_STAFF = 5  # social workers, partner agencies, teams

ALL = "*"


def suppress_survey(breakdowns: Mapping[str, Mapping[str, Mapping[str, int]]], *,
                    min_group: int = MIN_GROUP, threshold: int = THRESHOLD) -> dict:
    """One question's answer counts, by group in each breakdown, made safe.

    ``breakdowns``: ``{breakdown: {group: {answer: count}}}``. Returns
    ``{"respondents", "answers": {answer: ...}, "breakdowns": {breakdown:
    {group: {"respondents", "answers", "shown"}}}}`` where ``shown`` is False
    for a group hidden whole (below ``min_group``, or hiding another).
    """
    if not breakdowns:
        raise ValueError("no breakdowns given")
    values, eqs, answers = question_cells(breakdowns)

    n = values[(ALL, ALL)]
    hidden_groups = set()
    if n < min_group:
        forced = set(values)
        hidden_groups = {(name, g) for name, groups in breakdowns.items() for g in groups}
    else:
        for name, groups in breakdowns.items():
            hidden_groups |= _hidden_groups(name, {g: values[(name, g, ALL)] for g in groups}, min_group)
        forced = {k for k in values if k[:2] in hidden_groups}
    out = suppress_linked(values, eqs, threshold=threshold, forced=forced)
    return shaped(out, breakdowns, answers, hidden_groups)


def question_cells(breakdowns: Mapping[str, Mapping[str, Mapping[str, int]]], check: bool = True):
    """(cells, equations, answers) of one question's breakdowns.

    Cells are keyed ``(breakdown, group, answer)``, ``(breakdown, group, ALL)``
    (the group's respondents), ``(ALL, answer)`` and ``(ALL, ALL)`` (everyone).
    ``check`` refuses a count that is not one and breakdowns that do not add up
    to the same answers; without it everyone's answers are those of the first
    breakdown.
    """
    answers = list(dict.fromkeys(a for b in breakdowns.values() for g in b.values() for a in g))
    values, eqs = {}, []
    overall = None
    for name, groups in breakdowns.items():
        for g, counts in groups.items():
            for a in answers:
                n = counts.get(a, 0)
                values[(name, g, a)] = check_count(n, f"{name}/{g}/{a}") if check else n
            values[(name, g, ALL)] = sum(values[(name, g, a)] for a in answers)
            eqs.append(((name, g, ALL), [(name, g, a) for a in answers]))
        totals = {a: sum(values[(name, g, a)] for g in groups) for a in answers}
        if check and overall is not None and totals != overall:
            raise ValueError(f"breakdown {name!r} does not add up to the same answers as the others: "
                             "each breakdown must cover every respondent")
        overall = totals if overall is None else overall
        eqs += [((ALL, a), [(name, g, a) for g in groups]) for a in answers]
        eqs.append(((ALL, ALL), [(name, g, ALL) for g in groups]))
    values.update({(ALL, a): n for a, n in overall.items()})
    values[(ALL, ALL)] = sum(overall.values())
    eqs.append(((ALL, ALL), [(ALL, a) for a in answers]))
    return values, eqs, answers


def shaped(out: Mapping, breakdowns: Mapping, answers: list, hidden_groups: set) -> dict:
    """Suppressed cells in the shape ``suppress_survey`` returns."""
    return {
        "respondents": out[(ALL, ALL)],
        "answers": {a: out[(ALL, a)] for a in answers},
        "breakdowns": {name: {g: {"respondents": out[(name, g, ALL)],
                                  "answers": {a: out[(name, g, a)] for a in answers},
                                  "shown": (name, g) not in hidden_groups}
                              for g in groups}
                       for name, groups in breakdowns.items()},
    }


def _hidden_groups(name: str, sizes: Mapping[str, int], min_group: int) -> set:
    """Groups of one breakdown hidden whole: the small ones, plus one more if only one is small."""
    hidden = {g for g, n in sizes.items() if 0 < n < min_group}
    if len(hidden) == 1:
        rest = sorted((n, i, g) for i, (g, n) in enumerate(sizes.items()) if g not in hidden and n > 0)
        hidden.add(rest[0][2])  # there is one: the hidden group alone is below min_group <= all respondents
    return {(name, g) for g in hidden}
