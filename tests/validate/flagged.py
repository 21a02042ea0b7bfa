"""What one rule flags, with lines, for exact assertions: (LAchildID, fields, value, line) in file order.

Built on the ``check`` fixture (conftest.py). Each rule test puts the children that must
trigger the rule and the near misses that must not in one return and asserts the whole list.
"""

from __future__ import annotations


def flagged(check, code: str, children, year: int = 2024):
    """(XML text, findings of rule ``code``) for a return of ``year`` holding ``children``."""
    found = check(code, year, children)
    return check.state.text, [(*f, line) for f, line in zip(found, check.state.lines)]


def helpers(part: str, tag: str):
    """(kid, at) for the tests of one part of a CINdetails (``part``: assessments, cin_plans, s47, plans).

    ``kid(cin, id, *items, referral="2023-06-01", **episode)``: a child with one CINdetails holding
    ``items``; ``at(text, id, needle=tag, nth=1)``: the line of the nth ``needle`` in child ``id``.
    """

    def kid(cin, cid, *items, referral="2023-06-01", **episode):
        return cin.Child(id=cid, episodes=[cin.Episode(referral=referral, **{part: list(items)}, **episode)])

    def at(text, cid, needle=tag, nth=1):
        return line_after(text, f"<LAchildID>{cid}<", needle, nth)

    return kid, at


def line_after(text: str, anchor: str, needle: str, nth: int = 1) -> int:
    """1-based line of the nth line containing ``needle`` after the first line containing ``anchor``.

    ``line_after(text, "<LAchildID>T<", "<Assessments>", 2)``: child T's second assessment.
    """
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if anchor in line)
    seen = 0
    for i in range(start, len(lines)):
        if needle in lines[i]:
            seen += 1
            if seen == nth:
                return i + 1
    raise AssertionError(f"{needle!r} not found {nth} time(s) after {anchor!r}")
