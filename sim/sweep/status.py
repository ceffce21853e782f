"""``mentorsim sweep-status DIR``: done, failed and remaining runs, and throughput.

Everything comes from the folder itself (manifest, ledger, ``progress.json`` and the
folder lock), so it works while a sweep runs, after it finished, and after it was killed.
While a driver runs, runs that have finished but are not yet committed (results are
committed in batches) are shown as "finished" beside "committed"; committed parts that
are missing or damaged are reported (``--resume`` runs them again).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sim.sweep.integrity import check_parts
from sim.sweep.ledger import read_ledger
from sim.sweep.manifest import read_manifest
from sim.sweep.progress import format_duration
from sim.sweep.run_counts import read_run_counts
from sim.sweep.seeds import RunKey, run_id
from sim.sweep.storage import PART_RE, SweepFolder, is_locked


@dataclass
class Status:
    """The state of a sweep folder.

    Attributes:
        planned_low, planned_high: runs the sweep needs (equal unless adaptive).
        rate_per_min: finished runs per minute in the latest session.
        failures: (run, attempts, last error, last traceback) of runs that failed for good.
    """

    folder: Path
    manifest: dict[str, Any]
    running: bool
    done: int
    failed: int
    failed_attempts: int
    planned_low: int
    planned_high: int
    rate_per_min: float | None
    last_activity: float | None
    uncommitted_parts: int
    failures: list[tuple[RunKey, int, str, str]] = field(default_factory=list)
    finished: int = 0
    lost: list[str] = field(default_factory=list)
    damaged_lines: int = 0

    @property
    def remaining(self) -> int:
        """Runs still to do (a lower bound for adaptive sweeps)."""
        return max(self.planned_low - max(self.finished, self.done) - self.failed, 0)


def sweep_status(root: Path) -> Status:
    """Read the state of the sweep in ``root``."""
    folder = SweepFolder(root)
    manifest = read_manifest(folder.manifest)
    state = read_ledger(folder.ledger)
    points = int(manifest["points"])
    reps = manifest["replications"]
    if reps["mode"] == "fixed":
        low = high = points * int(reps["count"])
    else:
        per_point = Counter(p for p, _ in (*state.done, *state.final_failed))
        low = sum(max(int(reps["min"]), per_point.get(p, 0)) for p in range(points))
        high = points * int(reps["max"])
    starts = [s["t"] for s in state.sessions
              if s.get("type") == "session" and isinstance(s.get("t"), int | float)]
    rate = None
    if starts:
        recent = [t for t in state.done_times if t >= starts[-1]]
        if len(recent) >= 2 and recent[-1] > starts[-1]:
            rate = 60.0 * len(recent) / (recent[-1] - starts[-1])
    times = [*state.done_times, *(s["t"] for s in state.sessions
                                  if isinstance(s.get("t"), int | float))]
    vouched = state.parts
    uncommitted = sum(1 for d in folder.part_dirs() if d.is_dir() for p in d.iterdir()
                      if PART_RE.match(p.name) and p.stem not in vouched)
    failures = [(key, state.attempts.get(key, 0), *state.last_error.get(key, ("", "")))
                for key in sorted(state.final_failed)]
    lost = check_parts(folder, state, quick=True)
    for part in lost:
        for key in part.runs:
            state.done.pop(key, None)
    running = is_locked(folder)
    progress = read_run_counts(folder.progress) if running else None
    finished = max(len(state.done), progress["finished"] if progress else 0)
    return Status(folder.root, manifest, running, len(state.done),
                  len(state.final_failed), sum(state.attempts.values()), low, high, rate,
                  max(times) if times else None, uncommitted, failures, finished,
                  [p.describe(folder) for p in lost], len(state.damaged_lines))


def format_status(status: Status, failures: bool = False) -> str:
    """A short human-readable report."""
    m = status.manifest
    state = "running" if status.running else m.get("status", "unknown")
    if state == "running" and not status.running:
        state = "stopped (interrupted or killed; continue with --resume)"
    elif status.lost and not status.running:
        state = "incomplete: committed runs are missing (continue with --resume)"
    planned = (str(status.planned_low) if status.planned_low == status.planned_high else
               f"{status.planned_low} so far (adaptive, at most {status.planned_high})")
    if status.running and status.finished > status.done:
        # results are committed in batches: say what has finished, not only what is saved
        runs = (f"runs: {status.finished} finished, {status.done} committed, {status.failed} "
                f"failed, {status.remaining} remaining of {planned} (finished runs are "
                "committed in batches)")
    else:
        runs = (f"runs: {status.done} done, {status.failed} failed, {status.remaining} "
                f"remaining of {planned}")
    lines = [f"sweep {m['spec_name']} ({m['design']}, {m['points']} points) in {status.folder}",
             f"state: {state}", runs]
    lines += [f"damaged: {text} (on --resume)" for text in status.lost]
    if status.damaged_lines:
        n = status.damaged_lines
        lines.append(f"damaged: {n} line{'s' if n != 1 else ''} of ledger.jsonl cannot be "
                     "read; runs they recorded are run again on --resume")
    if status.failed_attempts:
        lines.append(f"failed attempts (incl. retried): {status.failed_attempts}")
    if status.rate_per_min is not None:
        rate = f"throughput: {status.rate_per_min:.0f} runs/min in the latest session"
        if status.running and status.remaining:
            eta = status.remaining / (status.rate_per_min / 60.0)
            rate += f", ETA {format_duration(eta)}"
        lines.append(rate)
    if status.last_activity:
        when = datetime.fromtimestamp(status.last_activity, UTC).isoformat(timespec="seconds")
        lines.append(f"last activity: {when}")
    if status.uncommitted_parts:
        lines.append(f"uncommitted part files: {status.uncommitted_parts} (removed on resume)")
    errors = Counter(error for _, _, error, _ in status.failures)
    for error, n in errors.most_common():
        lines.append(f"failed: {n} runs: {error}")
    if failures:
        for key, attempts, error, trace in status.failures:
            lines.append(f"\n--- run {run_id(key)} (point:replication), {attempts} attempts: "
                         f"{error}\n{trace.rstrip()}")
    return "\n".join(lines)
