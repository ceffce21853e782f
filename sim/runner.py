"""Run scenarios x replications on paired seeds, serially or through an Executor.

Replication k of every scenario uses the same seed (common random numbers), so a
difference between scenarios is policy, not noise. Results are put back in (scenario,
replication) order whatever order runs finish in, so the output does not depend on the
number of workers.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from multiprocessing import get_context

import pandas as pd

from sim.metrics import run_metrics, yearly_metrics
from sim.model import MentoringModel
from sim.params import ScenarioParams
from sim.rng import replication_seeds
from sim.scenario import Scenario
from sim.tables import SCHEMA

TABLES = tuple(SCHEMA)  # weekly, matches, mentors, mentees, events


@dataclass(frozen=True)
class Job:
    """One model run: a scenario's parameters under one replication's seed."""

    scenario: str
    replication: int
    seed: int
    params: ScenarioParams


@dataclass
class RunOutput:
    """Tables and metrics of one run."""

    job: Job
    tables: dict[str, pd.DataFrame]
    metrics: dict[str, float]
    wall_time_s: float
    yearly: pd.DataFrame = field(default_factory=pd.DataFrame)  # the metrics year by year


@dataclass
class Results:
    """Everything a scenario comparison produced, in (scenario, replication) order."""

    tables: dict[str, pd.DataFrame]
    metrics: pd.DataFrame  # one row per scenario x replication, one column per metric
    seeds: list[int]
    run_times_s: list[float] = field(default_factory=list)
    yearly: pd.DataFrame = field(default_factory=pd.DataFrame)  # ... x year


def simulate(params: ScenarioParams, seed: int) -> dict[str, pd.DataFrame]:
    """Run one model to the horizon and return its tidy tables.

    Columns, their order, dtypes and sort keys come from :mod:`sim.tables`, so the tables
    are exactly what that schema (and docs/outputs.md) declares.

    Example:
        >>> tables = simulate(ScenarioParams(), seed=1)
        >>> sorted(tables) == sorted(TABLES)
        True
    """
    model = MentoringModel(params, seed)
    model.run_for(params.run.weeks)
    model.finish()
    tables = {"weekly": SCHEMA["weekly"].typed(model.weekly_frame())}
    rows = {"matches": model.match_rows, "mentors": model.mentor_rows,
            "mentees": model.mentee_rows, "events": model.event_rows}
    tables.update({name: SCHEMA[name].frame(recorded) for name, recorded in rows.items()})
    return tables


def run_job(job: Job) -> RunOutput:
    """Run one job; tables gain ``scenario`` and ``replication`` columns in front."""
    start = time.perf_counter()
    tables = simulate(job.params, job.seed)
    metrics = run_metrics(tables, job.params)
    yearly = yearly_metrics(tables, job.params)
    for frame in (*tables.values(), yearly):
        frame.insert(0, "replication", job.replication)
        frame.insert(0, "scenario", job.scenario)
    return RunOutput(job, tables, metrics, time.perf_counter() - start, yearly)


def make_jobs(scenarios: Sequence[Scenario], replications: int, root_seed: int) -> list[Job]:
    """Jobs for every scenario x replication; replication k has the same seed everywhere."""
    seeds = replication_seeds(root_seed, replications)
    return [Job(s.name, k, seeds[k], s.params) for s in scenarios for k in range(replications)]


def default_workers() -> int:
    """All the cores this process may use."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (
        os.cpu_count() or 1)


def process_pool(workers: int) -> Executor:
    """A process pool that starts clean interpreters (safe with threads and on any OS)."""
    return ProcessPoolExecutor(max_workers=workers, mp_context=get_context("spawn"))


def execute(jobs: Sequence[Job], workers: int = 1,
            on_done: Callable[[RunOutput], None] | None = None) -> list[RunOutput]:
    """Run jobs serially (``workers == 1``) or in a process pool; return them in job order."""
    if workers <= 1 or len(jobs) <= 1:
        outputs = []
        for job in jobs:
            outputs.append(run_job(job))
            if on_done:
                on_done(outputs[-1])
        return outputs
    with process_pool(min(workers, len(jobs))) as pool:
        futures = {pool.submit(run_job, job): i for i, job in enumerate(jobs)}
        done: dict[int, RunOutput] = {}
        for future in as_completed(futures):
            done[futures[future]] = future.result()
            if on_done:
                on_done(done[futures[future]])
    return [done[i] for i in range(len(jobs))]


class Progress:
    """A progress bar on stderr when it is a terminal; silent otherwise."""

    def __init__(self, total: int, label: str = "runs") -> None:
        self.total = total
        self.count = 0
        self.start = time.perf_counter()
        self.label = label
        self.enabled = sys.stderr.isatty()

    def __call__(self, _output: RunOutput | None = None) -> None:
        """Advance by one run."""
        self.count += 1
        if not self.enabled:
            return
        elapsed = time.perf_counter() - self.start
        rate = self.count / elapsed if elapsed else 0.0
        eta = (self.total - self.count) / rate if rate else 0.0
        width = 30
        filled = int(width * self.count / self.total)
        bar = "#" * filled + "-" * (width - filled)
        sys.stderr.write(f"\r[{bar}] {self.count}/{self.total} {self.label} "
                         f"{rate:.1f}/s ETA {eta:.0f}s ")
        if self.count == self.total:
            sys.stderr.write("\n")
        sys.stderr.flush()


def collect(outputs: Iterable[RunOutput], seeds: list[int]) -> Results:
    """Concatenate run outputs into result tables and a metrics frame."""
    outputs = list(outputs)
    tables = {name: pd.concat([o.tables[name] for o in outputs], ignore_index=True)
              for name in TABLES}
    metrics = pd.DataFrame([{"scenario": o.job.scenario, "replication": o.job.replication,
                             **o.metrics} for o in outputs])
    yearly = pd.concat([o.yearly for o in outputs], ignore_index=True)
    return Results(tables, metrics, seeds, [o.wall_time_s for o in outputs], yearly)


def run_scenarios(scenarios: Sequence[Scenario], replications: int, root_seed: int,
                  workers: int = 1, progress: bool = True) -> Results:
    """Run every scenario for ``replications`` paired replications.

    Args:
        scenarios: validated scenarios (the first is the reference for differences).
        replications: replications per scenario.
        root_seed: root of every replication's seed.
        workers: processes to use (1 runs in this process).
        progress: show a progress bar on a terminal.

    Returns:
        Concatenated tables and per-run metrics.
    """
    jobs = make_jobs(scenarios, replications, root_seed)
    bar = Progress(len(jobs)) if progress else None
    outputs = execute(jobs, workers, bar)
    return collect(outputs, replication_seeds(root_seed, replications))
