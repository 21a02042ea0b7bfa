"""An LA as a user writes it (munro.reference.resolve_la), read by one type for every --la option."""

from __future__ import annotations

import click
import pytest

from munro.cli import cli
from munro.errors import MunroError
from munro.options import LAType
from munro.reference import local_authority, nearest_las, resolve_la


@pytest.mark.parametrize("text, code", [
    ("330", "330"),
    ("E08000025", "330"),  # its GSS code
    ("e08000025", "330"),
    ("Birmingham", "330"),
    ("birmingham", "330"),
    ("  BIRMINGHAM ", "330"),
    ("birm", "330"),  # the start of a word of one LA's name only
    ("hull", "810"),  # Kingston upon Hull, City of
    ("Bristol", "801"),  # Bristol, City of
    ("durham", "840"),  # County Durham
    ("St Helens", "342"),  # St. Helens
    ("st. helens", "342"),
    ("Southend", "882"),  # Southend-on-Sea
    ("york", "816"),  # York whole, before North Yorkshire's word 'Yorkshire'
    ("dorset", "838"),  # 835 Dorset until 2019, 838 since: the one DfE data still has
    ("Northamptonshire", "928"),  # named whole: the old county, its code for its years
    ("E10000021", "928"),
    ("E06000048", "929"),  # Northumberland's earlier GSS code
])
def test_codes_and_names(text, code):
    assert resolve_la(text) == code


@pytest.mark.parametrize("text, message", [
    ("999", "no English LA has code 999: did you mean 909 Cumbria, 919 Hertfordshire or 929 Northumberland?"),
    ("303", None),  # is an LA (Bexley): no message
    ("3300", "no English LA has code 3300: did you mean 330 Birmingham?"),
    ("33", "no English LA has code 33: did you mean 303 Bexley, 313 Hounslow or 330 Birmingham?"),
    ("birmingam", "no English LA has the name 'birmingam': did you mean 330 Birmingham?"),
    ("sussex", "'sussex' could be 845 East Sussex or 938 West Sussex: give its code"),
    ("kingston", "'kingston' could be 314 Kingston upon Thames or 810 Kingston upon Hull, City of: give its code"),
    ("ham", "'ham' could be 205 Hammersmith and Fulham, 211 Tower Hamlets or 850 Hampshire: give its code"),
    ("north", "'north' could be 392 North Tyneside, 800 Bath and North East Somerset, 802 North Somerset, "
              "812 North East Lincolnshire, 813 North Lincolnshire, 815 North Yorkshire, 928 Northamptonshire, "
              "929 Northumberland or 2 more: give its code"),  # 940, 941: North and West Northamptonshire
    ("xyz", "no English LA has the name 'xyz' (give a 3-digit DfE code such as 330, or a name such as Birmingham)"),
    ("", "no LA given (a 3-digit DfE code such as 330, or a name)"),
])
def test_what_is_no_english_la_is_refused_with_the_nearest(text, message):
    if message is None:
        assert resolve_la(text) == text
        return
    with pytest.raises(MunroError) as info:
        resolve_la(text)
    assert str(info.value) == message


def test_nearest_codes_are_a_keystroke_away():
    assert [la.code for la in nearest_las("999")] == ["909", "919", "929"]  # one digit changed
    assert [la.code for la in nearest_las("033")] == ["303", "333", "933"]
    assert [la.code for la in nearest_las("3030")] == ["303", "330"]  # one digit added
    assert [la.code for la in nearest_las("388")] == ["308", "318", "358"]  # the first three of eight by code
    assert [la.code for la in nearest_las("383")] == ["303", "313", "333"]  # Leeds itself is not 'near'


def test_the_library_says_the_same():
    with pytest.raises(MunroError) as info:
        local_authority("999")
    assert str(info.value) == ("no English LA has code 999: did you mean 909 Cumbria, 919 Hertfordshire or "
                               "929 Northumberland?")


def _la_options(command=cli, path="munro"):
    for p in command.params:
        if isinstance(p, click.Option) and "--la" in p.opts:
            yield path, p
    for name, sub in getattr(command, "commands", {}).items():
        yield from _la_options(sub, f"{path} {name}")


