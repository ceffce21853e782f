"""Helpers for paired-seed comparisons: run two scenarios on the same seeds and test."""

from __future__ import annotations

import fcntl
import hashlib
import os
from pathlib import Path

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

# Runs already made in this test session, shared by the xdist workers through files in
# the session's temporary folder (see conftest.py). A run is fixed by its parameters, its
# root seed and the replication number (replication k's seed does not depend on how many
# are run, nor on the scenario's name), so a test asking for baseline's first 4
# replications reads the first 4 of the 16 another test ran, wherever it ran.
RUN_CACHE_ENV = "MENTORSIM_TEST_RUN_CACHE"
_RUNS: dict[tuple[str, int], pd.DataFrame] = {}


def _run(s: Scenario, reps: int, seed: int) -> pd.DataFrame:
    results = run_scenarios([s], reps, seed, workers=WORKERS, progress=False)
    return results.metrics.set_index("replication").sort_index()


def _cached_run(s: Scenario, reps: int, seed: int) -> pd.DataFrame:
    params = s.params.model_dump_json()
    memo = _RUNS.get((params, seed))
    if memo is not None and len(memo) >= reps:
        return memo
    folder = os.environ.get(RUN_CACHE_ENV)
    if not folder:
        frame = _run(s, reps, seed)
    else:
        digest = hashlib.sha256(f"{seed}\n{params}".encode()).hexdigest()[:32]
        path = Path(folder) / f"{digest}.parquet"
        with open(Path(folder) / f"{digest}.lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)  # another worker may be making this very run
            frame = pd.read_parquet(path) if path.exists() else None
            if frame is None or len(frame) < reps:
                frame = _run(s, reps, seed)
                partial = path.with_suffix(f".{os.getpid()}.partial")
                frame.to_parquet(partial)
                partial.replace(path)
    _RUNS[(params, seed)] = frame
    return frame


def metrics_of(s: Scenario, reps: int, seed: int = 11) -> pd.DataFrame:
    """Per-replication metrics of one scenario: every scenario is run alone on the same
    replication seeds, which is exactly what running them together does (CRN)."""
    frame = _cached_run(s, reps, seed).iloc[:reps].copy()
    frame["scenario"] = s.name
    return frame


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
