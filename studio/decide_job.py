"""A decision run in the background: started by :mod:`studio.jobs`, run by
:mod:`studio.worker` (``"kind": "decide"`` in ``job.json``), followed by the page. Both
call on this module by the job's kind; it needs nothing of theirs but what every run
shares, its progress file's records and words (:mod:`studio.progress`).

- :func:`settings`: what the worker is to do, for :meth:`studio.jobs.Jobs.launch` to
  write into ``job.json`` once the page has written the spec into the job folder
  (``decision.toml``, the file ``mentorsim decide`` reads): the runs it plans at most, in
  two stages (the design, then the confirmation), and the estimate;
- :func:`run_job` (in the worker): :func:`sim.decide.decision.run_decision` with its
  progress as JSON lines into the job's progress file (each stage announced with the runs
  it plans, and stamped with the time it began), then the decision's folder
  (:func:`sim.decide.folder.write_decision`) written atomically into the working folder;
- :func:`running_message` (in the studio): the stage, runs done and planned, and the time
  left, from this machine's measured times (:mod:`sim.progress`) moving to the rate
  measured in this run.
"""

from __future__ import annotations

import io
import json
import shutil
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from sim.progress import (
    blended_eta,
    estimate_seconds,
    estimate_write_seconds,
    format_duration,
    measured_overhead,
)
from studio.progress import Progress, estimate_basis, starting_message

if TYPE_CHECKING:
    from sim.decide.spec import Decision

KIND = "decide"
STAGES = "stages"  # in the job folder: the stages' sweeps (removed once the decision is written)
DESIGN, CONFIRM, WRITING = "design", "confirm", "writing"
# Between the stages the emulator is fitted and searched: once for the best allocation,
# once for the least money, once at each other budget multiple and once for the Pareto
# set. Measured: 3.8 s for the seven searches of a decision with five multiples and 30
# design runs on the project's two-core development machine (2026), about 0.55 s each.
SECONDS_PER_SEARCH = 0.55


def searches(decision: Decision) -> int:
    """How many optimisations of the emulator a decision makes between its stages."""
    return 2 + (len(decision.multiples) - 1) + (
        1 if decision.search.pareto and len(decision.objectives) > 1 else 0)


def stage_bounds(decision: Decision) -> tuple[int, int]:
    """At most how many runs the design and the confirmation make
    (:func:`sim.decide.decision.planned_runs`, split by stage)."""
    from sim.decide.decision import planned_runs

    design = decision.worlds.count * decision.search.design_points * decision.search.design_reps
    return design, planned_runs(decision) - design


def estimate(decision: Decision, workers: int) -> dict[str, float]:
    """The prior of how long each part takes (seconds): ``design``, ``search``,
    ``confirm``, ``write`` and ``overhead``, as runs on this machine have taken."""
    weeks = decision.today.run.weeks
    design, confirm = stage_bounds(decision)
    return {"design": estimate_seconds(design, weeks, min(workers, design)),
            "search": SECONDS_PER_SEARCH * searches(decision),
            "confirm": estimate_seconds(confirm, weeks, min(workers, confirm)),
            "write": estimate_write_seconds(confirm, weeks),
            "overhead": measured_overhead()}


def estimate_text(decision: Decision, planned: int, workers: int) -> str:
    """How long the decision will take, in words (the Decide form's estimate)."""
    design, confirm = stage_bounds(decision)
    parts = estimate(decision, workers)
    used = max(1, min(workers, planned))
    return (f"At most {planned:,} runs of {decision.today.run.weeks} weeks ({design:,} trying "
            f"candidates, up to {confirm:,} confirming the best): about "
            f"{format_duration(sum(parts.values()))} on {used} worker"
            f"{'s' if used != 1 else ''} ({estimate_basis()}).")


def settings(run: str, decision: Decision, workers: int
             ) -> Callable[[Sequence[Path]], dict[str, Any]]:
    """What the worker is to do for decision ``run`` (with at most ``workers`` processes),
    as :meth:`studio.jobs.Jobs.launch` asks: ``job.json``'s settings, given the files
    written into the job folder, the spec's first."""
    from sim.decide.decision import planned_runs

    planned = planned_runs(decision)
    used = max(1, min(workers, planned))
    design, confirm = stage_bounds(decision)

    def of(files: Sequence[Path]) -> dict[str, Any]:
        spec_file = Path(files[0])
        return {"kind": KIND, "spec": str(spec_file), "weeks": decision.today.run.weeks,
                "workers": used, "planned": planned,
                "stages": [[DESIGN, design], [CONFIRM, confirm]],
                "estimate": estimate(decision, used),
                "command": ["mentorsim", "decide", spec_file.name, "--out", run,
                            "--workers", str(used)]}

    return of


