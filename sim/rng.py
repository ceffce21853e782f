"""Named random streams with common random numbers (CRN) across scenarios.

Every random decision in the model has a name (``"engage"``, ``"reoffend"``, ...). The
number an entity gets for a decision in a given week depends only on (replication seed,
decision name, week, entity index): not on how many other entities drew that week, nor on
which scenario is running. Two scenarios run with the same seed therefore differ only
through their mechanisms, so a lever's effect is policy, not noise (the approach Starsim
takes; Kretzschmar et al. would call it variance reduction by common random numbers).

The streams are counter-based: (seed, decision, week) picks a SplitMix64 stream (Steele,
Lea & Flood 2014, the generator behind Java's ``SplittableRandom``) and entity ``i`` gets
its ``i``-th output, computed directly from ``i``. A draw therefore costs the same whether
one entity or thousands have ever existed, and a whole week's draws for the live entities
are one vectorised hash (:meth:`Streams.uniforms`).

Entity indexes are per kind (mentor 0, 1, 2, ...; mentee 0, 1, 2, ...), counted in order
of creation, so they do not depend on how Mesa interleaves ``unique_id``s across types.

This is the only module in ``sim`` allowed to construct random generators.
"""

from __future__ import annotations

import math
import zlib

import numpy as np

_MASK = 2**64 - 1
# SplitMix64's increment (the golden ratio in 64 bits) and output multipliers.
_GAMMA = 0x9E3779B97F4A7C15
_M1 = 0xBF58476D1CE4E5B9
_M2 = 0x94D049BB133111EB
_U_GAMMA, _U_M1, _U_M2 = np.uint64(_GAMMA), np.uint64(_M1), np.uint64(_M2)
_S30, _S27, _S31, _S11 = (np.uint64(s) for s in (30, 27, 31, 11))
_TO_UNIT = 2.0 ** -53  # 53 random bits -> a double in [0, 1)
# Above this weekly mean a Poisson count is drawn by numpy rather than by inversion.
_POISSON_INVERSION_MAX = 30.0


def replication_seeds(root_seed: int, replications: int) -> list[int]:
    """Seeds for replications 0..n-1, the same list for every scenario (CRN).

    Args:
        root_seed: the run's root seed.
        replications: how many replications.

    Returns:
        One 63-bit integer seed per replication, derived with ``numpy.random.SeedSequence``
        so that replication k's seed never depends on how many replications are run.

    Example:
        >>> replication_seeds(42, 3)[:2] == replication_seeds(42, 2)
        True
    """
    return [
        int(np.random.SeedSequence(root_seed, spawn_key=(k,)).generate_state(2, np.uint64)[0] >> 1)
        for k in range(replications)
    ]


def fresh_seed() -> int:
    """A new 63-bit seed from the operating system's entropy, for a run asked for with no
    seed (Mesa's ``rng=None``): every such run differs, and the seed it used is recorded
    (``MentoringModel.seed``) so it can be run again."""
    return int(np.random.SeedSequence().generate_state(2, np.uint64)[0] >> 1)


def seed_from(generator: np.random.Generator) -> int:
    """A 63-bit seed drawn from a numpy Generator (Mesa lets ``rng`` be one); the run is
    keyed by the seed, so it is recorded and can be run again."""
    return int(generator.integers(0, _MASK >> 1))


def _key(name: str) -> int:
    # crc32 is stable across processes and Python versions, unlike hash() of a str.
    return zlib.crc32(name.encode("utf-8"))


def _mix(z: int) -> int:
    """SplitMix64's output function on a Python int (a bijection of 64-bit words)."""
    z = ((z ^ (z >> 30)) * _M1) & _MASK
    z = ((z ^ (z >> 27)) * _M2) & _MASK
    return z ^ (z >> 31)


def _mix_array(z: np.ndarray) -> np.ndarray:
    """:func:`_mix` on a uint64 array (numpy's unsigned arithmetic wraps modulo 2**64)."""
    z = (z ^ (z >> _S30)) * _U_M1
    z = (z ^ (z >> _S27)) * _U_M2
    return z ^ (z >> _S31)


