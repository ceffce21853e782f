"""Run scenarios x replications on paired seeds, serially or in a process pool.

Replication k of every scenario uses the same seed (common random numbers), so a
difference between scenarios is policy, not noise. Results are put back in (scenario,
replication) order whatever order runs finish in, so the output does not depend on the
number of workers.

Runs go in batches (:func:`batches`: several per task, so each worker gets a few tasks)
to one pool started per command. A batch comes back as compressed Parquet parts
(:class:`RunBatch`), and :func:`run_scenarios` keeps the parts, not DataFrames, until the
tables are asked for or written (:class:`sim.results.TableParts`).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from contextlib import closing, nullcontext
from dataclasses import dataclass, field

import pandas as pd

from sim.metrics import run_metrics, yearly_metrics
from sim.model import MentoringModel
from sim.params import ScenarioParams
from sim.progress import Progress, estimate_seconds  # the one progress display
from sim.results import TableParts, parquet_bytes
from sim.rng import replication_seeds
from sim.scenario import Scenario
from sim.tables import SCHEMA
from sim.workers import start_pool, stop_pool

TABLES = tuple(SCHEMA)  # weekly, matches, mentors, mentees, events
TASKS_PER_WORKER = 4  # batches per worker: enough to even out slow and fast runs
MAX_BATCH = 32  # runs per task at most (bounds a worker's memory and progress steps)


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


@dataclass(frozen=True)
class RunBatch:
    """The runs of one task, packed for the trip back from a worker.

    Attributes:
        metrics: each run's metrics, in job order.
        wall_times_s: each run's time.
        parts: Parquet bytes of the batch's rows of each table in :data:`TABLES` and of
            ``yearly``, runs in job order.
    """

    metrics: list[dict[str, float]]
    wall_times_s: list[float]
    parts: dict[str, bytes]


@dataclass
class Results:
    """Everything a scenario comparison produced, in (scenario, replication) order.

    ``tables`` maps each table name to its DataFrame; from :func:`run_scenarios` it is a
    :class:`sim.results.TableParts`, which builds a DataFrame when it is first looked up
    and which :func:`sim.results.write_tables` writes without building them.
    """

    tables: Mapping[str, pd.DataFrame]
    metrics: pd.DataFrame  # one row per scenario x replication, one column per metric
    seeds: list[int]
    run_times_s: list[float] = field(default_factory=list)
    yearly: pd.DataFrame = field(default_factory=pd.DataFrame)  # ... x year

    def replications(self) -> pd.DataFrame:
        """``replications.parquet``: one row per scenario x replication with its ``seed``
        and every metric (float64), in (scenario, replication) order."""
        frame = self.metrics.copy()
        seeds = pd.Series(self.seeds, dtype="int64")
        frame.insert(2, "seed", seeds.reindex(frame["replication"]).to_numpy())
        metrics = list(frame.columns[3:])
        frame[metrics] = frame[metrics].astype("float64")
        return frame


def simulate(params: ScenarioParams, seed: int) -> dict[str, pd.DataFrame]:
    """Run one model to the horizon and return its tidy tables.

    Columns, their order, dtypes and sort keys come from :mod:`sim.tables`, so the tables
    are exactly what that schema (and docs/outputs.md) declares.

    Example:
        >>> tables = simulate(ScenarioParams(), seed=1)
        >>> sorted(tables) == sorted(TABLES)
        True
    """
    # The metrics are computed once, from these tables, by the caller.
    model = MentoringModel(params, seed, report_metrics=False)
    model.run_for(params.run.weeks)
    model.finish()
    return model.tables()


def run_job(job: Job, yearly: bool = True) -> RunOutput:
    """Run one job: the one unit of work of every batch of runs in the project.

    Comparisons (:func:`run_scenarios`), calibration (:mod:`sim.calibration.evaluate`),
    sweeps (:func:`sim.sweep.worker.execute`) and the EMA Workbench adapter all run a
    model through here. Tables gain ``scenario`` and ``replication`` columns in front;
    ``yearly=False`` skips the year-by-year metrics (those who only keep the run's
    metrics).

    Example:
        >>> params = ScenarioParams().with_changes({"run.weeks": 26})
        >>> out = run_job(Job("baseline", 0, 1, params), yearly=False)
        >>> list(out.tables["weekly"].columns[:2]), out.yearly.empty
        (['scenario', 'replication'], True)
    """
    start = time.perf_counter()
    tables = simulate(job.params, job.seed)
    metrics = run_metrics(tables, job.params)
    by_year = yearly_metrics(tables, job.params) if yearly else pd.DataFrame()
    for frame in (*tables.values(), *([by_year] if yearly else [])):
        frame.insert(0, "replication", job.replication)
        frame.insert(0, "scenario", job.scenario)
    return RunOutput(job, tables, metrics, time.perf_counter() - start, by_year)


def run_metrics_only(jobs: Sequence[Job]) -> list[dict[str, float]]:
    """Run jobs one after the other (in a worker) and keep only each run's metrics."""
    return [run_job(job, yearly=False).metrics for job in jobs]


