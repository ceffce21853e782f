"""Progress: a bar with runs/s and ETA on a terminal, one-line JSON records otherwise.

On a terminal the bar is redrawn at most ten times a second. When stderr is a file or a
pipe (cluster logs), a JSON line such as::

    {"event": "progress", "done": 120, "failed": 2, "planned": 480, "runs_per_s": 3.4,
     "eta_s": 105, "elapsed_s": 35.2}

is written every ``every_s`` seconds and once at the end. ``planned`` grows during an
adaptive sweep, so its ETA is a lower bound (``"planned_final": false``).
"""

from __future__ import annotations

import json
import sys
import time
from typing import TextIO


def format_duration(seconds: float) -> str:
    """``1h02m``, ``3m05s`` or ``12s``.

    Example:
        >>> format_duration(3725), format_duration(185), format_duration(12.4)
        ('1h02m', '3m05s', '12s')
    """
    if seconds != seconds or seconds == float("inf"):
        return "?"
    s = int(round(seconds))
    if s >= 3600:
        return f"{s // 3600}h{s % 3600 // 60:02d}m"
    if s >= 60:
        return f"{s // 60}m{s % 60:02d}s"
    return f"{s}s"


class Progress:
    """Reports sweep progress on ``stream`` (stderr by default).

    Args:
        already: runs finished in earlier sessions (not counted in the rate).
        every_s: seconds between JSON records when not on a terminal.
        enabled: ``False`` silences it.
    """

    def __init__(self, already: int = 0, every_s: float = 30.0, enabled: bool = True,
                 stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty()
        self.enabled = enabled
        self.every_s = every_s
        self.already = already
        self.start = time.monotonic()
        self.last = 0.0 if self.tty else self.start
        self.done = already
        self.failed = 0
        self.planned = 0
        self.exact = True

    def update(self, done: int, failed: int, planned: int, exact: bool,
               force: bool = False) -> None:
        """Record counts (over all sessions) and redraw if it is time."""
        self.done, self.failed, self.planned, self.exact = done, failed, planned, exact
        if not self.enabled:
            return
        now = time.monotonic()
        interval = 0.1 if self.tty else self.every_s
        if force or now - self.last >= interval:
            self.last = now
            self._emit(now)

    def rate(self) -> float:
        """Runs per second in this session."""
        elapsed = time.monotonic() - self.start
        return (self.done - self.already) / elapsed if elapsed > 0 else 0.0

    def _emit(self, now: float) -> None:
        rate = self.rate()
        remaining = max(self.planned - self.done - self.failed, 0)
        eta = remaining / rate if rate > 0 else float("inf")
        if self.tty:
            width = 28
            total = max(self.planned, 1)
            filled = int(width * min(self.done + self.failed, total) / total)
            plus = "" if self.exact else "+"
            bar = "#" * filled + "-" * (width - filled)
            failed = f" {self.failed} failed" if self.failed else ""
            self.stream.write(f"\r[{bar}] {self.done}/{self.planned}{plus} runs{failed} "
                              f"{rate:.1f}/s ETA {format_duration(eta)}   ")
        else:
            record = {"event": "progress", "done": self.done, "failed": self.failed,
                      "planned": self.planned, "planned_final": self.exact,
                      "runs_per_s": round(rate, 3),
                      "eta_s": None if eta == float("inf") else round(eta, 1),
                      "elapsed_s": round(now - self.start, 1)}
            self.stream.write(json.dumps(record) + "\n")
        self.stream.flush()

    def close(self) -> None:
        """Final redraw; end the bar's line on a terminal."""
        if not self.enabled:
            return
        self._emit(time.monotonic())
        if self.tty:
            self.stream.write("\n")
            self.stream.flush()
