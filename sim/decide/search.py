"""Search on a surrogate: a space-filling design, an emulator per metric, optimisers on
the emulators.

Candidates live in a unit cube, one coordinate per lever and one for the budget multiple
(:class:`Space`): a number maps linearly onto its range (whole numbers rounded), a list of
choices onto equal bins. The design is a Latin hypercube (``scipy.stats.qmc``); the
emulators are the project's Gaussian-process emulator (:class:`sim.calibration.emulator.
Emulator`, fitted to each design point's mean over worlds and replications); the
optimisers are SciPy's ``differential_evolution`` (one objective, constraints as
penalties) and platypus's NSGA-II (the Pareto set). What the emulators propose is only a
proposal: :mod:`sim.decide.decision` re-runs it in every world before anything is said.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from sim.sweep.factors import Factor

GRID = 200  # a number is set to one of 201 levels across its range (so proposals that
# differ by less are the same allocation, run once)
PENALTY = 1e3  # per unit of a constraint's shortfall (in the metric's design spread)
DE_ITERATIONS = 60  # differential evolution's generations (on the emulator: cheap)
PARETO_EVALUATIONS = 4_000  # NSGA-II's emulator evaluations


@dataclass(frozen=True)
class Space:
    """The levers and the budget multiple, as a unit cube."""

    levers: tuple[Factor, ...]
    multiples: tuple[float, float]  # the budget multiple's range

    @property
    def dimensions(self) -> int:
        """Levers plus the budget."""
        return len(self.levers) + 1

    def decode(self, u: Sequence[float]) -> tuple[dict[str, Any], float]:
        """Lever values and budget multiple at a unit-cube point.

        Example:
            >>> f = Factor("supervision.style", "lever", "category", "",
            ...            values=("managerial", "therapeutic"))
            >>> g = Factor("supervision.sessions_per_month", "lever", "float", "", low=0, high=4)
            >>> Space((f, g), (0.5, 2.0)).decode([0.7, 0.25, 1.0])
            ({'supervision.style': 'therapeutic', 'supervision.sessions_per_month': 1.0}, 2.0)
        """
        out: dict[str, Any] = {}
        for f, x in zip(self.levers, u, strict=False):
            x = float(np.clip(x, 0.0, 1.0))
            if f.discrete:
                values = f.values or ()
                out[f.name] = values[min(len(values) - 1, int(x * len(values)))]
            else:
                value = f.low + round(x * GRID) / GRID * (f.high - f.low)
                out[f.name] = int(round(value)) if f.dtype == "int" else round(value, 6)
        low, high = self.multiples
        return out, round(low + float(np.clip(u[-1], 0, 1)) * (high - low), 4)

    def encode(self, levers: Mapping[str, Any], multiple: float) -> np.ndarray:
        """The unit-cube point of lever values (a choice at its bin's centre) and budget."""
        u = []
        for f in self.levers:
            value = levers[f.name]
            if f.discrete:
                values = list(f.values or ())
                u.append((values.index(value) + 0.5) / len(values))
            else:
                u.append((float(value) - f.low) / (f.high - f.low))
        u.append(self.budget_unit(multiple))
        return np.asarray(u, dtype=float)

    def budget_unit(self, multiple: float) -> float:
        """The budget multiple's coordinate in the unit cube."""
        low, high = self.multiples
        return (multiple - low) / (high - low) if high > low else 0.5

    def snap(self, u: np.ndarray) -> np.ndarray:
        """The unit-cube point the decoded candidate stands at (choices at bin centres,
        whole numbers rounded), so the emulator is asked about what would be run."""
        levers, multiple = self.decode(u)
        return self.encode(levers, multiple)


def design(space: Space, n: int, seed: int) -> np.ndarray:
    """``n`` points of a Latin hypercube over the space (reproducible from ``seed``)."""
    from scipy.stats import qmc

    return qmc.LatinHypercube(d=space.dimensions, seed=seed).random(n)


Predict = Callable[[np.ndarray], np.ndarray]  # unit points -> metric means (points x metrics)


@dataclass(frozen=True)
class Goal:
    """What an optimiser seeks: metric columns, directions and bounds."""

    columns: Sequence[str]  # the emulated metrics, in the emulator's order
    objective: str | None  # the metric to optimise (None: minimise the budget)
    direction: int  # +1 more is better, -1 less is
    bounds: Mapping[str, tuple[float | None, float | None]]
    spread: Mapping[str, float]  # each metric's spread over the design (penalty units)


def shortfall(means: np.ndarray, goal: Goal) -> np.ndarray:
    """How far each point's emulated metrics are outside the bounds (0: inside), summed
    over the bounded metrics in units of their spread over the design."""
    total = np.zeros(len(means))
    for metric, (low, high) in goal.bounds.items():
        x = means[:, list(goal.columns).index(metric)]
        scale = goal.spread.get(metric) or 1.0
        if low is not None:
            total += np.maximum(0.0, low - x) / scale
        if high is not None:
            total += np.maximum(0.0, x - high) / scale
    return total


def optimise(space: Space, predict: Predict, goal: Goal, multiple: float | None,
             seed: int) -> np.ndarray:
    """The best point on the emulator (SciPy's ``differential_evolution``): with
    ``multiple`` fixed, the levers optimising ``goal.objective`` within the bounds; with
    ``multiple`` None and no objective, the least budget meeting the bounds."""
    from scipy.optimize import differential_evolution

    fixed = None if multiple is None else space.budget_unit(multiple)

    def full(v: np.ndarray) -> np.ndarray:
        v = np.atleast_2d(v)
        if fixed is not None:
            v = np.column_stack([v, np.full(len(v), fixed)])
        return np.array([space.snap(row) for row in v])

    def cost(v: np.ndarray) -> np.ndarray:
        u = full(v.T if v.ndim == 2 else v)
        means = predict(u)
        penalty = PENALTY * shortfall(means, goal)
        if goal.objective is None:
            return u[:, -1] + penalty
        scale = goal.spread.get(goal.objective) or 1.0
        return -goal.direction * means[:, list(goal.columns).index(goal.objective)] / scale \
            + penalty

    d = space.dimensions - (0 if fixed is None else 1)
    result = differential_evolution(cost, [(0.0, 1.0)] * d, seed=seed, maxiter=DE_ITERATIONS,
                                    popsize=12, tol=1e-6, polish=False, vectorized=True,
                                    updating="deferred")
    return full(result.x)[0]


@contextlib.contextmanager
def _seeded_stdlib_random(seed: int) -> Iterator[None]:
    """The standard library's module-level generator seeded for the block and put back
    after it. platypus draws only from it (it takes no generator of its own and never
    touches NumPy's), and nothing else in the project does, so the block gets a stream
    of its own and leaves no trace."""
    import random

    saved = random.getstate()
    random.seed(seed)
    try:
        yield
    finally:
        random.setstate(saved)


def pareto(space: Space, predict: Predict, columns: Sequence[str], objectives: Sequence[str],
           directions: Sequence[int], goal: Goal, multiple: float, seed: int,
           count: int) -> list[np.ndarray]:
    """At most ``count`` representative points of the emulated Pareto set (platypus's
    NSGA-II over the levers at the budget ``multiple``, constraints as constraints): the
    best point for each objective, then the one nearest the ideal point (all objectives
    scaled to their range over the set)."""
    import platypus

    fixed = space.budget_unit(multiple)
    index = [list(columns).index(o) for o in objectives]

    def evaluate(v: list[float]) -> tuple[list[float], list[float]]:
        u = space.snap(np.append(np.asarray(v, dtype=float), fixed))
        means = predict(u[None, :])
        scores = [-s * means[0, i] for s, i in zip(directions, index, strict=True)]
        return scores, [float(shortfall(means, goal)[0])]

    problem = platypus.Problem(space.dimensions - 1, len(objectives), 1)
    problem.types[:] = platypus.Real(0.0, 1.0)
    problem.constraints[:] = "<=0"
    problem.function = evaluate
    with _seeded_stdlib_random(seed):
        algorithm = platypus.NSGAII(problem, population_size=60)
        algorithm.run(PARETO_EVALUATIONS)
    front = [s for s in platypus.nondominated(algorithm.result) if s.feasible]
    if not front:
        return []
    points = np.array([space.snap(np.append(np.asarray(s.variables, dtype=float), fixed))
                       for s in front])
    scores = np.array([s.objectives[:] for s in front], dtype=float)
    span = np.ptp(scores, axis=0)
    norm = (scores - scores.min(axis=0)) / np.where(span > 0, span, 1.0)
    chosen: list[int] = [int(np.argmin(scores[:, j])) for j in range(scores.shape[1])]
    chosen.append(int(np.argmin(np.linalg.norm(norm, axis=1))))
    out: list[np.ndarray] = []
    for i in chosen:
        if not any(np.allclose(points[i], p) for p in out):
            out.append(points[i])
    return out[:count]
