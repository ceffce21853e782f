"""The sweep driver: schedule runs on an Executor, commit results, never lose work.

The driver sends runs to the executor in tasks of several runs each (a few seconds of
work, smaller towards the end so the workers finish together: see :func:`runs_per_task`),
keeps a bounded window of tasks in flight, turns each finished run into one small row
(metrics + the point's parameters), and commits rows in batches: part file first, then
ledger lines (see :mod:`sim.sweep.ledger`). Its memory holds the points table, the set of
finished run keys and at most one batch, so it stays flat as a sweep grows; the summaries
at the end are computed a block of points at a time
(:func:`sim.sweep.analysis.stream_summaries`).

A run that raises is recorded in the ledger with its traceback and retried up to
``retries`` times; a worker process that dies is replaced and its runs retried the same
way. Neither aborts the sweep. Ctrl-C (or SIGTERM from a cluster scheduler) commits what
has finished and stops; ``--resume`` continues from the ledger.
"""

from __future__ import annotations

import contextlib
import shutil
import signal
import threading
import time
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from sim.errors import UserError
from sim.files import check_parent, write_atomically
from sim.metrics import METRICS
from sim.sweep import manifest as manifests
from sim.sweep.adaptive import AdaptivePlanner, Planner
from sim.sweep.designs import Design, make_design
from sim.sweep.executors import Backend, SerialExecutor, open_backend
from sim.sweep.integrity import check_parts, lost_record, set_aside
from sim.sweep.ledger import Ledger, LedgerState, read_ledger
from sim.sweep.progress import Progress, sweep_progress
from sim.sweep.run_counts import RunCountsFile
from sim.sweep.seeds import RunKey, replication_seed, run_id
from sim.sweep.spec import Sweep
from sim.sweep.storage import (
    FolderLock,
    SweepFolder,
    file_digest,
    iter_run_parts,
    next_part_seq,
    part_name,
    remove_orphans,
    write_parquet_atomic,
)
from sim.sweep.variants import check_points, point_overrides
from sim.sweep.worker import RunResult, RunTask, execute_batch, fault_for

TICK_S = 0.5
TASKS_PER_SLOT = 4  # aim for at least this many tasks per worker (load balance)
MAX_RUNS_PER_TASK = 32
TASK_SECONDS = 3.0  # about this much work per task, once run times are known


