"""The random draws compiled code makes: uniforms, normals, gammas and betas on
counter-based streams.

A stream is a 64-bit key; its ``n``-th number is SplitMix64's output ``n`` (Steele, Lea &
Flood 2014), computed directly from ``n`` (see :mod:`sim.rng`, whose
``Streams.uniform`` is the same function). A stream is split into independent sub-streams
by :func:`substream` (SplitMix64's fold), so an entity's trait has a stream of its own,
addressed by (replication seed, kind of entity, entity index, trait): adding or removing
one entity, or one trait, changes nobody else's numbers (common random numbers).

The samplers are textbook methods, chosen because each uses a fixed, small set of counters
(except the gamma's rare rejections, which use further counters of their own stream):

* :func:`normal`: Box-Muller (Box & Muller 1958), one normal from counters ``2n, 2n+1``;
* :func:`gamma`: Marsaglia & Tsang (2000), with their boost for a shape below 1;
* :func:`beta`: the ratio of two gammas on two sub-streams.

All are compiled by numba (:data:`sim.compiled.mechanism`) and run as plain Python under
``NUMBA_DISABLE_JIT=1`` with the same numbers.
"""

from __future__ import annotations

import math

import numpy as np

from sim.compiled import mechanism, raw, uniform

_TWO_PI = 2.0 * math.pi


@mechanism
def substream(key: np.uint64, word: int) -> np.uint64:
    """Sub-stream ``word`` of stream ``key``: ``mix(key + (word + 1) * gamma)``, SplitMix64's
    fold (``sim.rng._fold``), so ``substream(substream(k, a), b)`` is the stream of the words
    (a, b) under ``k``."""
    return raw(key, word)


@mechanism
def normal(key: np.uint64, n: int) -> float:
    """The ``n``-th standard normal of stream ``key`` by Box-Muller:
    ``z = sqrt(-2 ln(1 - u1)) cos(2 pi u2)`` with ``u1, u2`` its uniforms ``2n`` and
    ``2n + 1`` (``1 - u1`` lies in (0, 1], so the logarithm is finite)."""
    u1 = uniform(key, 2 * n)
    u2 = uniform(key, 2 * n + 1)
    return math.sqrt(-2.0 * math.log(1.0 - u1)) * math.cos(_TWO_PI * u2)


@mechanism
def _gamma_at_least_one(key: np.uint64, shape: float) -> float:
    """:func:`gamma` for ``shape >= 1`` (Marsaglia & Tsang's method without the boost)."""
    d = shape - 1.0 / 3.0
    c = 1.0 / math.sqrt(9.0 * d)
    normals = substream(key, 0)
    uniforms = substream(key, 1)
    j = 0
    while True:
        x = normal(normals, j)
        v = 1.0 + c * x
        if v > 0.0:
            v = v * v * v
            u = 1.0 - uniform(uniforms, j)  # in (0, 1]
            if math.log(u) < 0.5 * x * x + d - d * v + d * math.log(v):
                return d * v
        j += 1


@mechanism
def gamma(key: np.uint64, shape: float) -> float:
    """A Gamma(``shape``, 1) draw from stream ``key`` (``shape > 0``), by Marsaglia & Tsang
    (2000): with ``d = shape - 1/3`` and ``c = 1 / sqrt(9d)``, attempt ``j`` takes the
    normal ``x`` (normal ``j`` of sub-stream 0) and the uniform ``u`` (uniform ``j`` of
    sub-stream 1), ``v = (1 + c x)^3``, and accepts ``d v`` when ``v > 0`` and
    ``ln u < x^2 / 2 + d - d v + d ln v``. For ``shape < 1`` the draw is
    ``Gamma(shape + 1) * w^(1 / shape)``, the gamma on sub-stream 3 and ``w`` a uniform
    of sub-stream 2 (their boost)."""
    if shape >= 1.0:
        return _gamma_at_least_one(key, shape)
    boost = (1.0 - uniform(substream(key, 2), 0)) ** (1.0 / shape)
    return _gamma_at_least_one(substream(key, 3), shape + 1.0) * boost


@mechanism
def beta(key: np.uint64, a: float, b: float) -> float:
    """A Beta(``a``, ``b``) draw from stream ``key``: ``X / (X + Y)`` with ``X ~ Gamma(a)``
    on sub-stream 0 and ``Y ~ Gamma(b)`` on sub-stream 1."""
    x = gamma(substream(key, 0), a)
    y = gamma(substream(key, 1), b)
    return x / (x + y)


@mechanism
def pick(u: float, cumulative: tuple[float, ...]) -> int:
    """The category a uniform ``u`` picks from cumulative weights (the first whose
    cumulative weight, as a share of the last, exceeds ``u``), as ``random.choices``."""
    total = cumulative[-1]
    for i in range(len(cumulative)):
        if u * total < cumulative[i]:
            return i
    return len(cumulative) - 1
