"""Each of the six failure factors responds to its lever and to its uncertainty.

The table is :data:`sim.failure_drivers.FAILURE_DRIVERS`; the ODD shows it. Each row is
checked on paired seeds over two root seeds: the factor's closures (the sum of its closure
reasons' shares of relationships started) move in the stated direction when the parameter
goes from its low to its high value.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from sim.failure_drivers import FAILURE_DRIVERS, markdown_table
from sim.vocabulary import FAILURE_FACTORS
from tests.pairing import assert_paired_lower, metrics_of, scenario

REPS = 16
ROOT_SEEDS = (11, 2024)
ROOT = Path(__file__).resolve().parent.parent

CASES = [(f, role) for f in FAILURE_DRIVERS for role in ("lever", "uncertainty")]
# Known weak rows in the calibrated model, stated rather than hidden (runs are exact by
# seed, so these fail the same way every time and strict xfail notices if they change):
# the calibrated low-motivation hazard (0.012) leaves training little to act on.
WEAK = {("motivation", "lever", 11): "training on low-motivation closures: p = 0.13 on root "
                                     "seed 11",
        ("motivation", "lever", 2024): "training on low-motivation closures: p = 0.030 on "
                                       "root seed 2024"}


def factor_share(frame, reasons: tuple[str, ...]) -> np.ndarray:
    return sum(frame[f"closure_share_{r}"].to_numpy(dtype=float) for r in reasons)


def test_every_factor_has_a_lever_and_an_uncertainty() -> None:
    assert sorted(f.factor for f in FAILURE_DRIVERS) == sorted(set(FAILURE_FACTORS.values()))
    from sim.sweep.factors import field_info
    for f in FAILURE_DRIVERS:
        assert field_info(f.lever.parameter).json_schema_extra["kind"] == "lever", f.factor
        assert (field_info(f.uncertainty.parameter).json_schema_extra["kind"]
                == "uncertainty"), f.factor


def test_odd_shows_the_table() -> None:
    assert markdown_table() in (ROOT / "docs" / "ODD.md").read_text(encoding="utf-8")


@pytest.mark.parametrize(("factor", "role"), CASES,
                         ids=[f"{f.factor}-{role}" for f, role in CASES])
@pytest.mark.parametrize("root_seed", ROOT_SEEDS)
@pytest.mark.slow
def test_factor_moves(factor, role: str, root_seed: int, request) -> None:
    weak = WEAK.get((factor.factor, role, root_seed))
    if weak:
        request.applymarker(pytest.mark.xfail(strict=True, reason=weak))
    driver = getattr(factor, role)
    low = scenario("baseline", *driver.overrides("low"), name="low")
    high = scenario("baseline", *driver.overrides("high"), name="high")
    low_share = factor_share(metrics_of(low, REPS, root_seed), factor.reasons)
    high_share = factor_share(metrics_of(high, REPS, root_seed), factor.reasons)
    message = (f"{factor.factor} closures, {driver.parameter} {driver.low} -> {driver.high} "
               f"(root seed {root_seed})")
    if driver.raises:
        assert_paired_lower(low_share, high_share, message)
    else:
        assert_paired_lower(high_share, low_share, message)
