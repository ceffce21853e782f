"""Robustness of options across plausible worlds (Rhodium's metrics, after Herman et al.
2015 and McPhail et al. 2018): satisficing, regret and a low percentile of the outcome.

Every function takes per-world means (replications averaged first), so Monte Carlo noise
inside a world is not mistaken for a difference between worlds.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

Bounds = Mapping[str, tuple[float | None, float | None]]
REGRET_PERCENTILE = 90  # regret is reported at a high percentile of the worlds
LOW_PERCENTILE = 10  # the outcome in the worst tenth of worlds


def meets(values: Mapping[str, np.ndarray], bounds: Bounds) -> np.ndarray:
    """Per world: every bounded metric inside its bounds (True where there are none).

    Example:
        >>> meets({"a": np.array([0.7, 0.9])}, {"a": (0.8, None)}).tolist()
        [False, True]
    """
    n = len(next(iter(values.values()))) if values else 0
    ok = np.ones(n, dtype=bool)
    for metric, (low, high) in bounds.items():
        x = np.asarray(values[metric], dtype=float)
        ok &= np.isfinite(x)
        if low is not None:
            ok &= x >= low
        if high is not None:
            ok &= x <= high
    return ok


def meets_on_average(values: Mapping[str, np.ndarray], bounds: Bounds) -> bool:
    """Every bounded metric's mean over worlds (finite values) inside its bounds.

    Example:
        >>> meets_on_average({"a": np.array([0.7, 0.95])}, {"a": (0.8, None)})
        True
    """
    means = {}
    for metric, x in values.items():
        x = np.asarray(x, dtype=float)
        finite = x[np.isfinite(x)]
        means[metric] = np.array([finite.mean() if len(finite) else np.nan])
    return bool(meets(means, bounds)[0])


def satisficing(values: Mapping[str, np.ndarray], bounds: Bounds) -> float:
    """Share of worlds in which every threshold is met (Rhodium's satisficing type 1).

    Example:
        >>> satisficing({"a": np.array([0.7, 0.9, 0.85, 0.6])}, {"a": (0.8, None)})
        0.5
    """
    ok = meets(values, bounds)
    return float(ok.mean()) if len(ok) else float("nan")


def regret(outcomes: np.ndarray, direction: int) -> np.ndarray:
    """Regret of each option in each world: how far it falls short of the best option in
    that world (options x worlds in, the same out; 0 for the best, never negative).

    Example:
        >>> regret(np.array([[0.3, 0.5], [0.4, 0.2]]), direction=-1).tolist()
        [[0.0, 0.3], [0.1, 0.0]]
    """
    signed = direction * np.asarray(outcomes, dtype=float)
    return np.round(signed.max(axis=0, keepdims=True) - signed, 12)


def low_percentile(outcome: np.ndarray, direction: int, percent: float = LOW_PERCENTILE
                   ) -> float:
    """The outcome in the worst ``percent`` of worlds (its 10th percentile when more is
    better, its 90th when less is).

    Example:
        >>> low_percentile(np.arange(11.0), direction=-1)
        9.0
    """
    q = percent if direction > 0 else 100 - percent
    return float(np.nanpercentile(outcome, q))
