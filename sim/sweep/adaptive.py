"""Replications: a fixed count, or adaptive (the confidence-interval method).

Adaptive rule (after Hoad, Robinson & Davies 2010): a point starts with ``min``
replications. When all of its scheduled replications are in, the 95% CI half-width
``t(0.975, n-1) * s / sqrt(n)`` of each chosen outcome is compared with
``rel_half_width * |mean|``. If every outcome meets it the point has converged; otherwise
``step`` more replications are scheduled, up to ``max``.

Each decision uses replications ``0..n-1`` in replication order, so the replications a
point gets depend only on its results, never on the number of workers or the order runs
finish in; a resumed sweep replays the same decisions from the ledger.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import stats

from sim.sweep.seeds import RunKey


@dataclass(frozen=True)
class OutcomeCheck:
    """The convergence check of one outcome at one point."""

    n: int
    mean: float
    half_width: float
    met: bool

    @property
    def rel_half_width(self) -> float:
        """Half-width as a share of the absolute mean (inf when the mean is 0)."""
        if self.mean == 0:
            return 0.0 if self.half_width == 0 else math.inf
        return self.half_width / abs(self.mean)


@dataclass(frozen=True)
class Decision:
    """What to do with a point after its scheduled replications are in."""

    stop: bool
    converged: bool
    next_n: int
    checks: tuple[OutcomeCheck, ...]


def check(values: np.ndarray, rel_half_width: float, confidence: float = 0.95) -> OutcomeCheck:
    """CI half-width test for one outcome's replication values (NaNs ignored).

    An outcome that is undefined in every replication (all NaN) has nothing to estimate
    and counts as met; one with a single defined value cannot be judged and does not.

    Example:
        >>> check(np.array([9.0, 10.0, 11.0]), rel_half_width=0.5).met
        True
    """
    x = np.asarray(values, dtype=float)
    x = x[np.isfinite(x)]
    n = len(x)
    if n == 0:
        return OutcomeCheck(0, math.nan, math.nan, True)
    mean = float(np.mean(x))
    if n == 1:
        return OutcomeCheck(1, mean, math.inf, False)
    sd = float(np.std(x, ddof=1))
    half = float(stats.t.ppf(0.5 + confidence / 2, n - 1) * sd / math.sqrt(n))
    met = half <= rel_half_width * abs(mean) or half == 0.0
    return OutcomeCheck(n, mean, half, met)


def decide(values: np.ndarray, minimum: int, maximum: int, rel_half_width: float,
           confidence: float = 0.95, step: int = 1) -> Decision:
    """The stopping rule for one point.

    Args:
        values: shape (replications so far, outcomes), in replication order.
        minimum, maximum: bounds on replications.
        rel_half_width: target CI half-width as a share of the mean.
        confidence: CI level.
        step: replications to add when the target is not met.

    Example:
        >>> d = decide(np.array([[1.0], [1.0], [1.0]]), 3, 10, 0.05)
        >>> d.stop, d.converged
        (True, True)
    """
    n = values.shape[0]
    checks = tuple(check(values[:, j], rel_half_width, confidence)
                   for j in range(values.shape[1]))
    converged = all(c.met for c in checks)
    if n < minimum:
        return Decision(False, False, minimum, checks)
    if converged or n >= maximum:
        return Decision(True, converged, n, checks)
    return Decision(False, False, min(maximum, n + step), checks)


class Planner:
    """Fixed replications: every point gets ``count``; results are not needed."""

    needs_values = False

    def __init__(self, points: int, count: int) -> None:
        self.points = points
        self.count = count

    def initial(self) -> Sequence[RunKey]:
        """Runs to schedule at the start."""
        return [(p, r) for p in range(self.points) for r in range(self.count)]

    def record(self, key: RunKey, values: np.ndarray | None) -> list[RunKey]:
        """Note a finished (or finally failed: ``None``) run; return runs to add."""
        return []

    @property
    def planned(self) -> int:
        """Runs planned so far."""
        return self.points * self.count

    @property
    def exact(self) -> bool:
        """True when :attr:`planned` is final."""
        return True


class AdaptivePlanner(Planner):
    """Adds replications point by point until the CI target is met (see module doc)."""

    needs_values = True

    def __init__(self, points: int, minimum: int, maximum: int, rel_half_width: float,
                 outcomes: int, confidence: float = 0.95, step: int = 1) -> None:
        super().__init__(points, minimum)
        self.minimum, self.maximum = minimum, maximum
        self.rel, self.confidence, self.step = rel_half_width, confidence, step
        self.outcomes = outcomes
        self.target = [minimum] * points
        self.resolved = [0] * points
        self.open = points
        self._values: dict[int, np.ndarray] = {}

    def record(self, key: RunKey, values: np.ndarray | None) -> list[RunKey]:
        """Store a run's outcome values; decide when all scheduled replications are in."""
        point, rep = key
        store = self._values.get(point)
        if store is None:
            store = np.full((self.maximum, self.outcomes), np.nan)
            self._values[point] = store
        if values is not None:
            store[rep] = values
        self.resolved[point] += 1
        n = self.target[point]
        if self.resolved[point] < n:
            return []
        decision = decide(store[:n], self.minimum, self.maximum, self.rel, self.confidence,
                          self.step)
        if decision.stop:
            self.open -= 1
            del self._values[point]  # memory stays proportional to points still open
            return []
        self.target[point] = decision.next_n
        return [(point, r) for r in range(n, decision.next_n)]

    @property
    def planned(self) -> int:
        """Runs planned so far (grows as points need more replications)."""
        return sum(self.target)

    @property
    def exact(self) -> bool:
        """True once every point has stopped."""
        return self.open == 0
