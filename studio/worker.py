"""One comparison or decision, run in its own process: ``python -m studio.worker JOB_DIR``.

The studio (:mod:`studio.jobs`) writes ``JOB_DIR/job.json`` and starts this in a new
process group, so a cancel stops it and its pool together. A decision (``"kind":
"decide"``) is run by :func:`studio.decide_job.run_job`; what follows is a comparison's
run, and everything else (the lock, the watch, the status) is shared. It loads the option
files as
``mentorsim run`` loads its scenarios (the first option's run settings shared by all),
runs them on paired seeds with :mod:`sim.runner`, and writes the results folder with the
writers ``mentorsim run`` uses: the tables, ``summary.csv``, ``manifest.json``,
``summary.xlsx`` and ``dashboard.html``, atomically (a cancelled run leaves no folder).

Progress goes to ``JOB_DIR/progress.jsonl``, one JSON record a line: ``{"event":
"stage", "stage": ..., "time": ...}`` (:func:`studio.progress.stage`) and
:class:`sim.progress.Progress` records (``log="json"``, one per finished batch of runs).
The outcome goes to ``JOB_DIR/status.json``.

While it runs the worker holds ``.studio/run.lock`` (``flock``: released by the system
when the process ends, however it ends), so no second run starts beside it, and it
watches the studio that started it: when that process dies (``kill -9``, a crash) the
worker stops as a cancel would and removes its job folder, leaving nothing behind. What
the run took is recorded for the next estimates (:func:`sim.progress.record_run`), and
the manifest names the option files as they are downloaded, not their copies here.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import shutil
import signal
import sys
import threading
import time
import traceback
from collections.abc import Sequence
from pathlib import Path
from typing import Any, BinaryIO, TextIO

from sim.errors import UserError
from sim.worlds import DEFAULT_WORLD_REPS
from studio.progress import stage

SPEC = "job.json"
PROGRESS = "progress.jsonl"
STATUS = "status.json"
LOG = "log.txt"
RUN_LOCK = "run.lock"  # in .studio/: held by the worker of the run in progress
PARENT_CHECK_S = 0.5  # how often a worker looks for the studio that started it
STARTED = time.perf_counter()  # (near) when this process started: its loading is overhead


def take_lock(path: Path) -> BinaryIO | None:
    """Hold ``path`` locked (exclusively, not waiting); the open file, or None when
    another process holds it. The lock goes with the process, however it ends."""
    import fcntl

    path.parent.mkdir(parents=True, exist_ok=True)
    handle = open(path, "ab")  # noqa: SIM115 - held for the life of the run
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        handle.close()
        return None
    return handle


def lock_is_held(path: Path) -> bool:
    """Whether a process holds ``path`` locked (a run in progress)."""
    if not path.exists():
        return False
    handle = take_lock(path)
    if handle is None:
        return True
    handle.close()  # closing releases it
    return False


def watch_parent(parent: int, stop: threading.Event) -> threading.Thread:
    """A thread that sends this process SIGTERM (a cancel) when process ``parent`` is no
    longer its parent: the studio that started it has died."""
    def watch() -> None:
        while not stop.wait(PARENT_CHECK_S):
            if os.getppid() != parent:
                os.kill(os.getpid(), signal.SIGTERM)
                return

    thread = threading.Thread(target=watch, name="studio-watch", daemon=True)
    thread.start()
    return thread


def _interrupt(_signum: int, _frame: object) -> None:
    raise KeyboardInterrupt  # a cancel: unwind, so the half-written folder is removed


def write_status(job_dir: Path, state: str, message: str = "", **extra: Any) -> None:
    """Record how the run ended (``done``, ``failed`` or ``cancelled``)."""
    from sim.results import write_json

    write_json(job_dir / STATUS, {"state": state, "message": message, **extra})


def run(spec: dict[str, Any], progress: TextIO) -> Path:
    """Run the comparison ``spec`` describes and write its results folder."""
    from sim.scenario import load_scenario

    refs = [str(p) for p in spec["options"]]
    first = load_scenario(refs[0], None, {"weeks": spec.get("weeks"), "seed": spec.get("seed"),
                                          "replications": spec.get("replications")})
    settings = first.params.run
    shared = {"weeks": settings.weeks, "seed": settings.seed,
              "replications": settings.replications}
    scenarios = [first] + [load_scenario(r, None, shared) for r in refs[1:]]
    # the manifest names each option by the file a planner downloads, not its copy here
    scenarios = [dataclasses.replace(s, source=Path(r).name) for s, r in
                 zip(scenarios, refs, strict=True)]
    names = [s.name for s in scenarios]
    if len(set(names)) != len(names):
        raise UserError(f"scenario names must differ, got {', '.join(names)}")
    worlds = int(spec.get("worlds") or 0)
    world_reps = int(spec.get("world_replications") or DEFAULT_WORLD_REPS)
    runs = len(scenarios) * (settings.replications + worlds * world_reps)
    stage(progress, "running", planned=runs)

    from dashboards.report import write_dashboard
    from sim.comparison import run_comparison, write_comparison
    from sim.progress import Progress
    from sim.results import write_folder

    start = time.perf_counter()
    workers = int(spec.get("workers") or 1)
    # one display for every run (in worlds too), as JSON records the page reads
    bar = Progress(runs, stream=progress, every_s=0.0, log="json", workers=workers)
    with bar:
        comparison = run_comparison(scenarios, workers, list(spec["command"]), worlds=worlds,
                                    world_reps=world_reps, bar=bar, world_bar=bar)
    simulated = time.perf_counter()
    stage(progress, "writing")
    out = write_folder(Path(spec["results"]),
                       lambda folder: write_comparison(folder, comparison, write_dashboard))
    from sim.progress import record_run

    record_run(runs, settings.weeks, workers, simulated - start,
               time.perf_counter() - simulated, start - STARTED)
    return out


def run_job(spec: dict[str, Any], progress: TextIO) -> Path:
    """Run the job ``spec`` describes, a comparison or a decision."""
    if spec.get("kind") == "decide":
        from studio.decide_job import run_job as run_decision_job

        return run_decision_job(spec, progress, STARTED)
    return run(spec, progress)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; returns 0 done, 2 invalid input, 130 cancelled, 1 failed."""
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) != 1:
        print("usage: python -m studio.worker JOB_DIR", file=sys.stderr)
        return 2
    job_dir = Path(args[0]).resolve()
    spec = json.loads((job_dir / SPEC).read_text(encoding="utf-8"))
    signal.signal(signal.SIGTERM, _interrupt)
    lock = take_lock(Path(spec["lock"])) if spec.get("lock") else None
    if spec.get("lock") and lock is None:
        write_status(job_dir, "failed", "another comparison or decision is running in this "
                                        "working folder; wait for it or cancel it")
        return 2
    parent = os.getppid()
    stop = threading.Event()
    watch_parent(parent, stop)
    with lock or contextlib.nullcontext(), \
            open(job_dir / PROGRESS, "a", encoding="utf-8", buffering=1) as progress:
        stage(progress, "starting")
        try:
            out = run_job(spec, progress)
        except KeyboardInterrupt:
            stop.set()
            if os.getppid() != parent:  # the studio has gone: leave nothing behind
                shutil.rmtree(job_dir, ignore_errors=True)
                return 130
            write_status(job_dir, "cancelled", "cancelled: nothing was kept")
            return 130
        except UserError as exc:
            write_status(job_dir, "failed", str(exc))
            return 2
        except Exception as exc:  # noqa: BLE001 - any failure is reported to the page
            traceback.print_exc()
            write_status(job_dir, "failed", f"the run failed: {type(exc).__name__}: {exc} "
                                            f"(details in {job_dir / LOG})")
            return 1
    stop.set()
    write_status(job_dir, "done", f"results: {out}", results=out.name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
