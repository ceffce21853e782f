"""Adaptive replication: the stopping rule against theory on data of known variance."""

from __future__ import annotations

import math
import random
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

from sim.cli import main
from sim.sweep.adaptive import AdaptivePlanner, check, decide

try:
    from test_sweep_support import write_spec
except ImportError:
    from tests.test_sweep_support import write_spec


def _theoretical_n(mu: float, sigma: float, rel: float) -> int:
    """Smallest n with t(0.975, n-1) * sigma / sqrt(n) <= rel * mu (sigma known)."""
    n = 2
    while stats.t.ppf(0.975, n - 1) * sigma / math.sqrt(n) > rel * mu:
        n += 1
    return n


def _stop_at(values: np.ndarray, minimum: int, maximum: int, rel: float) -> tuple[int, bool]:
    n = minimum
    while True:
        d = decide(values[:n, None], minimum, maximum, rel)
        if d.stop:
            return n, d.converged
        n = d.next_n


def test_constant_outcome_stops_at_the_minimum() -> None:
    assert _stop_at(np.full(50, 0.4), 3, 50, 0.01) == (3, True)


def test_hopeless_target_stops_at_the_maximum_unconverged() -> None:
    values = np.random.default_rng(1).normal(1.0, 5.0, 40)
    assert _stop_at(values, 3, 12, 0.01) == (12, False)


def test_stopping_matches_theory_for_known_variance() -> None:
    """Normal data, mean 10, sd 2, target 10%: theory says n* replications; the sequential
    rule (which sees the sample sd) should stop near n* on average and, when it stops,
    its own half-width meets the target."""
    mu, sigma, rel = 10.0, 2.0, 0.1
    expected = _theoretical_n(mu, sigma, rel)
    assert 16 <= expected <= 20  # (1.96 * 2 / 1)^2 ~ 15.4, a little more with t
    rng = np.random.default_rng(2024)
    stops, covered = [], 0
    for _ in range(300):
        values = rng.normal(mu, sigma, 200)
        n, converged = _stop_at(values, 5, 200, rel)
        assert converged
        c = check(values[:n], rel)
        assert c.half_width <= rel * abs(c.mean)
        stops.append(n)
        covered += abs(c.mean - mu) <= c.half_width
    assert abs(np.median(stops) - expected) <= 0.2 * expected
    assert covered / 300 > 0.85  # sequential stopping costs a little coverage


def test_planner_decides_the_same_whatever_the_completion_order() -> None:
    """Feed each point's results in a shuffled order: targets must not change."""
    rng = np.random.default_rng(7)
    truth = {p: rng.normal(5.0, 0.5 + p, 30) for p in range(4)}

    def finish(order_seed: int) -> list[int]:
        planner = AdaptivePlanner(4, 3, 30, 0.1, outcomes=1)
        queue = list(planner.initial())
        shuffle = random.Random(order_seed)
        while queue:
            shuffle.shuffle(queue)
            p, r = queue.pop()
            queue += planner.record((p, r), np.array([truth[p][r]]))
        assert planner.exact
        return list(planner.target)

    assert finish(1) == finish(2) == finish(3)


def test_small_real_adaptive_run_reports_convergence(tmp_path: Path) -> None:
    spec = write_spec(tmp_path, """
        extends = "baseline"
        horizon_weeks = 52
        seed = 3
        outcomes = ["mentees_matched_share", "abandonment_rate"]
        [replications]
        min = 2
        max = 6
        rel_half_width = 0.1
        outcomes = ["mentees_matched_share"]
        [design]
        kind = "explicit"
        points = [{ "supervision.sessions_per_month" = 0 }, { "programme.recruits_per_month" = 1 }]
    """)
    out = tmp_path / "out"
    assert main(["sweep", str(spec), "--out", str(out), "--workers", "1", "--quiet"]) == 0
    table = pd.read_csv(out / "convergence.csv")
    assert set(table["metric"]) == {"mentees_matched_share"}
    for _, row in table.iterrows():
        if row["point_status"] == "converged":
            assert row["rel_half_width"] <= 0.1 and row["replications"] >= 2
        else:
            assert row["point_status"] == "max_reached" and row["replications"] == 6
