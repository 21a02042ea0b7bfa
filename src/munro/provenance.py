"""What made an output and from what (issue 20): munro's version, the published statistics' sources
and the Open Government Licence attribution they require.

Every report, workbook, export and web page says these in the same words, from here. The
publications are those of src/munro/data/*/SOURCES.md, named as a reader knows them; a benchmark
row's ``source`` (e.g. "DfE Children in need 2025 (EES table C1)") is named by the publication
whose prefix it begins with.
"""

from __future__ import annotations

from collections.abc import Iterable

from . import __version__

OGL = "Contains public sector information licensed under the Open Government Licence v3.0."
OGL_URL = "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"

# (prefix of a benchmark row's source, the publication as a reader names it), in the order shown.
PUBLICATIONS = (
    ("DfE Children in need", "DfE Children in need statistics"),
    ("DfE Outcomes for children in need", "DfE Outcomes for children in need"),
    ("DfE Children's social work workforce", "DfE Children's social work workforce"),
    ("LAIT", "DfE Local Authority Interactive Tool (LAIT)"),
    ("OHID Fingertips", "OHID Fingertips (public health profiles)"),
)
POPULATION = "ONS mid-year population estimates"
NEIGHBOURS = "the DfE statistical neighbour model"
# Everything munro ships: what a web page names, as any of its pages may show any of them.
ALL = tuple(name for _, name in PUBLICATIONS) + (POPULATION, NEIGHBOURS)


def made_by() -> str:
    return f"munro {__version__}"


def publications(sources: Iterable[str], *, population: bool = False, neighbours: bool = False) -> list[str]:
    """The publications behind benchmark rows' ``sources`` (in PUBLICATIONS order, a source of none of
    them by its own name), then the population estimates and the neighbours model when used."""
    sources = set(s for s in sources if s)
    named = [name for prefix, name in PUBLICATIONS if any(s.startswith(prefix) for s in sources)]
    named += sorted(s for s in sources if not any(s.startswith(p) for p, _ in PUBLICATIONS))
    return named + [POPULATION] * population + [NEIGHBOURS] * neighbours


def sources_sentence(names: Iterable[str]) -> str:
    """'Published statistics from A, B and C.' (empty when none are shown)."""
    names = list(names)
    if not names:
        return ""
    listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
    return f"Published statistics from {listed}."


def attribution(names: Iterable[str]) -> str:
    """The sources and the OGL line, for an output showing those publications' figures ('' for none)."""
    sentence = sources_sentence(names)
    return f"{sentence} {OGL}" if sentence else ""


def colophon(names: Iterable[str]) -> str:
    """One line for a workbook or file: the munro that made it, then the attribution."""
    text = attribution(names)
    return f"Made with {made_by()}." + (f" {text}" if text else "")


__all__ = ["OGL", "OGL_URL", "ALL", "made_by", "publications", "sources_sentence", "attribution", "colophon"]
