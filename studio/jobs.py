"""Comparisons run in the background, one at a time, so the page stays responsive.

:meth:`Jobs.start` writes the option files and ``job.json`` into the run's job folder
(``.studio/<run>/`` in the working folder) and starts :mod:`studio.worker` with the same
Python (``sys.executable -m studio.worker JOB_DIR``: an argument list, never a shell) in a
new process group. :meth:`Jobs.status` reads the worker's progress and status files, so
the page learns how far it got without talking to it; :meth:`Jobs.cancel` stops the
process group (the worker and its pool), first politely, then for good.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sim.progress import estimate_seconds, format_duration
from sim.results import default_out_dir, write_json
from studio.folder import WorkingFolder
from studio.worker import LOG, PROGRESS, SPEC, STATUS

CANCEL_GRACE_S = 5.0  # seconds a cancelled run has to clean up before it is killed


@dataclass(frozen=True)
class Status:
    """Where a run has got to.

    Attributes:
        run: the run's name (its results folder's name).
        state: ``running``, ``done``, ``failed`` or ``cancelled``.
        done, planned: runs finished and planned.
        message: what to tell the planner.
    """

    run: str
    state: str
    done: int = 0
    planned: int = 0
    message: str = ""

    @property
    def finished(self) -> bool:
        """Whether the run has ended, one way or another."""
        return self.state != "running"


class Jobs:
    """The studio's background runs (at most one at a time).

    Args:
        folder: the working folder.
        workers: processes each run may use (default: all cores).
    """

    def __init__(self, folder: WorkingFolder, workers: int | None = None) -> None:
        self.folder = folder
        self.workers = workers or (len(os.sched_getaffinity(0))
                                   if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1)
        self._procs: dict[str, subprocess.Popen[bytes]] = {}
        self._lock = threading.Lock()

    def new_run_name(self, names: Sequence[str]) -> str:
        """A new results folder name: the time and the option names, as ``run`` names it."""
        base = default_out_dir("-".join(names)[:60]).name
        name, n = base, 2
        while (self.folder.root / name).exists() or (self.folder.job_dir(name)).exists():
            name, n = f"{base}-{n}", n + 1
        return name

    def running(self) -> str | None:
        """The run in progress, if any."""
        with self._lock:
            for run, proc in self._procs.items():
                if proc.poll() is None:
                    return run
        return None

    def start(self, run: str, option_files: Sequence[Path], replications: int, weeks: int,
              seed: int | None = None) -> Path:
        """Start run ``run`` of the option files (already written into its job folder).

        Returns the job folder. Raises RuntimeError if a run is already going.
        """
        if self.running():
            raise RuntimeError("a comparison is already running: wait for it or cancel it")
        job_dir = self.folder.job_dir(run)
        job_dir.mkdir(parents=True, exist_ok=True)
        results = self.folder.child(run)
        files = [self.folder.inside(p) for p in option_files]
        command = ["mentorsim", "run", *map(str, files), "--reps", str(replications),
                   "--weeks", str(weeks), *(["--seed", str(seed)] if seed is not None else []),
                   "--out", str(results)]
        write_json(job_dir / SPEC, {
            "run": run, "results": str(results), "options": [str(p) for p in files],
            "replications": replications, "weeks": weeks, "seed": seed,
            "workers": min(self.workers, len(files) * replications), "command": command,
            "planned": len(files) * replications,
            "estimate_s": estimate_seconds(len(files) * replications, weeks, self.workers),
        })
        log = open(job_dir / LOG, "ab")  # noqa: SIM115 - the child holds it open
        try:
            proc = subprocess.Popen(  # an argument list: nothing typed reaches a shell
                [sys.executable, "-m", "studio.worker", str(job_dir)],
                stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True)
        finally:
            log.close()
        with self._lock:
            self._procs[run] = proc
        return job_dir

    def cancel(self, run: str) -> bool:
        """Stop run ``run`` (and its pool); True if it was running."""
        with self._lock:
            proc = self._procs.get(run)
        if proc is None or proc.poll() is not None:
            return False
        _signal_group(proc, signal.SIGTERM)
        try:
            proc.wait(CANCEL_GRACE_S)
        except subprocess.TimeoutExpired:
            _signal_group(proc, signal.SIGKILL)
            proc.wait()
        job_dir = self.folder.job_dir(run)
        if not (job_dir / STATUS).exists():
            write_json(job_dir / STATUS, {"state": "cancelled",
                                          "message": "cancelled: nothing was written"})
        return True

    def stop_all(self) -> None:
        """Cancel every run still going (the studio is stopping)."""
        with self._lock:
            runs = list(self._procs)
        for run in runs:
            self.cancel(run)

    def status(self, run: str) -> Status:
        """Where run ``run`` has got to, from its job folder."""
        job_dir = self.folder.job_dir(run)
        spec = _read_json(job_dir / SPEC) or {}
        planned = int(spec.get("planned") or 0)
        done, stage = _progress(job_dir / PROGRESS)
        final = _read_json(job_dir / STATUS)
        if final:
            state = str(final.get("state", "failed"))
            return Status(run, state, done if state != "done" else planned, planned,
                          str(final.get("message", "")))
        with self._lock:
            proc = self._procs.get(run)
        if proc is None or proc.poll() is not None:
            return Status(run, "failed", done, planned, "the run stopped without finishing "
                                                        f"(see {job_dir / LOG})")
        return Status(run, "running", done, planned, _running_message(stage, done, planned,
                                                                      spec, job_dir))


def _signal_group(proc: subprocess.Popen[bytes], sig: int) -> None:
    try:
        if hasattr(os, "killpg"):
            os.killpg(proc.pid, sig)  # the worker started its own group: it and its pool
        else:  # pragma: no cover - Windows has no process groups of this kind
            proc.terminate()
    except ProcessLookupError:
        pass


def _read_json(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _progress(path: Path) -> tuple[int, str]:
    """(runs finished, latest stage) from a progress file."""
    done, stage = 0, "starting"
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError:
        return done, stage
    for line in lines:
        try:
            record = json.loads(line)
        except ValueError:
            continue  # a line still being written
        if record.get("event") == "progress":
            done = int(record.get("done", done))
        elif record.get("event") == "stage":
            stage = str(record.get("stage", stage))
    return done, stage


def _running_message(stage: str, done: int, planned: int, spec: dict[str, Any],
                     job_dir: Path) -> str:
    if stage == "starting":
        return "Starting: loading the model…"
    if stage == "writing":
        return "Writing the results folder, spreadsheet and dashboard…"
    elapsed = time.time() - (job_dir / SPEC).stat().st_mtime
    estimate = float(spec.get("estimate_s") or 0)
    left = (elapsed / done * (planned - done)) if done else max(estimate - elapsed, 0)
    return f"{done} of {planned} runs done; about {format_duration(left)} left"
