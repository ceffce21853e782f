"""Helpers for paired-seed comparisons: run two scenarios on the same seeds and test."""

from __future__ import annotations

import os

import numpy as np
import pandas as pd
from scipy import stats

from sim.runner import run_scenarios
from sim.scenario import Scenario, load_scenario


def scenario(ref: str, *overrides: str, name: str | None = None, weeks: int = 260) -> Scenario:
    """A bundled scenario with overrides, renamed so two variants of one file can be compared."""
    loaded = load_scenario(ref, list(overrides), {"weeks": weeks})
    return Scenario(name or loaded.name, loaded.question, loaded.source, loaded.params)


# Under pytest-xdist every test process already has a core: a process pool of its own on
# top would only add start-up time and contention. Results do not depend on it (CRN).
WORKERS = 1 if os.environ.get("PYTEST_XDIST_WORKER") else 2

_RUNS: dict[tuple[str, str, int, int], pd.DataFrame] = {}


def metrics_of(s: Scenario, reps: int, seed: int = 11) -> pd.DataFrame:
    """Per-replication metrics of one scenario, cached: every scenario is run alone on the
    same replication seeds, which is exactly what running them together does (CRN)."""
    key = (s.name, s.params.model_dump_json(), reps, seed)
    if key not in _RUNS:
        results = run_scenarios([s], reps, seed, workers=WORKERS, progress=False)
        _RUNS[key] = results.metrics.set_index("replication").sort_index()
    return _RUNS[key]


def paired_metric(reference: Scenario, alternative: Scenario, metric: str, reps: int,
                  seed: int = 11) -> tuple[np.ndarray, np.ndarray]:
    """Per-replication values of ``metric`` for two scenarios on the same seeds."""
    return (metrics_of(reference, reps, seed)[metric].to_numpy(dtype=float),
            metrics_of(alternative, reps, seed)[metric].to_numpy(dtype=float))


def assert_paired_lower(lower: np.ndarray, higher: np.ndarray, message: str,
                        alpha: float = 0.01) -> None:
    """One-sided paired t-test: ``lower`` is below ``higher`` at significance ``alpha``."""
    diff = higher - lower
    result = stats.ttest_1samp(diff, 0.0, alternative="greater")
    assert result.pvalue < alpha, (
        f"{message}: mean paired difference {diff.mean():.4f} over {len(diff)} replications, "
        f"one-sided p = {result.pvalue:.3g} (needs < {alpha})")
