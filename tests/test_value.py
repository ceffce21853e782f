"""Value for money: reoffending averted in pounds against what the programme cost."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from sim.metrics import run_metrics
from sim.runner import simulate
from sim.scenario import load_scenario

SEED = 7


def test_net_benefit_is_benefit_minus_cost_to_the_penny(small_run_dir: Path) -> None:
    summary = pd.read_csv(small_run_dir / "summary.csv")
    values = summary[summary["statistic"] == "value"].pivot(
        index="scenario", columns="metric", values="mean")
    net = values["net_benefit_gbp"]
    expected = values["social_cost_averted_gbp"] - values["total_spend_gbp"]
    assert (net - expected).abs().max() < 0.005
    ratio = values["social_cost_averted_gbp"] / values["total_spend_gbp"]
    # A ratio of means is not the mean of ratios; each run's own figures agree exactly.
    assert np.isfinite(values["benefit_cost_ratio"]).all() and (ratio > 0).all()


def test_each_run_adds_up() -> None:
    params = load_scenario("baseline", [], {"weeks": 156}).params
    m = run_metrics(simulate(params, SEED), params)
    assert abs(m["net_benefit_gbp"] - (m["social_cost_averted_gbp"] - m["total_spend_gbp"])) \
        < 0.005
    assert abs(m["benefit_cost_ratio"] * m["total_spend_gbp"]
               - m["social_cost_averted_gbp"]) < 0.005
    assert m["social_cost_averted_gbp"] == m["reoffenders_averted"] * \
        params.value.cost_per_reoffender_gbp


def test_unit_cost_comes_from_the_scenario_file(tmp_path: Path) -> None:
    path = tmp_path / "our_costs.toml"
    path.write_text('question = "With our own unit cost"\nextends = "baseline"\n\n'
                    "[value]\ncost_per_reoffender_gbp = 50000\n\n[run]\nweeks = 156\n",
                    encoding="utf-8")
    ours = load_scenario(str(path)).params
    assert ours.value.cost_per_reoffender_gbp == 50_000
    tables = simulate(ours, SEED)
    m = run_metrics(tables, ours)
    default = load_scenario("baseline", [], {"weeks": 156}).params
    d = run_metrics(tables, default)
    assert m["reoffenders_averted"] == d["reoffenders_averted"]
    assert m["social_cost_averted_gbp"] == m["reoffenders_averted"] * 50_000
    assert m["total_spend_gbp"] == d["total_spend_gbp"]


def test_family_engagement_is_paid_for() -> None:
    params = load_scenario("family_engagement", [], {"weeks": 104}).params
    without = params.model_copy(update={"support": params.support.model_copy(
        update={"family_engagement": False})})
    cost = run_metrics(simulate(params, SEED), params)["total_spend_gbp"]
    base = run_metrics(simulate(without, SEED), without)["total_spend_gbp"]
    assert cost > base
