"""A file given as a CIN census return that is not XML: one line saying what it looks like and what to do.

Through ``munro ingest`` as a user runs it: exit 1, nothing on stdout, one line per file on stderr, the
store unchanged. (tests/census/test_hostile.py keeps the defences against hostile XML.)
"""

from __future__ import annotations

import datetime as dt
import zipfile

from workbook_support import workbook

D = dt.datetime
LOCAL = "docs/local-data.md"
IS_XML = "a CIN census return is an XML file"
NOT_XML = "not an XML file (it does not start with '<')"
RETURN = "load the return's XML file itself, as exported from the case management system"


def _zip(path, members):
    with zipfile.ZipFile(path, "w") as z:
        for name, text in members.items():
            z.writestr(name, text)


def _cases(cin) -> dict[str, tuple[object, str]]:
    """File name -> (its content, or a function making it; the reason it is refused)."""
    xml = cin.xml(2025, [cin.Child(id="C1")])
    tsv = "child_id\tvisit_date\tseen\nA1\t2024-06-03\tY\n"
    return {
        "csv.xml": ("LAchildID,UPN\nC1,A123456789012\n",
                    f"{NOT_XML}; it looks like a CSV file (comma-separated text): if it is a local record, its header "
                    f"row must match a layout in {LOCAL}; {IS_XML}"),
        "visits.dat": ("child_id,visit_date,seen\nA1,2024-06-03,Y\n",
                       f"{NOT_XML}; it looks like a CSV file of cp-visits records: name it .csv to load it "
                       "(or give --kind cp-visits)"),
        "near.xml": ("child_id;visit_date\nA1;2024-06-03\n",
                     f"{NOT_XML}; it looks like a CSV file near the cp-visits layout, without its column(s) seen "
                     f"({LOCAL}); {IS_XML}"),
        "workbook.xml": (lambda p: workbook(p, {"Visits": [["name", "address", "phone"], ["Ann", "1 Hill St", 1]]}),
                         "this is an Excel workbook (.xlsx), not CIN census XML, and no sheet's row 1 is the header "
                         f"of a layout of {LOCAL}: a local record's header row must match one; a CIN census return "
                         "is loaded from its XML file, not a workbook made from it"),
        "visits_book": (lambda p: workbook(p, {"Visits": [["child_id", "visit_date", "seen"],
                                                          ["A1", D(2024, 6, 3), 1]]}),
                        "this is an Excel workbook (.xlsx), not CIN census XML: its sheet Visits holds cp-visits "
                        "records; name the file .xlsx to load them (or give --kind cp-visits)"),
        "return.zip": (lambda p: _zip(p, {"cin_201_2025.xml": xml}),
                       "this is a zip archive (cin_201_2025.xml), not CIN census XML: unzip it and load the files "
                       "inside"),
        "return.docx": (lambda p: _zip(p, {"[Content_Types].xml": "<Types/>", "word/document.xml": "<document/>"}),
                        f"this is a Word document (.docx), not CIN census XML: {RETURN}"),
        "return.pdf": (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n",
                       f"this is a PDF document, not CIN census XML: {RETURN}"),
        "old.xml": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504),
                    "this is an old Microsoft Office file (an .xls workbook or .doc document) or a password-protected "
                    "workbook, not CIN census XML: save local records as an Excel Workbook (.xlsx, without a "
                    f"password) or CSV UTF-8 in a layout of {LOCAL}; {IS_XML}"),
        "login.xml": ("<!DOCTYPE html>\n<html><head><title>Sign in</title></head><body><form>Password</form></body>"
                      "</html>\n",
                      "this is an HTML web page (perhaps a saved login or error page), not CIN census XML: download "
                      "or export the return's XML file again"),
        "xhtml.xml": ('<?xml version="1.0" encoding="UTF-8"?>\n<html xmlns="http://www.w3.org/1999/xhtml"><body/>'
                      "</html>\n",
                      "the root element is <{http://www.w3.org/1999/xhtml}html>, not <Message>: this is not a CIN "
                      "census return: it is a web page (perhaps a saved login or error page); download or export the "
                      "return's XML file again"),
        "empty.xml": (b"", f"the file is empty (0 bytes): copy or export the return again; {IS_XML}"),
        "spaces.xml": (b"\n  \n", f"the file holds only white space: {IS_XML}"),
        "unicode.xml": (tsv.encode("utf-16"),
                        "the file is UTF-16 or UTF-32 encoded; CIN census returns must be UTF-8 XML, and this is "
                        "UTF-16 text (as Excel saves 'Unicode Text'), not XML: save local records as CSV UTF-8 or "
                        f".xlsx ({LOCAL})"),
        "utf16.xml": (xml.replace('encoding="UTF-8"', 'encoding="UTF-16"').encode("utf-16"),
                      "the file is UTF-16 or UTF-32 encoded; CIN census returns must be UTF-8: export the return "
                      "again as UTF-8, or save it as UTF-8 in a text editor"),
        "utf16-no-bom.xml": (xml.replace('encoding="UTF-8"', 'encoding="UTF-16"').encode("utf-16-le"),
                             "the file is UTF-16 or UTF-32 encoded; CIN census returns must be UTF-8: export the "
                             "return again as UTF-8, or save it as UTF-8 in a text editor"),
        "data.json": ('{"Message": {"Header": {}}}', f"{NOT_XML}; it looks like JSON: {IS_XML}"),
        "notes.xml": ("Return sent to the DfE on 1 May\n", f"{NOT_XML}; it looks like plain text: {IS_XML}"),
        "garbage.xml": (bytes([7, 1, 2, 3]) + bytes(range(256)) * 4, f"{NOT_XML}; it looks like binary data, not "
                                                                      f"text: {IS_XML}"),
    }


def test_each_file_that_is_not_xml_gets_one_line_saying_what_it_looks_like(cin, tmp_path, munro, store):
    db = tmp_path / "store.duckdb"
    good = tmp_path / "cin_201_2025.xml"
    good.write_text(cin.xml(2025, [cin.Child(id="C1")]))
    assert munro("--db", db, "ingest", good).returncode == 0
    before = store.snapshot(db)
    cases = _cases(cin)
    for name, (content, _) in cases.items():
        path = tmp_path / name
        if callable(content):
            content(path)
        else:
            path.write_bytes(content.encode() if isinstance(content, str) else content)
    run = munro("--db", db, "ingest", *(tmp_path / name for name in cases))
    assert (run.returncode, run.stdout) == (1, "")
    assert run.stderr.splitlines() == [f"rejected {tmp_path / name}: {reason}" for name, (_, reason) in cases.items()]
    assert store.snapshot(db) == before
