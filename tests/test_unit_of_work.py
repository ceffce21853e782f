"""One unit of work: a comparison, calibration, a sweep and the EMA adapter run a model the
same way (:func:`sim.runner.run_job`), so the same parameters and seed give the same
metrics whichever of them ran it.

Short horizons (26 weeks) keep these to seconds.
"""

from __future__ import annotations

import ast
from pathlib import Path

import numpy as np
import pytest

from sim.calibration.evaluate import evaluate, variant_params
from sim.calibration.targets import load_spec
from sim.ema import run_point
from sim.rng import replication_seeds
from sim.runner import run_scenarios
from sim.scenario import Scenario, load_scenario
from sim.sweep.worker import RunTask, execute

WEEKS = 26
ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("root", [3, 20210626])
def test_calibration_sweep_and_comparison_give_the_same_metrics(root: int) -> None:
    spec = load_spec()
    variant = "baseline"
    point = {"run.weeks": WEEKS}
    calibration = evaluate(spec, [point], reps=2, seed=root, variants=[variant])
    params = variant_params(spec.variants[variant], point)
    option = Scenario(name="b", question="", source=None, params=params)
    compared = run_scenarios([option], 2, root, progress=False)
    seeds = replication_seeds(root, 2)
    for k in range(2):
        swept = execute(RunTask(0, k, seeds[k], attempt=1, base=params, overrides={}))
        assert swept.ok
        row = compared.metrics.iloc[k]
        for metric, values in calibration.values[0][variant].items():
            assert values[k] == pytest.approx(row[metric], nan_ok=True, rel=0, abs=0)
            assert swept.metrics[metric] == pytest.approx(row[metric], nan_ok=True, rel=0,
                                                          abs=0)


def test_calibration_runs_do_not_depend_on_workers() -> None:
    spec = load_spec()
    points = [{"run.weeks": WEEKS, "effects.engagement_base": e}
              for e in (0.6, 0.8)]
    one = evaluate(spec, points, reps=2, seed=7, variants=["baseline"])
    two = evaluate(spec, points, reps=2, seed=7, variants=["baseline"], workers=2)
    for a, b in zip(one.values, two.values, strict=True):
        for metric, values in a["baseline"].items():
            np.testing.assert_array_equal(values, b["baseline"][metric])


def test_the_ema_adapter_runs_what_a_comparison_runs() -> None:
    seed = replication_seeds(11, 1)[0]
    out = run_point("baseline", WEEKS, seed, ["premature_closure_rate", "abandonment_rate"])
    compared = run_scenarios([load_scenario("baseline", [], {"weeks": WEEKS})], 1, 11,
                             progress=False).metrics.iloc[0]
    for metric in ("premature_closure_rate", "abandonment_rate"):
        assert out[metric] == pytest.approx(compared[metric], nan_ok=True, rel=0, abs=0)


def test_only_the_runner_turns_parameters_into_a_run() -> None:
    """Every batch of runs goes through :func:`sim.runner.run_job`: nothing else in the
    package calls :func:`sim.runner.simulate` or builds a model to run it."""
    callers = []
    for path in sorted((ROOT / "sim").rglob("*.py")) + sorted((ROOT / "studio").rglob("*.py")):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                name = getattr(node.func, "id", getattr(node.func, "attr", ""))
                if name == "simulate":
                    callers.append(str(path.relative_to(ROOT)))
    assert callers == ["sim/runner.py"], callers
