"""Progress of runs, and the first line of ``run``/``demo``: what will run, how long.

- :func:`plan_line`: the first line of ``run``/``demo``, printed before the model and the
  data stack are imported: what will run and roughly how long (:func:`estimate_seconds`).
- :class:`Progress`: the one progress display (scenario runs, calibration waves, sweeps):
  a rich bar on a terminal, a plain line every ``every_s`` seconds otherwise (logs).

Only the standard library at import; ``rich`` is imported when a bar is drawn.
"""

from __future__ import annotations

import atexit
import json
import math
import sys
import time
from typing import Any, Literal, TextIO

# --- how long a run takes -----------------------------------------------------------------
# Measured (CPU seconds of sim.runner.run_job, which simulates and computes the metrics):
# baseline took 0.30 s at 26 weeks, 1.0 s at 260 and 2.3 s at 520 on the project's
# two-core development machine (2026); a spawned worker takes about 2 s to import the model
# before its first run. Scenarios with more agencies cost more per week (national, 12
# agencies, 3.3 s at 520 weeks), so the figure is a rough guide that the bar then refines.
SECONDS_PER_RUN = 0.2
SECONDS_PER_RUN_WEEK = 0.004
WORKER_START_S = 2.0


def estimate_seconds(runs: int, weeks: int, workers: int) -> float:
    """Rough wall seconds for ``runs`` runs of ``weeks`` weeks on ``workers`` processes.

    Example:
        >>> round(estimate_seconds(120, 260, 2))  # the demo
        76
    """
    workers = max(1, min(workers, runs))
    start = WORKER_START_S if workers > 1 else 0.0
    return start + runs * (SECONDS_PER_RUN + SECONDS_PER_RUN_WEEK * weeks) / workers


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


def plan_line(scenarios: int, replications: int, weeks: int, workers: int) -> str:
    """The first line of ``run``/``demo``: what will run and roughly how long (the bar
    then shows the measured rate and ETA).

    Example:
        >>> plan_line(6, 20, 260, 2)
        'Running 6 scenarios × 20 replications × 260 weeks on 2 workers: about 1 min'
    """
    runs = scenarios * replications
    used = max(1, min(workers, runs))
    guess = rough_duration(estimate_seconds(runs, weeks, used))
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
    """

    def __init__(self, total: int = 0, label: str = "runs", *, already: int = 0,
                 every_s: float = 30.0, enabled: bool = True, stream: TextIO | None = None,
                 log: Literal["text", "json"] = "text") -> None:
        self.stream = stream or sys.stderr
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self.enabled = enabled
        self.label = label
        self.every_s = every_s
        self.log = log
        self.already = already
        self.done = already
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

    def advance(self, n: int = 1) -> None:
        """Advance by ``n`` finished runs; close at the total."""
        self.update(self.done + n, self.failed, self.planned, self.exact)
        if self.exact and self.done + self.failed >= self.planned:
            self.close()

    def update(self, done: int, failed: int = 0, planned: int | None = None,
               exact: bool = True, force: bool = False) -> None:
        """Record counts (over all sessions); redraw, or write a line if one is due."""
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

    def rate(self) -> float:
        """Runs per second in this session."""
        elapsed = time.monotonic() - self.start
        return (self.done - self.already) / elapsed if elapsed > 0 else 0.0

    def eta_s(self) -> float:
        """Seconds left at this session's rate (inf before the first run finishes)."""
        rate = self.rate()
        remaining = max(self.planned - self.done - self.failed, 0)
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
        if self.done <= self.already:
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
            line = json.dumps(record)
        elif final:
            line = f"done: {self._counts()} in {format_duration(elapsed)}"
        else:
            rate, eta = self._timing()
            line = (f"progress: {self._counts()}, {rate or '0.0/s'}, {eta}, "
                    f"{format_duration(elapsed)} elapsed")
        self.stream.write(line + "\n")
        self.stream.flush()