def runs_per_task(remaining: int, slots: int, cap: int = MAX_RUNS_PER_TASK,
                  run_seconds: float | None = None) -> int:
    """How many runs the next task carries.

    About ``remaining / (TASKS_PER_SLOT * slots)``, so tasks shrink as the sweep nears its
    end and the workers finish together; at most ``cap``; and, once the mean run time
    ``run_seconds`` is known, about :data:`TASK_SECONDS` of work (1 run before that). A
    task's runs come back together, so this bounds the work lost with a dying worker, the
    wait between commits and how long Ctrl-C waits for running tasks; it is big enough that
    the executor's cost per task (a few ms) is negligible.

    Example:
        >>> runs_per_task(240, 2, run_seconds=0.1), runs_per_task(20, 2, run_seconds=0.1)
        (30, 3)
        >>> runs_per_task(240, 2, run_seconds=0.5), runs_per_task(240, 2)
        (6, 1)
    """
    if run_seconds is None:
        return 1
    by_time = int(TASK_SECONDS / run_seconds) if run_seconds > 0 else cap
    by_share = -(-remaining // (TASKS_PER_SLOT * max(slots, 1)))
    return max(1, min(cap, by_time, by_share))


@dataclass
class SweepReport:
    """How a sweep (session) ended.

    Attributes:
        status: ``complete``, ``complete_with_failures`` or ``interrupted``.
        done, failed, planned: runs over all sessions (failed = gave up, not done).
        session_done: runs finished by this session.
        failures: one-line error -> runs that ended with it.
    """

    folder: Path
    status: str
    points: int
    planned: int
    done: int
    failed: int
    session_done: int
    wall_time_s: float
    backend: str
    orphans_removed: int = 0
    failures: dict[str, list[RunKey]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


class SweepInterruptedError(Exception):
    """The sweep stopped on Ctrl-C or SIGTERM after committing finished runs."""

    def __init__(self, report: SweepReport) -> None:
        super().__init__(f"interrupted after {report.done} of {report.planned} runs")
        self.report = report


def make_planner(sweep: Sweep, points: int) -> Planner:
    """Fixed or adaptive replications, as the spec says."""
    reps = sweep.replications
    if not reps.adaptive:
        return Planner(points, reps.initial)
    return AdaptivePlanner(points, reps.initial, reps.maximum, float(reps.rel_half_width),
                           len(sweep.adaptive_outcomes), reps.confidence, reps.step)


def _init_folder(sweep: Sweep, design: Design, folder: SweepFolder) -> dict:
    folder.root.mkdir(parents=True, exist_ok=True)
    write_parquet_atomic(design.points.reset_index(), folder.points)
    if design.unit is not None:
        unit = pd.DataFrame(design.unit, columns=sweep.unit_names())
        unit.insert(0, "point_id", np.arange(len(unit)))
        write_parquet_atomic(unit, folder.unit)
    if Path(sweep.source).is_file():
        write_atomically(folder.spec, lambda tmp: shutil.copyfile(sweep.source, tmp))
    manifest = manifests.build_manifest(sweep, design)
    manifests.save(folder.manifest, manifest)  # last: a folder with a manifest is complete
    return manifest


def _options_text(reps: int | None, changes: dict) -> str:
    parts = ([f"--reps {reps}"] if reps is not None else []) + [
        f"--set {k}={_toml(v)}" for k, v in sorted(changes.items())]
    return " ".join(parts) or "no --reps or --set"


def _toml(value: object) -> str:
    return str(value).lower() if isinstance(value, bool) else (
        f'"{value}"' if isinstance(value, str) else str(value))


def _check_same_options(out: Path, manifest: dict, sweep: Sweep) -> None:
    """Refuse to resume with other ``--reps``/``--set`` than the sweep started with (or
    with a spec whose replications changed), naming the old and the new value."""
    before = manifest.get("options") if isinstance(manifest.get("options"), dict) else {}
    old_reps, old_set = before.get("reps"), dict(before.get("set") or {})
    new_reps, new_set = sweep.options.get("reps"), dict(sweep.options.get("set") or {})
    again = (f"resume with the same options ({_options_text(old_reps, old_set)}), or choose "
             "a new folder")
    if old_reps != new_reps:
        then = f"--reps {old_reps}" if old_reps is not None else "the spec's replications"
        now = f"--reps {new_reps}" if new_reps is not None else "no --reps"
        raise UserError(f"--out {out}: the sweep was started with {then}, this command gives "
                        f"{now}; {again} (to add replications, give --top-up with the higher "
                        "--reps)")
    for key in sorted(set(old_set) | set(new_set)):
        if key not in new_set:
            raise UserError(f"--out {out}: the sweep was started with --set "
                            f"{key}={_toml(old_set[key])}, this command does not set {key}; "
                            f"{again}")
        if key not in old_set:
            raise UserError(f"--out {out}: the sweep was started without --set {key}, this "
                            f"command gives --set {key}={_toml(new_set[key])}; {again}")
        if repr(old_set[key]) != repr(new_set[key]):
            raise UserError(f"--out {out}: the sweep was started with --set "
                            f"{key}={_toml(old_set[key])}, this command gives --set "
                            f"{key}={_toml(new_set[key])}; {again}")
    reps = sweep.replications
    now_reps = ({"mode": "fixed", "count": reps.count} if not reps.adaptive else
                {"mode": "adaptive", "min": reps.min, "max": reps.max})
    then_reps = {k: manifest["replications"].get(k) for k in now_reps}
    if then_reps != now_reps:
        raise UserError(f"--out {out}: the sweep was started with replications "
                        f"{_reps_text(then_reps)}, the spec now says {_reps_text(now_reps)}; "
                        "resume with the spec it started with, or choose a new folder")


def _reps_text(reps: dict) -> str:
    if reps.get("mode") == "fixed":
        return f"count = {reps.get('count')}"
    return f"min = {reps.get('min')}, max = {reps.get('max')} (adaptive)"


def _top_up(out: Path, folder: SweepFolder, manifest: dict, sweep: Sweep,
            write: bool = True) -> list[str]:
    """Raise the folder's fixed replication count to the sweep's (``--top-up``): the same
    points and seeds, replications ``old..new-1`` added to every point (replication k
    keeps its seed, so the runs already made stay paired with the new ones)."""
    reps, before = sweep.replications, manifest["replications"]
    old = before.get("count")
    if manifest.get("points_hash") != sweep.points_hash:
        raise UserError(f"--out {out}: --top-up adds replications to the same points, but "
                        "the spec, its base scenario or --set differ from the sweep's (or "
                        "the folder was made by an older mentorsim); choose a new folder")
    if reps.adaptive or before.get("mode") != "fixed":
        raise UserError(f"--out {out}: --top-up needs a fixed number of replications "
                        "(replications = N or --reps N); an adaptive sweep adds them itself")
    if reps.count is None or old is None or reps.count < old:
        raise UserError(f"--out {out}: the sweep has {old} replications per point and "
                        f"--top-up cannot remove any (asked for {reps.count}); give "
                        f"--reps above {old}")
    manifest["replications"] = {"mode": "fixed", "count": reps.count}
    manifest["options"] = {**manifest.get("options", {}), "reps": sweep.options.get("reps")}
    manifest["spec_hash"] = sweep.spec_hash
    manifest.setdefault("top_ups", []).append({"utc": manifests.utc_now(), "from": old,
                                               "to": reps.count})
    manifest["replication_seeds"] = [replication_seed(sweep.root_seed, k) for k in
                                     range(min(reps.count, manifests.MAX_LISTED_SEEDS))]
    if write:
        if Path(sweep.source).is_file():
            write_atomically(folder.spec, lambda tmp: shutil.copyfile(sweep.source, tmp))
        manifests.save(folder.manifest, manifest)
    if reps.count == old:
        return []
    return [f"topped up from {old} to {reps.count} replications per point (replications "
            f"{old}-{reps.count - 1} added, on their usual seeds)"]


def open_folder(sweep: Sweep, design: Design, out: Path, resume: bool, top_up: bool = False,
                write: bool = True) -> tuple[SweepFolder, dict, bool, list[str]]:
    """Create the sweep folder, or reopen it for ``--resume`` (same spec hash only) or
    ``--top-up`` (more replications of the same points); with ``write`` False, only check
    that it can be done (before any worker is started), changing nothing."""
    folder = SweepFolder(out)
    if folder.is_sweep():
        if not (resume or top_up):
            raise UserError(f"--out {out}: already holds a sweep; add --resume to continue "
                            "it (or --top-up with a higher --reps to add replications), or "
                            "choose a new folder")
        manifest = manifests.read_manifest(folder.manifest)
        notes = _top_up(out, folder, manifest, sweep, write) if top_up else []
        _check_same_options(out, manifest, sweep)
        if manifest.get("spec_hash") != sweep.spec_hash:
            raise UserError(f"--out {out}: was started from a different spec or base "
                            f"scenario (hash {str(manifest.get('spec_hash'))[:12]}, now "
                            f"{sweep.spec_hash[:12]}); resume with the same spec, or "
                            "choose a new folder")
        return folder, manifest, True, notes
    if out.exists() and (folder.ledger.exists() or folder.runs.exists()):
        raise UserError(f"--out {out}: has sweep data but no sweep_manifest.json; "
                        "choose a new folder")
    if out.exists() and not out.is_dir():
        raise UserError(f"--out {out}: exists and is not a folder")
    if not out.exists():
        check_parent(out)
    if out.exists() and any(p.name not in (folder.points.name, folder.unit.name,
                                           folder.spec.name) and not p.name.startswith(".")
                            for p in out.iterdir()):
        raise UserError(f"--out {out}: exists and is not a sweep folder; choose a new folder")
    if not write:
        return folder, {}, False, []
    return folder, _init_folder(sweep, design, folder), False, []


class _Driver:
    """The scheduling loop of one session (state kept together for readability)."""

    def __init__(self, sweep: Sweep, design: Design, folder: SweepFolder, backend: Backend,
                 state: LedgerState, ledger: Ledger, retries: int, batch_size: int,
                 flush_seconds: float, progress: Progress,
                 max_runs_per_task: int | None = None) -> None:
        self.sweep, self.points, self.folder = sweep, design.points, folder
        self.backend, self.executor = backend, backend.executor
        self.ledger, self.retries = ledger, retries
        self.batch_size, self.flush_seconds = batch_size, flush_seconds
        self.progress = progress
        self.planner = make_planner(sweep, len(design.points))
        self.done: set[RunKey] = set(state.done)
        self.failed: dict[RunKey, str] = {}
        self.prior_attempts = dict(state.attempts)
        self.attempts: dict[RunKey, int] = {}
        self.pending: deque[RunKey] = deque()
        self.in_flight: dict[Future[list[RunResult]], tuple[RunKey, ...]] = {}
        self.suspects: deque[RunKey] = deque()  # lost with a dying worker; run alone
        self.isolated: RunKey | None = None
        self.buffer: list[RunResult] = []
        self.buffer_since = 0.0
        self.broken = False  # the pool broke while a task was being submitted
        named = [int(p.removeprefix("part-")) for p in (*state.parts, *state.lost_parts)
                 if p.removeprefix("part-").isdigit()]
        self.part_seq = max([next_part_seq(folder), *(n + 1 for n in named)])  # never reused
        self.progress_file = RunCountsFile(folder.progress)
        self.session_done = 0
        self.run_time_s = 0.0
        self.ok_runs, self.ok_run_time_s = 0, 0.0  # sizes tasks (runs_per_task)
        self.metric_names = list(METRICS)
        serial = isinstance(backend.executor, SerialExecutor)
        # tasks in flight: one running and one queued per slot keeps every worker busy
        self.window = 1 if serial else max(2 * backend.slots, 4)
        self.max_runs_per_task = 1 if serial else (max_runs_per_task or MAX_RUNS_PER_TASK)
        outcome_index = [self.metric_names.index(o) for o in sweep.adaptive_outcomes]
        self.outcome_index = np.array(outcome_index, dtype=int)
        self.known = self._known_values(state) if self.planner.needs_values else {}

    # --- scheduling ---------------------------------------------------------------------
    def _known_values(self, state: LedgerState) -> dict[RunKey, np.ndarray]:
        outcomes = self.sweep.adaptive_outcomes
        known: dict[RunKey, np.ndarray] = {}
        for frame in iter_run_parts(self.folder, state, columns=outcomes):
            values = frame[outcomes].to_numpy(dtype=float)
            for (p, r), row in zip(zip(frame["point_id"], frame["replication"], strict=True),
                                   values, strict=True):
                known[(int(p), int(r))] = row
        return known

    def schedule(self, keys: Iterable[RunKey]) -> None:
        """Queue runs; runs finished earlier are fed straight back to the planner."""
        work = deque(keys)
        while work:
            key = work.popleft()
            if key in self.done:
                work.extend(self.planner.record(key, self.known.pop(key, None)))
            else:
                self.pending.append(key)

    def _task(self, key: RunKey) -> RunTask:
        attempt = self.prior_attempts.get(key, 0) + self.attempts.get(key, 0) + 1
        return RunTask(key[0], key[1], replication_seed(self.sweep.root_seed, key[1]), attempt,
                       self.sweep.base, point_overrides(self.points, key[0]),
                       tuple(self.sweep.spec.output.agent_tables), fault_for(*key))

    # --- results ------------------------------------------------------------------------
    def handle(self, result: RunResult, requeue: deque[RunKey] | None = None) -> None:
        """Buffer a finished run, or record a failure and retry (via ``requeue``, by
        default the pending queue) or give up."""
        key = (result.point_id, result.replication)
        if key in self.done:  # a duplicate delivery (e.g. a cluster re-ran a task): keep one
            return
        self.run_time_s += result.wall_time_s
        if result.ok:
            self.ok_runs += 1
            self.ok_run_time_s += result.wall_time_s
            if not self.buffer:
                self.buffer_since = time.monotonic()
            self.buffer.append(result)
            self.done.add(key)
            self.session_done += 1
            if self.planner.needs_values:
                values = np.array([result.metrics.get(self.metric_names[i], np.nan)
                                   for i in self.outcome_index])
                self.schedule(self.planner.record(key, values))
            return
        self.attempts[key] = self.attempts.get(key, 0) + 1
        final = self.attempts[key] > self.retries
        self.ledger.append([{"type": "failed", "run": run_id(key), "attempt": result.attempt,
                             "final": final, "error": result.error,
                             "traceback": result.traceback, "worker": result.worker}])
        if final:
            self.failed[key] = result.error
            self.schedule(self.planner.record(key, None))
        else:
            (self.pending if requeue is None else requeue).appendleft(key)

    def lost(self, key: RunKey, exc: BaseException) -> RunResult:
        """A run whose worker died or whose future failed outside the model."""
        return RunResult(key[0], key[1], self.prior_attempts.get(key, 0)
                         + self.attempts.get(key, 0) + 1, ok=False,
                         error=f"worker lost: {type(exc).__name__}: {exc}"[:500])

    def flush(self, force: bool = False) -> None:
        """Commit buffered runs: part files first, then their ledger lines."""
        if not self.buffer:
            return
        due = (len(self.buffer) >= self.batch_size
               or time.monotonic() - self.buffer_since >= self.flush_seconds)
        if not (force or due):
            return
        name = part_name(self.part_seq)
        self.part_seq += 1
        files = [self.folder.runs / f"{name}.parquet"]
        write_parquet_atomic(self._rows(self.buffer), files[0])
        for table in self.sweep.spec.output.agent_tables:
            parts = [pq.read_table(pa.BufferReader(r.tables[table])) for r in self.buffer]
            files.append(self.folder.tables / table / f"{name}.parquet")
            write_parquet_atomic(pa.concat_tables(parts, promote_options="permissive"),
                                 files[-1])
        # the files' digests go in the same fsynced append as the runs they vouch for
        digests = {f.relative_to(self.folder.root).as_posix(): file_digest(f.read_bytes())
                   for f in files}
        self.ledger.append([{"type": "part", "part": name, "sha256": digests},
                            *({"type": "done", "run": run_id((r.point_id, r.replication)),
                               "part": name, "attempt": r.attempt,
                               "wall_s": round(r.wall_time_s, 4), "worker": r.worker}
                              for r in self.buffer)])
        self.buffer = []

    def _rows(self, results: list[RunResult]) -> pd.DataFrame:
        ids = [r.point_id for r in results]
        head = pd.DataFrame({
            "point_id": np.array(ids, dtype="int64"),
            "replication": np.array([r.replication for r in results], dtype="int64"),
            "seed": np.array([replication_seed(self.sweep.root_seed, r.replication)
                              for r in results], dtype="int64")})
        params = self.points.loc[ids].reset_index(drop=True)
        metrics = pd.DataFrame([[r.metrics.get(m, np.nan) for m in self.metric_names]
                                for r in results], columns=self.metric_names, dtype="float64")
        return pd.concat([head, params, metrics], axis=1)

    # --- the loop -----------------------------------------------------------------------
    def _update_progress(self, force: bool = False) -> None:
        self.progress.update(len(self.done), len(self.failed), self.planner.planned,
                             self.planner.exact, force)
        # for sweep-status: runs finished but not yet in a part file (committed in batches)
        self.progress_file.update(len(self.done), len(self.done) - len(self.buffer),
                                  len(self.failed), self.planner.planned, force)

    def run(self) -> None:
        """Run until nothing is pending or in flight."""
        self.schedule(self.planner.initial())
        self._update_progress(force=True)
        while self.pending or self.in_flight or self.suspects:
            self.broken = False
            self._submit()
            finished, _ = wait(list(self.in_flight), timeout=0 if self.broken else TICK_S,
                               return_when=FIRST_COMPLETED)
            broken = self.broken
            # handled in run order, so a serial sweep writes its parts in a fixed order
            for future in sorted(finished, key=self.in_flight.__getitem__):
                keys = self.in_flight.pop(future)
                try:
                    results = future.result()
                except BrokenProcessPool as exc:
                    broken = True
                    for key in keys:
                        self._lost_to_broken_pool(key, exc)
                except Exception as exc:  # e.g. dask KilledWorker, CancelledError
                    for key in keys:
                        self.handle(self.lost(key, exc))
                else:
                    for result in results:
                        self.handle(result)
            if broken:
                self._recover()
            self.flush()
            self._update_progress()
        self.flush(force=True)
        self._update_progress()

    def _send(self, keys: tuple[RunKey, ...]) -> bool:
        """Submit one task; False when the pool broke before it could take it (a worker
        died): the runs go back to the front of the queue, uncharged, and the pool is
        replaced (:meth:`_recover`), as when a broken pool is found on reading."""
        tasks = [self._task(key) for key in keys]
        try:
            future = self.executor.submit(execute_batch, tasks)
        except BrokenProcessPool:
            self.pending.extendleft(reversed([k for k in keys if k != self.isolated]))
            if self.isolated in keys:
                self.suspects.appendleft(self.isolated)
            self.broken = True
            return False
        self.in_flight[future] = keys
        return True

    def _submit(self) -> None:
        """Fill the window with tasks of several runs; while runs are under suspicion,
        run them one at a time."""
        if self.suspects:
            if not self.in_flight:
                self.isolated = self.suspects.popleft()
                self._send((self.isolated,))
            return
        self.isolated = None
        while self.pending and len(self.in_flight) < self.window:
            mean = self.ok_run_time_s / self.ok_runs if self.ok_runs else None
            size = runs_per_task(len(self.pending), self.backend.slots, self.max_runs_per_task,
                                 mean)
            if not self._send(tuple(self.pending.popleft()
                                    for _ in range(min(size, len(self.pending))))):
                return

    def _lost_to_broken_pool(self, key: RunKey, exc: BaseException) -> None:
        """A worker process died. Every run in the pool is lost, but only one (at most)
        killed it: the lost runs are re-run one at a time, and only a run that breaks the
        pool while running alone is charged an attempt."""
        if key == self.isolated:
            self.handle(self.lost(key, exc), requeue=self.suspects)
        elif key not in self.suspects:
            self.suspects.append(key)

    def _recover(self) -> None:
        """Collect the broken pool's other futures, then start a new pool."""
        for future, keys in list(self.in_flight.items()):
            try:
                results = future.result(timeout=60)
            except Exception as exc:  # all futures of a broken pool raise
                for key in keys:
                    self._lost_to_broken_pool(key, exc)
            else:
                for result in results:
                    self.handle(result)
            del self.in_flight[future]
        if self.backend.restart is None:
            raise RuntimeError("the executor broke and cannot be restarted")
        self.executor = self.backend.restart()


@contextlib.contextmanager
def signals_ignored() -> Iterator[None]:
    """Ctrl-C and SIGTERM are ignored while the block commits what is finished (seconds
    at most): the sweep is stopping or done already, and a second press must not cut the
    commit short (only the main thread can set handlers; elsewhere nothing changes)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {s: signal.signal(s, signal.SIG_IGN) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


def _code_change_notes(manifest: dict) -> list[str]:
    """Warn when a resumed sweep runs different code than the one it started with."""
    from sim.results import git_commit, versions

    then = (manifest.get("mentorsim_version"), manifest.get("git_commit"))
    now = (versions()["mentorsim_version"], git_commit())
    if then == now:
        return []
    return [f"this session runs mentorsim {now[0]} (commit {str(now[1])[:12]}), the sweep "
            f"started with {then[0]} (commit {str(then[1])[:12]}); if the model changed, "
            "runs from the two differ (each session's code is in the manifest's timings)"]


def run_sweep(sweep: Sweep, out: Path, *, workers: int = 1, scheduler: str | None = None,
              backend: Backend | None = None, resume: bool = False, retries: int = 2,
              batch_size: int = 100, flush_seconds: float = 60.0, progress_every_s: float = 30.0,
              show_progress: bool = True, max_runs_per_task: int | None = None,
              top_up: bool = False, progress_stream: TextIO | None = None) -> SweepReport:
    """Run (or resume) a sweep into ``out``.

    Args:
        sweep: a resolved spec (:func:`sim.sweep.spec.load_spec`).
        out: the sweep folder.
        workers: local processes (1 runs serially in this process).
        scheduler: a dask scheduler address; overrides ``workers``.
        backend: an already opened backend (tests, other executors); overrides both.
        resume: continue the sweep in ``out`` (same spec), skipping finished runs.
        top_up: like ``resume``, after raising the folder's fixed replication count to the
            spec's (``--reps``): every point gets the added replications.
        retries: extra attempts for a run that fails.
        batch_size, flush_seconds: commit a part file after this many runs or seconds.
        progress_every_s: seconds between progress records when stderr is not a terminal.
        show_progress: report progress on stderr (or ``progress_stream``).
        progress_stream: where progress goes instead of stderr (e.g. a web page's log).
        max_runs_per_task: most runs sent to a worker in one task (default
            :data:`MAX_RUNS_PER_TASK`; tasks are smaller when runs are long or few remain,
            see :func:`runs_per_task`; a serial sweep runs one at a time).

    Returns:
        A :class:`SweepReport`.

    Raises:
        UserError: invalid points, an unusable ``out`` or an unreachable scheduler.
        SweepInterruptedError: on Ctrl-C or SIGTERM, after committing what finished.
    """
    start = time.monotonic()
    design = make_design(sweep)
    check_points(sweep.base, design.points, sweep.source)
    owned = backend is None
    # A folder that cannot be used is refused before any worker starts; the backend is
    # opened before any file is written (an unreachable scheduler leaves no folder).
    open_folder(sweep, design, Path(out), resume, top_up, write=False)
    reps = sweep.replications
    backend = backend or open_backend(workers, scheduler, len(design.points) * (
        reps.count if reps.count is not None else reps.min or 1))
    status = "crashed"
    driver: _Driver | None = None
    try:
        folder, manifest, resumed, notes = open_folder(sweep, design, Path(out), resume,
                                                        top_up)
        lock = FolderLock(folder)
        ledger: Ledger | None = None
        try:
            state = read_ledger(folder.ledger)
            ledger = Ledger(folder.ledger)
            notes += _code_change_notes(manifest) if resumed else []
            if state.damaged_lines:
                n = len(state.damaged_lines)
                notes.append(f"{folder.ledger}: {n} damaged line{'s' if n != 1 else ''} "
                             f"ignored (line {state.damaged_lines[0]} first); runs they "
                             "recorded are run again")
            for lost in check_parts(folder, state):  # a sweep never ends with rows missing
                notes.append(lost.describe(folder))
                ledger.append([lost_record(lost)])
                set_aside(folder, lost)
                for key in lost.runs:
                    state.done.pop(key, None)
                state.lost_parts.add(lost.part)
            orphans = remove_orphans(folder, state)
            session = manifests.start_session(manifest, backend.info, resumed)
            manifests.save(folder.manifest, manifest)
            ledger.append([{"type": "session", "resumed": resumed, "backend": backend.info,
                            "already_done": len(state.done)}])
            progress = sweep_progress(len(state.done), progress_every_s, show_progress,
                                      progress_stream)
            driver = _Driver(sweep, design, folder, backend, state, ledger, retries,
                             batch_size, flush_seconds, progress, max_runs_per_task)
            try:
                driver.run()
                status = "complete_with_failures" if driver.failed else "complete"
            except KeyboardInterrupt:
                status = "interrupted"
            with signals_ignored():  # a second Ctrl-C must not cut the commit short
                driver.flush(force=True)
                driver._update_progress(force=True)
                progress.close()
                if status != "interrupted":
                    from sim.sweep.analysis import stream_summaries

                    stream_summaries(folder.root, manifest)
                manifests.end_session(manifest, session, status, time.monotonic() - start,
                                      driver.run_time_s, driver.session_done,
                                      len(driver.failed))
                manifests.save(folder.manifest, manifest)
        except KeyboardInterrupt:  # before the runs started: nothing of them to commit
            status = "interrupted"
            raise
        finally:
            if ledger is not None:  # every session that opened the ledger closes it
                # (a full disk may refuse the record too: the error already raised says so)
                with signals_ignored(), contextlib.suppress(OSError):
                    done = len(driver.done) if driver else len(state.done)
                    failed = len(driver.failed) if driver else 0
                    ledger.append([{"type": "end", "status": status, "done": done,
                                    "failed": failed}])
                    ledger.close()
            lock.release()
    finally:
        if owned:
            backend.close()
    failures: dict[str, list[RunKey]] = {}
    for key, error in sorted(driver.failed.items()):
        failures.setdefault(error, []).append(key)
    report = SweepReport(folder.root, status, len(design.points), driver.planner.planned,
                         len(driver.done), len(driver.failed), driver.session_done,
                         time.monotonic() - start, backend.description, len(orphans),
                         failures, notes)
    if status == "interrupted":
        raise SweepInterruptedError(report)
    return report