def _fold(key: int, word: int) -> int:
    """``key`` with one more integer folded in by the mix."""
    return _mix((key + (word & _MASK) * _GAMMA + _GAMMA) & _MASK)


def _stream(*words: int) -> int:
    """A stream key from integers (seed, decision, week...), each folded in with the mix."""
    key = 0
    for word in words:
        key = _fold(key, word)
    return key


class Streams:
    """All the randomness of one model run, addressed by decision name.

    Args:
        seed: the replication's seed (see :func:`replication_seeds`).

    Example:
        >>> s = Streams(7)
        >>> s.start_week(3)
        >>> s.uniform("engage", 5) == float(s.uniforms("engage", np.array([2, 5]))[1])
        True
    """

    def __init__(self, seed: int) -> None:
        self.seed = int(seed)
        self.week = 0
        self._keys: dict[str, int] = {}
        self._base = _stream(self.seed)
        # (seed, name) folded once per name: a week's key or an entity's stream then
        # costs one more fold (the same numbers as folding every word each time).
        self._named: dict[str, int] = {}

    def start_week(self, week: int) -> None:
        """Move every weekly stream on to ``week``."""
        self.week = week
        self._keys.clear()

    def _week_key(self, decision: str) -> int:
        key = self._keys.get(decision)
        if key is None:
            # Burn-in weeks are numbered up to 0; & _MASK folds a negative week in.
            key = _fold(self._name_key(decision), self.week)
            self._keys[decision] = key
        return key

    def _name_key(self, name: str) -> int:
        """``_stream(seed base, crc32(name))``, kept for the run."""
        key = self._named.get(name)
        if key is None:
            key = self._named[name] = _stream(self._base, _key(name))
        return key

    def key(self, decision: str) -> np.uint64:
        """The (seed, decision, week) stream's key this week, for code that draws
        :meth:`uniform` itself (the compiled mechanisms, :func:`sim.compiled.uniform`)."""
        return np.uint64(self._week_key(decision))

    def uniform(self, decision: str, index: int) -> float:
        """A uniform [0, 1) draw for entity ``index`` on ``decision`` in the current week:
        output ``index`` of the (seed, decision, week) SplitMix64 stream."""
        z = _mix((self._week_key(decision) + (index + 1) * _GAMMA) & _MASK)
        return (z >> 11) * _TO_UNIT

    def uniforms(self, decision: str, indexes: np.ndarray) -> np.ndarray:
        """:meth:`uniform` for many entities at once (the same numbers, as an array)."""
        key = np.uint64(self._week_key(decision))
        z = _mix_array(key + (indexes.astype(np.uint64) + np.uint64(1)) * _U_GAMMA)
        return (z >> _S11).astype(np.float64) * _TO_UNIT

    def poisson(self, decision: str, index: int, mean: float) -> int:
        """A Poisson count with the given mean for entity ``index`` this week (e.g. an
        agency's referrals), by inversion of one :meth:`uniform` draw, so the count keeps
        the stream's common random numbers: a higher mean never gives fewer arrivals."""
        if mean <= 0.0:
            return 0
        if mean > _POISSON_INVERSION_MAX:  # inversion would take many terms; rare here
            return int(self.generator(decision, index, self.week).poisson(mean))
        u = self.uniform(decision, index)
        term = math.exp(-mean)
        total = term
        count = 0
        while u >= total and term > 0.0:
            count += 1
            term *= mean / count
            total += term
        return count

    def generator(self, decision: str, *extra: int) -> np.random.Generator:
        """A fresh numpy Generator for a one-off draw (e.g. a grant's renewal).

        Args:
            decision: the decision's name.
            *extra: further integers that identify the draw (e.g. an agency index and the
                grant's number).
        """
        return np.random.default_rng([self.seed, _key(decision), *(x % 2**32 for x in extra)])

    def entity_key(self, kind: str) -> np.uint64:
        """The key of the (seed, kind) stream whose sub-stream ``i``
        (:func:`sim.draws.substream`) is entity ``i``'s own, for its traits drawn when it
        is created (each trait a sub-stream of that).

        Args:
            kind: ``"mentor"``, ``"mentee"``, ...
        """
        return np.uint64(self._name_key(kind))
