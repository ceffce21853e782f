"""Read and validate a results folder (see ``docs/outputs.md``) for the dashboards.

Everything the figures need is checked here, once, so a missing or damaged file fails
with a message that names the file instead of a KeyError deep inside a chart.

The figures work on plain values: category columns (``scenario``, ``closure_reason``,
``event``, ...) come back as strings, so a ``groupby`` never yields a group for a category
no row has, and a sweep's factor columns (``funding__grant_term_years`` on disk, see
``sim.sweep.columns``) are named by their dotted parameter (``funding.grant_term_years``),
as the manifest's levers and uncertainties are.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from sim.metrics import METRICS
from sim.sweep.columns import plain


class ResultsError(ValueError):
    """The results folder is missing, incomplete or corrupt; the message names the file."""


SWEEP_MANIFEST = "sweep_manifest.json"

# Only the columns the dashboards read: a results folder may carry more (the contract
# can grow), and reading fewer columns keeps big comparison runs quick to load.
COMPARISON_PARQUET_COLUMNS: dict[str, tuple[str, ...]] = {
    "weekly.parquet": (
        "scenario", "replication", "week", "active_matches", "waiting_mentees",
        "active_mentors", "burnt_out_mentors", "funding_balance_gbp",
    ),
    "matches.parquet": ("scenario", "replication", "duration_weeks", "closure_reason"),
    "mentors.parquet": ("scenario", "replication", "mentor_id", "exit_reason"),
    "events.parquet": ("scenario", "replication", "week", "event"),
}
# yearly.parquet (optional: folders written before it existed have none): the year
# columns, then one column per metric of sim.metrics.METRICS computed over that year.
YEARLY_FILE = "yearly.parquet"
YEARLY_COLUMNS: tuple[str, ...] = ("scenario", "replication", "year", "start_week", "end_week")
SUMMARY_COLUMNS: tuple[str, ...] = (
    "scenario", "metric", "mean", "ci_low", "ci_high", "replications", "statistic", "reference",
)
SWEEP_PARQUET_COLUMNS: dict[str, tuple[str, ...]] = {
    "points.parquet": ("point_id",),
    "point_summary.parquet": (
        "point_id", "metric", "mean", "ci_low", "ci_high", "replications",
    ),
}
SENSITIVITY_COLUMNS: tuple[str, ...] = (
    "method", "metric", "parameter", "index", "value", "conf", "flag",
)
# Older sweep folders name the metric column of sensitivity.csv "outcome".
_OLD_NAMES = {"sensitivity.csv": {"outcome": "metric"}}

_RUN_HINT = "expected from `mentorsim run`"
_SWEEP_HINT = "expected in a sweep results folder"


@dataclass(frozen=True)
class ComparisonResults:
    """The tables of a scenario-comparison results folder, validated."""

    path: Path
    manifest: dict[str, Any]
    weekly: pd.DataFrame
    matches: pd.DataFrame
    mentors: pd.DataFrame
    events: pd.DataFrame
    summary: pd.DataFrame
    scenarios: list[str] = field(default_factory=list)
    weeks: int = 0
    # None when the folder has no yearly.parquet; else its year columns and the
    # registry's metric columns it holds.
    yearly: pd.DataFrame | None = None
    # None when the run was not reported across plausible worlds; else across_worlds.csv
    # (sim.across_worlds.read), one row per option x key outcome.
    across: pd.DataFrame | None = None


@dataclass(frozen=True)
class SweepResults:
    """The tables of a sweep results folder, validated."""

    path: Path
    manifest: dict[str, Any]
    points: pd.DataFrame
    point_summary: pd.DataFrame
    sensitivity: pd.DataFrame | None
    parameters: list[str] = field(default_factory=list)
    units: dict[str, str] = field(default_factory=dict)


def is_sweep_folder(results_dir: Path) -> bool:
    """A folder is a sweep folder exactly when it holds ``sweep_manifest.json``."""
    return (Path(results_dir) / SWEEP_MANIFEST).is_file()


def _check_folder(results_dir: Path) -> Path:
    path = Path(results_dir)
    if not path.exists():
        raise ResultsError(f"results folder {results_dir} does not exist")
    if not path.is_dir():
        raise ResultsError(f"results folder {results_dir} is not a folder")
    return path


def read_json(results_dir: Path, name: str, hint: str = _RUN_HINT) -> dict[str, Any]:
    """Read a JSON object file of the folder, or raise :class:`ResultsError` naming it."""
    file = Path(results_dir) / name
    if not file.is_file():
        raise ResultsError(f"results folder {results_dir} has no {name} ({hint})")
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ResultsError(
            f"results folder {results_dir} has a corrupt {name} (not valid JSON: {exc})"
        ) from exc
    if not isinstance(data, dict):
        raise ResultsError(
            f"results folder {results_dir} has a corrupt {name} (expected a JSON object)"
        )
    return data


def read_parquet(
    results_dir: Path,
    name: str,
    columns: tuple[str, ...],
    hint: str = _RUN_HINT,
    *,
    keep_extra: bool = False,
) -> pd.DataFrame:
    """Read ``columns`` of a Parquet file of the folder, checking they are all there.

    With ``keep_extra`` every column is read (used for ``points.parquet``, whose
    parameter columns depend on the sweep).
    """
    file = Path(results_dir) / name
    if not file.is_file():
        raise ResultsError(f"results folder {results_dir} has no {name} ({hint})")
    try:
        schema = pq.read_schema(file)
    except (pa.ArrowException, OSError) as exc:
        raise ResultsError(
            f"results folder {results_dir} has a corrupt {name} "
            f"(could not be read as Parquet: {exc})"
        ) from exc
    missing = [c for c in columns if c not in schema.names]
    if missing:
        raise ResultsError(
            f"{name} in results folder {results_dir} is missing column(s) "
            f"{', '.join(missing)} (see docs/outputs.md)"
        )
    try:
        table = pq.read_table(file, columns=None if keep_extra else list(columns))
    except (pa.ArrowException, OSError) as exc:
        raise ResultsError(
            f"results folder {results_dir} has a corrupt {name} "
            f"(could not be read as Parquet: {exc})"
        ) from exc
    return plain_values(table.to_pandas())


def plain_values(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with every category column turned back into plain strings (the type of
    its categories), so grouping and comparing behave as on any string column."""
    for column in frame.columns:
        dtype = frame[column].dtype
        if isinstance(dtype, pd.CategoricalDtype):
            frame[column] = frame[column].astype(dtype.categories.dtype)
    return frame


