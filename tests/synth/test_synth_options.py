"""``generate``'s options, results and failure modes."""

from __future__ import annotations

import pytest
from lxml import etree

from munro.cli import main
from munro.errors import MunroError
from munro.synth import SynthResult, generate


@pytest.mark.parametrize("kwargs, message", [
    (dict(la="999"), "no English LA has code 999: did you mean 909 Cumbria, 919 Hertfordshire or 929 Northumberland?"),
    (dict(la="33"), "3 digits"),
    (dict(la="33A", population=1000), "3 digits"),
    (dict(years=[2012]), "2012"),
    (dict(years=[2025, 2028]), "year 2027-28 is outside the CIN census years"),
    (dict(years=[]), "no collection years"),
    (dict(scale=0), "scale"),
    (dict(scale=-1.5), "scale"),
    (dict(scale=float("nan")), "scale"),
    (dict(errors=-1), "errors"),
    (dict(schema_year=2012), "schema year"),
    (dict(schema_year=2030), "schema year"),
    (dict(la="999", population=0), "population"),
    (dict(seed="x"), "seed"),
    (dict(years=["twenty"]), "years"),
])
def test_bad_options_raise_one_line_munro_error(tmp_path, kwargs, message):
    args = dict(la="330", years=[2025], out_dir=tmp_path, scale=0.01)
    args.update(kwargs)
    with pytest.raises(MunroError) as info:
        generate(args.pop("la"), args.pop("years"), args.pop("out_dir"), **args)
    assert message in str(info.value)
    assert "\n" not in str(info.value)
    assert not list(tmp_path.glob("*.xml"))


def test_unknown_code_with_population_and_results(tmp_path):
    results = generate("999", [2024, 2025], tmp_path, population=20_000, seed=3)
    assert [r.year for r in results] == [2024, 2025]
    for r in results:
        assert isinstance(r, SynthResult)
        assert r.path == tmp_path / f"cin_999_{r.year}.xml"
        root = etree.parse(str(r.path)).getroot()
        children = root.findall("Children/Child")
        assert r.children == len(children) > 500
        assert r.episodes == len(root.findall("Children/Child/CINdetails"))
        assert r.assessments == len(root.findall(".//Assessments"))
        assert r.section47 == len(root.findall(".//Section47"))
        assert r.cp_plans == len(root.findall(".//ChildProtectionPlans"))
        assert r.cp_plans > 0 and r.section47 > r.cp_plans
        assert root.findtext("Header/Source/LEA") == "999"
        assert r.errors == 0 and r.manifest is None
        # each year's local records beside its return (tests/synth/test_synth_local_records.py)
        assert sorted(r.local) == ["core_groups", "cp_visits", "own_figures", "ssda903_episodes", "ssda903_header",
                                   "sw_allocations"]
    names = {f"{n}_999_{y}.csv" for y in (2024, 2025) for n in results[0].local}
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted({"cin_999_2024.xml", "cin_999_2025.xml"} | names)


def test_scale_and_years_after_last_population(tmp_path):
    # 2027 has no published population: the latest (mid-2024) is used.
    small = generate("330", [2027], tmp_path / "a", scale=0.02)[0]
    big = generate("330", [2027], tmp_path / "b", scale=0.04)[0]
    assert 1.7 < big.children / small.children < 2.3
    assert small.schema_year == 2027


def test_progress_only_when_asked(tmp_path, capsys):
    generate("999", [2025], tmp_path / "q", population=3000, progress=False)
    assert capsys.readouterr() == ("", "")
    steps = []
    results = generate("999", [2025], tmp_path / "p", population=3000,
                       progress=lambda step, done, total: steps.append((step, done, total)))
    assert capsys.readouterr() == ("", "")  # the library tells its caller, and prints nothing
    total = steps[0][2]
    assert steps[0] == ("simulating LA 999's children", 0, total) and total > results[0].children
    assert steps[-1] == ("writing the returns and local records", total, total)


def test_too_many_errors_for_a_tiny_return(tmp_path):
    with pytest.raises(MunroError, match="too few children"):
        generate("999", [2025], tmp_path, population=100, errors=500)
    assert not list(tmp_path.glob("cin_*.xml"))
    assert not list(tmp_path.glob(".*"))


def test_cli_synth(tmp_path, capsys):
    main(["synth", "--la", "330", "--years", "2024-2025", "--out", str(tmp_path),
          "--scale", "0.01", "--quiet"])
    out = capsys.readouterr().out
    assert "cin_330_2024.xml" in out and "cin_330_2025.xml" in out
    with pytest.raises(SystemExit) as info:
        main(["synth", "--la", "999", "--years", "2025", "--out", str(tmp_path)])
    assert info.value.code == 2
    assert "no English LA has code 999" in capsys.readouterr().err
