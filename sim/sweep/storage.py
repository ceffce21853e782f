"""The sweep folder: its layout, atomic writes and the run table.

Layout (the contract other tools build against is in ``docs/sweeps.md``)::

    OUT/
      sweep_manifest.json   spec name and hash, design, factors, outcomes, seeds, versions,
                            host, timings
      spec.toml             the spec file as given
      points.parquet        point_id + one column per varied parameter (section__key)
      design_unit.parquet   sampled designs: the unit-hypercube matrix (for analyse)
      ledger.jsonl          finished and failed runs (see sim.sweep.ledger)
      progress.json         runs finished and committed so far (sweep-status reads it)
      runs/part-NNNNNN.parquet   run-level rows, batched: point_id, replication, seed,
                            the point's parameters, every metric
      tables/<table>/part-NNNNNN.parquet   opt-in agent-level tables
      point_summary.parquet, convergence.csv, failures.csv   written when the sweep ends
      sensitivity.csv       written by `mentorsim analyse`

Part files are written to a temporary name, fsynced, then renamed
(:func:`sim.files.replacing`, with the ordinary file mode): a reader never sees a
half-written part, and :func:`read_runs` keeps only rows the ledger vouches for.
"""

from __future__ import annotations

import os
import re
import socket
import time
from collections.abc import Iterable, Iterator
from itertools import chain
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa

from sim.errors import UserError
from sim.files import fsync_dir, replacing
from sim.sweep.columns import renamed
from sim.sweep.ledger import LedgerState, read_ledger
from sim.sweep.seeds import RunKey

PART_RE = re.compile(r"^part-(\d{6})\.parquet$")


class SweepFolder:
    """Paths inside a sweep results folder."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    manifest = property(lambda self: self.root / "sweep_manifest.json")
    spec = property(lambda self: self.root / "spec.toml")
    points = property(lambda self: self.root / "points.parquet")
    unit = property(lambda self: self.root / "design_unit.parquet")
    ledger = property(lambda self: self.root / "ledger.jsonl")
    runs = property(lambda self: self.root / "runs")
    tables = property(lambda self: self.root / "tables")
    lock = property(lambda self: self.root / ".lock")
    progress = property(lambda self: self.root / "progress.json")
    point_summary = property(lambda self: self.root / "point_summary.parquet")
    convergence = property(lambda self: self.root / "convergence.csv")
    failures = property(lambda self: self.root / "failures.csv")
    sensitivity = property(lambda self: self.root / "sensitivity.csv")

    def part_dirs(self) -> list[Path]:
        """The run-level folder and every agent-table folder."""
        dirs = [self.runs]
        if self.tables.is_dir():
            dirs += sorted(p for p in self.tables.iterdir() if p.is_dir())
        return dirs

    def is_sweep(self) -> bool:
        """True when the folder holds a sweep manifest."""
        return self.manifest.is_file()


def write_parquet_atomic(frame: pd.DataFrame | pa.Table, path: Path) -> None:
    """Write ``frame`` (or an Arrow table) to ``path`` through a fsynced temporary file
    and a rename."""
    write_parquet_frames_atomic([frame], path)


def write_parquet_frames_atomic(frames: Iterable[pd.DataFrame | pa.Table], path: Path) -> int:
    """Write frames one after the other into one Parquet file (see
    :func:`sim.results.write_parquet_parts`), through a fsynced temporary file and a
    rename; return the rows written.

    Only one frame is held at a time, so a large table can be written piece by piece.
    Every frame must have the first one's columns (their types are cast to its). A file of
    the folder's layout is written with its declared schema: factor columns SQL-safe
    (``section__key``), types, categories and field metadata (:mod:`sim.sweep.columns`).
    """
    from sim.results import write_parquet_parts
    from sim.sweep.columns import typed

    tables = (typed(f, path) for f in frames)
    first = next(tables, None)
    if first is None:
        raise ValueError(f"{path.name}: no frames to write")
    rows = 0

    def counted() -> Iterator[pa.Table]:
        nonlocal rows
        for part in chain([first], tables):
            rows += part.num_rows
            yield part

    path.parent.mkdir(parents=True, exist_ok=True)
    with replacing(path, durable=True) as tmp:  # mode 0644 under umask 022, like results
        write_parquet_parts(counted(), tmp, first.schema)
    return rows


class DamagedPartError(Exception):
    """A part file whose bytes are not those committed (its SHA-256 differs)."""


def file_digest(data: bytes) -> str:
    """The SHA-256 of a file's bytes, as the ledger records it (hex)."""
    import hashlib

    return hashlib.sha256(data).hexdigest()


def read_verified(path: Path, digest: str | None) -> bytes:
    """A part file's bytes, checked against the digest the ledger recorded for it (none
    recorded: by an older mentorsim; the page checksums are still verified on reading).

    Raises:
        DamagedPartError: the bytes differ from those committed.
    """
    data = path.read_bytes()
    if digest is not None and file_digest(data) != digest:
        raise DamagedPartError(f"its SHA-256 differs from the one recorded when it was "
                               f"committed ({digest[:12]}...)")
    return data


