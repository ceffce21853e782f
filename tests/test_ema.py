"""The EMA Workbench adapter: every default parameter sampled by EMA runs (shares as a
composition, refused points recorded), on the project's seeds, with the metrics'
directions, under a process evaluator too."""

from __future__ import annotations

import math
import re
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest

from sim.composition import Composition, declared_compositions
from sim.ema import (
    FEASIBLE,
    REPLICATIONS_SUFFIX,
    declared,
    ema_model,
    feasibility_constraint,
    keyword,
    point_params,
)
from sim.errors import ScenarioError
from sim.metrics import METRICS
from sim.rng import replication_seeds
from sim.runner import Job, run_job
from sim.scenario import load_scenario

ema = pytest.importorskip("ema_workbench")

ROOT = Path(__file__).resolve().parent.parent
UNCERTAINTIES = ["effects.exhaustion_load", "relationships.crisis_risk_exponent",
                 "mentees.expectation_practical_share"]
LEVERS = ["supervision.sessions_per_month", "matching.cultural_matching"]
OUTCOMES = ["premature_closure_rate", "mentor_burnout_prevalence", "total_spend_gbp"]
SHARES = declared_compositions()[0]


def _constant(model: object, name: str) -> object:
    return next(c.value for c in model.constants if c.name == name)


def test_declared_parameters_become_ema_parameters():
    model = ema_model("baseline", replications=2, weeks=26)
    parts = set(SHARES.parts)
    assert {keyword(n) for n in declared("uncertainty") if n not in parts} | {
        keyword(c) for c in SHARES.coordinates()} == {p.name for p in model.uncertainties}
    assert {keyword(n) for n in declared("lever")} == {p.name for p in model.levers}
    # Replication k carries the project's seed k (root: the scenario's run.seed).
    root = load_scenario("baseline").params.run.seed
    assert [r["seed"] for r in model.replications] == replication_seeds(root, 2)
    with pytest.raises(ValueError, match="not a declared lever"):
        ema_model("baseline", levers=["no.such_thing"])


def test_outcomes_carry_the_metrics_declared_direction():
    model = ema_model("baseline", replications=2, weeks=26, outcomes=OUTCOMES)
    kinds = {o.name: o.kind for o in model.outcomes}
    expected = {"lower": ema.ScalarOutcome.MINIMIZE, "higher": ema.ScalarOutcome.MAXIMIZE,
                "neither": ema.ScalarOutcome.INFO}
    for m in OUTCOMES:
        assert kinds[m] == expected[METRICS[m].better], m
        assert isinstance(model.outcomes[m + REPLICATIONS_SUFFIX], ema.ArrayOutcome)
    assert kinds["premature_closure_rate"] == ema.ScalarOutcome.MINIMIZE
    assert kinds[FEASIBLE] == ema.ScalarOutcome.INFO


def test_ranges_are_narrowed_in_the_call():
    model = ema_model("baseline", replications=1, weeks=26,
                      uncertainties={"effects.exhaustion_load": (0.03, 0.05),
                                     "mentees.expectation_practical_share": (0.4, 0.5)},
                      levers={"supervision.style": ["therapeutic"],
                              "staff.supervisors_fte": None})
    load = model.uncertainties["effects__exhaustion_load"]
    assert (load.lower_bound, load.upper_bound) == (0.03, 0.05)
    assert model.levers["staff__supervisors_fte"].upper_bound == 2.0  # the declared range
    assert _constant(model, "supervision__style") == "therapeutic"  # one choice: fixed
    assert "supervision__style" not in {p.name for p in model.levers}
    (name, parts, low, high), = _constant(model, "compositions")
    assert low[0] == 0.4 and high[0] == 0.5 and high[1] == SHARES.high[1]
    with pytest.raises(ValueError, match="effects.exhaustion_load: range"):
        ema_model("baseline", uncertainties={"effects.exhaustion_load": (-1, 0.05)})
    with pytest.raises(ValueError, match="no shares in these ranges add up to 1"):
        ema_model("baseline", uncertainties={"mentees.expectation_practical_share": (0.9, 1)})


def test_compositions_always_add_up_to_one_within_their_ranges():
    u = np.random.default_rng(1).random((2000, SHARES.dimensions))
    shares = SHARES.from_unit(u)
    assert np.allclose(shares.sum(axis=1), 1.0)
    assert (shares >= np.array(SHARES.low) - 1e-12).all()
    assert (shares <= np.array(SHARES.high) + 1e-12).all()
    # every corner of the set of valid shares is reached
    assert shares[:, 0].min() < 0.31 and shares[:, 0].max() > 0.69
    with pytest.raises(ValueError, match="two parts or more"):
        Composition("a.b", ("a.x",), (0.0,), (1.0,))