def read_csv(
    results_dir: Path, name: str, columns: tuple[str, ...], hint: str = _RUN_HINT
) -> pd.DataFrame:
    """Read a CSV file of the folder, checking its columns."""
    file = Path(results_dir) / name
    if not file.is_file():
        raise ResultsError(f"results folder {results_dir} has no {name} ({hint})")
    try:
        # keep_default_na=False + na_values=[""] so a scenario or flag literally called
        # "NA" or "None" is not silently turned into a missing value.
        frame = pd.read_csv(file, keep_default_na=False, na_values=[""])
    except (OSError, UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise ResultsError(
            f"results folder {results_dir} has a corrupt {name} (could not be read: {exc})"
        ) from exc
    old = {a: b for a, b in _OLD_NAMES.get(name, {}).items()
           if a in frame.columns and b not in frame.columns}
    frame = frame.rename(columns=old)
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ResultsError(
            f"{name} in results folder {results_dir} is missing column(s) "
            f"{', '.join(missing)} (see docs/outputs.md)"
        )
    return frame


def _numeric(frame: pd.DataFrame, columns: tuple[str, ...], name: str, folder: Path) -> None:
    for column in columns:
        try:
            frame[column] = pd.to_numeric(frame[column]).astype(float)
        except (TypeError, ValueError) as exc:
            raise ResultsError(
                f"{name} in results folder {folder} has non-numeric values in {column}"
            ) from exc


def read_yearly(results_dir: Path) -> pd.DataFrame | None:
    """Read ``yearly.parquet`` if the folder has one (``None`` if not).

    Keeps the year columns and the columns that are metrics of ``sim.metrics.METRICS``
    (as floats); raises :class:`ResultsError` if the file is corrupt or lacks a year
    column.
    """
    path = Path(results_dir)
    if not (path / YEARLY_FILE).is_file():
        return None
    yearly = read_parquet(results_dir, YEARLY_FILE, YEARLY_COLUMNS, keep_extra=True)
    metrics = [c for c in yearly.columns if c in METRICS and c not in YEARLY_COLUMNS]
    yearly = yearly[[*YEARLY_COLUMNS, *metrics]].copy()
    for column in YEARLY_COLUMNS[1:]:
        values = pd.to_numeric(yearly[column], errors="coerce")
        if values.isna().any():
            raise ResultsError(
                f"{YEARLY_FILE} in results folder {path} has missing or non-numeric values "
                f"in {column}"
            )
        yearly[column] = values.astype("int64")
    _numeric(yearly, tuple(metrics), YEARLY_FILE, path)
    yearly["scenario"] = yearly["scenario"].astype(str)
    return yearly


def load_comparison(results_dir: Path) -> ComparisonResults:
    """Load and validate a scenario-comparison results folder.

    Raises :class:`ResultsError` naming the missing or corrupt file.
    """
    path = _check_folder(results_dir)
    manifest = read_json(results_dir, "manifest.json")
    tables = {
        name: read_parquet(results_dir, name, columns)
        for name, columns in COMPARISON_PARQUET_COLUMNS.items()
    }
    summary = read_csv(results_dir, "summary.csv", SUMMARY_COLUMNS)
    weekly = tables["weekly.parquet"]
    if weekly.empty:
        raise ResultsError(f"weekly.parquet in results folder {results_dir} has no rows")
    _numeric(weekly, COMPARISON_PARQUET_COLUMNS["weekly.parquet"][2:], "weekly.parquet", path)
    _numeric(tables["matches.parquet"], ("duration_weeks",), "matches.parquet", path)
    _numeric(summary, ("mean", "ci_low", "ci_high", "replications"), "summary.csv", path)
    for frame in (*tables.values(), summary):
        frame["scenario"] = frame["scenario"].astype(str)

    declared = [
        str(s["name"]) for s in manifest.get("scenarios", []) if isinstance(s, dict) and "name" in s
    ]
    # Manifest order is the order the user asked for; the first scenario is the reference
    # for paired differences. Scenarios only present in the tables go last.
    seen = list(dict.fromkeys(weekly["scenario"]))
    scenarios = [s for s in declared if s in seen] + [s for s in seen if s not in declared]
    weeks = int(manifest.get("weeks") or weekly["week"].max())
    return ComparisonResults(
        path=path,
        manifest=manifest,
        weekly=weekly,
        matches=tables["matches.parquet"],
        mentors=tables["mentors.parquet"],
        events=tables["events.parquet"],
        summary=summary,
        scenarios=scenarios,
        weeks=weeks,
        yearly=read_yearly(results_dir),
        across=read_across(results_dir),
    )


def read_across(results_dir: Path) -> pd.DataFrame | None:
    """The folder's ``across_worlds.csv`` (None without one), read as every output reads it
    (:func:`sim.across_worlds.read`)."""
    from sim.across_worlds import read
    from sim.errors import UserError

    try:
        return read(results_dir)
    except UserError as exc:
        raise ResultsError(f"results folder {results_dir}: {exc} (see docs/outputs.md)") from None


def load_sweep(results_dir: Path) -> SweepResults:
    """Load and validate a sweep results folder (one holding ``sweep_manifest.json``)."""
    path = _check_folder(results_dir)
    manifest = read_json(results_dir, SWEEP_MANIFEST, _SWEEP_HINT)
    from sim.sweep.manifest import manifest_problem

    problem = manifest_problem(manifest)
    if problem:
        raise ResultsError(f"results folder {results_dir} has a damaged {SWEEP_MANIFEST} "
                           f"({problem})")
    points = read_parquet(
        results_dir, "points.parquet", SWEEP_PARQUET_COLUMNS["points.parquet"], _SWEEP_HINT,
        keep_extra=True,
    )
    status = manifest.get("status")
    if not (path / "point_summary.parquet").is_file() and status:
        # The summary is written when a sweep ends: an unfinished sweep is the likely cause.
        raise ResultsError(
            f"results folder {results_dir} has no point_summary.parquet (it is written when "
            f"the sweep finishes; the sweep manifest says status '{status}')"
        )
    point_summary = read_parquet(
        results_dir, "point_summary.parquet", SWEEP_PARQUET_COLUMNS["point_summary.parquet"],
        _SWEEP_HINT,
    )
    if points.empty:
        raise ResultsError(f"points.parquet in results folder {results_dir} has no rows")
    _numeric(point_summary, ("mean", "ci_low", "ci_high", "replications"),
             "point_summary.parquet", path)
    point_summary["metric"] = point_summary["metric"].astype(str)
    sensitivity = None
    if (path / "sensitivity.csv").is_file():
        sensitivity = read_csv(results_dir, "sensitivity.csv", SENSITIVITY_COLUMNS, _SWEEP_HINT)
        _numeric(sensitivity, ("value", "conf"), "sensitivity.csv", path)
        sensitivity["flag"] = sensitivity["flag"].astype(object).fillna("").astype(str)
    columns = manifest.get("columns")
    points = plain(points, columns if isinstance(columns, dict) else None)
    varied = [c for c in points.columns if c != "point_id"]
    declared = [
        str(p) for p in [*manifest.get("levers", []), *manifest.get("uncertainties", [])]
    ]
    # Levers first (what a programme controls), then uncertainties, as the manifest lists
    # them; categorical parameters are kept, the surfaces treat them as categories.
    parameters = [p for p in declared if p in varied] + [p for p in varied if p not in declared]
    units = {
        str(f["name"]): str(f["unit"])
        for f in manifest.get("factors", [])
        if isinstance(f, dict) and f.get("name") and f.get("unit") not in (None, "", "?")
    }
    return SweepResults(
        path=path,
        manifest=manifest,
        points=points,
        point_summary=point_summary,
        sensitivity=sensitivity,
        parameters=parameters,
        units=units,
    )
