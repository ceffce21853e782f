"""Write a results folder atomically: build it beside the target, then rename into place."""

from __future__ import annotations

import json
import os
import platform
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

import sim
from sim.errors import UserError

PARQUET_OPTIONS = {"index": False, "compression": "zstd"}


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def git_commit() -> str | None:
    """The commit of the source tree mentorsim runs from, when it is a git checkout."""
    root = Path(sim.__file__).resolve().parent.parent
    try:
        out = subprocess.run(["git", "-C", str(root), "rev-parse", "HEAD"],
                             capture_output=True, text=True, timeout=5, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() or None


def versions() -> dict[str, str]:
    """Versions that matter for reproducing a run."""
    import mesa
    import numpy
    import pandas

    return {"mentorsim_version": sim.__version__, "python_version": platform.python_version(),
            "mesa_version": mesa.__version__, "numpy_version": numpy.__version__,
            "pandas_version": pandas.__version__}


def check_out_dir(out: Path) -> None:
    """Refuse, before any work is done, an output folder that already exists."""
    if out.exists():
        raise UserError(f"--out {out}: already exists; choose a new folder or remove it")


def default_out_dir(label: str) -> Path:
    """A new folder under results/ named by time and label."""
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    return Path("results") / f"{stamp}-{label}"


def write_json(path: Path, data: Any) -> None:
    """Write JSON atomically (temp file in the same folder, then rename)."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(data, fh, indent=2, sort_keys=False, default=str)
            fh.write("\n")
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes files private; results are not
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_folder(out: Path, fill: Callable[[Path], None]) -> Path:
    """Create ``out`` atomically: ``fill(tmp)`` writes into a hidden sibling that is
    renamed to ``out`` only if it succeeds; on any failure nothing is left behind."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    check_out_dir(out)
    tmp = Path(tempfile.mkdtemp(dir=out.parent, prefix=f".{out.name}.partial-"))
    try:
        fill(tmp)
        os.chmod(tmp, 0o777 & ~_umask())  # mkdtemp makes folders private; results are not
        os.replace(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return out


def write_tables(folder: Path, tables: dict[str, pd.DataFrame], summary: pd.DataFrame,
                 manifest: dict[str, Any], yearly: pd.DataFrame | None = None) -> None:
    """Write the output contract's files into ``folder`` (see docs/outputs.md)."""
    for name, frame in tables.items():
        frame.to_parquet(folder / f"{name}.parquet", **PARQUET_OPTIONS)
    if yearly is not None:
        yearly.to_parquet(folder / "yearly.parquet", **PARQUET_OPTIONS)
    summary.to_csv(folder / "summary.csv", index=False, float_format="%.10g")
    write_json(folder / "manifest.json", manifest)


def manifest_for(command: list[str], scenarios: list[Any], seeds: list[int], root_seed: int,
                 replications: int, weeks: int, wall_time_s: float) -> dict[str, Any]:
    """The manifest: versions, commit, command line, resolved parameters and seeds."""
    return {
        **versions(),
        "git_commit": git_commit(),
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
