"""Local worker processes that never outlive the command that started them.

``mentorsim run``, ``demo``, ``sweep`` and ``calibrate`` run models in a pool of
spawn-started processes (:func:`start_pool`). Two rules keep a shared machine clean:

* **Workers die with their driver.** When the driver is killed (``kill -9``, a lost
  session, a cluster job's time limit) its workers exit at once, not after their current
  task: on Linux the kernel sends them SIGKILL when their parent dies (``prctl
  PR_SET_PDEATHSIG``); everywhere a watcher thread in each worker checks every
  :data:`PARENT_POLL_S` seconds whether its parent is still the driver and ends the
  process when it is not.
* **Ctrl-C belongs to the driver.** Ctrl-C reaches every process of the terminal's
  foreground group; workers ignore it from the moment they start (they inherit an ignored
  SIGINT, so not even their start-up prints a ``KeyboardInterrupt`` traceback), and the
  driver alone decides: ``run`` stops its workers (:func:`stop_pool`) and exits with status
  130 and one line; ``sweep`` commits the finished runs first.
"""

from __future__ import annotations

import contextlib
import ctypes
import importlib
import os
import signal
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context

PARENT_POLL_S = 0.5
PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>


def _die_with_parent() -> None:
    """Linux: ask the kernel to SIGKILL this process when its parent thread ends."""
    if not sys.platform.startswith("linux"):
        return
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):
        pass  # the watcher thread still ends the process


def initialise(parent_pid: int, by_main_thread: bool = True,
               warm: Sequence[str] = (), expected_runs: int = 0) -> None:
    """Worker initializer: ignore Ctrl-C, end with the driver, import ``warm`` modules.

    Args:
        parent_pid: the driver's process id.
        by_main_thread: the pool was started by the driver's main thread, which lives as
            long as the driver (the kernel's parent-death signal follows the thread that
            started the process, so it is used only then).
        warm: modules to import now (the model takes 1-2 CPU-seconds to import), so that
            start-up overlaps the driver's own work.
        expected_runs: about how many runs this worker will do; any, and the compiled
            mechanisms are loaded now (:func:`warm_up`), overlapping the driver's
            work, rather than in the first run.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if by_main_thread:
        _die_with_parent()
    if os.getppid() != parent_pid:  # the driver died before this worker got going
        os._exit(1)

    def watch() -> None:
        while os.getppid() == parent_pid:
            time.sleep(PARENT_POLL_S)
        os._exit(1)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()
    for name in warm:  # a broken model fails each run instead, with its traceback
        with contextlib.suppress(Exception):
            importlib.import_module(name)
    if expected_runs:
        with contextlib.suppress(Exception):
            warm_up()


def warm_up() -> None:
    """Load the compiled mechanisms (numba's on-disk cache, or a first compile) by running
    a tiny model for a few weeks and building its tables, so a pool worker pays for it as
    it starts rather than in its first run."""
    from sim.model import MentoringModel
    from sim.params import ScenarioParams

    tiny = ScenarioParams().with_changes({"programme.target_mentors": 2,
                                          "programme.burn_in_weeks": 2, "run.weeks": 2})
    model = MentoringModel(tiny, 0, report_metrics=False)
    model.run_for(tiny.run.weeks)
    model.finish()
    model.tables()


@contextlib.contextmanager
def sigint_ignored() -> Iterator[None]:
    """Ignore Ctrl-C in this process while starting workers (they inherit it); elsewhere
    than the main thread, where signals cannot be set, do nothing."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def start_pool(workers: int, warm: Sequence[str] = (), expected_runs: int = 0
               ) -> ProcessPoolExecutor:
    """A pool of ``workers`` spawn-started processes, all started now (see the module
    docstring for how they end).

    Args:
        workers: processes.
        warm: modules each worker imports as it starts.
        expected_runs: about how many runs each worker will do (see :func:`initialise`).
    """
    main = threading.current_thread() is threading.main_thread()
    with sigint_ignored():
        pool = ProcessPoolExecutor(max_workers=workers, mp_context=get_context("spawn"),
                                   initializer=initialise,
                                   initargs=(os.getpid(), main, tuple(warm),
                                             expected_runs))
        for _ in range(workers):  # a process is started per task until there are `workers`
            pool.submit(os.getpid)
    return pool


def stop_pool(pool: ProcessPoolExecutor) -> None:
    """Stop a pool now: cancel what has not started and end the running workers (their
    runs are abandoned), e.g. on Ctrl-C."""
    processes = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        with contextlib.suppress(OSError, ValueError, AttributeError):
            process.terminate()
    deadline = time.monotonic() + 5.0
    for process in processes:
        with contextlib.suppress(OSError, ValueError, AttributeError, AssertionError):
            process.join(max(0.0, deadline - time.monotonic()))
