"""The ledger: an append-only, fsynced JSON-lines record of finished and failed runs.

Commit protocol (see :mod:`sim.sweep.storage`): a batch of finished runs is first written
to a temporary part file, fsynced and renamed into place; only then are its ``done`` lines
appended here and fsynced. So whenever the driver is killed:

* a run with a ``done`` line has its row in the part file that line names;
* a part file no ``done`` line names is an orphan from an interrupted commit, removed on
  resume (its runs are run again, so no row is lost and none is duplicated);
* a half-written last line (killed mid-append) is cut off on resume.

Record types: ``session`` (a driver started), ``part`` (a committed part's files with
their SHA-256, checked before a part is read again), ``done``, ``failed`` (one per failed
attempt; ``final`` when no retry is left in that session), ``lost`` (a committed part
file found missing or damaged: its runs are no longer done, see
:mod:`sim.sweep.integrity`) and ``end`` (a driver stopped). Lines that cannot be read
(not UTF-8, not JSON) are skipped and counted.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from sim.sweep.seeds import RunKey, parse_run_id


def _records(path: Path, damaged: list[int] | None = None) -> Iterator[dict[str, Any]]:
    """The ledger's records; lines that are not JSON objects in UTF-8 (a damaged file) are
    skipped and their numbers added to ``damaged``."""
    if not path.exists():
        return
    with path.open("rb") as fh:
        for number, line in enumerate(fh, start=1):
            if not line.endswith(b"\n"):
                return  # a line cut short by a kill: never committed
            try:
                record = json.loads(line.decode("utf-8"))
            except (UnicodeDecodeError, json.JSONDecodeError):
                record = None
            if isinstance(record, dict):
                yield record
            elif damaged is not None:
                damaged.append(number)


@dataclass
class LedgerState:
    """What the ledger says so far.

    Attributes:
        done: finished runs and the part each one's row is in (first ``done`` wins).
        attempts: failed attempts per run (all sessions).
        last_error: the latest failure of each run: (one-line error, traceback).
        final_failed: runs whose last record is a final failure and that are not done.
        done_times: unix times of ``done`` records (throughput).
        sessions: ``session`` and ``end`` records, in order.
        damaged_lines: numbers of lines that could not be read (their runs, if any, are
            not done and run again).
        lost_parts: parts a ``lost`` record gave up (see :mod:`sim.sweep.integrity`).
        digests: per part, the SHA-256 of each of its files (path in the folder -> hex),
            from its ``part`` record (folders written before these records have none).
    """

    done: dict[RunKey, str] = field(default_factory=dict)
    attempts: dict[RunKey, int] = field(default_factory=dict)
    last_error: dict[RunKey, tuple[str, str]] = field(default_factory=dict)
    final_failed: set[RunKey] = field(default_factory=set)
    done_times: list[float] = field(default_factory=list)
    sessions: list[dict[str, Any]] = field(default_factory=list)
    damaged_lines: list[int] = field(default_factory=list)
    lost_parts: set[str] = field(default_factory=set)
    digests: dict[str, dict[str, str]] = field(default_factory=dict)

    @property
    def parts(self) -> set[str]:
        """Part files the ledger vouches for."""
        return set(self.done.values())


def read_ledger(path: Path) -> LedgerState:
    """Read a ledger (a missing file is an empty ledger)."""
    state = LedgerState()
    for rec in _records(path, state.damaged_lines):
        kind = rec.get("type")
        if kind in ("session", "end"):
            state.sessions.append(rec)
            continue
        if kind == "part":  # a part file's digests, written just before its done lines
            files = rec.get("sha256")
            if isinstance(files, dict):
                state.digests[str(rec.get("part"))] = {str(k): str(v) for k, v in files.items()}
            continue
        if kind == "lost":  # a committed part found missing or damaged: its runs are redone
            part = str(rec.get("part"))
            state.lost_parts.add(part)
            state.digests.pop(part, None)
            for key in [k for k, p in state.done.items() if p == part]:
                del state.done[key]
            continue
        try:
            key = parse_run_id(str(rec["run"]))
        except (KeyError, ValueError):
            continue
        if kind == "done" and key not in state.done:
            part, when = rec.get("part"), rec.get("t", 0.0)
            if not isinstance(part, str) or not isinstance(when, int | float):
                continue  # a damaged record: the run is not done
            state.done[key] = part
            state.done_times.append(float(when))
            state.final_failed.discard(key)
        elif kind == "failed":
            state.attempts[key] = state.attempts.get(key, 0) + 1
            state.last_error[key] = (str(rec.get("error", "")), str(rec.get("traceback", "")))
            if rec.get("final") and key not in state.done:
                state.final_failed.add(key)
            elif key in state.final_failed:
                state.final_failed.discard(key)
    return state


def repair(path: Path) -> int:
    """Cut off a trailing half-written line; return the bytes removed."""
    if not path.exists():
        return 0
    data = path.read_bytes()
    keep = data.rfind(b"\n") + 1
    if keep == len(data):
        return 0
    with path.open("r+b") as fh:
        fh.truncate(keep)
        fh.flush()
        os.fsync(fh.fileno())
    return len(data) - keep


class Ledger:
    """Appends records durably (each :meth:`append` is one write plus an fsync)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        repair(path)
        self._fh: TextIO | None = path.open("a", encoding="utf-8")

    def append(self, records: Iterable[dict[str, Any]]) -> None:
        """Write records as JSON lines and fsync before returning."""
        assert self._fh is not None, "ledger closed"
        now = time.time()
        text = "".join(json.dumps({"t": round(now, 3), **r}, default=str) + "\n"
                       for r in records)
        if not text:
            return
        self._fh.write(text)
        self._fh.flush()
        os.fsync(self._fh.fileno())

    def close(self) -> None:
        """Close the file (records already appended are on disk)."""
        if self._fh is not None:
            self._fh.close()
            self._fh = None
