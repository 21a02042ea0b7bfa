"""``munro ingest`` with local CSVs and ``munro indicators --visiting-standard``, as a user runs them."""

from __future__ import annotations

import json

import pytest

from munro.cli import main


def test_ingest_csvs_then_indicators_with_another_visiting_standard(tmp_path, cin, capsys):
    E, P = cin.Episode, cin.Plan
    xml = tmp_path / "cin_201_2025.xml"
    # one plan, Mon 3 Jun - Mon 1 Jul 2024
    xml.write_text(cin.xml(2025, [cin.Child(id="V1", episodes=[
        E(referral="2024-05-20", closure="2024-07-01", reason="RC1", plans=[P("2024-06-03", "2024-07-01")])])]))
    visits = tmp_path / "visits.csv"
    # 3 Jun -> Wed 19 Jun = 12 working days, -> 1 Jul = 8
    visits.write_text("child_id,visit_date,seen\nV1,2024-06-19,Y\nQ9,2024-06-20,Y\n")
    bad = tmp_path / "core.csv"
    bad.write_text("child_id,plan_start_date,meeting_date\nV1,2024-06-03,soon\n")
    db = str(tmp_path / "store.duckdb")
    with pytest.raises(SystemExit) as e:
        main(["--db", db, "ingest", "--year", "2025", str(xml), str(visits), str(bad)])
    assert e.value.code == 1
    out, err = capsys.readouterr()
    assert "visits.csv: loaded as local load 1 (cp-visits, LA 201, 2024-25): 2 rows, 2 children, " \
           "1 not in the CIN census" in out and "Q9" not in out + err
    assert err.strip().endswith("core.csv: row 2, column meeting_date: 'soon' is not a date: give one as "
                                "YYYY-MM-DD or DD/MM/YYYY, such as 2025-10-31; nothing was loaded")
    assert len(err.strip().splitlines()) == 1
    for standard, seen in ((None, 0), ("12", 1)):
        main(["--db", db, "indicators", "--la", "201", "--year", "2025", "--items", "child_seen_per_cpp",
              "--format", "json", *(["--visiting-standard", standard] if standard else [])])
        r = json.loads(capsys.readouterr().out)["items"]["child_seen_per_cpp"]
        assert (r["numerator"], r["denominator"], r["visiting_standard"]) == (seen, 1, int(standard or 10))


def test_returns_lists_the_local_records_beside_the_returns(tmp_path, cin, capsys):
    xml = tmp_path / "cin_201_2025.xml"
    xml.write_text(cin.xml(2025, [cin.Child(id="V1", episodes=[
        cin.Episode(referral="2024-05-20", closure="2024-07-01", reason="RC1")])]))
    visits = tmp_path / "visits.csv"
    visits.write_text("child_id,visit_date,seen\nV1,2024-06-19,Y\nV1,2024-06-26,N\nQ9,2024-06-20,Y\n")
    newer = tmp_path / "visits-again.csv"
    newer.write_text("child_id,visit_date,seen\nV1,2024-06-19,Y\n")
    db = str(tmp_path / "store.duckdb")
    main(["--db", db, "ingest", "--year", "2025", str(xml), str(visits)])
    capsys.readouterr()
    main(["--db", db, "returns"])
    lines = capsys.readouterr().out.splitlines()
    assert "Local records:" in lines
    local = lines[lines.index("Local records:") + 1:]
    assert local[0].split() == ["id", "kind", "LA", "year", "status", "rows", "children", "unmatched", "loaded",
                                "file"]
    # 3 rows, 2 children, 1 of them (Q9) not in the census; never the identifier itself
    assert local[1].split()[:8] == ["1", "cp-visits", "201", "2024-25", "current", "3", "2", "1"]
    assert local[1].endswith("visits.csv") and "Q9" not in "\n".join(lines)
    main(["--db", db, "ingest", "--year", "2025", str(newer)])
    capsys.readouterr()
    main(["--db", db, "returns"])
    current = capsys.readouterr().out.split("Local records:\n")[1].splitlines()[1:]
    assert [r.split()[:5] for r in current] == [["2", "cp-visits", "201", "2024-25", "current"]]
    main(["--db", db, "returns", "--all"])
    every = capsys.readouterr().out.split("Local records:\n")[1].splitlines()[1:]
    assert [r.split()[4] for r in every] == ["current", "superseded"]


def test_returns_without_local_records_says_nothing_of_them(tmp_path, cin, capsys):
    xml = tmp_path / "cin_201_2025.xml"
    xml.write_text(cin.xml(2025, [cin.Child(id="V1", episodes=[
        cin.Episode(referral="2024-05-20", closure="2024-07-01", reason="RC1")])]))
    db = str(tmp_path / "store.duckdb")
    main(["--db", db, "ingest", str(xml)])
    capsys.readouterr()
    main(["--db", db, "returns"])
    assert "Local records" not in capsys.readouterr().out
