"""Elementwise ``exp`` and ``**`` that give exactly the scalar (C library) results.

numpy's vectorised ``exp`` and ``power`` are not always correctly rounded the same way as
the C library that Python's ``math.exp`` and ``float.__pow__`` call: on this project's
reference machines about one value in twenty differs in the last bit. Where a random
number is compared with a threshold computed from them (a closure hazard, a reoffending
hazard), that last bit can decide the outcome, so the weekly mechanisms use these instead:
the same numbers whichever engine (scalar, array) computes them.

:func:`minimum` and :func:`maximum` are Python's ``min(a, x)`` and ``max(a, x)`` element by
element, which keep ``a`` when ``x`` is NaN (numpy's propagate it): an extreme accepted
value whose arithmetic overflows then behaves as the scalar model did.
"""

from __future__ import annotations

import math

import numpy as np


def exp(x: np.ndarray) -> np.ndarray:
    """``math.exp`` of each element."""
    return np.fromiter(map(math.exp, x.tolist()), dtype=np.float64, count=len(x))


def power(x: np.ndarray, y: float) -> np.ndarray:
    """``value ** y`` (Python's float power) of each element."""
    return np.fromiter((v ** y for v in x.tolist()), dtype=np.float64, count=len(x))


def minimum(a: float | np.ndarray, x: np.ndarray) -> np.ndarray:
    """Python's ``min(a, x)`` of each element: ``x`` where ``x < a``, else ``a``."""
    return np.where(x < a, x, a)


def maximum(a: float | np.ndarray, x: np.ndarray) -> np.ndarray:
    """Python's ``max(a, x)`` of each element: ``x`` where ``x > a``, else ``a``."""
    return np.where(x > a, x, a)
