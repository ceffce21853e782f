"""The sweep folder's columns: SQL-safe names for factors, and every file's declared types.

A factor is a dotted parameter name in a spec, on the command line and in messages
(``funding.grant_term_years``). As a column of the folder's tables it is
``funding__grant_term_years``: the section and the key joined by a double underscore, the
``section__key`` convention of the model's keyword levers
(``MentoringModel(supervision__sessions_per_month=2)``). A dot in a column name breaks SQL
(DuckDB reads ``funding.grant_term_years`` as column ``grant_term_years`` of a table
``funding``); the double underscore needs no quoting anywhere. The manifest's ``columns``
maps each factor column back to its parameter, and :func:`parameter_name` does the same.

Every Parquet file of a sweep folder is written with a declared schema
(:func:`schema_for`, chosen by the file's place in the layout of
:class:`sim.sweep.storage.SweepFolder`): run keys, factor columns typed like their
parameter (a choice parameter is a category with all its choices), one float64 column
per metric, vocabulary columns as categories with their full lists, and each column's
unit and meaning as Arrow field metadata, as in a run's results folder (:mod:`sim.tables`).

Example:
    >>> column_name("funding.grant_term_years")
    'funding__grant_term_years'
    >>> parameter_name("funding__grant_term_years")
    'funding.grant_term_years'
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sim import vocabulary
from sim.tables import SCHEMA, Column, SchemaError

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

SEPARATOR = "__"  # section__key, as the model's keyword levers

POINT_ID = Column("point_id", "int64", "id", "Design point (a row of points.parquet), 0..n-1")
REPLICATION = Column("replication", "int64", "index", "Replication k (0-based); replication "
                     "k has the same seed at every point")
SEED = Column("seed", "int64", "seed", "The replication's seed (the manifest's "
              "replication_seeds[k])")
POLICY_COLUMN = Column("policy", "str", "name", "The policy the point runs under, in a "
                       "design crossed with the spec's [[policies]]")


def column_name(parameter: str) -> str:
    """The column of a dotted parameter name (``section.key`` -> ``section__key``)."""
    return parameter.replace(".", SEPARATOR, 1)


def parameter_name(column: str) -> str:
    """The dotted parameter name of a factor column (others are returned unchanged)."""
    section, sep, key = column.partition(SEPARATOR)
    name = f"{section}.{key}"
    return name if sep and name in _parameters() else column


def columns_of(parameters: Iterable[str]) -> dict[str, str]:
    """``{column: dotted parameter}`` for the manifest's ``columns`` entry."""
    return {column_name(p): p for p in parameters}


def renamed(columns: Iterable[str]) -> dict[str, str]:
    """``{dotted: column}`` for the columns that are dotted parameter names (as in sweep
    folders written before factor columns were SQL-safe), to pass to ``rename``."""
    return {c: column_name(c) for c in columns if c in _parameters()}


@cache
def _parameters() -> frozenset[str]:
    from sim.sweep.factors import parameter_names

    return frozenset(parameter_names())


@cache
def factor_column(column: str) -> Column:
    """The declared column of a factor (``section__key``), typed like its parameter."""
    from sim.sweep.factors import choices_of, dtype_of, field_info

    parameter = parameter_name(column)
    if parameter == column:
        raise SchemaError(f"{column}: not a factor column (section__key of a parameter)")
    info = field_info(parameter)
    extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
    unit = str(extra.get("unit") or "")
    meaning = f"Parameter `{parameter}`: {info.description or ''}".rstrip(": ")
    kind = dtype_of(info)
    if kind == "category":
        choices = choices_of(info)
        if choices is None:
            return Column(column, "str", unit, meaning)
        return Column(column, "category", unit, meaning, tuple(str(c) for c in choices))
    return Column(column, {"bool": "bool", "int": "int64", "float": "float64"}[kind], unit,
                  meaning)


def unit_column(column: str) -> Column:
    """A factor's coordinate in the unit hypercube (``design_unit.parquet``)."""
    return Column(column, "float64", "0-1", f"`{parameter_name(column)}` as sampled on the "
                  "unit interval (the design matrix the Morris and Sobol analyses read)")


@cache
def _metrics() -> dict[str, Column]:
    from sim.tables import metric_columns

    return {c.name: c for c in metric_columns()}


def _metric_names() -> tuple[str, ...]:
    return tuple(_metrics())


def point_summary_columns() -> tuple[Column, ...]:
    """``point_summary.parquet``: one row per point and metric."""
    return (
        POINT_ID,
        Column("metric", "category", "name", "The metric (`mentorsim metrics`)",
               _metric_names()),
        Column("mean", "float64", "the metric's", "Mean over the point's replications"),
        Column("ci_low", "float64", "the metric's", "Lower end of the 95% t-interval"),
        Column("ci_high", "float64", "the metric's", "Upper end of the 95% t-interval"),
        Column("replications", "int64", "runs", "Runs where the metric is defined"),
    )


