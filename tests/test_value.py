"""Value for money: reoffences averted, valued at the cost of a reoffence, against the money
the commissioner paid."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.metrics import run_metrics
from sim.model import MentoringModel
from sim.params import WEEKS_PER_MONTH, ScenarioParams, Value
from sim.runner import simulate
from sim.scenario import load_scenario
from sim.unit_value import COHORT_2011_12, COHORT_2016

SEED = 7


def test_net_benefit_is_value_minus_money_paid_to_the_penny(small_run_dir: Path) -> None:
    summary = pd.read_csv(small_run_dir / "summary.csv")
    values = summary[summary["statistic"] == "value"].pivot(
        index="scenario", columns="metric", values="mean")
    net = values["net_benefit_gbp"]
    expected = values["social_cost_averted_gbp"] - values["funding_received_gbp"]
    assert (net - expected).abs().max() < 0.005
    assert np.isfinite(values["benefit_cost_ratio"]).all()


def test_each_run_adds_up_on_the_money_paid_not_the_money_spent() -> None:
    params = load_scenario("stop_start_grants", [], {"weeks": 156}).params
    m = run_metrics(simulate(params, SEED), params)
    paid = m["funding_received_gbp"]
    assert abs(m["net_benefit_gbp"] - (m["social_cost_averted_gbp"] - paid)) < 0.005
    assert abs(m["benefit_cost_ratio"] * paid - m["social_cost_averted_gbp"]) < 0.005
    assert m["social_cost_averted_gbp"] == m["reoffences_averted"] * \
        params.value.cost_per_reoffence_gbp
    # Money left unspent is reported as such, never counted as a saving.
    assert m["funding_unspent_gbp"] == pytest.approx(paid - m["total_spend_gbp"])


def test_money_left_unspent_never_raises_the_value_for_money() -> None:
    """Two runs with the same people and the same effect but different spending have the
    same benefit-cost ratio: it divides by the money paid."""
    params = load_scenario("baseline", [], {"weeks": 156}).params
    tables = simulate(params, SEED)
    thrifty = {name: frame.copy() for name, frame in tables.items()}
    thrifty["weekly"]["spend_gbp"] = thrifty["weekly"]["spend_gbp"] * 0.5
    a, b = run_metrics(tables, params), run_metrics(thrifty, params)
    assert a["benefit_cost_ratio"] == b["benefit_cost_ratio"]
    assert a["net_benefit_gbp"] == b["net_benefit_gbp"]
    assert b["funding_unspent_gbp"] > a["funding_unspent_gbp"]


def test_the_unit_value_derivation_reproduces_its_parameter() -> None:
    assert ScenarioParams().value.cost_per_reoffence_gbp == COHORT_2016.per_reoffence_gbp
    assert COHORT_2016.per_reoffence_gbp == pytest.approx(
        COHORT_2016.cost_gbp / (COHORT_2016.reoffenders * COHORT_2016.reoffences_each), abs=50)
    low, high = Value.model_fields["cost_per_reoffence_gbp"].json_schema_extra["plausible"]
    # The range reaches the defensible alternative (the 2011-12 divisor, an upper bound).
    assert low < COHORT_2016.per_reoffence_gbp < COHORT_2011_12.per_reoffence_gbp <= high


def test_reoffences_are_counted_with_and_without_mentoring_on_the_same_numbers() -> None:
    params = load_scenario("baseline", [], {"weeks": 156}).params
    mentees = simulate(params, SEED)["mentees"]
    followed = mentees[mentees["reoffended_12m"].notna()]
    counts = followed["reoffences_12m"].astype(int)
    without = followed["reoffences_12m_without_mentoring"].astype(int)
    assert ((counts > 0) == followed["reoffended_12m"].astype(bool)).all()
    assert ((without > 0) == followed["reoffended_12m_without_mentoring"].astype(bool)).all()
    unmatched = followed[~followed["matched"]]
    assert (unmatched["reoffences_12m"] == unmatched["reoffences_12m_without_mentoring"]).all(), (
        "nobody mentored: the same random numbers give the same reoffences")
    assert without[without > 0].mean() > 2, "a few people commit most reoffences"


def test_unit_cost_comes_from_the_scenario_file(tmp_path: Path) -> None:
    path = tmp_path / "our_costs.toml"
    path.write_text('question = "With our own unit cost"\nextends = "baseline"\n\n'
                    "[value]\ncost_per_reoffence_gbp = 50000\n\n[run]\nweeks = 156\n",
                    encoding="utf-8")
    ours = load_scenario(str(path)).params
    assert ours.value.cost_per_reoffence_gbp == 50_000
    tables = simulate(ours, SEED)
    m = run_metrics(tables, ours)
    default = load_scenario("baseline", [], {"weeks": 156}).params
    d = run_metrics(tables, default)
    assert m["reoffences_averted"] == d["reoffences_averted"]
    assert m["social_cost_averted_gbp"] == m["reoffences_averted"] * 50_000
    assert m["total_spend_gbp"] == d["total_spend_gbp"]


def test_family_engagement_is_charged_for_each_interfering_family() -> None:
    params = load_scenario("family_engagement", [], {"weeks": 104}).params
    model = MentoringModel(params, SEED)
    agency = model.agency_list[0]
    charged = 0.0
    for _ in range(26):
        model.step()
        s = params.support
        assert agency.costs["family"] == pytest.approx(
            model.family_matches[0] * s.family_contacts_per_month * s.family_contact_cost_gbp
            / WEEKS_PER_MONTH)
        charged += agency.costs["family"]
    assert charged > 0
