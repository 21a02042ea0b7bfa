"""The drill-down's hand-built LA (tests/indicators/test_drill.py's docstring works its figures out): returns
and social worker allocations across two teams and three workers, for the library's, CLI's and web's tests."""

from __future__ import annotations

from munro.loading import ingest_local_file

ALLOCATIONS = """child_id,worker_id,start_date,end_date,Allocated Team
A1,W1,2024-04-01,,North
A2,W2,2024-04-01,,North
B1,W1,2024-04-01,2024-09-30,North
B1,W3,2024-10-01,,South
B2,W3,2024-04-01,2024-12-31,South
F1,W2,2025-04-10,,North
"""


def build(cin, la: str = "201"):
    E, A = cin.Episode, cin.Assessment

    def child(cid, start=None, auth=None, closure=None, referral="2024-05-01"):
        return cin.Child(id=cid, episodes=[E(referral=referral, closure=closure, reason="RC1" if closure else None,
                                             assessments=[A(start, auth=auth)] if start else [])])

    kids = [child("A1", "2024-06-03", "2024-06-10"), child("A2", "2024-06-03", "2024-06-17"),
            child("B1", "2024-06-03", "2024-08-12"), child("B2", "2024-07-01", "2024-07-08", closure="2024-12-31"),
            child("U1", "2024-06-03", "2024-07-01"), child("F1", referral="2025-03-03")]
    return {2025: cin.xml(2025, kids, la=la)}


def allocations(db, text=ALLOCATIONS, la: str = "201"):
    path = db.parent / "allocations.csv"
    path.write_text(text, encoding="utf-8")
    ingest_local_file(db, path, la=la, year=2025)