def test_perform_experiments_equals_the_projects_runner():
    model = ema_model("baseline", replications=2, weeks=26, root_seed=7,
                      uncertainties=UNCERTAINTIES, levers=LEVERS, outcomes=OUTCOMES)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with ema.SequentialEvaluator(model) as evaluator:
            experiments, outcomes = evaluator.perform_experiments(
                scenarios=2, policies=2, uncertainty_sampling_kwargs={"rng": 1},
                lever_sampling_kwargs={"rng": 2})
    assert len(experiments) == 4 and (outcomes[FEASIBLE] == 1).all()
    for name in OUTCOMES:  # the mean over the replications where the metric is defined
        by_rep = outcomes[name + REPLICATIONS_SUFFIX]
        assert by_rep.shape == (4, 2)
        for mean, values in zip(outcomes[name], by_rep, strict=True):
            defined = values[~np.isnan(values)]
            assert (math.isnan(mean) and not len(defined)) or mean == pytest.approx(
                defined.mean()), name
    seeds = replication_seeds(7, 2)
    columns = [p.name for p in (*model.uncertainties, *model.levers)]
    groups = _constant(model, "compositions")
    for i, row in experiments.iterrows():
        params = point_params("baseline", 26, {c: row[c] for c in columns}, groups)
        me = params.mentees
        assert math.isclose(me.expectation_practical_share
                            + me.expectation_emotional_share
                            + me.expectation_activities_share, 1.0)
        assert outcomes["mentees__expectation_practical_share"][i] == pytest.approx(
            me.expectation_practical_share)
        for k, seed in enumerate(seeds):
            metrics = run_job(Job("baseline", k, seed, params)).metrics
            for outcome in OUTCOMES:
                got = outcomes[outcome + REPLICATIONS_SUFFIX][i, k]
                want = metrics[outcome]
                assert (math.isnan(got) and math.isnan(want)) or got == want, (i, k, outcome)


def test_a_point_the_model_refuses_is_recorded_not_raised():
    model = ema_model("baseline", replications=2, weeks=26, outcomes=OUTCOMES,
                      uncertainties=["effects.exhaustion_load"],
                      levers=["staff.coordinators_fte", "staff.supervisors_fte",
                              "funding.annual_budget_gbp"])
    over = ema.Sample("over_budget", staff__coordinators_fte=3.0, staff__supervisors_fte=2.0,
                      funding__annual_budget_gbp=80_000.0)
    within = ema.Sample("within", staff__coordinators_fte=1.0, staff__supervisors_fte=0.5,
                        funding__annual_budget_gbp=200_000.0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with ema.SequentialEvaluator(model) as evaluator:
            experiments, outcomes = evaluator.perform_experiments(scenarios=2,
                                                                  policies=[over, within])
    refused = (experiments["policy"] == "over_budget").to_numpy()
    assert (outcomes[FEASIBLE][refused] == 0).all() and (outcomes[FEASIBLE][~refused] == 1).all()
    assert np.isnan(outcomes["total_spend_gbp"][refused]).all()
    assert not np.isnan(outcomes["total_spend_gbp"][~refused]).any()
    row = experiments[refused].iloc[0]
    with pytest.raises(ScenarioError, match="exceeds funding.annual_budget_gbp"):
        point_params("baseline", 26, {p.name: row[p.name] for p in (*model.uncertainties,
                                                                     *model.levers)})
    constraint = feasibility_constraint()
    assert constraint.process([0.0]) == 1.0 and constraint.process([1.0]) == 0.0


def test_every_default_under_a_process_evaluator_never_hangs():
    """The shipped example: EMA's LHS over every declared uncertainty and lever, two worker
    processes; it must finish (a refused point must not leave workers waiting)."""
    done = subprocess.run([sys.executable, str(ROOT / "examples" / "ema_experiments.py"),
                           "--scenarios", "6", "--policies", "6", "--weeks", "26", "--reps",
                           "2", "--processes", "2"], capture_output=True, text=True,
                          timeout=600, check=False, cwd=ROOT)
    assert done.returncode == 0, done.stderr[-3000:]
    out = done.stdout
    every = ema_model("baseline", replications=2, weeks=26)  # every declared one
    assert (f"experiments: 36 ({len(every.uncertainties)} uncertainties x "
            f"{len(every.levers)} levers sampled") in out, out
    assert "failed: 0" in out and "add up to 1 at every point: True" in out, out
    assert re.search(r"infeasible: \d+ \(recorded", out), out
