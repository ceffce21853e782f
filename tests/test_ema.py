"""The EMA Workbench adapter runs the same points on the same seeds as the project."""

from __future__ import annotations

import math
import warnings

import pytest

from sim.ema import declared, ema_model, keyword, point_params
from sim.rng import replication_seeds
from sim.runner import Job, run_job
from sim.scenario import load_scenario

ema = pytest.importorskip("ema_workbench")

UNCERTAINTIES = ["effects.exhaustion_load", "relationships.crisis_risk_exponent"]
LEVERS = ["supervision.sessions_per_month", "matching.cultural_matching"]
OUTCOMES = ["premature_closure_rate", "mentor_burnout_prevalence", "total_spend_gbp"]


def test_declared_parameters_become_ema_parameters():
    model = ema_model("baseline", replications=2, weeks=26)
    names = {p.name for p in model.uncertainties} | {p.name for p in model.levers}
    assert {keyword(n) for n in declared("uncertainty")} == {p.name for p in model.uncertainties}
    assert {keyword(n) for n in declared("lever")} == {p.name for p in model.levers}
    assert "supervision__sessions_per_month" in names
    # Replication k carries the project's seed k (root: the scenario's run.seed).
    root = load_scenario("baseline").params.run.seed
    assert [r["seed"] for r in model.replications] == replication_seeds(root, 2)
    with pytest.raises(ValueError, match="not a declared lever"):
        ema_model("baseline", levers=["no.such_thing"])


def test_perform_experiments_equals_the_projects_runner():
    for name in UNCERTAINTIES + LEVERS:
        assert name in declared("uncertainty") or name in declared("lever"), name
    model = ema_model("baseline", replications=2, weeks=26, root_seed=7,
                      uncertainties=UNCERTAINTIES, levers=LEVERS, outcomes=OUTCOMES)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with ema.SequentialEvaluator(model) as evaluator:
            experiments, outcomes = evaluator.perform_experiments(scenarios=2, policies=2)
    assert len(experiments) == 4
    assert outcomes["premature_closure_rate"].shape == (4, 2)
    seeds = replication_seeds(7, 2)
    columns = [keyword(n) for n in UNCERTAINTIES + LEVERS]
    for i, row in experiments.iterrows():
        params = point_params("baseline", 26, {c: row[c] for c in columns})
        for k, seed in enumerate(seeds):
            metrics = run_job(Job("baseline", k, seed, params)).metrics
            for outcome in OUTCOMES:
                got, want = outcomes[outcome][i, k], metrics[outcome]
                assert (math.isnan(got) and math.isnan(want)) or got == want, (i, k, outcome)
