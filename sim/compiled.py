"""How a mechanism is compiled, and the one random draw compiled mechanisms make.

Each weekly mechanism is written once, as a loop over the rows it acts on, with its
equation in its docstring and its parameters by name (a ``NamedTuple`` beside it), and
decorated with :data:`mechanism`: numba compiles it (no ``fastmath``, so no reassociation
and no fused multiply-add; ``math.exp`` and ``**`` as the C library computes them), and
keeps the machine code on disk beside the source (numba's ``__pycache__``), so a later
process loads rather than compiles it. With the environment variable
``NUMBA_DISABLE_JIT=1`` every mechanism runs as the plain Python it is written in, for
reading and stepping through in a debugger (slowly, with the same numbers:
``tests/test_mechanisms.py`` checks it).

For a national programme a week is a few hundred mechanisms on arrays of a few hundred
rows: compiled row loops cost one call each, where numpy array code costs its fixed
overhead per operation.
"""

from __future__ import annotations

import numpy as np
from numba import njit

# The decorator every weekly mechanism carries (see the module docstring).
mechanism = njit(cache=True, nogil=True)

# SplitMix64 (Steele, Lea & Flood 2014), as sim.rng: mathematics, not behaviour.
_GAMMA = 0x9E3779B97F4A7C15  # literal-ok: SplitMix64's increment
_M1 = 0xBF58476D1CE4E5B9  # literal-ok: SplitMix64's first multiplier
_M2 = 0x94D049BB133111EB  # literal-ok: SplitMix64's second multiplier
_TO_UNIT = 2.0 ** -53  # literal-ok: 53 bits to a double in [0, 1)


@mechanism
def raw(key: np.uint64, index: int) -> np.uint64:
    """Output ``index`` of the SplitMix64 stream ``key`` as a 64-bit word:
    ``mix(key + (index + 1) * gamma)``."""
    z = np.uint64(key) + (np.uint64(index) + np.uint64(1)) * np.uint64(_GAMMA)
    z = (z ^ (z >> np.uint64(30))) * np.uint64(_M1)  # literal-ok: SplitMix64's shifts
    z = (z ^ (z >> np.uint64(27))) * np.uint64(_M2)  # literal-ok: SplitMix64's shifts
    return z ^ (z >> np.uint64(31))  # literal-ok: SplitMix64's shifts


@mechanism
def uniform(key: np.uint64, index: int) -> float:
    """``sim.rng.Streams.uniform``: output ``index`` of the SplitMix64 stream ``key``, in
    [0, 1) (the same number, so a draw depends only on the stream and the entity)."""
    return float(raw(key, index) >> np.uint64(11)) * _TO_UNIT  # literal-ok: 64 - 53 bits
