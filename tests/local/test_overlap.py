"""Survey suppression cannot be undone by differencing: a property test over random surveys.

Random respondents (each with a group in two or three breakdowns and an answer
to each of several questions, "not answered" included) are counted and made
safe together by ``suppress_questions``. Then an attacker who sees every
published figure of every question and knows every equation that links them
(each group's answers add up to its respondents, each breakdown's groups add
up to the overall answers, the respondents of a group are the same number in
every question) solves them all at once. The solver is numpy (the null space of the equations
over the hidden cells, by SVD), independent of munro.disclosure's exact
elimination: a hidden cell is determined when no solution can move it.
"""

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from munro.disclosure import C
from munro.local.overlap import ALL, question_cells, suppress_questions

ANSWERS = ("yes", "sort_of", "no", "not_answered")


def _system(tables):
    """Every question's cells and equations, private cells prefixed by the question, shared cells not."""
    values, eqs = {}, []
    for q, breakdowns in tables.items():
        cells, equations, _ = question_cells(breakdowns)

        def key(k, q=q):
            shared = (len(k) == 3 and k[2] == ALL) or k == (ALL, ALL)
            return k if shared else (q, *k)
        for k, v in cells.items():
            assert values.setdefault(key(k), v) == v  # a shared cell is the same number in every question
        eqs += [(key(t), [key(p) for p in parts]) for t, parts in equations]
    return values, eqs, key


def _determined(eqs, published):
    """The hidden cells that every solution of the equations agrees on (numpy, independent of munro).

    The solutions differ by the null space of the equations' matrix over the hidden cells, so a
    cell is determined when no null-space vector moves it.
    """
    unknown = sorted({k for t, parts in eqs for k in (t, *parts) if published[k] == C}, key=repr)
    if not unknown:
        return set()
    col = {k: i for i, k in enumerate(unknown)}
    a = np.zeros((len(eqs), len(unknown)))
    for i, (t, parts) in enumerate(eqs):
        if t in col:
            a[i, col[t]] += 1
        for p in parts:
            if p in col:
                a[i, col[p]] -= 1
    _, sv, vt = np.linalg.svd(a, full_matrices=True)
    rank = int((sv > 1e-9 * max(1.0, sv.max(initial=0.0))).sum())
    null = vt[rank:]
    return {k for k in unknown if np.all(np.abs(null[:, col[k]]) < 1e-9)}


def _published(tables, safe):
    out = {}
    for q, r in safe.items():
        out[(ALL, ALL)] = r["respondents"]
        for a, v in r["answers"].items():
            out[(q, ALL, a)] = v
        for name, groups in r["breakdowns"].items():
            for g, gr in groups.items():
                out[(name, g, ALL)] = gr["respondents"]
                for a, v in gr["answers"].items():
                    out[(q, name, g, a)] = v
    return out


def _tables(people, n_questions, breakdowns):
    tables = {}
    for qi in range(n_questions):
        tables[f"q{qi}"] = {
            name: {g: {a: sum(1 for p in people if p[0][bi] == g and p[1][qi] == a) for a in ANSWERS}
                   for g in sorted({p[0][bi] for p in people})}
            for bi, name in enumerate(breakdowns)}
    return tables


@st.composite
def surveys(draw):
    n_breakdowns = draw(st.integers(1, 3))
    n_questions = draw(st.integers(1, 3))
    group_counts = [draw(st.integers(1, 4)) for _ in range(n_breakdowns)]
    person = st.tuples(
        st.tuples(*[st.sampled_from([f"g{i}" for i in range(k)]) for k in group_counts]),
        st.tuples(*[st.sampled_from(ANSWERS) for _ in range(n_questions)]))
    # Skewed sizes: many small groups and cells, where suppression has work to do.
    people = draw(st.lists(person, min_size=1, max_size=60))
    min_group = draw(st.sampled_from([3, 5, 10]))
    return _tables(people, n_questions, ["age_band", "team", "agency"][:n_breakdowns]), min_group


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(surveys())
def test_no_hidden_count_can_be_worked_out_from_all_questions_and_breakdowns_together(survey):
    tables, min_group = survey
    safe = suppress_questions(tables, min_group=min_group)
    values, eqs, _ = _system(tables)
    published = _published(tables, safe)
    assert set(published) == set(values)
    for k, v in published.items():
        assert v in (C, values[k]), k  # a figure is shown as it is, or hidden
        if 1 <= values[k] <= 5:
            assert v == C, k  # every count of 1 to 5 is hidden
    # The attacker's solution: no hidden count other than a zero is pinned down.
    leaked = {k for k in _determined(eqs, published) if values[k] != 0}
    assert leaked == set()
    # Groups below the minimum size show nothing, in every question.
    for r in safe.values():
        for name, groups in r["breakdowns"].items():
            for g, gr in groups.items():
                if 0 < values[(name, g, ALL)] < min_group:
                    assert not gr["shown"]
                if not gr["shown"]:
                    assert gr["respondents"] == C and set(gr["answers"].values()) == {C}
    if values[(ALL, ALL)] < min_group:  # too few respondents: nothing at all
        assert set(published.values()) == {C}


def test_a_group_below_the_minimum_is_hidden_with_the_next_smallest_so_totals_do_not_give_it_back():
    # Worked by hand. Staff minimum 5: team C has 3 respondents, so it is hidden; alone it would
    # be the overall figure minus A and B, so the next smallest team (B, 6) is hidden too.
    people = ([(("A",), ("yes",))] * 8 + [(("A",), ("no",))] * 7 + [(("B",), ("yes",))] * 6
              + [(("C",), ("no",))] * 3)
    tables = _tables(people, 1, ["team"])
    safe = suppress_questions(tables, min_group=5)["q0"]
    team = safe["breakdowns"]["team"]
    assert [team[g]["shown"] for g in "ABC"] == [True, False, False]
    assert team["A"]["respondents"] == 15 and team["A"]["answers"]["yes"] == 8 and team["A"]["answers"]["no"] == 7
    assert team["B"]["respondents"] == C and team["C"]["respondents"] == C
    # Overall: 14 yes and 10 no; B and C together are 9 (6 yes, 3 no), which is as far as anyone can get.
    assert safe["respondents"] == 24 and safe["answers"]["yes"] == 14 and safe["answers"]["no"] == 10


def test_a_groups_respondents_hidden_in_one_question_are_hidden_in_every_question():
    # Team B (7 respondents): in q0 its 2 "no" answers are hidden, and the engine hides B's total
    # or another of its cells; whatever it hides of B's respondents, q1 must not show.
    people = ([(("A",), ("yes", "yes"))] * 10 + [(("B",), ("yes", "yes"))] * 5
              + [(("B",), ("no", "yes"))] * 2 + [(("C",), ("yes", "no"))] * 9)
    safe = suppress_questions(_tables(people, 2, ["team"]), min_group=5)
    for g in "ABC":
        assert safe["q0"]["breakdowns"]["team"][g]["respondents"] == safe["q1"]["breakdowns"]["team"][g]["respondents"]
    assert safe["q0"]["breakdowns"]["team"]["B"]["answers"]["no"] == C