class _Stamped(io.TextIOBase):
    """The decision's progress stream: each record written on to ``out`` as it comes, a
    stage's stamped with the time it began; what each stage took is kept (``elapsed``)."""

    def __init__(self, out: TextIO) -> None:
        self.out = out
        self.elapsed: dict[str, float] = {}
        self._stage = ""

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        for line in text.splitlines(keepends=True):
            try:
                record = json.loads(line)
            except ValueError:
                record = None
            if isinstance(record, dict) and record.get("event") == "stage":
                self._stage = str(record.get("stage"))
                line = json.dumps({**record, "time": record.get("time", time.time())}) + "\n"
            elif isinstance(record, dict) and record.get("event") == "progress":
                self.elapsed[self._stage] = float(record.get("elapsed_s") or 0.0)
            self.out.write(line)
        return len(text)

    def flush(self) -> None:
        self.out.flush()

    def isatty(self) -> bool:
        return False


def run_job(spec: dict[str, Any], progress: TextIO, started: float) -> Path:
    """Run the decision ``spec`` describes (in the worker, which began at ``started``,
    :func:`time.perf_counter`: its loading is overhead) and write its folder."""
    from sim.decide.decision import run_decision
    from sim.decide.folder import write_decision
    from sim.decide.spec import load_decision
    from sim.progress import record_run
    from sim.results import write_folder
    from studio.progress import stage

    spec_file = Path(spec["spec"])
    decision = load_decision(spec_file)
    workers = int(spec.get("workers") or 1)
    stages = spec_file.parent / STAGES
    stream = _Stamped(progress)
    start_s = time.perf_counter()
    result = run_decision(decision, stages, workers, progress=True, stream=stream)
    written = time.perf_counter()
    stage(progress, WRITING)
    out = write_folder(Path(spec["results"]), lambda folder: write_decision(folder, result))
    shutil.rmtree(stages, ignore_errors=True)  # every run's table is in the folder's
    record_run(result.run_count, decision.today.run.weeks, workers,
               sum(stream.elapsed.values()) or written - start_s,
               time.perf_counter() - written, start_s - started)
    return out


def running_message(progress: Progress, spec: dict[str, Any], now: float | None = None
                    ) -> str:
    """What a running decision is doing, runs done and planned, and about how long it has
    left: each part's prior (:func:`estimate`) moving to what this run measures."""
    now = time.time() if now is None else now
    prior = {k: float(v) for k, v in (spec.get("estimate") or {}).items()}
    bounds = {str(name): int(n) for name, n in spec.get("stages") or []}
    workers = int(spec.get("workers") or 1)
    stage, done = progress.stage, progress.stage_done
    elapsed = now - progress.since if progress.since else 0.0
    planned = progress.announced.get(stage, bounds.get(stage, 0))
    write = prior.get("write", 0.0)
    if stage == WRITING:
        left = max(write - elapsed, 1.0)
        return (f"All runs done; writing the decision (tables, spreadsheet and a scenario "
                f"file per option): about {format_duration(left)} left")
    if stage not in (DESIGN, CONFIRM):
        return starting_message(sum(prior.values()))
    left = blended_eta(done, planned, elapsed, prior.get(stage, 0.0), workers, progress.rate)
    if stage == DESIGN:
        # the rest's prior, scaled by how this run's design went against its own prior
        took = progress.stage_elapsed if done >= planned else elapsed
        scale = 1.0
        if done and prior.get(DESIGN) and took > 0:
            scale = min(max((took / done * planned) / prior[DESIGN], 0.25), 4.0)
        search = prior.get("search", 0.0)
        if done >= planned:  # searching since the design's last run
            search = max(search - (elapsed - progress.stage_elapsed), 1.0)
            what = (f"All {planned:,} candidate runs done; searching the emulator for the "
                    "best allocations")
        else:
            what = (f"Step 1 of 2, trying candidate allocations: {done:,} of {planned:,} "
                    "runs done")
        rest = search + prior.get(CONFIRM, 0.0) * scale + write
        return f"{what}; about {format_duration(left + rest)} left"
    return (f"Step 2 of 2, re-running the best options in every world: {done:,} of "
            f"{planned:,} runs done; about {format_duration(left + write)} left")
