"""Analysis: summaries and sensitivity indices against known answers; status and analyse."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.cli import main
from sim.sweep.analysis import SENSITIVITY_COLUMNS, morris_rows, point_summary, sobol_rows
from sim.sweep.designs import problem_for

try:
    from test_sweep_support import write_spec
except ImportError:
    from tests.test_sweep_support import write_spec

NAMES = ["a", "b", "c"]
COEFFICIENTS = np.array([4.0, 1.0, 0.0])  # y = 4a + b: c does nothing


def test_point_summary_is_a_t_interval() -> None:
    runs = pd.DataFrame({"point_id": [0] * 4 + [1], "replication": [0, 1, 2, 3, 0],
                         "m": [1.0, 2.0, 3.0, np.nan, 5.0]})
    summary = point_summary(runs, ["m"]).set_index("point_id")
    assert summary.loc[0, "mean"] == 2.0 and summary.loc[0, "replications"] == 3
    half = 4.302652729911275 * 1.0 / np.sqrt(3)  # t(0.975, 2) * sd / sqrt(n)
    assert summary.loc[0, "ci_high"] == pytest.approx(2.0 + half)
    assert np.isnan(summary.loc[1, "ci_low"])  # one replication: no interval


def test_sobol_indices_of_a_linear_function() -> None:
    """For y = 4a + b with uniform inputs, S1 = ST = 16/17, 1/17 and 0."""
    from SALib.sample import sobol

    unit = sobol.sample(problem_for(NAMES), 1024, calc_second_order=False, seed=1)
    rows = pd.DataFrame(sobol_rows(unit @ COEFFICIENTS, NAMES, "y", 200, 0.95, seed=1))
    assert list(rows.columns) == SENSITIVITY_COLUMNS
    st = rows[rows["index"] == "ST"].set_index("parameter")["value"]
    s1 = rows[rows["index"] == "S1"].set_index("parameter")["value"]
    assert st["a"] == pytest.approx(16 / 17, abs=0.03)
    assert s1["b"] == pytest.approx(1 / 17, abs=0.03)
    assert abs(st["c"]) < 0.01 and abs(s1["c"]) < 0.01
    assert not rows[rows["parameter"] == "a"]["flag"].str.contains("unstable").any()


def test_sobol_flags_negative_and_unstable_indices_from_too_few_samples() -> None:
    from SALib.sample import sobol

    unit = sobol.sample(problem_for(NAMES), 4, calc_second_order=False, seed=3)
    noise = np.random.default_rng(0).normal(0, 3, len(unit))
    rows = pd.DataFrame(sobol_rows(unit @ COEFFICIENTS + noise, NAMES, "y", 100, 0.95, 3))
    assert rows["flag"].str.contains("unstable").any()
    assert all("negative" in f for f in rows.loc[rows["value"] < 0, "flag"])


def test_morris_mu_star_recovers_the_slopes() -> None:
    from SALib.sample import morris

    unit = morris.sample(problem_for(NAMES), 20, num_levels=4, seed=1)
    rows = pd.DataFrame(morris_rows(unit, unit @ COEFFICIENTS, NAMES, "y", 4, 200, 0.95, 1))
    mu_star = rows[rows["index"] == "mu_star"].set_index("parameter")["value"]
    sigma = rows[rows["index"] == "sigma"].set_index("parameter")["value"]
    assert mu_star.to_dict() == pytest.approx({"a": 4.0, "b": 1.0, "c": 0.0})
    assert sigma.max() < 1e-9  # linear, no interactions


def test_analyse_and_status_of_a_small_morris_sweep(tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    spec = write_spec(tmp_path, """
        extends = "baseline"
        horizon_weeks = 52
        seed = 9
        outcomes = ["abandonment_rate", "mentor_burnout_prevalence"]
        replications = 1
        [design]
        kind = "morris"
        samples = 2
        [levers]
        "matching.caseload_cap_volunteer" = {}
        "supervision.style" = {}
        [uncertainties]
        "effects.quality_growth" = {}
    """)
    out = tmp_path / "out"
    assert main(["sweep", str(spec), "--out", str(out), "--workers", "1", "--quiet"]) == 0
    capsys.readouterr()
    assert main(["analyse", str(out), "--resamples", "50"]) == 0
    printed = capsys.readouterr().out
    assert "top parameters by mu_star" in printed
    table = pd.read_csv(out / "sensitivity.csv", keep_default_na=False, na_values=[""])
    table["flag"] = table["flag"].fillna("")
    assert list(table.columns) == [*SENSITIVITY_COLUMNS, "samples"]
    assert (table["samples"] == 2).all()  # both trajectories
    ladder = pd.read_csv(out / "sensitivity_convergence.csv")
    assert sorted(set(ladder["samples"])) == [2]
    assert set(table["method"]) == {"morris"} and set(table["index"]) == {"mu_star", "sigma"}
    assert set(table["parameter"]) == {"matching.caseload_cap_volunteer", "supervision.style",
                                       "effects.quality_growth"}
    assert set(table["metric"]) == {"abandonment_rate", "mentor_burnout_prevalence"}
    pd.testing.assert_frame_equal(table, pd.read_parquet(out / "sensitivity.parquet"),
                                  check_dtype=False, check_exact=False,
                                  check_categorical=False)
    joined = pd.read_csv(out / "point_summary.csv")
    assert {"point_id", "supervision__style", "metric", "mean", "ci_low"} <= set(joined.columns)
    assert main(["sweep-status", str(out)]) == 0
    status = capsys.readouterr().out
    assert "state: complete" in status and "8 done, 0 failed, 0 remaining of 8" in status


def test_analyse_refuses_a_folder_that_is_not_a_sweep(tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["analyse", str(tmp_path)]) == 2
    assert "not a sweep folder" in capsys.readouterr().err
    assert main(["sweep-status", str(tmp_path)]) == 2
