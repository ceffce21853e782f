"""Sweep progress: :class:`sim.progress.Progress`, the one progress display, with JSON
records for logs.

On a terminal the bar shows runs done (``480+`` while an adaptive sweep may still add
runs), failures, runs per second and an ETA. When stderr is a file or a pipe (cluster
logs), a JSON line such as::

    {"event": "progress", "done": 120, "failed": 2, "planned": 480, "planned_final": true,
     "runs_per_s": 3.4, "eta_s": 105, "elapsed_s": 35.2}

is written at the start, every ``every_s`` seconds and once at the end. ``planned`` grows
during an adaptive sweep, so its ETA is a lower bound (``"planned_final": false``).
"""

from __future__ import annotations

from typing import TextIO

from sim.progress import Progress, format_duration


def sweep_progress(already: int = 0, every_s: float = 30.0, enabled: bool = True,
                   stream: TextIO | None = None) -> Progress:
    """The progress display of a sweep session (``already``: runs finished before it) on
    ``stream`` (default stderr)."""
    return Progress(0, "runs", already=already, every_s=every_s, enabled=enabled, log="json",
                    stream=stream)


__all__ = ["Progress", "format_duration", "sweep_progress"]