def read_part(data: bytes, columns: list[str] | None = None,
              filters: list[tuple[str, str, Any]] | None = None) -> pd.DataFrame:
    """A part file's rows from its bytes, with every page checksum verified."""
    import pyarrow.parquet as pq

    table = pq.read_table(pa.BufferReader(data), columns=columns, filters=filters,
                          page_checksum_verification=True)
    return table.to_pandas()


def part_name(seq: int) -> str:
    """``part-000012`` (no extension): the name ledger lines use."""
    return f"part-{seq:06d}"


def next_part_seq(folder: SweepFolder) -> int:
    """One more than the highest part number anywhere in the folder."""
    highest = 0
    for d in folder.part_dirs():
        if d.is_dir():
            for p in d.iterdir():
                m = PART_RE.match(p.name)
                if m:
                    highest = max(highest, int(m.group(1)))
    return highest + 1


def remove_orphans(folder: SweepFolder, state: LedgerState) -> list[Path]:
    """Delete part files the ledger does not name, and stale temporary files."""
    vouched = state.parts
    removed = []
    for d in folder.part_dirs():
        if not d.is_dir():
            continue
        for p in d.iterdir():
            m = PART_RE.match(p.name)
            if (m and p.stem not in vouched) or (p.name.startswith(".") and
                                                 p.name.endswith(".tmp")):
                p.unlink()
                removed.append(p)
        fsync_dir(d)
    return removed


def iter_run_parts(folder: SweepFolder, state: LedgerState | None = None,
                   columns: list[str] | None = None,
                   points: tuple[int, int] | None = None) -> Iterator[pd.DataFrame]:
    """Yield each part's vouched-for rows (optionally only some columns, and only the
    points ``low <= point_id < high`` of ``points``: parts without any are not read)."""
    state = state or read_ledger(folder.ledger)
    by_part: dict[str, set[RunKey]] = {}
    for key, part in state.done.items():
        if points is None or points[0] <= key[0] < points[1]:
            by_part.setdefault(part, set()).add(key)
    wanted = None if columns is None else list(dict.fromkeys(
        ["point_id", "replication", *columns]))
    filters = None if points is None else [("point_id", ">=", points[0]),
                                           ("point_id", "<", points[1])]
    for part in sorted(by_part):
        path = folder.runs / f"{part}.parquet"
        digest = state.digests.get(part, {}).get(f"runs/{path.name}")
        try:
            frame = read_part(read_verified(path, digest), wanted, filters)
        except Exception as exc:  # noqa: BLE001 - missing or damaged: never drop rows quietly
            what = "missing" if not path.is_file() else f"damaged ({type(exc).__name__})"
            raise UserError(f"{path}: {what}, but the ledger records {len(by_part[part])} "
                            "runs in it; resume the sweep (mentorsim sweep SPEC --resume --out "
                            f"{folder.root}) to run them again") from None
        frame = frame.rename(columns=renamed(frame.columns))  # dotted: an older folder
        keys = by_part[part]
        mask = [(int(p), int(r)) in keys for p, r in zip(frame["point_id"],
                                                         frame["replication"], strict=True)]
        yield frame[mask]


def read_runs(root: Path, columns: list[str] | None = None, *,
              state: LedgerState | None = None,
              points: tuple[int, int] | None = None) -> pd.DataFrame:
    """The run table of a sweep folder: one row per finished run, sorted by point and
    replication (only rows the ledger vouches for).

    Args:
        root: the sweep folder.
        columns: columns to read besides ``point_id`` and ``replication`` (default all).
        state: the ledger, when already read.
        points: ``(low, high)``: only runs of points ``low <= point_id < high``.
    """
    frames = list(iter_run_parts(SweepFolder(root), state, columns, points))
    if not frames:
        return pd.DataFrame(columns=["point_id", "replication", *(columns or [])])
    runs = pd.concat(frames, ignore_index=True)
    return runs.sort_values(["point_id", "replication"], kind="stable").reset_index(drop=True)


class FolderLock:
    """An exclusive ``flock`` on ``OUT/.lock`` while a driver writes to the folder.

    The operating system releases it when the process dies, even on ``kill -9``, so a
    stale lock never blocks a resume. :func:`is_locked` lets ``sweep-status`` tell whether
    a driver is running.
    """

    def __init__(self, folder: SweepFolder) -> None:
        import fcntl

        self.path = folder.lock
        self._fh = self.path.open("a+")
        for _ in range(20):
            try:
                fcntl.flock(self._fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                time.sleep(0.05)
        else:
            self._fh.close()
            raise UserError(f"{folder.root}: another sweep process is writing to this "
                            "folder; wait for it or stop it first")
        self._fh.seek(0)
        self._fh.truncate()
        self._fh.write(f"{socket.gethostname()} {os.getpid()}\n")
        self._fh.flush()

    def release(self) -> None:
        """Release the lock."""
        if not self._fh.closed:
            self._fh.close()


def is_locked(folder: SweepFolder) -> bool:
    """True when a driver holds the folder's lock right now."""
    import fcntl

    if not folder.lock.exists():
        return False
    with folder.lock.open("r") as fh:
        try:
            fcntl.flock(fh.fileno(), fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(fh.fileno(), fcntl.LOCK_UN)
    return False
