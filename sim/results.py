"""Write a results folder atomically: build it beside the target, then rename into place.

Result tables travel from the workers and wait for the writer as compressed Parquet parts
(:class:`TableParts`, one part per batch of runs), not as DataFrames: a run's tables are
about 30 KB that way instead of about 250 KB, and :func:`write_tables` streams the parts
into each file.
"""

from __future__ import annotations

import contextlib
import json
import platform
import re
import subprocess
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

import sim
from sim.errors import UserError
from sim.files import building, check_free_space, check_parent, write_atomically
from sim.tables import arrow_schema, conform, folder_columns

PARQUET_OPTIONS = {"index": False, "compression": "zstd"}
ROW_GROUP_ROWS = 128 * 1024  # row groups of the written files, however the runs were batched


def parquet_bytes(frame: pd.DataFrame) -> bytes:
    """``frame`` as the bytes of a zstd-compressed Parquet file (compact to send between
    processes and to hold; the pandas dtypes come back on reading)."""
    sink = pa.BufferOutputStream()
    pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), sink, compression="zstd")
    return sink.getvalue().to_pybytes()


def _pandas_metadata(schemas: list[pa.Schema], first: Mapping[bytes, bytes] | None
                     ) -> dict[bytes, bytes]:
    """The parts' pandas metadata, one column entry from the first part that knows the
    column's type: pandas 2 calls an all-missing text column "empty", so the first part's
    entry alone would make the file depend on how the rows were split into parts."""
    metadata = dict(first or {})
    entries = [json.loads(s.metadata[b"pandas"]) for s in schemas
               if s.metadata and b"pandas" in s.metadata]
    if not entries:
        return metadata
    merged = entries[0]
    changed = False
    for i, column in enumerate(merged["columns"]):
        if column.get("pandas_type") == "empty":
            merged["columns"][i] = next(
                (e["columns"][i] for e in entries if i < len(e["columns"])
                 and e["columns"][i].get("pandas_type") != "empty"), column)
            changed = changed or merged["columns"][i] is not column
    if changed:
        metadata[b"pandas"] = json.dumps(merged).encode()
    return metadata


def _read_part(data: bytes) -> pa.Table:
    return pq.read_table(pa.BufferReader(data))


def write_parquet_parts(parts: Iterable[pa.Table], path: Path, schema: pa.Schema,
                        row_group_rows: int = ROW_GROUP_ROWS) -> None:
    """Write tables one after the other into one Parquet file, holding at most one row
    group. The row groups have ``row_group_rows`` rows (the last fewer), so the file does
    not depend on how the rows were split into parts."""
    # Page checksums (CRC-32 of every data page) let any reader that verifies them, and
    # mentorsim's own checks (sim.sweep.integrity), tell a damaged file from a good one.
    with pq.ParquetWriter(path, schema, compression="zstd", write_page_checksum=True) as writer:
        pending: list[pa.Table] = []
        rows = 0
        for part in parts:
            pending.append(part.cast(schema))
            rows += part.num_rows
            while rows >= row_group_rows:
                table = pa.concat_tables(pending)
                writer.write_table(table.slice(0, row_group_rows).combine_chunks(),
                                   row_group_size=row_group_rows)
                pending = [table.slice(row_group_rows)]
                rows = pending[0].num_rows
        if rows or not pending:
            table = pa.concat_tables(pending) if pending else schema.empty_table()
            writer.write_table(table.combine_chunks(), row_group_size=row_group_rows)


class TableParts(Mapping[str, pd.DataFrame]):
    """Named result tables kept as compressed Parquet parts until they are needed.

    Parts arrive under a sequence number (batches of runs finish in any order) and are
    always read in that order. Looking a table up (``parts["matches"]``) builds its
    DataFrame once and keeps it; :meth:`write_parquet` streams the parts to a file
    without building it.

    Example:
        >>> parts = TableParts(["t"])
        >>> parts.add(1, {"t": parquet_bytes(pd.DataFrame({"x": [3]}))})
        >>> parts.add(0, {"t": parquet_bytes(pd.DataFrame({"x": [1, 2]}))})
        >>> parts["t"]["x"].tolist(), len(parts), list(parts)
        ([1, 2, 3], 1, ['t'])
    """

    def __init__(self, names: Iterable[str]) -> None:
        self._parts: dict[str, dict[int, bytes]] = {name: {} for name in names}
        self._frames: dict[str, pd.DataFrame] = {}

    def add(self, seq: int, parts: Mapping[str, bytes]) -> None:
        """Add one part (Parquet bytes, see :func:`parquet_bytes`) of every table."""
        if set(parts) != set(self._parts):
            raise ValueError(f"parts of {sorted(parts)}, expected {sorted(self._parts)}")
        for name, data in parts.items():
            if seq in self._parts[name]:
                raise ValueError(f"{name}: part {seq} added twice")
            self._parts[name][seq] = data
            self._frames.pop(name, None)

    @property
    def nbytes(self) -> int:
        """Bytes held in parts (compressed)."""
        return sum(len(b) for by_seq in self._parts.values() for b in by_seq.values())

    def _tables(self, name: str) -> Iterator[pa.Table]:
        by_seq = self._parts[name]
        for seq in sorted(by_seq):
            yield _read_part(by_seq[seq])

    def schema(self, name: str) -> pa.Schema:
        """The table's Arrow schema: the parts' schemas unified (an integer column that
        is fractional in some part is a float column)."""
        schemas = [pq.read_schema(pa.BufferReader(b))
                   for _, b in sorted(self._parts[name].items())]
        if not schemas:
            return pa.schema([])
        unified = pa.unify_schemas(schemas, promote_options="permissive")
        return unified.with_metadata(_pandas_metadata(schemas, unified.metadata))

    def arrow(self, name: str) -> pa.Table:
        """The whole table as one Arrow table."""
        schema = self.schema(name)
        tables = [t.cast(schema) for t in self._tables(name)]
        return pa.concat_tables(tables) if tables else schema.empty_table()

    def write_parquet(self, name: str, path: Path, schema: pa.Schema | None = None) -> None:
        """Write the table to ``path`` part by part (each part conformed to ``schema``,
        the declared one of :func:`sim.tables.arrow_schema`, when given)."""
        if schema is None:
            write_parquet_parts(self._tables(name), path, self.schema(name))
        else:
            write_parquet_parts((conform(t, schema) for t in self._tables(name)), path, schema)

    def __getitem__(self, name: str) -> pd.DataFrame:
        if name not in self._parts:
            raise KeyError(name)
        if name not in self._frames:
            self._frames[name] = self.arrow(name).to_pandas()
        return self._frames[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._parts)

    def __len__(self) -> int:
        return len(self._parts)