def sensitivity_columns() -> tuple[Column, ...]:
    """``sensitivity.parquet``: one row per method, metric, parameter and index."""
    return (
        Column("method", "category", "name", "`morris` or `sobol`",
               vocabulary.SENSITIVITY_METHODS),
        Column("metric", "category", "name", "The metric analysed (`mentorsim metrics`)",
               _metric_names()),
        Column("parameter", "str", "name", "The factor, as a dotted parameter name (its "
               "column in points.parquet is section__key)"),
        Column("index", "category", "name", "`mu_star`, `sigma` (Morris), `S1` or `ST` "
               "(Sobol)", vocabulary.SENSITIVITY_INDICES),
        Column("value", "float64", "the metric's (Morris) or share (Sobol)",
               "The index's estimate"),
        Column("conf", "float64", "as value", "95% bootstrap half-width (NaN for sigma)"),
        Column("flag", "str", "text", "`negative`, `unstable`, `s1_above_st`, joined by `;`; "
               "empty when none"),
        Column("samples", "int64", "count", "Morris trajectories or Sobol base samples the "
               "index rests on (fewer than the design's when the metric is missing at some "
               "points: those trajectories or blocks are left out)"),
        POLICY_COLUMN,
    )


def _declared(name: str, role: str) -> Column:
    """The declared column ``name`` of a file in role ``role``."""
    if name == POINT_ID.name:
        return POINT_ID
    if name == POLICY_COLUMN.name and role in ("points", "runs"):
        return POLICY_COLUMN
    if role == "unit":
        return unit_column(name)
    if role == "runs":
        if name in (REPLICATION.name, SEED.name):
            return REPLICATION if name == REPLICATION.name else SEED
        if name in _metrics():
            return _metrics()[name]
    return factor_column(name)


def schema_for(path: Path, columns: Sequence[str]) -> pa.Schema | None:
    """The declared Arrow schema of a sweep folder's Parquet file ``path`` holding
    ``columns`` (SQL-safe names), or ``None`` for a file outside the layout.

    Raises:
        SchemaError: a column the file's declaration does not know.
    """
    from sim.tables import arrow_schema

    path = Path(path)
    fixed = {"point_summary.parquet": point_summary_columns,
             "sensitivity.parquet": sensitivity_columns}
    if path.name in fixed:
        declared = {c.name: c for c in fixed[path.name]()}
        unknown = [c for c in columns if c not in declared]
        if unknown:
            raise SchemaError(f"{path.name}: undeclared column(s) {', '.join(unknown)}")
        return arrow_schema([declared[c] for c in columns])
    if path.parent.parent.name == "tables" and path.parent.name in SCHEMA:
        declared = {c.name: c for c in (POINT_ID, REPLICATION, *SCHEMA[path.parent.name].columns)}
        return arrow_schema([declared[c] for c in columns])
    role = {"points.parquet": "points", "design_unit.parquet": "unit"}.get(
        path.name, "runs" if path.parent.name == "runs" else None)
    if role is None:
        return None
    return arrow_schema([_declared(c, role) for c in columns])


def typed(frame: pd.DataFrame | pa.Table, path: Path) -> pa.Table:
    """``frame`` as the Arrow table written to ``path``: factor columns renamed to their
    SQL-safe names and every column cast to its declaration (:func:`schema_for`)."""
    import pyarrow as pa

    from sim.tables import conform

    table = frame if isinstance(frame, pa.Table) else pa.Table.from_pandas(
        frame, preserve_index=False)
    names = renamed(table.column_names)
    if names:
        table = table.rename_columns([names.get(c, c) for c in table.column_names])
    schema = schema_for(path, table.column_names)
    return table if schema is None else conform(table, schema)


def plain(frame: pd.DataFrame, columns: Mapping[str, Any] | None = None) -> pd.DataFrame:
    """``frame`` with factor columns renamed back to dotted parameter names (``columns``:
    the manifest's mapping; without it the names are derived), for code that labels by
    parameter."""
    mapping = dict(columns or {})
    return frame.rename(columns={c: str(mapping.get(c, parameter_name(c)))
                                 for c in frame.columns})


def read_points(root: Path) -> pd.DataFrame:
    """``points.parquet`` with SQL-safe factor columns (a folder written before they were
    has dotted ones; they are renamed on reading)."""
    import pandas as pd

    points = pd.read_parquet(Path(root) / "points.parquet")
    return points.rename(columns=renamed(points.columns))
