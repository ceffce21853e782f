"""A run's progress, as its worker records it and the studio reads it back and says it.

The worker (:mod:`studio.worker`, and :func:`studio.decide_job.run_job` for a decision)
writes the job's progress file one JSON record a line: :func:`stage` records the stage
the run has reached, and when, between :class:`sim.progress.Progress`'s records
(``log="json"``, one per finished batch of runs). The studio (:mod:`studio.jobs`) reads
the file back as a :class:`Progress` (:func:`read_progress`), from which a run of either
kind says how far it is and how long it has left; :func:`starting_message` and
:func:`estimate_basis` are the words both kinds share for the start and for where the
forms' estimates come from (this machine's measured times, :mod:`sim.progress`).
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from sim.progress import format_duration, measured


def stage(stream: TextIO, name: str, **extra: Any) -> None:
    """Record the stage the run has reached, and when."""
    stream.write(json.dumps({"event": "stage", "stage": name, "time": time.time(), **extra})
                 + "\n")
    stream.flush()


@dataclass(frozen=True)
class Progress:
    """What a run's progress file says: runs finished, the latest stage and when it
    began, and the rate: the workers over one run's own wall time as the worker measures
    it (free of the pool's start), else measured after the first round of batches
    (:func:`_rate`).

    A stage's progress records count the runs done within it, and a stage may announce
    how many it plans (``{"event": "stage", "stage": ..., "planned": N}``): ``done`` is
    every stage's runs, ``stage_done`` the latest stage's, ``announced`` the stages'
    planned runs as announced, ``stage_elapsed`` the time the latest stage had taken at its
    latest record.
    """

    done: int = 0
    stage: str = "starting"
    since: float = 0.0
    rate: float | None = None
    stage_done: int = 0
    announced: dict[str, int] = field(default_factory=dict)
    stage_elapsed: float = 0.0  # the latest stage's own time at its latest record (s)


def read_progress(path: Path, workers: int = 1) -> Progress:
    """A run's :class:`Progress` from its progress file (``workers``: the run's)."""
    before, done, stage, when, elapsed = 0, 0, "starting", 0.0, 0.0
    announced: dict[str, int] = {}
    run_s: float | None = None  # one run's own wall time (the worker measures it)
    batches: list[tuple[float, int]] = []  # (elapsed s, runs done) at each batch
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError:
        return Progress()
    for line in lines:
        try:
            record = json.loads(line)
        except ValueError:
            continue  # a line still being written
        if record.get("event") == "progress":
            done = int(record.get("done", done))
            elapsed = float(record.get("elapsed_s") or elapsed)
            run_s = record.get("run_s") or run_s
            if done:
                batches.append((float(record.get("elapsed_s") or 0.0), done))
        elif record.get("event") == "stage":
            before, done, elapsed, run_s, batches = before + done, 0, 0.0, None, []
            stage = str(record.get("stage", stage))
            when = float(record.get("time") or 0.0)
            if isinstance(record.get("planned"), int):
                announced[stage] = int(record["planned"])
    rate = workers / float(run_s) if run_s else _rate(batches, workers)
    return Progress(before + done, stage, when, rate, done, announced, elapsed)


def _rate(batches: list[tuple[float, int]], workers: int) -> float | None:
    """Runs a second after the first round of batches (one a worker, which finish nearly
    together and include the pool's start); None until a batch has finished since."""
    first = min(max(workers, 1), len(batches)) - 1
    if len(batches) <= first + 1:
        return None
    (t0, d0), (t1, d1) = batches[first], batches[-1]
    return (d1 - d0) / (t1 - t0) if t1 > t0 and d1 > d0 else None


def estimate_basis() -> str:
    """Where the forms' estimates come from, in words: what runs on this machine have
    taken, or the reference machine's times until a run here is measured
    (:func:`sim.progress.measured`)."""
    return ("as runs on this machine have taken" if measured()[0] != 1.0 else
            "from the reference machine's times, until a run here is measured")


def starting_message(total_s: float) -> str:
    """What a run says while its worker loads the model: about how long it takes in all
    (``total_s`` seconds)."""
    return f"Starting: loading the model… (about {format_duration(total_s)} in all)"