def _git(*args: str) -> str | None:
    root = Path(sim.__file__).resolve().parent.parent
    try:
        out = subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True,
                             timeout=5, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout if out.returncode == 0 else None


def git_commit() -> str | None:
    """The commit of the source tree mentorsim runs from, when it is a git checkout."""
    out = _git("rev-parse", "HEAD")
    return out.strip() or None if out is not None else None


def git_dirty() -> bool | None:
    """True when the source tree has changes not in its commit (then the commit alone does
    not say what ran); None when it is not a git checkout."""
    if git_commit() is None:
        return None
    out = _git("status", "--porcelain", "--untracked-files=no")
    return None if out is None else bool(out.strip())


def source() -> dict[str, Any]:
    """What identifies the code that ran: the commit and whether it had local changes."""
    return {"git_commit": git_commit(), "git_dirty": git_dirty()}


# Libraries whose versions can change a result: the model and its data (Mesa, NumPy,
# pandas, pydantic), the compiled kernels (numba), the designs, intervals and indices
# (SciPy, SALib), the calibration emulator (scikit-learn), the files (pyarrow).
LIBRARIES = ("mesa", "numpy", "pandas", "pydantic", "numba", "scipy", "SALib",
             "scikit-learn", "pyarrow")


def versions() -> dict[str, Any]:
    """Versions that matter for reproducing a run: mentorsim, Python and every library in
    :data:`LIBRARIES` (``libraries``; Mesa, NumPy and pandas also under their own keys)."""
    from importlib.metadata import PackageNotFoundError, version

    libraries: dict[str, str | None] = {}
    for name in LIBRARIES:
        try:
            libraries[name] = version(name)
        except PackageNotFoundError:
            libraries[name] = None
    return {"mentorsim_version": sim.__version__, "python_version": platform.python_version(),
            "mesa_version": libraries["mesa"], "numpy_version": libraries["numpy"],
            "pandas_version": libraries["pandas"], "libraries": libraries}


def check_out_dir(out: Path) -> None:
    """Refuse, before any work is done, an output folder that already exists or cannot be
    made (its parent is a file, or a folder this user cannot write to)."""
    if out.exists():
        raise UserError(f"--out {out}: already exists; choose a new folder or remove it")
    check_parent(out)


def folder_label(names: Sequence[str], limit: int = 60) -> str:
    """Scenario names as part of a results folder's name: each in lower case with "_" for
    anything but letters and digits, joined by "-", and cut after a whole word so the
    label is at most ``limit`` characters (never mid-word).

    Example:
        >>> folder_label(["Annual grants", "Budget cut 25%"])
        'annual_grants-budget_cut_25'
        >>> folder_label(["Therapeutic supervision", "Five-year grant"], limit=30)
        'therapeutic_supervision-five'
    """
    slugs = [re.sub(r"[^a-z0-9]+", "_", str(n).lower()).strip("_") or "scenario"
             for n in names]
    text = "-".join(slugs)
    if len(text) <= limit:
        return text
    head = text[:limit + 1]
    cut = max(head.rfind("-"), head.rfind("_"))
    return text[:cut] if cut > 0 else text[:limit]


def default_out_dir(label: str) -> Path:
    """A new folder under results/ named by time and label."""
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    return Path("results") / f"{stamp}-{label}"


def write_json(path: Path, data: Any, *, durable: bool = False) -> None:
    """Write JSON atomically (:func:`sim.files.write_atomically`; ``durable``: fsynced)."""
    def dump(tmp: Path) -> None:
        with open(tmp, "w", encoding="utf-8") as fh:
            json.dump(data, fh, indent=2, sort_keys=False, default=str)
            fh.write("\n")

    write_atomically(path, dump, durable=durable)


