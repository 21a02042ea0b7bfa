"""A real authority's synthetic returns land near England 2024-25.

Birmingham (330) at 0.6 of its population, returns 2021-2025: about 13,000
children per return. Each target is computed here, independently of munro's
reader and store (``synth_metrics``: lxml, definitions.md sections 1 and 2),
for 2022-2025 (2021 is there as history for the look-back items) and
averaged over the four years.

Tolerances, and why: rates per 10,000 within 10% (a year's count of plan
starts here is ~900, so sampling noise alone is ~3-4% a year, ~2% over four;
10% leaves room for the model without hiding a real miss); percentages
within 3 points (the noise on a 25% share of ~900 plans is ~1.4 points a
year); the 2-year plan share, a small percentage, within 1.5 points; the
median assessment duration within 3 working days. The run is seeded, so the
test is deterministic: the tolerances are about robustness to model changes.
"""

from __future__ import annotations

import pytest
from synth_metrics import measure_returns

from munro import reference
from munro.synth import generate
from munro.synth.calibration import TARGETS

pytestmark = pytest.mark.slow

LA, SCALE, YEARS, MEASURED = "330", 0.6, [2021, 2022, 2023, 2024, 2025], [2022, 2023, 2024, 2025]

RATES = {"referral_rate", "assessment_rate", "s47_rate", "icpc_rate", "cpp_start_rate",
         "cpp_rate", "cin_rate"}
TOLERANCE_POINTS = {"cpp_lasting_2y": 1.5, "assessment_median": 3.0}


@pytest.fixture(scope="module")
def measured(tmp_path_factory):
    results = generate(LA, YEARS, tmp_path_factory.mktemp("calibration"), scale=SCALE, seed=0)
    by_year = measure_returns([r.path for r in results],
                              lambda y: reference.latest_child_population(LA, y)[0] * SCALE)
    return {k: sum(by_year[y][k] for y in MEASURED) / len(MEASURED) for k in by_year[MEASURED[0]]}


@pytest.mark.parametrize("item", sorted(TARGETS))
def test_target(measured, item):
    target, got = TARGETS[item], measured[item]
    if item in RATES:
        assert abs(got / target - 1) <= 0.10, f"{item}: target {target}, got {got:.1f}"
    else:
        tol = TOLERANCE_POINTS.get(item, 3.0)
        assert abs(got - target) <= tol, f"{item}: target {target}, got {got:.1f}"


def test_parental_factors_in_a_quarter_to_a_third_of_assessed_episodes(measured):
    for code in ("3B", "4B"):
        assert 25 <= measured[f"factor_{code}"] <= 34, (code, measured[f"factor_{code}"])
