"""What runs on a worker: one model run, returned as a small result.

The run itself is the project's one unit of work, a :class:`sim.runner.Job` run by
:func:`sim.runner.run_job`; a :class:`RunTask` adds what a resumable sweep needs around it
(the attempt number, which agent tables to keep, the test-only fault).

The driver sends runs in batches (:func:`execute_batch`: several runs per task, so the
per-task cost of the executor is shared); each run in a batch succeeds or fails on its own.

The worker never raises for a model failure: it returns a failed :class:`RunResult` with
the traceback, so exceptions need not pickle and the driver decides about retries. Only
the metrics (about 60 floats) travel back, plus agent-level tables when the spec asks (as
compressed Parquet bytes, see :func:`sim.results.parquet_bytes`).

Test-only fault injection: the driver reads ``MENTORSIM_SWEEP_FAULT`` (see
:func:`fault_for`) and marks matching tasks; a marked task raises
:class:`InjectedFaultError` (``raise``) or ends its worker process abruptly (``exit``; in the
driver process it raises instead, so a serial sweep is never killed). It exists to test
failure isolation and recovery and is documented in ``docs/sweeps.md``.
"""

from __future__ import annotations

import multiprocessing
import os
import socket
import time
import traceback
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sim.params import ScenarioParams

FAULT_ENV = "MENTORSIM_SWEEP_FAULT"


class InjectedFaultError(RuntimeError):
    """Raised by a task marked by the test-only fault hook."""


@dataclass(frozen=True)
class RunTask:
    """Everything a worker needs for one run.

    Attributes:
        point_id, replication: the run's identity in the sweep.
        seed: replication seed (common random numbers across points).
        attempt: 1 for the first try, 2 for the first retry, ...
        base: base parameters; ``overrides`` gives the point's values.
        overrides: ``{"section.name": value}``.
        tables: agent-level tables to return (empty: metrics only).
        fault: test-only fault to inject (``raise`` or ``exit``), else ``None``.
    """

    point_id: int
    replication: int
    seed: int
    attempt: int
    base: ScenarioParams
    overrides: dict[str, Any]
    tables: tuple[str, ...] = ()
    fault: str | None = None


@dataclass
class RunResult:
    """What comes back from a worker."""

    point_id: int
    replication: int
    attempt: int
    ok: bool
    metrics: dict[str, float] = field(default_factory=dict)
    tables: dict[str, bytes] = field(default_factory=dict)  # name -> Parquet bytes
    error: str = ""
    traceback: str = ""
    wall_time_s: float = 0.0
    worker: str = ""


def fault_for(point_id: int, replication: int, spec: str | None = None) -> str | None:
    """The fault to inject into a run, from ``MENTORSIM_SWEEP_FAULT`` (test-only).

    The variable holds ``MODE:POINT`` or ``MODE:POINT:REPLICATION`` entries separated by
    commas, MODE being ``raise`` or ``exit``; e.g. ``raise:3`` fails every run of point 3.

    Example:
        >>> fault_for(3, 0, "raise:3,exit:5:1"), fault_for(5, 1, "raise:3,exit:5:1")
        ('raise', 'exit')
    """
    spec = os.environ.get(FAULT_ENV, "") if spec is None else spec
    for entry in filter(None, (e.strip() for e in spec.split(","))):
        parts = entry.split(":")
        if len(parts) not in (2, 3) or parts[0] not in ("raise", "exit"):
            raise ValueError(f"{FAULT_ENV}: bad entry {entry!r}; use raise:POINT[:REP] "
                             "or exit:POINT[:REP]")
        if int(parts[1]) == point_id and (len(parts) == 2 or int(parts[2]) == replication):
            return parts[0]
    return None


def _inject(fault: str, point_id: int) -> None:
    if fault == "exit" and multiprocessing.parent_process() is not None:
        os._exit(70)  # a worker process dying mid-run (tests pool recovery)
    raise InjectedFaultError(f"injected fault at point {point_id} ({FAULT_ENV})")


def execute(task: RunTask) -> RunResult:
    """Run one task; never raises for a failure of the model or its parameters.

    Example:
        >>> from sim.params import ScenarioParams
        >>> base = ScenarioParams().with_changes({"run.weeks": 52})
        >>> execute(RunTask(0, 0, seed=1, attempt=1, base=base, overrides={})).ok
        True
    """
    from sim.results import parquet_bytes
    from sim.runner import Job, run_job
    from sim.sweep.variants import apply_overrides

    start = time.perf_counter()
    worker = f"{socket.gethostname()}:{os.getpid()}"
    try:
        if task.fault:
            _inject(task.fault, task.point_id)
        params = apply_overrides(task.base, task.overrides)
        # the one unit of work of every batch of runs (a comparison's, calibration's)
        run = run_job(Job(str(task.point_id), task.replication, task.seed, params),
                      yearly=False)
    except Exception as exc:  # any model failure stays with this run
        return RunResult(task.point_id, task.replication, task.attempt, ok=False,
                         error=f"{type(exc).__name__}: {exc}".splitlines()[0][:500],
                         traceback=traceback.format_exc(),
                         wall_time_s=time.perf_counter() - start, worker=worker)
    kept = {}
    for name in task.tables:  # a sweep names a run by its point, not by a scenario
        frame = run.tables[name].drop(columns="scenario")
        frame.insert(0, "point_id", task.point_id)
        kept[name] = parquet_bytes(frame)
    return RunResult(task.point_id, task.replication, task.attempt, ok=True,
                     metrics={k: float(v) for k, v in run.metrics.items()}, tables=kept,
                     wall_time_s=time.perf_counter() - start, worker=worker)


def execute_batch(tasks: Sequence[RunTask]) -> list[RunResult]:
    """Run several tasks one after the other; results in the order of ``tasks``.

    A failing run does not stop the batch (:func:`execute` never raises for it); only a
    dying worker process loses the whole batch, which the driver then re-runs run by run.
    """
    return [execute(task) for task in tasks]
