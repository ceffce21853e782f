"""The budget's decisions, tested without a model: plain numbers in, a decision out."""

from __future__ import annotations

import pytest

from sim.budget import (
    Budget,
    Change,
    Policy,
    Position,
    at_cliff,
    in_gap,
    planned_scale,
    projected,
    reserve_gbp,
)

POLICY = Policy(target_months=3, floor_months=1, planning_weeks=52, review_weeks=4,
                insecurity_weeks=13, hold_weeks=26, growth_step=0.1, min_scale=0.5,
                gap_weeks_mean=26, order=("leisure", "ongoing_training", "closure"))


def _pos(**changes: float) -> Position:
    """A programme spending GBP 2,000 a week on a grant paying GBP 2,000, with a year of
    its grant left and the reserves target in hand."""
    values = dict(week=100, balance=reserve_gbp(3, 2000), income=2000.0, spend=2000.0,
                  weeks_left=52, demand=0.0, unit_cost=2000.0)
    values.update(changes)
    return Position(**values)  # type: ignore[arg-type]


def test_the_projection_is_balance_plus_net_income() -> None:
    assert projected(_pos(balance=10_000, income=2500, spend=2000), 10, extra=100) == 14_000


def test_a_grant_is_planned_at_what_its_money_pays_for() -> None:
    # Income and reserves above the target, spread over the grant, pay for the design.
    assert planned_scale(2000, reserve_gbp(3, 2000), 104, 2000, 1.0, POLICY) == 1.0
    # A fifth less money: a fifth smaller programme once the reserves are kept.
    short = planned_scale(1600, reserve_gbp(3, 1600), 104, 2000, 1.0, POLICY)
    assert short == pytest.approx(0.8)
    # Never larger than it is (growth waits for demand), never below the smallest size.
    assert planned_scale(5000, 0.0, 104, 2000, 0.9, POLICY) == 0.9
    assert planned_scale(100, 0.0, 104, 2000, 1.0, POLICY) == POLICY.min_scale


def test_money_short_undoes_growth_before_cutting_and_cuts_in_order() -> None:
    budget = Budget()
    budget.record(Change("grow", None, 0.1, 200.0, ""), week=10)
    short = _pos(week=100, balance=reserve_gbp(1, 2000) + 1000, income=1800)
    change = budget.review(short, POLICY)
    assert change is not None and change.kind == "shrink" and change.weekly_gbp == -200.0
    budget.record(change, week=100)
    change = budget.review(_pos(week=104, balance=reserve_gbp(1, 2000) + 1000, income=1800),
                           POLICY)
    assert change is not None and (change.kind, change.step) == ("cut", "leisure")


def test_nothing_changes_when_the_money_is_as_planned() -> None:
    assert Budget().review(_pos(), POLICY) is None


def test_a_cut_is_restored_only_if_the_grant_sustains_it_to_its_end() -> None:
    budget = Budget()
    budget.record(Change("cut", "leisure", 0.0, -300.0, ""), week=0)
    # A saving the income cannot sustain to the end of the grant stays cut.
    assert budget.review(_pos(week=60, income=2100), POLICY) is None
    # Enough income to carry it to the end of the grant with the target kept: restored.
    change = budget.review(_pos(week=60, income=2400), POLICY)
    assert change is not None and (change.kind, change.step) == ("restore", "leisure")
    # ... but not while the grant's future is in doubt.
    assert budget.review(_pos(week=60, income=2400, weeks_left=12), POLICY) is None


def test_no_change_is_reversed_within_the_hold_unless_the_balance_is_below_the_floor() -> None:
    budget = Budget()
    budget.record(Change("cut", "leisure", 0.0, -300.0, ""), week=50)
    assert budget.review(_pos(week=60, income=2400), POLICY) is None  # cut 10 weeks ago
    assert budget.review(_pos(week=76, income=2400), POLICY) is not None  # 26 weeks on
    budget.record(Change("restore", "leisure", 0.0, 300.0, ""), week=76)
    projected_short = _pos(week=80, balance=reserve_gbp(1, 2000) + 500, income=1900)
    assert budget.review(projected_short, POLICY) is None  # restored 4 weeks ago
    emergency = _pos(week=80, balance=reserve_gbp(1, 2000) - 1, income=1900)
    change = budget.review(emergency, POLICY)
    assert change is not None and (change.kind, change.step) == ("cut", "leisure")


def test_growth_needs_demand_and_money_for_the_rest_of_the_grant() -> None:
    budget = Budget()
    assert budget.review(_pos(income=2600), POLICY) is None  # money, but nobody waiting
    assert budget.review(_pos(demand=0.3), POLICY) is None  # waiting, but no money
    change = budget.review(_pos(income=2600, demand=0.3), POLICY)
    assert change is not None and change.kind == "grow"
    assert change.share == POLICY.growth_step and change.weekly_gbp == 200.0
    budget.record(change, week=100)
    assert budget.grown == pytest.approx(0.1)
    # Recent growth counts as spent even before the spending shows it.
    assert budget.review(_pos(week=104, income=2350, demand=0.3), POLICY) is None
    assert budget.review(_pos(week=104, income=2700, demand=0.3), POLICY) is not None
    small = budget.review(_pos(week=130, income=2600, demand=0.04), POLICY)
    assert small is not None and small.share == pytest.approx(0.04)  # only what is needed


def test_the_reserves_policy_decides_what_happens_at_a_cliff() -> None:
    gap = POLICY.gap_weeks_mean * 2000
    floor = reserve_gbp(1, 2000)
    assert at_cliff(_pos(balance=floor + gap), POLICY, "reserves", 1000) == "bridge"
    assert at_cliff(_pos(balance=floor + gap - 1), POLICY, "reserves", 1000) == "skeleton"
    assert at_cliff(_pos(balance=3999), POLICY, "reserves", 1000) == "close"
    assert at_cliff(_pos(balance=floor + gap), POLICY, "skeleton", 1000) == "skeleton"
    assert at_cliff(_pos(balance=10**9), POLICY, "close", 1000) == "close"


def test_a_gap_falls_back_from_bridge_to_skeleton_to_closure() -> None:
    rich = _pos(balance=reserve_gbp(1, 2000) + 26 * 2000, income=0.0)
    assert in_gap(rich, POLICY, bridging=True, skeleton_spend=1000) == "bridge"
    poorer = _pos(balance=30_000, income=0.0)
    assert in_gap(poorer, POLICY, bridging=True, skeleton_spend=1000) == "skeleton"
    assert in_gap(_pos(balance=8_000, income=0.0, spend=1000), POLICY, bridging=False,
                  skeleton_spend=1000) == "skeleton"
    assert in_gap(_pos(balance=3_999, income=0.0, spend=1000), POLICY, bridging=False,
                  skeleton_spend=1000) == "close"
