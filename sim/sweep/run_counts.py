"""``progress.json``: how many runs of a sweep have finished, been committed or failed.

Written by the sweep driver while it runs and read by ``sweep-status``; the ledger, not
this file, decides what ``--resume`` skips.
"""

from __future__ import annotations

import json
import os
import socket
import time
from pathlib import Path
from typing import Any

REWRITE_EVERY_S = 1.0  # the counts file is rewritten at most this often


class RunCountsFile:
    """``progress.json`` in the sweep folder: runs finished (committed or not) so far.

    Runs are committed in batches (every ``--batch-size`` runs or ``--flush-seconds``), so
    the ledger lags behind the runs that have finished; the driver rewrites this small
    file atomically as runs finish (at most every :data:`REWRITE_EVERY_S`) so that
    ``sweep-status`` can say "20 finished, 0 committed". Only the ledger counts for
    resuming: finished runs that were not committed when a driver died are run again.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._written: tuple[int, ...] | None = None
        self._at = 0.0

    def update(self, finished: int, committed: int, failed: int, planned: int,
               force: bool = False) -> None:
        """Rewrite the file when the counts changed (throttled unless ``force``)."""
        counts = (finished, committed, failed, planned)
        now = time.monotonic()
        if counts == self._written or (not force and now - self._at < REWRITE_EVERY_S):
            return
        from sim.files import write_text_atomically

        record = {"finished": finished, "committed": committed, "failed": failed,
                  "planned": planned, "host": socket.gethostname(), "pid": os.getpid(),
                  "t": round(time.time(), 3)}
        try:
            write_text_atomically(self.path, json.dumps(record) + "\n")
        except OSError:
            return  # progress is a courtesy: a full disk must not stop the sweep here
        self._written, self._at = counts, now


def read_run_counts(path: Path) -> dict[str, Any] | None:
    """The last progress record, or None (no file, or not readable)."""
    try:
        record = json.loads(path.read_bytes().decode("utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        return None
    if not isinstance(record, dict) or not all(
            isinstance(record.get(k), int) and not isinstance(record.get(k), bool)
            for k in ("finished", "committed", "failed", "planned")):
        return None
    return record
