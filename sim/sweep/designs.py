"""Designs: which points a sweep runs, reproducible from the design seed.

* ``factorial``: every combination of the factors' levels (``values``, or ``levels``
  evenly spaced across ``range``).
* ``explicit``: the points listed in ``design.points``; unnamed factors keep base values.
* ``lhs``: a Latin hypercube of ``samples`` points (:class:`scipy.stats.qmc.LatinHypercube`).
* ``sobol``: Saltelli/Sobol sampling for first-order and total indices
  (:func:`SALib.sample.sobol.sample`, ``N * (D + 2)`` points).
* ``morris``: ``samples`` Morris trajectories on a ``grid_levels`` grid
  (:func:`SALib.sample.morris.sample`, ``(D + 1) * r`` points).

Sampled designs are drawn in the unit hypercube, which is kept (``unit``) because the
Morris and Sobol analyses need the design matrix exactly as sampled; each column is then
mapped onto its factor by :meth:`sim.sweep.factors.Factor.from_unit`.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from sim.errors import UserError
from sim.sweep.factors import Factor, check_value
from sim.sweep.schema import flatten
from sim.sweep.spec import Sweep
from sim.sweep.ties import POLICY

DEFAULT_TRAJECTORIES = 10
# Largest sweep one folder holds: the driver keeps every point and run key in memory and
# checks every point before running (split a bigger experiment into several sweeps).
MAX_POINTS = 100_000
MAX_RUNS = 2_000_000
DTYPES = {"bool": "bool", "int": "int64", "float": "float64", "category": "object"}


@dataclass(frozen=True)
class Design:
    """The points of a sweep.

    Attributes:
        kind: design name.
        points: one row per point, index ``point_id`` (0..n-1), one column per factor.
        unit: unit-hypercube coordinates of sampled designs (rows match ``points``).
        options: sizes and seed, for the manifest.
    """

    kind: str
    points: pd.DataFrame
    unit: np.ndarray | None = None
    options: dict[str, Any] = field(default_factory=dict)


def _frame(factors: tuple[Factor, ...], columns: list[list[Any]]) -> pd.DataFrame:
    data = {f.name: pd.Series(col, dtype=DTYPES[f.dtype]) for f, col in zip(factors, columns,
                                                                              strict=True)}
    frame = pd.DataFrame(data)
    frame.index = pd.RangeIndex(len(frame), name="point_id")
    return frame


def problem_for(names: list[str]) -> dict[str, Any]:
    """The SALib problem: every factor on the unit interval."""
    return {"num_vars": len(names), "names": list(names), "bounds": [[0.0, 1.0]] * len(names)}


def _factorial(factors: tuple[Factor, ...]) -> list[list[Any]]:
    rows = list(itertools.product(*(f.grid() for f in factors)))
    return [list(col) for col in zip(*rows, strict=True)]


def _explicit(sweep: Sweep) -> list[list[Any]]:
    columns: list[list[Any]] = [[] for _ in sweep.factors]
    for i, raw in enumerate(sweep.spec.design.points or []):
        point = flatten(raw, set())
        for j, factor in enumerate(sweep.factors):
            section, name = factor.name.split(".", 1)
            value = point.get(factor.name, getattr(getattr(sweep.base, section), name))
            try:
                columns[j].append(check_value(factor.name, value))
            except ValueError as exc:
                raise UserError(f"{sweep.source}: design.points[{i}].{factor.name} = "
                                f"{value!r}: {exc}") from None
    return columns


def _unit(sweep: Sweep) -> tuple[np.ndarray, dict[str, Any]]:
    design = sweep.spec.design
    names = sweep.unit_names()  # factors, then compositions' coordinates
    seed = sweep.design_seed
    if design.kind == "lhs":
        from scipy.stats import qmc

        sampler = qmc.LatinHypercube(d=len(names), rng=np.random.default_rng(seed))
        return sampler.random(int(design.samples or 0)), {"samples": design.samples}
    if design.kind == "sobol":
        from SALib.sample import sobol

        unit = sobol.sample(problem_for(names), int(design.samples or 0),
                            calc_second_order=False, seed=seed)
        return unit, {"samples": design.samples, "second_order": False}
    from SALib.sample import morris

    trajectories = design.samples or DEFAULT_TRAJECTORIES
    unit = morris.sample(problem_for(names), trajectories, num_levels=design.grid_levels,
                         seed=seed)
    return unit, {"samples": trajectories, "grid_levels": design.grid_levels}


def design_size(sweep: Sweep) -> int:
    """How many points the design has, computed without building it.

    Example:
        >>> from sim.sweep.spec import load_spec
        >>> design_size(load_spec("funding_x_supervision"))
        24
    """
    design = sweep.spec.design
    d = len(sweep.unit_names())
    crossed = max(len(sweep.policies), 1)  # every point runs under every policy
    if design.kind == "factorial":
        return crossed * math.prod(len(f.grid()) for f in sweep.factors)
    if design.kind == "explicit":
        return crossed * len(design.points or [])
    if design.kind == "lhs":
        return crossed * int(design.samples or 0)
    if design.kind == "sobol":
        return crossed * int(design.samples or 0) * (d + 2)
    return crossed * (d + 1) * int(design.samples or DEFAULT_TRAJECTORIES)


def check_size(sweep: Sweep) -> int:
    """The number of points, or a clear error when the sweep is too big to hold.

    Raises:
        UserError: giving the count of points (or runs) and the limit.
    """
    points = design_size(sweep)
    if points > MAX_POINTS:
        how = (" (the product of the factors' levels: "
               + " x ".join(str(len(f.grid())) for f in sweep.factors) + ")"
               if sweep.spec.design.kind == "factorial" else "")
        raise UserError(f"{sweep.source}: the {sweep.spec.design.kind} design has {points:,} "
                        f"points{how}, more than the {MAX_POINTS:,} a sweep can hold; use "
                        "fewer levels or factors, a sampled design (lhs, sobol, morris), or "
                        "split it into several sweeps")
    runs = points * sweep.replications.maximum
    if runs > MAX_RUNS:
        raise UserError(f"{sweep.source}: {points:,} points x {sweep.replications.maximum:,} "
                        f"replications = {runs:,} runs, more than the {MAX_RUNS:,} a sweep can "
                        "hold; use fewer points or replications, or split it into several "
                        "sweeps")
    return points


def make_design(sweep: Sweep) -> Design:
    """Build the sweep's points.

    Args:
        sweep: a resolved spec.

    Returns:
        The :class:`Design`; the same spec always gives the same points.

    Example:
        >>> from sim.sweep.spec import load_spec
        >>> len(make_design(load_spec("funding_x_supervision")).points)
        24
    """
    check_size(sweep)  # before anything is built: a design can explode combinatorially
    kind = sweep.spec.design.kind
    options: dict[str, Any] = {"seed": sweep.design_seed}
    unit = None
    if kind == "factorial":
        columns = _factorial(sweep.factors)
    elif kind == "explicit":
        columns = _explicit(sweep)
    else:
        unit, extra = _unit(sweep)
        options.update(extra)
        columns = [f.from_unit(unit[:, j]) for j, f in enumerate(sweep.factors)]
    points = _frame(sweep.factors, columns)
    j = len(sweep.factors)
    for group in sweep.compositions:  # shares from their coordinates, adding up to 1
        assert unit is not None  # compositions need a sampled design (checked in the spec)
        shares = group.from_unit(unit[:, j:j + group.dimensions])
        j += group.dimensions
        for i, part in enumerate(group.parts):
            points[part] = shares[:, i]
    for tie in sweep.ties:
        points[tie.name] = pd.Series(tie.values(points[tie.follows].to_numpy(float)),
                                     index=points.index)
    if sweep.policies:
        points, unit = _crossed(sweep, points, unit)
        options["policies"] = [p.name for p in sweep.policies]
        options["points_per_policy"] = len(points) // len(sweep.policies)
    options["points"] = len(points)
    return Design(kind=kind, points=points, unit=unit, options=options)


def _crossed(sweep: Sweep, points: pd.DataFrame, unit: np.ndarray | None
             ) -> tuple[pd.DataFrame, np.ndarray | None]:
    """Every point under every policy, policy by policy (point ``p * n + i`` is point
    ``i`` under policy ``p``); the unit matrix repeats, so each policy's block is the
    design as sampled."""
    blocks = []
    for policy in sweep.policies:
        block = points.copy()
        for name, value in policy.values:
            block[name] = value
        block[POLICY] = policy.name
        blocks.append(block)
    crossed = pd.concat(blocks, ignore_index=True)
    names = sweep.point_columns()
    for name in names:  # a policy's parameter keeps the base value under other policies
        if crossed[name].isna().any():
            section, key = name.split(".", 1)
            crossed[name] = crossed[name].fillna(getattr(getattr(sweep.base, section), key))
    crossed = crossed[[*names, POLICY]]
    crossed.index = pd.RangeIndex(len(crossed), name="point_id")
    tiled = None if unit is None else np.tile(unit, (len(sweep.policies), 1))
    return crossed, tiled
