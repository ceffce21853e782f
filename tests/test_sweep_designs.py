"""Designs: the right number of points, reproducible from the seed; seeds are CRN."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.rng import replication_seeds
from sim.sweep.designs import make_design
from sim.sweep.seeds import replication_seed
from sim.sweep.spec import load_spec

try:
    from test_sweep_support import write_spec
except ImportError:
    from tests.test_sweep_support import write_spec

FACTORS = """
    extends = "baseline"
    horizon_weeks = 52
    seed = 5
    replications = 1
    {design}

    [levers]
    "supervision.sessions_per_month" = {{ range = [0, 4], levels = 3 }}
    "supervision.style" = {{}}
    "matching.caseload_cap_volunteer" = {{ range = [1, 4] }}

    [uncertainties]
    "effects.quality_growth" = {{ range = [0.05, 0.3], distribution = "triangular" }}
"""


def _design(tmp_path: Path, design: str, name: str = "d") -> pd.DataFrame:
    sweep = load_spec(write_spec(tmp_path, FACTORS.format(design=design), name))
    return make_design(sweep).points


@pytest.mark.parametrize(("design", "expected"), [
    ('design = "factorial"', 3 * 2 * 3 * 3),           # levels: 3, both styles, 3, 3
    ('design = { kind = "lhs", samples = 7 }', 7),
    ('design = { kind = "sobol", samples = 8 }', 8 * (4 + 2)),
    ('design = { kind = "morris", samples = 3 }', (4 + 1) * 3),
    ('design = { kind = "morris" }', (4 + 1) * 10),     # default: 10 trajectories
])
def test_each_design_gives_the_right_number_of_points(tmp_path: Path, design: str,
                                                      expected: int) -> None:
    points = _design(tmp_path, design)
    assert len(points) == expected
    assert list(points.index) == list(range(expected))
    assert list(points.columns) == ["supervision.sessions_per_month", "supervision.style",
                                    "matching.caseload_cap_volunteer",
                                    "effects.quality_growth"]


@pytest.mark.parametrize("design", ['design = { kind = "lhs", samples = 7 }',
                                    'design = { kind = "sobol", samples = 8 }',
                                    'design = { kind = "morris", samples = 3 }'])
def test_sampled_designs_are_reproducible_and_seeded(tmp_path: Path, design: str) -> None:
    first = _design(tmp_path, design, "a")
    again = _design(tmp_path, design, "b")
    pd.testing.assert_frame_equal(first, again)
    other = _design(tmp_path, design.replace("}", ", seed = 99 }"), "c")
    assert not first.equals(other)


def test_sampled_values_respect_types_and_ranges(tmp_path: Path) -> None:
    points = _design(tmp_path, 'design = { kind = "lhs", samples = 50 }')
    assert points["matching.caseload_cap_volunteer"].between(1, 4).all()
    assert points["matching.caseload_cap_volunteer"].dtype == np.int64
    assert set(points["supervision.style"]) == {"managerial", "therapeutic"}
    assert points["effects.quality_growth"].between(0.05, 0.3).all()


def test_lhs_has_one_point_in_each_stratum(tmp_path: Path) -> None:
    sweep = load_spec(write_spec(tmp_path, FACTORS.format(
        design='design = { kind = "lhs", samples = 9 }')))
    unit = make_design(sweep).unit
    assert unit is not None
    for column in unit.T:
        assert sorted(np.floor(column * 9).astype(int)) == list(range(9))


def test_factorial_grid_and_explicit_points(tmp_path: Path) -> None:
    points = _design(tmp_path, 'design = "factorial"')
    assert sorted(points["supervision.sessions_per_month"].unique()) == [0.0, 2.0, 4.0]
    assert sorted(points["matching.caseload_cap_volunteer"].unique()) == [1, 2, 4]
    spec = """
        extends = "baseline"
        horizon_weeks = 52
        replications = 1
        [design]
        kind = "explicit"
        points = [{ "supervision.sessions_per_month" = 2 },
                  { supervision = { style = "therapeutic" } }]
    """
    explicit = make_design(load_spec(write_spec(tmp_path, spec, "e"))).points
    assert explicit.to_dict("list") == {"supervision.sessions_per_month": [2.0, 1.0],
                                        "supervision.style": ["managerial", "therapeutic"]}


def test_replication_seeds_are_the_core_crn_seeds() -> None:
    assert [replication_seed(123, k) for k in range(5)] == replication_seeds(123, 5)
