"""What the outputs' colophons must say (issue 20), written out by hand for the report and web tests:
the installed munro's version from its metadata, the Open Government Licence line, and the publications
the packaged published statistics come from (src/munro/data/*/SOURCES.md), the population behind
the rates and the neighbour model, as a reader is told them."""

from __future__ import annotations

from importlib.metadata import version

VERSION = version("munro")
OGL = "Contains public sector information licensed under the Open Government Licence v3.0."
OGL_URL = "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"
SOURCES = ("Published statistics from DfE Children in need statistics, DfE Outcomes for children in need, "
           "DfE Children's social work workforce, DfE Local Authority Interactive Tool (LAIT), "
           "OHID Fingertips (public health profiles), ONS mid-year population estimates and "
           "the DfE statistical neighbour model.")
