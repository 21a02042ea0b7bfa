"""A large file is checked in a DuckDB file of its own, a slice of children at a time (issue 21: memory
bounded whatever the file's size), with exactly the findings of the in-memory check."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest

from munro.validate import read, validate_file

FAKE = (Path(__file__).resolve().parents[2] / ".." / "shared" / "reference" / "cin-census" / "csc-validator-be-cin"
        / "fake_data" / "fake_CIN_data.xml").resolve()


@pytest.fixture
def on_disk(monkeypatch, tmp_path):
    """Every file counts as large, slices of 50 children, temporary folders made under tmp_path/tmp."""
    monkeypatch.setattr(read, "MEMORY_STAGING_BYTES", 0)
    monkeypatch.setattr(read, "SLICE_CHILDREN", 50)
    (tmp_path / "tmp").mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    return tmp_path / "tmp"


def _found(report):
    return sorted((f.code, f.la_child_id or "", f.fields, str(f.value), f.line or 0) for f in report.findings)


def test_a_large_file_gives_the_findings_of_the_in_memory_check(on_disk, monkeypatch):
    from_disk = validate_file(FAKE, workers=2)
    assert list(on_disk.iterdir()) == []  # the folder, and the children's rows in it, are gone
    monkeypatch.setattr(read, "MEMORY_STAGING_BYTES", 1 << 40)
    in_memory = validate_file(FAKE, workers=2)
    assert from_disk.children == in_memory.children == 332  # the file's <Child> elements, more than 6 slices
    assert _found(from_disk) == _found(in_memory) and len(in_memory.findings) > 0


def test_a_large_file_the_format_refuses_is_read_again_tolerantly_on_disk(on_disk, cin, write):
    path = write("r.xml", cin.xml(2024, [cin.Child(id="A", birth="2015-02-30")]
                                  + [cin.Child(id=f"C{i}") for i in range(120)]))
    report = validate_file(path)
    assert [(f.la_child_id, f.fields, f.value) for f in report.findings if f.code == "format"] == [
        ("A", "PersonBirthDate", "2015-02-30")]
    assert report.children == 121
    assert list(on_disk.iterdir()) == []


def test_the_folder_goes_when_the_check_fails(on_disk, monkeypatch):
    def boom(*args, **kwargs):
        raise RuntimeError("a rule's engine failed")

    monkeypatch.setattr("munro.validate.runner.run", boom)
    with pytest.raises(RuntimeError):
        validate_file(FAKE)
    assert list(on_disk.iterdir()) == []
