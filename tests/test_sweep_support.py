"""Helpers shared by the sweep tests: tiny specs written to a temporary folder.

Every spec here runs 52-week horizons and a handful of points so the whole sweep suite
stays fast on a 2-core machine.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pandas as pd

TINY_FACTORIAL = """
    extends = "baseline"
    horizon_weeks = 52
    seed = 11
    outcomes = ["abandonment_rate", "mentor_burnout_prevalence"]
    design = "factorial"
    replications = 2

    [levers]
    "funding.grant_term_years" = [1, 3]
    "supervision.sessions_per_month" = [0, 2]
"""


def write_spec(folder: Path, text: str = TINY_FACTORIAL, name: str = "tiny") -> Path:
    """Write a spec file and return its path."""
    path = folder / f"{name}.toml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def run_table(folder: Path) -> pd.DataFrame:
    """The sweep's run table, sorted (as compared across executors and resumes)."""
    from sim.sweep.storage import read_runs

    return read_runs(folder)


def test_helpers_write_a_loadable_spec(tmp_path: Path) -> None:
    from sim.sweep.spec import load_spec

    sweep = load_spec(write_spec(tmp_path))
    assert sweep.horizon == 52 and len(sweep.factors) == 2