def test_every_la_option_is_read_by_the_one_type():
    found = dict(_la_options())
    assert sorted(found) == sorted([
        "munro synth", "munro ingest", "munro indicators", "munro export", "munro population set",
        "munro population unset", "munro population list", "munro population show", "munro benchmark",
        "munro report", "munro annex-a", "munro survey create", "munro survey list", "munro audit sample",
        "munro audit import", "munro audit results", "munro action add", "munro action list", "munro user add",
        "munro audit-log"])
    assert all(isinstance(p.type, LAType) for p in found.values())
    takes_all = {path for path, p in found.items() if p.type.all}
    assert takes_all == {"munro indicators", "munro benchmark", "munro report"}
    assert {path for path, p in found.items() if p.type.england} == {
        "munro population set", "munro population unset", "munro population list", "munro population show"}
    assert {path for path, p in found.items() if p.type.synthetic} == {
        "munro synth", "munro population set", "munro population unset", "munro population list",
        "munro population show"}


def test_a_name_on_the_command_line(munro, db):
    run = munro("--db", db, "population", "show", "--la", "birmingham", "--year", "2025")
    assert (run.returncode, run.stderr) == (0, "")
    assert run.stdout.splitlines()[0] == "LA 330 (Birmingham), 2024-25: 292,859"


@pytest.mark.parametrize("args, message", [
    (["indicators", "--la", "999", "--year", "2025"],
     "munro indicators: Invalid value for '--la': no English LA has code 999: did you mean 909 Cumbria, "
     "919 Hertfordshire or 929 Northumberland? (see 'munro indicators --help')"),
    (["report", "--la", "sussex", "--year", "2025", "--out", "r"],
     "munro report: Invalid value for '--la': 'sussex' could be 845 East Sussex or 938 West Sussex: give its code "
     "(see 'munro report --help')"),
    (["ingest", "--la", "999", "visits_2025.csv"],
     "munro ingest: Invalid value for '--la': no English LA has code 999: did you mean 909 Cumbria, "
     "919 Hertfordshire or 929 Northumberland? (see 'munro ingest --help')"),
    (["audit", "sample", "--la", "Birmingam", "--year", "2025", "--size", "3", "--out", "a.csv"],
     "munro audit sample: Invalid value for '--la': no English LA has the name 'Birmingam': did you mean "
     "330 Birmingham? (see 'munro audit sample --help')"),
    (["export", "--la", "330", "--la", "99", "--to", "out"],
     "munro export: Invalid value for '--la': no English LA has code 99: did you mean 909 Cumbria, "
     "919 Hertfordshire or 929 Northumberland? (see 'munro export --help')"),
])
def test_a_wrong_la_is_one_line_and_changes_nothing(munro, db, cin, tmp_path, store, args, message):
    xml = tmp_path / "cin_201_2025.xml"
    xml.write_text(cin.xml(2025, [cin.Child(id="A1")]))
    assert munro("--db", db, "ingest", xml).returncode == 0
    before = store.snapshot(db)
    run = munro("--db", db, *args, cwd=tmp_path)
    assert (run.returncode, run.stdout, run.stderr) == (2, "", message + "\n")
    assert store.snapshot(db) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cin_201_2025.xml", "store.duckdb"]


def test_a_code_no_english_la_has_is_taken_once_the_store_holds_it(munro, db, cin, tmp_path):
    # A synthetic LA: its returns are loaded, so its code is the store's, and a command may name it.
    xml = tmp_path / "cin_999_2025.xml"
    xml.write_text(cin.xml(2025, [cin.Child(id="A1", episodes=[cin.Episode(referral="2024-05-01")])], la="999"))
    run = munro("--db", db, "indicators", "--la", "999", "--year", "2025", "--items", "referral_rate")
    assert run.returncode == 2 and "no English LA has code 999" in run.stderr  # nothing of it loaded yet
    assert munro("--db", db, "ingest", xml).returncode == 0
    # --db after the command is read first, so the type sees the store it names
    run = munro("indicators", "--la", "999", "--year", "2025", "--items", "referral_rate", "--format", "csv",
                "--db", db)
    assert (run.returncode, run.stderr) == (0, "")
    assert run.stdout.splitlines()[1].startswith("999,2025,referral_rate,")
    run = munro("--db", db, "indicators", "--la", "998", "--year", "2025")
    assert run.returncode == 2 and "no English LA has code 998: did you mean" in run.stderr


def test_la_all_is_kept(munro, db, cin, tmp_path):
    xml = tmp_path / "cin_201_2025.xml"
    xml.write_text(cin.xml(2025, [cin.Child(id="A1", episodes=[cin.Episode(referral="2024-05-01")])]))
    assert munro("--db", db, "ingest", xml).returncode == 0
    run = munro("--db", db, "indicators", "--la", "ALL", "--year", "2024-25", "--items", "referral_rate",
                "--format", "csv")
    assert (run.returncode, run.stderr) == (0, "")
    assert run.stdout.splitlines()[1].startswith("201,2025,referral_rate,")
