"""Progress of runs, and the first line of ``run``/``demo``: what will run, how long.

- :func:`plan_line`: the first line of ``run``/``demo``, printed before the model and the
  data stack are imported: what will run and roughly how long (:func:`estimate_seconds`).
- How long, honestly: the built-in figures below are scaled by what runs on *this*
  machine have taken (:func:`measured`, recorded by :func:`record_run` after every
  ``run``, ``demo`` and comparison in the web app, in ``throughput.json`` under
  :func:`cache_dir`), and while a run goes the estimate moves from that prior to the
  rate measured so far (:func:`blended_eta`), so it is neither the guess of a quiet
  machine nor the noise of the first batch.
- :class:`Progress`: the one progress display (scenario runs, calibration waves, sweeps):
  a rich bar on a terminal, a plain line every ``every_s`` seconds otherwise (logs).

Only the standard library at import; ``rich`` is imported when a bar is drawn.
"""

from __future__ import annotations

import atexit
import json
import math
import os
import statistics
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal, TextIO

# --- how long a run takes -----------------------------------------------------------------
# Measured (CPU seconds of sim.runner.run_job, which simulates and computes the metrics):
# baseline took 0.30 s at 26 weeks, 1.0 s at 260 and 2.3 s at 520 on the project's
# two-core development machine (2026); a spawned worker takes about 2 s to import the model
# before its first run. Scenarios with more agencies cost more per week (national, 12
# agencies, 3.3 s at 520 weeks). These are the prior; what runs on this machine take
# scales them (measured()).
SECONDS_PER_RUN = 0.2
SECONDS_PER_RUN_WEEK = 0.004
WORKER_START_S = 2.0
# Writing the results folder (tables, summary.csv, summary.xlsx, dashboard.html): about
# 5 s for 40 runs of 260 weeks on the same machine (2026), most of it the dashboard and
# spreadsheet, which grow with the tables; a floor of 2 s for the imports and the page.
WRITE_SECONDS = 2.0
WRITE_SECONDS_PER_RUN_WEEK = 0.0003
# Before the first run and after the last write: loading the model and the data stack,
# summarising, printing; about 2 s on the same machine (the median of what this machine
# measured replaces it: measured_overhead()).
OVERHEAD_SECONDS = 2.0
THROUGHPUT_FILE = "throughput.json"
KEEP_RECORDS = 20  # the most recent measurements kept
USE_RECORDS = 10  # ... and the ones an estimate uses (their median)


def cache_dir() -> Path:
    """Where mentorsim keeps what it measured on this machine: ``$MENTORSIM_CACHE``, else
    ``$XDG_CACHE_HOME/mentorsim``, else ``~/.cache/mentorsim``."""
    named = os.environ.get("MENTORSIM_CACHE")
    if named:
        return Path(named)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "mentorsim"