def pack(outputs: Sequence[RunOutput]) -> RunBatch:
    """Runs' outputs as one :class:`RunBatch` (each table's rows in one Parquet part)."""
    frames = {name: pd.concat([o.tables[name] for o in outputs], ignore_index=True)
              for name in TABLES}
    frames["yearly"] = pd.concat([o.yearly for o in outputs], ignore_index=True)
    return RunBatch([o.metrics for o in outputs], [o.wall_time_s for o in outputs],
                    {name: parquet_bytes(frame) for name, frame in frames.items()})


def run_batch(jobs: Sequence[Job]) -> RunBatch:
    """Run jobs one after the other (in a worker) and pack their outputs."""
    return pack([run_job(job) for job in jobs])


def _run_jobs(jobs: Sequence[Job]) -> list[RunOutput]:
    return [run_job(job) for job in jobs]


def make_jobs(scenarios: Sequence[Scenario], replications: int, root_seed: int) -> list[Job]:
    """Jobs for every scenario x replication; replication k has the same seed everywhere."""
    seeds = replication_seeds(root_seed, replications)
    return [Job(s.name, k, seeds[k], s.params) for s in scenarios for k in range(replications)]


def default_workers() -> int:
    """All the cores this process may use."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (
        os.cpu_count() or 1)


def process_pool(workers: int, expected_runs: int = 0) -> ProcessPoolExecutor:
    """A process pool that starts clean interpreters (safe with threads and on any OS),
    all at once; its workers ignore Ctrl-C and exit when this process dies
    (:mod:`sim.workers`); ``expected_runs`` (about how many runs each worker will do)
    lets them load the compiled mechanisms as they start (:func:`sim.workers.warm_up`)."""
    return start_pool(workers, warm=("sim.runner",), expected_runs=expected_runs)


def batch_size(jobs: int, workers: int, most: int = MAX_BATCH) -> int:
    """Runs per task: about ``TASKS_PER_WORKER`` tasks per worker, 1 to ``most`` runs.

    Example:
        >>> batch_size(240, 2), batch_size(6, 2), batch_size(10_000, 2), batch_size(5, 1)
        (30, 1, 32, 2)
    """
    return max(1, min(most, -(-jobs // (TASKS_PER_WORKER * max(workers, 1)))))


def batches[T](items: Sequence[T], size: int) -> list[Sequence[T]]:
    """``items`` cut into consecutive slices of ``size`` (the last may be shorter).

    Example:
        >>> batches([1, 2, 3, 4, 5], 2)
        [[1, 2], [3, 4], [5]]
    """
    return [items[i:i + size] for i in range(0, len(items), max(size, 1))]


def map_batches[T](fn: Callable[[Sequence[Job]], T], jobs: Sequence[Job], workers: int = 1,
                   size: int | None = None) -> Iterator[tuple[int, Sequence[Job], T]]:
    """Apply ``fn`` to consecutive batches of ``jobs``: in this process for one worker,
    else on a pool started once for all of them.

    Yields ``(batch number, batch, fn(batch))`` as batches finish (in order when serial);
    batch numbers follow job order, so callers put results back in job order with them.
    """
    size = size or batch_size(len(jobs), workers if workers > 1 else 1)
    chunks = batches(list(jobs), size)
    if workers <= 1 or len(chunks) <= 1:
        for seq, chunk in enumerate(chunks):
            yield seq, chunk, fn(chunk)
        return
    workers = min(workers, len(chunks))
    pool = process_pool(workers, expected_runs=len(jobs) // workers)
    try:
        futures = {pool.submit(fn, chunk): seq for seq, chunk in enumerate(chunks)}
        for future in as_completed(futures):
            seq = futures[future]
            yield seq, chunks[seq], future.result()
    except BaseException:  # Ctrl-C, an error, or the caller stopped early: stop now
        stop_pool(pool)
        raise
    pool.shutdown(wait=True)


def execute(jobs: Sequence[Job], workers: int = 1,
            on_done: Callable[[RunOutput], None] | None = None) -> list[RunOutput]:
    """Run jobs serially (``workers == 1``) or in a process pool; return them in job order.

    Every run's tables come back as DataFrames; :func:`run_scenarios` uses the compact
    :func:`run_batch` instead.
    """
    done: dict[int, list[RunOutput]] = {}
    size = 1 if workers <= 1 else None  # serial: report each run as it ends
    with closing(map_batches(_run_jobs, jobs, workers, size)) as stream:
        for seq, _chunk, outputs in stream:
            done[seq] = outputs
            for output in outputs:
                if on_done:
                    on_done(output)
    return [output for seq in sorted(done) for output in done[seq]]


def collect(outputs: Iterable[RunOutput], seeds: list[int]) -> Results:
    """Concatenate run outputs into result tables and a metrics frame."""
    outputs = list(outputs)
    tables = {name: pd.concat([o.tables[name] for o in outputs], ignore_index=True)
              for name in TABLES}
    metrics = pd.DataFrame([{"scenario": o.job.scenario, "replication": o.job.replication,
                             **o.metrics} for o in outputs])
    yearly = pd.concat([o.yearly for o in outputs], ignore_index=True)
    return Results(tables, metrics, seeds, [o.wall_time_s for o in outputs], yearly)


def _batches_of_runs(jobs: Sequence[Job], workers: int, bar: Progress | None
                     ) -> Iterator[tuple[int, Sequence[Job], RunBatch]]:
    """Packed batches of runs as they finish: serially, run by run (packed every
    :data:`MAX_BATCH` runs), or on a pool (progress advances a batch at a time)."""
    if workers <= 1 or len(jobs) <= 1:
        for seq, chunk in enumerate(batches(list(jobs), MAX_BATCH)):
            outputs = []
            for job in chunk:
                outputs.append(run_job(job))
                if bar:
                    bar.advance(1, [outputs[-1].wall_time_s])
            yield seq, chunk, pack(outputs)
        return
    with closing(map_batches(run_batch, jobs, workers)) as stream:  # stops the pool early
        for seq, chunk, batch in stream:
            if bar:
                bar.advance(len(chunk), batch.wall_times_s)
            yield seq, chunk, batch


def run_scenarios(scenarios: Sequence[Scenario], replications: int, root_seed: int,
                  workers: int = 1, progress: bool = True, bar: Progress | None = None
                  ) -> Results:
    """Run every scenario for ``replications`` paired replications.

    Args:
        scenarios: validated scenarios (the first is the reference for differences).
        replications: replications per scenario.
        root_seed: root of every replication's seed.
        workers: processes to use (1 runs in this process).
        progress: show progress on stderr (a bar on a terminal, a line every 30 s in a
            log; :class:`sim.progress.Progress`).
        bar: a progress display of the caller's own (e.g. JSON records for a web page),
            used instead (with the number of runs as its total).

    Returns:
        Concatenated tables and per-run metrics.
    """
    jobs = make_jobs(scenarios, replications, root_seed)
    weeks = scenarios[0].params.run.weeks if scenarios else 0
    owned = bar is None  # a caller's display is the caller's to close
    if bar is None:
        bar = Progress(len(jobs), enabled=progress, workers=workers,
                       prior_s=estimate_seconds(len(jobs), weeks, workers) if jobs else None)
    tables = TableParts(TABLES)
    yearly = TableParts(["yearly"])
    runs: dict[int, list[tuple[Job, dict[str, float], float]]] = {}  # by batch number
    with bar if owned else nullcontext(), closing(_batches_of_runs(jobs, workers, bar)) as stream:
        for seq, chunk, batch in stream:
            tables.add(seq, {name: batch.parts[name] for name in TABLES})
            yearly.add(seq, {"yearly": batch.parts["yearly"]})
            runs[seq] = list(zip(chunk, batch.metrics, batch.wall_times_s, strict=True))
    ordered = [run for seq in sorted(runs) for run in runs[seq]]
    metrics = pd.DataFrame([{"scenario": job.scenario, "replication": job.replication, **m}
                            for job, m, _ in ordered])
    return Results(tables, metrics, replication_seeds(root_seed, replications),
                   [t for _, _, t in ordered], yearly["yearly"])
