"""Named random streams with common random numbers (CRN) across scenarios.

Every random decision in the model has a name (``"engage"``, ``"reoffend"``, ...). The
number an entity gets for a decision in a given week depends only on (replication seed,
decision name, week, entity index): not on how many other entities drew that week, nor on
which scenario is running. Two scenarios run with the same seed therefore differ only
through their mechanisms, so a lever's effect is policy, not noise (the approach Starsim
takes; Kretzschmar et al. would call it variance reduction by common random numbers).

Entity indexes are per kind (mentor 0, 1, 2, ...; mentee 0, 1, 2, ...), counted in order
of creation, so they do not depend on how Mesa interleaves ``unique_id``s across types.

This is the only module in ``sim`` allowed to construct random generators.
"""

from __future__ import annotations

import random
import zlib

import numpy as np


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


def _key(name: str) -> int:
    # crc32 is stable across processes and Python versions, unlike hash() of a str.
    return zlib.crc32(name.encode("utf-8"))


class Streams:
    """All the randomness of one model run, addressed by decision name.

    Args:
        seed: the replication's seed (see :func:`replication_seeds`).
    """

    _BLOCK = 1024  # weekly vectors grow in blocks so their length does not vary by scenario

    def __init__(self, seed: int) -> None:
        self.seed = int(seed)
        self.week = 0
        self._weekly: dict[str, np.ndarray] = {}

    def start_week(self, week: int) -> None:
        """Move every weekly stream on to ``week`` (drops last week's vectors)."""
        self.week = week
        self._weekly.clear()

    def _values(self, decision: str, largest: int) -> np.ndarray:
        """This week's vector for ``decision``, long enough to hold entity ``largest``."""
        values = self._weekly.get(decision)
        if values is None or largest >= len(values):
            size = (largest // self._BLOCK + 1) * self._BLOCK
            # PCG64 doubles are produced in sequence, so the first k values are the same
            # whatever the vector length: entity i always gets element i.
            # Burn-in weeks are numbered up to 0; the seed words must not be negative.
            gen = np.random.default_rng([self.seed, _key(decision), self.week % 2**32])
            values = gen.random(size)
            self._weekly[decision] = values
        return values

    def uniform(self, decision: str, index: int) -> float:
        """A uniform [0, 1) draw for entity ``index`` on ``decision`` in the current week."""
        return self._values(decision, index).item(index)

    def uniforms(self, decision: str, indexes: np.ndarray) -> np.ndarray:
        """:meth:`uniform` for many entities at once (the same numbers, as an array)."""
        if len(indexes) == 0:
            return np.empty(0)
        return self._values(decision, int(indexes.max()))[indexes]

    def generator(self, decision: str, *extra: int) -> np.random.Generator:
        """A fresh numpy Generator for a one-off or per-week draw (e.g. Poisson referrals).

        Args:
            decision: the decision's name.
            *extra: further integers that identify the draw (e.g. the week, an agency index).
        """
        return np.random.default_rng([self.seed, _key(decision), *(x % 2**32 for x in extra)])

    def entity(self, kind: str, index: int) -> random.Random:
        """A private stream for one entity's traits, drawn when it is created.

        Args:
            kind: ``"mentor"``, ``"mentee"``, ...
            index: the entity's per-kind index.
        """
        state = np.random.SeedSequence([self.seed, _key(kind), index]).generate_state(4)
        return random.Random(int.from_bytes(state.tobytes(), "little"))
