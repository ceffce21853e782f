"""Plausible worlds: parameter sets of the uncertain parameters that the calibration
targets do not rule out, stored once and used by every comparison.

``mentorsim calibrate --worlds`` (:mod:`sim.calibration.ensemble`) builds the ensemble and
writes it to ``scenarios/calibration/worlds.csv``: one row per world, the value of every
declared numeric uncertainty (the fitted ones history-matched to the targets, the others
drawn from their plausible ranges), each target's simulated mean and its implausibility.
World 0 is the defaults (the calibrated central world).

A world sits *under* a comparison's options: its values replace the defaults of every
uncertainty the options leave at the default, and an uncertainty any option sets to a
value of its own (e.g. ``funding.renewal_probability`` in ``long_term_investment``) is a
lever of that comparison, held at each option's own value in every world
(:func:`held_keys`, :func:`apply_world`).
"""

from __future__ import annotations

import csv
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sim.errors import UserError

if TYPE_CHECKING:
    from sim.params import ScenarioParams

# How many worlds, and replications in each, a comparison across worlds runs by default
# (``--worlds`` given without a number): 30 worlds x 5 replications of two options take
# about a minute on 2 cores (benchmarks/core_throughput.py reports ``demo --worlds``).
DEFAULT_WORLDS = 30
DEFAULT_WORLD_REPS = 5
WORLDS_FILE = Path(__file__).resolve().parents[1] / "scenarios" / "calibration" / "worlds.csv"
PARAMETER_PREFIX = "p:"  # a worlds.csv column holding a parameter's value
MEAN_PREFIX = "mean:"  # ... a target's simulated mean in that world
IMPLAUSIBILITY_PREFIX = "I:"  # ... that mean's implausibility


@dataclass(frozen=True)
class World:
    """One plausible world: its number and its uncertain parameters' values."""

    index: int
    values: dict[str, float]


@dataclass(frozen=True)
class Uncertain:
    """A declared numeric uncertainty and its plausible range."""

    name: str
    low: float
    high: float
    integer: bool


def uncertain_parameters() -> list[Uncertain]:
    """Every numeric parameter declared an uncertainty with a plausible range, in
    declaration order (the uncertainties :func:`sim.ema.declared` finds, numbers only)."""
    from sim.ema import declared

    return [Uncertain(name, float(bounds[0]), float(bounds[1]), kind is int)
            for name, (kind, bounds) in declared("uncertainty").items()
            if kind in (int, float) and float(bounds[0]) < float(bounds[1])]


def value_of(params: ScenarioParams, dotted: str) -> Any:
    """A parameter's value by its dotted name."""
    section, _, name = dotted.partition(".")
    return getattr(getattr(params, section), name)


def held_keys(options: Sequence[ScenarioParams], keys: Sequence[str]) -> list[str]:
    """The uncertainties any option sets to a value other than the default: the levers of
    this comparison, which worlds do not change.

    Example:
        >>> from sim.params import ScenarioParams
        >>> base = ScenarioParams()
        >>> held_keys([base, base.with_changes({"funding.renewal_probability": 0.9})],
        ...           ["funding.renewal_probability", "effects.novice_strain"])
        ['funding.renewal_probability']
    """
    from sim.params import ScenarioParams

    default = ScenarioParams()
    return [k for k in keys
            if any(value_of(p, k) != value_of(default, k) for p in options)]


def apply_world(params: ScenarioParams, world: World, held: Sequence[str] = ()
                ) -> ScenarioParams:
    """``params`` in ``world``: the world's values, except the ``held`` keys."""
    kept = set(held)
    return params.with_changes({k: v for k, v in world.values.items() if k not in kept})


def load_worlds(count: int | None = None, path: Path | None = None) -> list[World]:
    """The first ``count`` stored worlds (all when None), world 0 (the defaults) first,
    from ``path`` (default :data:`WORLDS_FILE`, looked up when called).

    Raises:
        UserError: no ensemble has been built, or it holds fewer than ``count`` worlds.
    """
    path = path or WORLDS_FILE
    if not path.exists():
        raise UserError(f"{path}: no plausible worlds yet; build them with "
                        "`mentorsim calibrate --worlds`")
    with path.open(newline="") as fh:
        rows = list(csv.DictReader(fh))
    if count is not None and count > len(rows):
        raise UserError(f"--worlds {count}: {path} holds {len(rows)} plausible worlds; "
                        f"choose at most {len(rows)}")
    integers = {u.name for u in uncertain_parameters() if u.integer}
    out = []
    for row in rows[:count]:
        values: dict[str, float] = {}
        for key, text in row.items():
            if key.startswith(PARAMETER_PREFIX):
                name = key[len(PARAMETER_PREFIX):]
                values[name] = round(float(text)) if name in integers else float(text)
        out.append(World(int(row["world"]), values))
    return out


def read_table(path: Path = WORLDS_FILE) -> list[dict[str, float]]:
    """Every stored world's row (parameters, target means, implausibilities), as numbers."""
    with path.open(newline="") as fh:
        return [{k: float(v) if v not in ("", "nan") else math.nan for k, v in row.items()}
                for row in csv.DictReader(fh)]


def write_table(rows: Sequence[Mapping[str, float]], path: Path = WORLDS_FILE) -> Path:
    """Write the worlds, atomically (columns in the first row's order)."""
    import io

    from sim.files import write_text_atomically

    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: (repr(float(v)) if k != "world" else int(v)) for k, v in row.items()})
    write_text_atomically(path, buffer.getvalue())
    return path
