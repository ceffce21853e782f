"""Where runs execute: a :class:`concurrent.futures.Executor`, chosen by the options.

* ``workers == 1``: :class:`SerialExecutor`, in the driver process (debugging, tests);
* ``workers > 1``: a local :class:`~concurrent.futures.ProcessPoolExecutor` started with
  the ``spawn`` method (clean interpreters, safe with threads, same on every OS);
* ``scheduler="tcp://host:8786"``: an existing dask.distributed cluster through
  ``Client(address).get_executor()``. dask is an optional extra, imported only here.

The engine submits batches of runs (:func:`sim.sweep.worker.execute_batch`), only ever
calls ``submit`` and waits on the futures, so any other Executor (e.g.
``mpi4py.futures.MPIPoolExecutor``) can be passed to :func:`sim.sweep.engine.run_sweep`.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Executor, Future
from dataclasses import dataclass, field
from typing import Any

from sim.errors import UserError
from sim.workers import start_pool

DASK_CONNECT_TIMEOUT_S = 20


class SerialExecutor(Executor):
    """Runs each task at submission, in this process; returns completed futures."""

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        """Run ``fn(*args, **kwargs)`` now and return its finished future."""
        future: Future[Any] = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as exc:  # delivered through the future, as a pool would
            if isinstance(exc, KeyboardInterrupt | SystemExit):
                raise
            future.set_exception(exc)
        return future


@dataclass
class Backend:
    """An executor plus what the engine needs to know about it.

    Attributes:
        executor: where tasks go.
        slots: tasks that can run at once (sizes the in-flight window).
        description: for the log and the manifest.
        restart: builds a fresh executor after a worker process died (local pools only).
        close: releases the executor (and the dask client).
    """

    executor: Executor
    slots: int
    description: str
    restart: Callable[[], Executor] | None = None
    close: Callable[[], None] = field(default=lambda: None)
    info: dict[str, Any] = field(default_factory=dict)


def _process_pool(workers: int, expected_runs: int = 0) -> Executor:
    """A spawn-based pool whose ``workers`` processes start (and import the model) now,
    so they warm up while the driver prepares the sweep folder; they leave Ctrl-C to the
    driver (which commits and stops) and exit when the driver dies (e.g. ``kill -9``)
    instead of lingering (:mod:`sim.workers`)."""
    return start_pool(workers, warm=("sim.runner", "sim.sweep.worker"),
                      expected_runs=expected_runs)


def local_backend(workers: int, expected_runs: int = 0) -> Backend:
    """Serial for one worker, else a spawn-based process pool of ``workers``, started once
    (it serves every task of the command; it is replaced only if a worker dies);
    ``expected_runs`` (the sweep's) lets each worker load the compiled mechanisms as it
    starts."""
    if workers <= 1:
        return Backend(SerialExecutor(), 1, "serial (in the driver process)",
                       info={"kind": "serial", "workers": 1})
    per_worker = expected_runs // workers
    holder: dict[str, Executor] = {"pool": _process_pool(workers, per_worker)}

    def restart() -> Executor:
        holder["pool"].shutdown(wait=False, cancel_futures=True)
        holder["pool"] = _process_pool(workers, per_worker)
        return holder["pool"]

    def close() -> None:
        holder["pool"].shutdown(wait=True, cancel_futures=True)

    return Backend(holder["pool"], workers, f"{workers} local processes", restart, close,
                   info={"kind": "processes", "workers": workers})


def dask_backend(address: str) -> Backend:
    """Connect to a running dask scheduler and use its executor.

    Args:
        address: the scheduler, e.g. ``tcp://10.0.0.5:8786``.

    Raises:
        UserError: when dask is not installed or the scheduler cannot be reached.
    """
    try:
        from distributed import Client
    except ImportError:
        raise UserError("--scheduler needs dask.distributed: pip install 'mentorsim[dask]' "
                        "(or pip install \"dask[distributed]\")") from None
    try:
        client = Client(address, timeout=DASK_CONNECT_TIMEOUT_S, set_as_default=False)
    except (OSError, TimeoutError) as exc:
        raise UserError(f"--scheduler {address}: cannot connect to a dask scheduler ({exc}); "
                        "start one with `dask scheduler` and workers with "
                        f"`dask worker {address}`") from None
    threads = sum(client.nthreads().values())
    # pure=False: a retry of the same run must run again, not reuse a cached result.
    executor = client.get_executor(pure=False)

    def close() -> None:
        executor.shutdown(wait=False)
        client.close()

    return Backend(executor, max(threads, 1),
                   f"dask scheduler {address} ({threads} worker threads)", None, close,
                   info={"kind": "dask", "scheduler": address, "worker_threads": threads})


def open_backend(workers: int, scheduler: str | None, expected_runs: int = 0) -> Backend:
    """The backend the command-line options ask for (``expected_runs``: the sweep's)."""
    if scheduler:
        return dask_backend(scheduler)
    return local_backend(workers, expected_runs)