def _records() -> list[dict[str, Any]]:
    try:
        data = json.loads((cache_dir() / THROUGHPUT_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    records = data.get("runs") if isinstance(data, dict) else None
    return [r for r in records or [] if isinstance(r, dict)]


def _positive(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and math.isfinite(value) \
        and value > 0 else None


def measured() -> tuple[float, float]:
    """(simulation factor, writing factor): how much longer than the built-in figures
    runs and results folders took on this machine (the median of the last
    :data:`USE_RECORDS` measurements; 1.0 when there are none)."""
    sim, write = [], []
    for record in _records()[-USE_RECORDS:]:
        runs, weeks, workers = (record.get(k) for k in ("runs", "weeks", "workers"))
        if not all(isinstance(v, int) and v > 0 for v in (runs, weeks, workers)):
            continue
        simulate_s, write_s = _positive(record.get("simulate_s")), _positive(
            record.get("write_s"))
        if simulate_s:
            sim.append(simulate_s / estimate_seconds(runs, weeks, workers, factor=1.0))
        if write_s:
            write.append(write_s / estimate_write_seconds(runs, weeks, factor=1.0))
    return (statistics.median(sim) if sim else 1.0, statistics.median(write) if write else 1.0)


def measured_overhead() -> float:
    """Seconds a command spends besides simulating and writing (loading, summarising):
    the median of this machine's last measurements, else :data:`OVERHEAD_SECONDS`."""
    found = [v for r in _records()[-USE_RECORDS:] if (v := _positive(r.get("overhead_s")))]
    return statistics.median(found) if found else OVERHEAD_SECONDS


def record_run(runs: int, weeks: int, workers: int, simulate_s: float,
               write_s: float | None = None, overhead_s: float | None = None) -> None:
    """Keep how long ``runs`` runs of ``weeks`` weeks on ``workers`` processes took to
    simulate, to write and besides (seconds), for the next estimates on this machine. A
    file that cannot be written costs only the better estimate."""
    from sim.files import write_text_atomically

    record = {"runs": int(runs), "weeks": int(weeks), "workers": int(max(1, min(workers,
                                                                               runs))),
              "simulate_s": round(float(simulate_s), 3),
              "write_s": None if write_s is None else round(float(write_s), 3),
              "overhead_s": None if overhead_s is None else round(float(overhead_s), 3),
              "when": time.strftime("%Y-%m-%dT%H:%M:%S")}
    records = [*_records(), record][-KEEP_RECORDS:]
    try:
        cache_dir().mkdir(parents=True, exist_ok=True)
        write_text_atomically(cache_dir() / THROUGHPUT_FILE,
                              json.dumps({"runs": records}, indent=1) + "\n")
    except OSError:
        pass


def estimate_seconds(runs: int, weeks: int, workers: int, *,
                     factor: float | None = None) -> float:
    """Wall seconds to simulate ``runs`` runs of ``weeks`` weeks on ``workers`` processes:
    the built-in figures times ``factor`` (default: what this machine measured).

    Example:
        >>> round(estimate_seconds(120, 260, 2, factor=1.0))  # the demo, built-in figures
        76
    """
    workers = max(1, min(workers, runs))
    start = WORKER_START_S if workers > 1 else 0.0
    base = start + runs * (SECONDS_PER_RUN + SECONDS_PER_RUN_WEEK * weeks) / workers
    return base * (measured()[0] if factor is None else factor)


def estimate_write_seconds(runs: int, weeks: int, *, factor: float | None = None) -> float:
    """Seconds to write the results folder of ``runs`` runs of ``weeks`` weeks.

    Example:
        >>> round(estimate_write_seconds(40, 260, factor=1.0), 1)
        5.1
    """
    base = WRITE_SECONDS + WRITE_SECONDS_PER_RUN_WEEK * runs * weeks
    return base * (measured()[1] if factor is None else factor)


def blended_eta(done: int, planned: int, elapsed_s: float, prior_s: float,
                workers: int = 1, rate: float | None = None) -> float:
    """Seconds left of ``planned`` runs when ``done`` have finished after ``elapsed_s``:
    the prior estimate's remaining time, moved towards the measured rate's as runs
    finish (by done / (done + workers): after one batch per worker the two count alike).
    ``rate``: runs a second measured between finished runs (so the pool's start, before
    the first run ends, does not count as running); default ``done / elapsed_s``.

    Example:
        >>> blended_eta(0, 40, 3.0, 20.0)  # nothing done: the prior, less the time gone
        17.0
        >>> round(blended_eta(20, 40, 20.0, 20.0, workers=2), 1)  # half done, slower
        18.3
    """
    remaining = max(planned - done, 0)
    if not remaining:
        return 0.0
    prior_left = max(prior_s - elapsed_s, prior_s * remaining / max(planned, 1) * 0.1)
    if done <= 0:
        return prior_left
    observed_left = remaining / rate if rate else elapsed_s / done * remaining
    weight = done / (done + max(workers, 1))
    return (1 - weight) * prior_left + weight * observed_left


def format_duration(seconds: float) -> str:
    """``1h02m``, ``3m05s`` or ``12s``; "?" when unknown.

    Example:
        >>> format_duration(3725), format_duration(185), format_duration(12.4)
        ('1h02m', '3m05s', '12s')
    """
    if not math.isfinite(seconds):
        return "?"
    s = int(round(seconds))
    if s >= 3600:
        return f"{s // 3600}h{s % 3600 // 60:02d}m"
    if s >= 60:
        return f"{s // 60}m{s % 60:02d}s"
    return f"{s}s"


def rough_duration(seconds: float) -> str:
    """A duration as a person would guess it: "a few seconds", "about 40 s", "about 3 min".

    Example:
        >>> rough_duration(4), rough_duration(38), rough_duration(77), rough_duration(5400)
        ('a few seconds', 'about 40 s', 'about 1 min', 'about 1.5 h')
    """
    if seconds < 10:
        return "a few seconds"
    if seconds < 55:
        return f"about {5 * round(seconds / 5)} s"
    if seconds < 3600:
        return f"about {max(1, round(seconds / 60))} min"
    return f"about {seconds / 3600:.1f} h"


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}{'' if n == 1 else 's'}"


def plan_line(scenarios: int, replications: int, weeks: int, workers: int, *,
              factors: tuple[float, float] | None = None,
              overhead: float | None = None) -> str:
    """The first line of ``run``/``demo``: what will run and roughly how long, loading,
    simulating and writing the results, as runs on this machine have taken (``factors``
    and ``overhead``: the :func:`measured` ones by default); the bar then refines it as
    runs finish.

    Example:
        >>> plan_line(6, 20, 260, 2, factors=(1.0, 1.0), overhead=2.0)
        'Running 6 scenarios × 20 replications × 260 weeks on 2 workers: about 1 min'
    """
    runs = scenarios * replications
    used = max(1, min(workers, runs))
    sim_factor, write_factor = measured() if factors is None else factors
    guess = rough_duration(estimate_seconds(runs, weeks, used, factor=sim_factor)
                           + estimate_write_seconds(runs, weeks, factor=write_factor)
                           + (measured_overhead() if overhead is None else overhead))
    return (f"Running {_plural(scenarios, 'scenario')} × {_plural(replications, 'replication')}"
            f" × {_plural(weeks, 'week')} on {_plural(used, 'worker')}: {guess}")


# --- progress -----------------------------------------------------------------------------
class Progress:
    """Progress of a batch of runs, on ``stream`` (stderr by default).

    On a terminal: a rich progress bar (runs done, runs per second, time elapsed and
    ETA), redrawn by rich itself so the clock moves between runs. Otherwise (a file, a
    pipe, a cluster log): one line every ``every_s`` seconds and one at the end, plain
    text (``log="text"``) or a JSON record (``log="json"``, the sweep's format)::

        progress: 40/120 runs, 3.1/s, ETA 26s, 13s elapsed
        {"event": "progress", "done": 120, "failed": 2, "planned": 480, ...}

    Use it by calls (``bar()`` advances one run; it closes itself at the total) or with
    :meth:`update` and :meth:`close` (sweeps, whose total can grow: ``exact=False``
    shows "120/480+" and makes the ETA a lower bound). As a context manager it closes on
    exit, errors included.

    Args:
        total: runs planned (0 if not yet known).
        label: what is counted ("runs", "check runs").
        already: runs finished in earlier sessions (counted as done, not in the rate).
        every_s: seconds between lines when not on a terminal.
        enabled: ``False`` silences it.
        stream: where to write (default ``sys.stderr``).
        log: the line format off a terminal, ``"text"`` or ``"json"``.
        prior_s: the estimated seconds for the runs of this session (e.g.
            :func:`estimate_seconds`); the ETA starts from it and moves to the measured
            rate as runs finish (:func:`blended_eta`). None: the measured rate alone.
        workers: processes running them (how many runs finish in a first batch).
    """

    def __init__(self, total: int = 0, label: str = "runs", *, already: int = 0,
                 every_s: float = 30.0, enabled: bool = True, stream: TextIO | None = None,
                 log: Literal["text", "json"] = "text", prior_s: float | None = None,
                 workers: int = 1) -> None:
        self.stream = stream or sys.stderr
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self.enabled = enabled
        self.label = label
        self.every_s = every_s
        self.log = log
        self.already = already
        self.prior_s = prior_s
        self.workers = workers
        self.done = already
        self.first_done: tuple[float, int] | None = None  # when runs first finished
        self._run_seconds = 0.0  # the finished runs' own wall times, added up
        self._timed = 0  # ... and how many runs they are
        self.failed = 0
        self.planned = max(total, already)
        self.exact = True
        self.start = time.monotonic()
        self.last = self.start
        self.closed = False
        self._bar: Any = None
        self._task: Any = None
        if self.enabled and self.tty and self.planned:
            self._open_bar()

    # -- counting
    @property
    def count(self) -> int:
        """Runs finished (over all sessions)."""
        return self.done

    @property
    def total(self) -> int:
        """Runs planned."""
        return self.planned

    def __call__(self, _output: object = None) -> None:
        """Advance by one run (the runner's and calibration's callback)."""
        self.advance()

    def advance(self, n: int = 1, seconds: Sequence[float] | None = None) -> None:
        """Advance by ``n`` finished runs (``seconds``: each one's own wall time, which
        measures the rate free of the pool's start); close at the total."""
        if seconds:
            self._run_seconds += float(sum(seconds))
            self._timed += len(seconds)
        self.update(self.done + n, self.failed, self.planned, self.exact)
        if self.exact and self.done + self.failed >= self.planned:
            self.close()

    def update(self, done: int, failed: int = 0, planned: int | None = None,
               exact: bool = True, force: bool = False) -> None:
        """Record counts (over all sessions); redraw, or write a line if one is due."""
        if self.first_done is None and done > self.already:
            self.first_done = (time.monotonic(), done)
        self.done, self.failed, self.exact = done, failed, exact
        if planned is not None:
            self.planned = planned
        if not self.enabled or self.closed:
            return
        if self.tty:
            if self._bar is None and self.planned:
                self._open_bar()
            self._draw()
            return
        now = time.monotonic()
        if force or now - self.last >= self.every_s:
            self.last = now
            self._write_line(now)

    def run_seconds(self) -> float | None:
        """The mean wall time of one run, from the runs' own times (None if not given)."""
        return self._run_seconds / self._timed if self._timed and self._run_seconds else None

    def _rate_since_first(self) -> float | None:
        """Runs a second: the workers over one run's own time when runs report it, else
        since runs first finished (None until two batches have)."""
        if self.run_seconds():
            return max(1, min(self.workers, self.planned)) / self.run_seconds()
        if self.first_done is None:
            return None
        since, first = self.first_done
        elapsed = time.monotonic() - since
        return (self.done - first) / elapsed if self.done > first and elapsed > 0 else None

    def rate(self) -> float:
        """Runs per second in this session."""
        elapsed = time.monotonic() - self.start
        return (self.done - self.already) / elapsed if elapsed > 0 else 0.0

    def eta_s(self) -> float:
        """Seconds left: at this session's rate, moved to from the prior estimate when
        there is one (inf before the first run finishes without one)."""
        remaining = max(self.planned - self.done - self.failed, 0)
        if self.prior_s is not None and self.exact:
            done = self.done + self.failed - self.already
            return blended_eta(done, done + remaining, time.monotonic() - self.start,
                               self.prior_s, self.workers, self._rate_since_first())
        rate = self.rate()
        return remaining / rate if rate > 0 else (0.0 if not remaining else math.inf)

    def close(self) -> None:
        """Final redraw (a terminal) or final line (a log); safe to call twice."""
        if self.closed or not self.enabled:
            self.closed = True
            return
        self.closed = True
        if self._bar is not None:
            self._draw()
            self._bar.stop()
            atexit.unregister(self.close)
        elif not self.tty:
            self._write_line(time.monotonic(), final=True)

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, *_exc: object) -> None:
        if exc_type is KeyboardInterrupt and not self.tty:
            self.closed = True  # interrupted: the command says so in one line, not "done"
            return
        self.close()

    # -- drawing
    def _counts(self) -> str:
        plus = "" if self.exact else "+"
        failed = f", {self.failed} failed" if self.failed else ""
        return f"{self.done:,}/{self.planned:,}{plus} {self.label}{failed}"

    def _timing(self) -> tuple[str, str]:
        rate = self.rate()
        if self.done <= self.already and self.prior_s is None:
            return "", "ETA timing…"
        eta = self.eta_s()
        bound = "" if self.exact else "≥ "
        return f"{rate:.1f}/s", f"ETA {bound}{format_duration(eta)}"

    def _open_bar(self) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, TextColumn, TimeElapsedColumn
        from rich.progress import Progress as RichProgress

        console = Console(file=self.stream, highlight=False)
        self._bar = RichProgress(BarColumn(bar_width=28), TextColumn("{task.fields[counts]}"),
                                 TextColumn("{task.fields[rate]}"), TimeElapsedColumn(),
                                 TextColumn("{task.fields[eta]}"), console=console,
                                 refresh_per_second=4, redirect_stdout=False)
        rate, eta = self._timing()
        self._task = self._bar.add_task(self.label, total=max(self.planned, 1),
                                        completed=self.done + self.failed,
                                        counts=self._counts(), rate=rate, eta=eta)
        self._bar.start()
        atexit.register(self.close)  # restore the cursor even if nobody closes the bar

    def _draw(self) -> None:
        if self._bar is None:
            return
        rate, eta = self._timing()
        self._bar.update(self._task, total=max(self.planned, 1),
                         completed=min(self.done + self.failed, max(self.planned, 1)),
                         counts=self._counts(), rate=rate, eta=eta)

    def _write_line(self, now: float, final: bool = False) -> None:
        elapsed = now - self.start
        if self.log == "json":
            eta = self.eta_s()
            record = {"event": "progress", "done": self.done, "failed": self.failed,
                      "planned": self.planned, "planned_final": self.exact,
                      "runs_per_s": round(self.rate(), 3),
                      "eta_s": None if eta == math.inf else round(eta, 1),
                      "elapsed_s": round(elapsed, 1)}
            if self.run_seconds() is not None:  # runs that report their own wall times
                record["run_s"] = round(self.run_seconds(), 3)
            line = json.dumps(record)
        elif final:
            line = f"done: {self._counts()} in {format_duration(elapsed)}"
        else:
            rate, eta = self._timing()
            line = (f"progress: {self._counts()}, {rate or '0.0/s'}, {eta}, "
                    f"{format_duration(elapsed)} elapsed")
        self.stream.write(line + "\n")
        self.stream.flush()
