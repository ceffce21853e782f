"""Comparisons run in the background, one at a time, so the page stays responsive.

:meth:`Jobs.start` checks that nothing runs, writes the run's files into its job folder
(``.studio/<run>/`` in the working folder) and starts :mod:`studio.worker` with the same
Python (``sys.executable -m studio.worker JOB_DIR``: an argument list, never a shell) in a
new process group, all under one lock: of any number of Run requests arriving together
exactly one starts a run, and a refused one writes nothing. A worker also holds
``.studio/run.lock`` (``flock``) while it runs, so a second studio on the same folder
cannot start another beside it.

:meth:`Jobs.status` reads the worker's progress (:func:`studio.progress.read_progress`)
and status files, so the page learns how far it got without talking to it, with the time
left estimated from what runs on this machine take and moved to the measured rate as runs
finish (:mod:`sim.progress`): a comparison's said here, a decision's by
:func:`studio.decide_job.running_message`.
:meth:`Jobs.cancel` stops the process group (the worker and its pool), first politely,
then for good, and removes everything the run had written.

A worker stops itself when the studio that started it dies (it watches its parent); a
studio that starts finds what an earlier one left (:meth:`Jobs.recover`): a run still
going is followed (and can be cancelled), anything else unfinished is removed.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sim.progress import (
    blended_eta,
    estimate_seconds,
    estimate_write_seconds,
    format_duration,
    measured_overhead,
)
from sim.results import default_out_dir, folder_label, write_json
from studio.decide_job import running_message as decide_message
from studio.folder import JOBS, WorkingFolder
from studio.progress import Progress, estimate_basis, read_progress, starting_message
from studio.worker import LOG, PROGRESS, RUN_LOCK, SPEC, STATUS, lock_is_held

COMPARE, DECIDE = "compare", "decide"  # job.json's kind (a comparison's is not written)
CANCEL_GRACE_S = 5.0  # seconds a cancelled run has to clean up before it is killed


class AlreadyRunningError(RuntimeError):
    """A comparison or decision is already running (in this studio or another on the
    folder)."""


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
        self._adopted: dict[str, int] = {}  # runs an earlier studio started: process ids
        self._ended: dict[str, Status] = {}  # cancelled runs (their files are gone)
        self._lock = threading.Lock()
        self.recover()

    @property
    def lock_path(self) -> Path:
        """The file a running worker holds locked."""
        return self.folder.root / JOBS / RUN_LOCK

    def new_run_name(self, names: Sequence[str]) -> str:
        """A new results folder name: the time and the option names, cut after a word."""
        base = default_out_dir(folder_label(names)).name
        name, n = base, 2
        while (self.folder.root / name).exists() or (self.folder.job_dir(name)).exists():
            name, n = f"{base}-{n}", n + 1
        return name

    def _running_locked(self) -> str | None:
        for run, proc in self._procs.items():
            if proc.poll() is None:
                return run
        for run, pid in list(self._adopted.items()):
            if _worker_alive(pid, self.folder.job_dir(run)):
                return run
            del self._adopted[run]
        return None

    def kind(self, run: str) -> str:
        """What run ``run`` is: ``decide`` for a decision, else ``compare``."""
        spec = _read_json(self.folder.job_dir(run) / SPEC) or {}
        return str(spec.get("kind") or COMPARE)

    def running(self) -> str | None:
        """The run in progress, if any."""
        with self._lock:
            return self._running_locked()

    def start(self, run: str, prepare: Callable[[Path], Sequence[Path]], replications: int,
              weeks: int, seed: int | None = None, command: Sequence[str] | None = None,
              worlds: int = 0, world_replications: int | None = None) -> Path:
        """Start comparison ``run``: ``prepare(job_dir)`` writes its option files and returns
        them, then the worker starts; both under the studio's one lock.

        Args:
            run: the run's (results folder's) name.
            prepare: writes the run's files into its job folder; returns the option files.
            replications, weeks, seed: the run's settings.
            command: the command the manifest records (default: ``mentorsim run`` of the
                option files, with ``--worlds N --world-reps R`` when run across worlds).
            worlds: plausible worlds every option also runs in (0: none).
            world_replications: replications of each option in each world (default
                ``run --world-reps``'s).

        Returns:
            The job folder.

        Raises:
            AlreadyRunningError: a run is going (nothing is written).
        """
        if world_replications is None:
            from sim.across_worlds import DEFAULT_WORLD_REPS

            world_replications = DEFAULT_WORLD_REPS

        def settings(files: Sequence[Path]) -> dict[str, Any]:
            planned = planned_runs(len(files), replications, worlds, world_replications)
            used = min(self.workers, planned)
            in_worlds = ["--worlds", str(worlds), "--world-reps",
                         str(world_replications)] if worlds else []
            return {
                "options": [str(p) for p in files],
                "replications": replications, "weeks": weeks, "seed": seed,
                "worlds": worlds, "world_replications": world_replications,
                "workers": used,
                "command": list(command or ["mentorsim", "run", *(p.name for p in files),
                                            "--reps", str(replications), "--weeks",
                                            str(weeks), *in_worlds, "--out", run]),
                "planned": planned,
                "estimate_s": estimate_seconds(planned, weeks, used),
                "write_estimate_s": estimate_write_seconds(planned, weeks),
            }

        return self.launch(run, prepare, settings)

    def launch(self, run: str, prepare: Callable[[Path], Sequence[Path]],
               settings: Callable[[Sequence[Path]], dict[str, Any]]) -> Path:
        """Start run ``run`` of any kind: ``prepare(job_dir)`` writes its files and returns
        them, ``settings(files)`` says what the worker is to do (``job.json``, with the
        run's name, its results folder and the lock added), then the worker starts; all
        under the studio's one lock.

        Raises:
            AlreadyRunningError: a run is going (nothing is written).
        """
        with self._lock:
            if self._running_locked() or lock_is_held(self.lock_path):
                raise AlreadyRunningError("a comparison or decision is already running: wait "
                                          "for it or cancel it")
            job_dir = self.folder.job_dir(run)
            job_dir.mkdir(parents=True, exist_ok=True)
            results = self.folder.child(run)
            files = [self.folder.inside(p) for p in prepare(job_dir)]
            write_json(job_dir / SPEC, {"run": run, "results": str(results),
                                        "lock": str(self.lock_path), **settings(files)})
            log = open(job_dir / LOG, "ab")  # noqa: SIM115 - the child holds it open
            try:
                proc = subprocess.Popen(  # an argument list: nothing typed reaches a shell
                    [sys.executable, "-m", "studio.worker", str(job_dir)],
                    stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                    start_new_session=True)
            finally:
                log.close()
            self._procs[run] = proc
            spec = json.loads((job_dir / SPEC).read_text(encoding="utf-8"))
            write_json(job_dir / SPEC, {**spec, "pid": proc.pid, "started": time.time()})
        return job_dir

    def cancel(self, run: str) -> bool:
        """Stop run ``run`` (and its pool) and remove what it wrote; True if it was
        running."""
        with self._lock:
            proc = self._procs.get(run)
            pid = proc.pid if proc is not None and proc.poll() is None else \
                self._adopted.get(run)
        job_dir = self.folder.job_dir(run)
        if pid is None or (proc is None and not _worker_alive(pid, job_dir)):
            return False
        _signal_group(pid, signal.SIGTERM)
        if not _wait(proc, pid, CANCEL_GRACE_S):
            _signal_group(pid, signal.SIGKILL)
            _wait(proc, pid, CANCEL_GRACE_S)
        final = _read_json(job_dir / STATUS) or {}
        if final.get("state") == "done":  # it finished before the cancel arrived
            return False
        self._clean(run)
        with self._lock:
            self._procs.pop(run, None)
            self._adopted.pop(run, None)
            self._ended[run] = Status(run, "cancelled", 0, 0,
                                      "Cancelled: nothing was kept.")
        return True

    def _clean(self, run: str) -> None:
        """Remove a stopped run's job folder and any half-written results folder."""
        shutil.rmtree(self.folder.job_dir(run), ignore_errors=True)
        for partial in self.folder.root.glob(f".{run}.partial-*"):
            shutil.rmtree(partial, ignore_errors=True)

    def stop_all(self) -> None:
        """Cancel every run still going (the studio is stopping)."""
        with self._lock:
            runs = [*self._procs, *self._adopted]
        for run in runs:
            self.cancel(run)

    def recover(self) -> list[str]:
        """Find what an earlier studio left in the working folder: a run still going is
        followed; an unfinished run whose worker is gone is removed. Returns the runs
        followed."""
        jobs = self.folder.root / JOBS
        followed = []
        for job_dir in sorted(jobs.iterdir()) if jobs.is_dir() else []:
            if not job_dir.is_dir() or (job_dir / STATUS).exists():
                continue
            spec = _read_json(job_dir / SPEC) or {}
            pid = spec.get("pid")
            if isinstance(pid, int) and _worker_alive(pid, job_dir):
                self._adopted[job_dir.name] = pid
                followed.append(job_dir.name)
            elif time.time() - job_dir.stat().st_mtime > CANCEL_GRACE_S:
                self._clean(job_dir.name)
        return followed

    def status(self, run: str) -> Status:
        """Where run ``run`` has got to, from its job folder."""
        if run in self._ended:
            return self._ended[run]
        job_dir = self.folder.job_dir(run)
        spec = _read_json(job_dir / SPEC) or {}
        progress = read_progress(job_dir / PROGRESS, int(spec.get("workers") or 1))
        planned = planned_of(spec, progress)
        done = progress.done
        final = _read_json(job_dir / STATUS)
        if final:
            state = str(final.get("state", "failed"))
            return Status(run, state, done if state != "done" else planned, planned,
                          str(final.get("message", "")))
        with self._lock:
            going = self._running_locked() == run
        if not going:
            return Status(run, "failed", done, planned, "the run stopped without finishing "
                                                        f"(see {job_dir / LOG})")
        if spec.get("kind") == DECIDE:
            return Status(run, "running", done, planned, decide_message(progress, spec))
        return Status(run, "running", done, planned, running_message(progress, planned, spec))


def planned_of(spec: dict[str, Any], progress: Progress) -> int:
    """The runs a job plans: ``job.json``'s ``planned``; for a run in stages (``stages``:
    ``[[name, at most], ...]``), each stage's own count once it has announced it, else
    its upper bound."""
    stages = spec.get("stages")
    if not stages:
        return int(spec.get("planned") or 0)
    return sum(int(progress.announced.get(str(name), bound)) for name, bound in stages)


def planned_runs(options: int, replications: int, worlds: int = 0,
                 world_replications: int = 0) -> int:
    """Runs a comparison makes: each option's replications, and its replications in each
    plausible world.

    Example:
        >>> planned_runs(2, 10), planned_runs(2, 10, worlds=30, world_replications=5)
        (20, 320)
    """
    return options * (replications + worlds * world_replications)


def _worker_alive(pid: int, job_dir: Path) -> bool:
    """Whether process ``pid`` is a studio worker of ``job_dir`` (not a recycled pid)."""
    try:
        os.kill(pid, 0)
    except (ProcessLookupError, PermissionError):
        return False
    try:
        command = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return True  # no /proc: trust the process id
    return b"studio.worker" in command and str(job_dir).encode() in command


def _wait(proc: subprocess.Popen[bytes] | None, pid: int, timeout: float) -> bool:
    """Wait up to ``timeout`` s for the run to end; True if it did."""
    if proc is not None:
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            return False
        return True
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.1)
    return False


def _signal_group(pid: int, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        if hasattr(os, "killpg"):
            os.killpg(pid, sig)  # the worker started its own group: it and its pool
        else:  # pragma: no cover - Windows has no process groups of this kind
            os.kill(pid, sig)


def _read_json(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def running_message(progress: Progress, planned: int, spec: dict[str, Any],
                    now: float | None = None) -> str:
    """What a running comparison is doing and about how long it has left: the estimate
    from this machine's measured times (:mod:`sim.progress`) while nothing is done,
    moving to the rate measured in this run as runs finish, plus the writing."""
    now = time.time() if now is None else now
    stage, done, stage_time = progress.stage, progress.done, progress.since
    write_s = float(spec.get("write_estimate_s") or estimate_write_seconds(
        planned, int(spec.get("weeks") or 1)))
    if stage == "writing":
        left = max(write_s - (now - stage_time), 1.0) if stage_time else write_s
        return (f"All {planned} runs done; writing the results folder, spreadsheet and "
                f"dashboard: about {format_duration(left)} left")
    if stage == "starting":
        return starting_message(float(spec.get("estimate_s") or 0) + write_s
                                + measured_overhead())
    elapsed = now - stage_time if stage_time else 0.0
    prior = float(spec.get("estimate_s") or 0)
    left = blended_eta(done, planned, elapsed, prior, int(spec.get("workers") or 1),
                       progress.rate) + write_s
    return f"{done} of {planned} runs done; about {format_duration(left)} left"


def estimate_text(runs: int, weeks: int, workers: int) -> str:
    """The run form's estimate in words, from what runs on this machine have taken."""
    used = max(1, min(workers, runs))
    seconds = (estimate_seconds(runs, weeks, used) + estimate_write_seconds(runs, weeks)
               + measured_overhead())
    return (f"About {format_duration(seconds)} for {runs} runs of {weeks} weeks on "
            f"{used} worker{'s' if used != 1 else ''} ({estimate_basis()}).")
