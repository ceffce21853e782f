"""A sweep folder checks itself: every run the ledger calls done has its row in a readable
part file, or it is run again.

A part file can go missing or be damaged after it was committed (deleted by hand, a disk
or copy error, a file truncated by a full disk on another machine). :func:`check_parts`
checks every part the ledger names: each of its files against the SHA-256 recorded when it
was committed, and every page checksum of its run rows read in full; a part that is
missing, damaged (one flipped bit is enough), unreadable or lacks any of its runs is
**lost**: a ``lost`` ledger record takes its runs out of the done
set (:func:`sim.sweep.ledger.read_ledger`), a damaged file is moved aside as
``runs/.part-NNNNNN.parquet.damaged`` (hidden, so readers of ``runs/`` skip it), and the
part's agent-table files become orphans that the engine removes. ``--resume`` then runs
those runs again, so a sweep never reports itself done with rows missing.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow.parquet as pq

from sim.sweep.ledger import LedgerState
from sim.sweep.seeds import RunKey, run_id
from sim.sweep.storage import SweepFolder, read_part, read_verified


@dataclass(frozen=True)
class LostPart:
    """A committed part file whose rows cannot all be read.

    Attributes:
        part: its name (``part-000003``).
        runs: the runs the ledger says are in it.
        reason: ``missing``, ``damaged (...)`` or ``N of M runs missing``.
    """

    part: str
    runs: tuple[RunKey, ...]
    reason: str

    def describe(self, folder: SweepFolder) -> str:
        """One line for the user."""
        n = len(self.runs)
        return (f"{(folder.runs / self.part).with_suffix('.parquet')}: {self.reason}; its {n} "
                f"run{'s' if n != 1 else ''} will be run again")


def _keys(folder: SweepFolder, part: str, digests: dict[str, str], quick: bool
          ) -> set[RunKey] | int:
    """The run keys in a part (or, when ``quick``, only its row count).

    Unless ``quick``, every file of the part (its run rows and agent tables) must have the
    SHA-256 recorded when it was committed, and the run rows are read in full with every
    page checksum verified, so a flipped bit anywhere is found before a row is used.
    """
    path = folder.runs / f"{part}.parquet"
    if quick:
        return int(pq.ParquetFile(path).metadata.num_rows)
    for name, digest in digests.items():
        if name != f"runs/{path.name}":
            read_verified(folder.root / name, digest)
    frame = read_part(read_verified(path, digests.get(f"runs/{path.name}")))
    return set(zip(frame["point_id"].tolist(), frame["replication"].tolist(), strict=True))


def check_parts(folder: SweepFolder, state: LedgerState, quick: bool = False
                ) -> list[LostPart]:
    """The committed parts whose rows cannot all be read.

    Args:
        folder: the sweep folder.
        state: its ledger.
        quick: check that each part exists, opens and has at least as many rows as the
            ledger puts in it, without reading the rows (for ``sweep-status``); otherwise
            check every run's key (for ``--resume``).
    """
    by_part: dict[str, list[RunKey]] = {}
    for key, part in state.done.items():
        by_part.setdefault(part, []).append(key)
    lost = []
    for part, keys in sorted(by_part.items()):
        path = folder.runs / f"{part}.parquet"
        if not path.is_file():
            lost.append(LostPart(part, tuple(sorted(keys)), "missing"))
            continue
        try:
            found = _keys(folder, part, state.digests.get(part, {}), quick)
        except Exception as exc:  # noqa: BLE001 - any reader error means the part is damaged
            first = str(exc).splitlines()[0][:120] if str(exc) else ""
            lost.append(LostPart(part, tuple(sorted(keys)),
                                 f"damaged ({type(exc).__name__}: {first})"))
            continue
        if isinstance(found, int):
            if found < len(keys):
                lost.append(LostPart(part, tuple(sorted(keys)),
                                     f"{len(keys) - found} of {len(keys)} runs missing"))
            continue
        absent = [k for k in keys if k not in found]
        if absent:
            lost.append(LostPart(part, tuple(sorted(keys)),
                                 f"{len(absent)} of {len(keys)} runs missing"))
    return lost


def lost_record(lost: LostPart) -> dict[str, object]:
    """The ledger record that takes a lost part's runs out of the done set."""
    return {"type": "lost", "part": lost.part, "runs": [run_id(k) for k in lost.runs],
            "reason": lost.reason}


def set_aside(folder: SweepFolder, lost: LostPart) -> None:
    """Move a damaged part file out of the readers' way (kept for inspection)."""
    path = folder.runs / f"{lost.part}.parquet"
    if path.is_file():
        path.replace(folder.runs / f".{lost.part}.parquet.damaged")
