"""Decision support's methods on toy problems with known answers: the optimiser, least
money, the projection onto the budget, regret and satisficing, PRIM, EVPPI."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sim.across_worlds import discovery_box
from sim.capacity import planned_annual_spend
from sim.decide import information, robustness
from sim.decide.allocation import project
from sim.decide.search import Goal, Space, optimise, pareto
from sim.params import ScenarioParams
from sim.sweep.factors import Factor

SESSIONS = Factor("supervision.sessions_per_month", "lever", "float", "", low=0.0, high=4.0)
HOURS = Factor("training.ongoing_hours_per_month", "lever", "float", "", low=0.0, high=4.0)
STYLE = Factor("supervision.style", "lever", "category", "", values=("managerial", "therapeutic"))


def _toy(space: Space):
    """A smooth toy 'model': outcome peaks at sessions 1.2 and hours 3.0 and falls as the
    budget multiple rises; a second metric rises with the budget (its threshold known)."""
    def predict(u: np.ndarray) -> np.ndarray:
        u = np.atleast_2d(u)
        rows = []
        for row in u:
            levers, multiple = space.decode(row)
            s, h = levers["supervision.sessions_per_month"], levers[
                "training.ongoing_hours_per_month"]
            outcome = (s - 1.2) ** 2 + (h - 3.0) ** 2 + 0.1 / multiple
            matched = 0.5 + 0.25 * multiple
            rows.append([outcome, matched])
        return np.asarray(rows)
    return predict


def test_the_optimiser_finds_the_analytic_optimum_at_a_fixed_budget() -> None:
    space = Space((SESSIONS, HOURS), (0.5, 2.0))
    goal = Goal(["outcome", "matched"], "outcome", -1, {}, {"outcome": 1.0, "matched": 1.0})
    u = optimise(space, _toy(space), goal, 1.0, seed=3)
    levers, multiple = space.decode(u)
    assert multiple == 1.0
    assert levers["supervision.sessions_per_month"] == pytest.approx(1.2, abs=0.05)
    assert levers["training.ongoing_hours_per_month"] == pytest.approx(3.0, abs=0.05)


def test_a_constraint_moves_the_optimum_to_its_boundary() -> None:
    space = Space((SESSIONS, HOURS), (0.5, 2.0))
    goal = Goal(["outcome", "matched"], "outcome", -1,
                {"outcome": (None, 10.0)}, {"outcome": 1.0, "matched": 1.0})
    # the constraint on hours is expressed through the outcome bound: here it is slack
    u = optimise(space, _toy(space), goal, 2.0, seed=1)
    assert space.decode(u)[1] == 2.0


def test_least_money_finds_the_known_threshold() -> None:
    space = Space((SESSIONS, HOURS), (0.5, 2.0))
    # matched = 0.5 + 0.25 m >= 0.8  <=>  m >= 1.2
    goal = Goal(["outcome", "matched"], None, -1, {"matched": (0.8, None)},
                {"outcome": 1.0, "matched": 0.1})
    u = optimise(space, _toy(space), goal, None, seed=2)
    assert space.decode(u)[1] == pytest.approx(1.2, abs=0.01)


def test_the_pareto_set_spans_a_known_trade_off() -> None:
    space = Space((SESSIONS,), (0.5, 2.0))

    def predict(u: np.ndarray) -> np.ndarray:
        x = np.array([space.decode(r)[0]["supervision.sessions_per_month"]
                      for r in np.atleast_2d(u)])
        return np.column_stack([x, (4 - x)])  # two objectives to minimise: opposed

    goal = Goal(["a", "b"], "a", -1, {}, {"a": 1.0, "b": 1.0})
    points = pareto(space, predict, ["a", "b"], ["a", "b"], [-1, -1], goal, 1.0, seed=4,
                    count=3)
    xs = sorted(space.decode(p)[0]["supervision.sessions_per_month"] for p in points)
    assert xs[0] == pytest.approx(0.0, abs=0.05) and xs[-1] == pytest.approx(4.0, abs=0.05)
    assert len(points) == 3 and 1.0 < xs[1] < 3.0  # the compromise between them


def test_space_encodes_and_decodes_choices_and_numbers() -> None:
    space = Space((STYLE, SESSIONS), (0.5, 2.0))
    levers, multiple = space.decode(space.encode({"supervision.style": "therapeutic",
                                                  "supervision.sessions_per_month": 2.5}, 1.5))
    assert levers == {"supervision.style": "therapeutic",
                      "supervision.sessions_per_month": 2.5}
    assert multiple == 1.5


@pytest.mark.parametrize("budget", [60_000, 120_000, 250_000])
@pytest.mark.parametrize("levers", [{}, {"supervision.sessions_per_month": 3.0},
                                    {"mentors.paid_peer_share": 0.5,
                                     "supervision.style": "therapeutic"}])
def test_every_projection_fits_the_budget_and_one_more_mentor_would_not(
        budget: float, levers: dict) -> None:
    a = project(ScenarioParams(), levers, budget)
    assert a.feasible
    assert planned_annual_spend(a.params) <= budget
    more = project(ScenarioParams(), levers, budget).params.with_changes(
        {"programme.target_mentors": a.mentors + 1, "funding.annual_budget_gbp": 1e9})
    from sim.decide.allocation import staff_for
    more = more.with_changes(staff_for(more, a.mentors + 1, ScenarioParams()))
    assert planned_annual_spend(more) > budget


def test_a_richer_offer_is_paid_for_with_fewer_mentors() -> None:
    thin = project(ScenarioParams(), {"supervision.sessions_per_month": 0.5}, 120_000)
    rich = project(ScenarioParams(), {"supervision.sessions_per_month": 3.0}, 120_000)
    assert rich.mentors < thin.mentors and rich.supervisors_fte > thin.supervisors_fte


def test_a_budget_too_small_for_the_posts_is_not_feasible() -> None:
    a = project(ScenarioParams(), {"staff.coordinators_fte": 3.0}, 60_000)
    assert not a.feasible and a.params is None


def test_regret_and_satisficing_arithmetic() -> None:
    outcomes = np.array([[0.30, 0.50, 0.20], [0.40, 0.20, 0.25], [0.35, 0.35, 0.35]])
    r = robustness.regret(outcomes, direction=-1)  # less is better
    np.testing.assert_allclose(r, [[0.0, 0.30, 0.0], [0.10, 0.0, 0.05], [0.05, 0.15, 0.15]])
    assert (r >= 0).all() and (r.min(axis=0) == 0).all()
    more = robustness.regret(-outcomes, direction=1)
    np.testing.assert_allclose(more, r)
    values = {"a": np.array([0.3, 0.5, 0.2]), "b": np.array([0.9, 0.7, 0.85])}
    assert robustness.satisficing(values, {"a": (None, 0.35), "b": (0.8, None)}) == \
        pytest.approx(2 / 3)
    assert robustness.satisficing(values, {}) == 1.0
    assert robustness.low_percentile(np.linspace(0, 1, 101), -1) == pytest.approx(0.9)
    assert robustness.low_percentile(np.linspace(0, 1, 101), 1) == pytest.approx(0.1)


def test_prim_recovers_a_planted_box() -> None:
    rng = np.random.default_rng(5)
    x = pd.DataFrame(rng.random((150, 6)), columns=[f"effects.p{i}" for i in range(6)])
    cases = ((x["effects.p2"] < 0.35) & (x["effects.p4"] > 0.5)).to_numpy()
    box = discovery_box(x, cases)
    assert box is not None
    assert "effects.p2" in box.text and "effects.p4" in box.text
    assert box.density >= 0.8 and box.coverage >= 0.6


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_evppi_of_an_irrelevant_parameter_is_about_zero_and_of_the_decisive_one_the_evpi(
        seed: int) -> None:
    rng = np.random.default_rng(seed)
    n = 150
    decisive, irrelevant = rng.random(n), rng.random(n)
    noise = rng.normal(0, 0.02, n)
    nb = np.vstack([np.zeros(n), decisive - 0.5 + noise])
    total = information.evpi(nb)
    assert total > 0.1
    assert information.evppi(nb, decisive) == pytest.approx(total, rel=0.15)
    assert information.evppi(nb, irrelevant) < 0.1 * total


def test_acceptability_and_expected_loss_agree_with_evpi() -> None:
    rng = np.random.default_rng(3)
    nb = rng.normal(size=(3, 200)) + np.array([[0.0], [0.2], [0.1]])
    accept = information.acceptability(nb)
    assert accept.sum() == pytest.approx(1.0)
    loss = information.expected_loss(nb)
    assert loss.min() == pytest.approx(information.evpi(nb))
    assert int(np.argmin(loss)) == int(np.argmax(nb.mean(axis=1)))


def test_worlds_come_from_the_ensemble_or_the_plausible_ranges() -> None:
    import tomllib

    from sim.decide.simulation import decision_worlds
    from sim.decide.spec import parse_decision
    from sim.worlds import load_worlds, uncertain_parameters

    base = tomllib.loads('objectives = ["abandonment_rate"]\n[levers]\n'
                         '"supervision.sessions_per_month" = { range = [0, 2] }\n'
                         '[worlds]\ncount = 5\n')
    ensemble, why = decision_worlds(parse_decision(base, "a.toml"))
    assert "calibrated ensemble" in why
    assert [w.values for w in ensemble] == [w.values for w in load_worlds(5)]
    drawn, why = decision_worlds(parse_decision(
        {**base, "worlds": {"count": 5, "source": "plausible_ranges"}}, "b.toml"))
    assert "plausible ranges" in why and len(drawn) == 5 and drawn[0].values == {}
    ranges = {u.name: (u.low, u.high) for u in uncertain_parameters()}
    for world in drawn[1:]:
        for name, value in world.values.items():
            if name in ranges:
                assert ranges[name][0] <= value <= ranges[name][1], name
    youth, why = decision_worlds(parse_decision({**base, "extends": "youth_justice"}, "c.toml"))
    assert "not calibrated" in why and youth[0].values == {}
