"""Ofsted's Annex A workbook, lists 1 to 7: its layout declared once, read tolerantly, written in the
template's layout (docs/annex-a.md)."""

from .read import AnnexA, Finding, read_annex_a
from .write import write_annex_a

__all__ = ["AnnexA", "Finding", "read_annex_a", "write_annex_a"]