@contextlib.contextmanager
def new_folder(out: Path, needed_bytes: int = 0) -> Iterator[Path]:
    """Claim ``out`` before any work and build it atomically: yield a hidden sibling,
    renamed to ``out`` only if the block succeeds; on any failure (a full disk, Ctrl-C,
    SIGTERM) nothing is left behind. Refused at once when ``out`` exists, another process
    is building it, or its disk has less than ``needed_bytes`` free (see
    :func:`sim.files.building`)."""
    out = Path(out)
    check_out_dir(out)
    check_free_space(out, needed_bytes)
    out.parent.mkdir(parents=True, exist_ok=True)
    with building(out) as tmp:  # .NAME.partial-HOST-PID-XXXX: stale ones can be told
        yield tmp


def write_folder(out: Path, fill: Callable[[Path], None]) -> Path:
    """Create ``out`` atomically: ``fill(tmp)`` writes into a hidden sibling that is
    renamed to ``out`` only if it succeeds; on any failure nothing is left behind."""
    with new_folder(out) as tmp:
        fill(tmp)
    return Path(out)


# What a results folder takes on disk (measured: baseline, 260 weeks, 2 and 8
# replications): about 330 bytes per run-week of tables, plus about 5 MB of fixed files
# (the dashboard with its plotting library, the workbook, the manifest).
FOLDER_BYTES_PER_RUN_WEEK = 330
FOLDER_FIXED_BYTES = 5_000_000


def folder_bytes(runs: int, weeks: int) -> int:
    """About how much a results folder of ``runs`` runs of ``weeks`` weeks takes."""
    return FOLDER_FIXED_BYTES + FOLDER_BYTES_PER_RUN_WEEK * runs * weeks


def folder_scenarios(manifest: Mapping[str, Any], summary: pd.DataFrame) -> list[str] | None:
    """The run's scenarios in the order given (the manifest's, else the summary's): the
    categories of every table's ``scenario`` column (``None`` when neither names them:
    then the categories are the scenarios the tables hold)."""
    named = [str(s["name"]) for s in manifest.get("scenarios", [])
             if isinstance(s, Mapping) and "name" in s]
    if not named and "scenario" in summary:
        named = [str(s) for s in dict.fromkeys(summary["scenario"])]
    return named or None


def write_typed(frame: pd.DataFrame, path: Path, schema: pa.Schema) -> None:
    """Write ``frame`` to ``path`` with the declared ``schema`` (types, categories, field
    metadata: :func:`sim.tables.arrow_schema`)."""
    table = conform(pa.Table.from_pandas(frame, preserve_index=False), schema)
    write_parquet_parts([table], path, schema)


def write_tables(folder: Path, tables: Mapping[str, pd.DataFrame], summary: pd.DataFrame,
                 manifest: dict[str, Any], yearly: pd.DataFrame | None = None,
                 replications: pd.DataFrame | None = None) -> None:
    """Write the output contract's files into ``folder`` (see docs/outputs.md).

    ``tables`` may be :class:`TableParts` (as :func:`sim.runner.run_scenarios` returns
    them): their parts are streamed to the files without building the DataFrames. Every
    Parquet file is written with its declared schema (:mod:`sim.tables`): categories with
    their full lists (``scenario``'s the run's scenarios, in order) and each column's unit
    and meaning as field metadata. ``replications`` (one row per scenario x replication:
    ``seed`` and every metric, :meth:`sim.runner.Results.replications`) is written as
    ``replications.parquet`` when given.
    """
    scenarios = folder_scenarios(manifest, summary)
    categories = {} if scenarios is None else {"scenario": scenarios}
    for name in tables:
        path = folder / f"{name}.parquet"
        schema = arrow_schema(folder_columns(name), categories)
        if isinstance(tables, TableParts):
            tables.write_parquet(name, path, schema)
        else:
            write_typed(tables[name], path, schema)
    for name, frame in (("yearly", yearly), ("replications", replications)):
        if frame is not None and len(frame.columns):
            write_typed(frame, folder / f"{name}.parquet",
                        arrow_schema(folder_columns(name), categories))
    summary.to_csv(folder / "summary.csv", index=False, float_format="%.10g")
    write_json(folder / "manifest.json", manifest)


def manifest_for(command: list[str], scenarios: list[Any], seeds: list[int], root_seed: int,
                 replications: int, weeks: int, wall_time_s: float) -> dict[str, Any]:
    """The manifest: versions, commit, command line, resolved parameters and seeds."""
    return {
        **versions(),
        **source(),
        "command": command,
        "created_utc": datetime.now(UTC).isoformat(timespec="seconds"),
        "root_seed": root_seed,
        "replications": replications,
        "weeks": weeks,
        "wall_time_s": round(wall_time_s, 3),
        "scenarios": [{"name": s.name, "question": s.question, "source": s.source,
                       "parameters": s.params.model_dump(mode="json"), "seeds": seeds}
                      for s in scenarios],
    }
