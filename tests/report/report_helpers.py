"""Helpers of the report tests: a workbook read back from its XML, with each cell's type."""

from __future__ import annotations

import posixpath
import zipfile

from lxml import etree

M = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
R = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"


def _cell(c, strings: list[str]) -> tuple[str, str | None]:
    """(type, text): "n" for a number, "s" for text (shared strings resolved), else the XML's type."""
    kind, v = c.get("t") or "n", c.findtext(f"{M}v")
    return ("s", strings[int(v)]) if kind == "s" else (kind, v)


def read_xlsx(path) -> dict[str, list[list[tuple[str, str | None]]]]:
    """Sheet name -> rows of (type, text), each sheet found through the workbook's relationships."""
    with zipfile.ZipFile(path) as z:
        strings = ["".join(si.itertext()) for si in etree.fromstring(z.read("xl/sharedStrings.xml"))]
        targets = {r.get("Id"): r.get("Target")
                   for r in etree.fromstring(z.read("xl/_rels/workbook.xml.rels")).iter(f"{REL}Relationship")}
        out = {}
        for sheet in etree.fromstring(z.read("xl/workbook.xml")).iter(f"{M}sheet"):
            xml = etree.fromstring(z.read(posixpath.join("xl", targets[sheet.get(f"{R}id")])))
            out[sheet.get("name")] = [[_cell(c, strings) for c in row.iter(f"{M}c")] for row in xml.iter(f"{M}row")]
    return out


def xlsx_charts(path) -> int:
    """How many native charts the workbook holds."""
    with zipfile.ZipFile(path) as z:
        return sum(1 for n in z.namelist() if n.startswith("xl/charts/chart"))
