"""Run identity and seeds.

A run is identified by (spec hash, point, replication); within one sweep folder the spec
hash is fixed (resuming with a changed spec is refused), so ``"point:replication"`` names a
run. Replication k's seed is ``SeedSequence(root_seed, spawn_key=(k,))`` at every point:
common random numbers across points, exactly the scheme of :func:`sim.rng.replication_seeds`.
No seed depends on the number of workers, the batching or the order runs finish in.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

RunKey = tuple[int, int]  # (point_id, replication)


@lru_cache(maxsize=65536)
def replication_seed(root_seed: int, replication: int) -> int:
    """Seed of replication ``replication`` (the same at every point).

    Example:
        >>> from sim.rng import replication_seeds
        >>> replication_seed(42, 2) == replication_seeds(42, 3)[2]
        True
    """
    state = np.random.SeedSequence(root_seed, spawn_key=(replication,)).generate_state(
        2, np.uint64)
    return int(state[0] >> 1)


def run_id(key: RunKey) -> str:
    """The ledger's name for a run.

    Example:
        >>> run_id((12, 3))
        '12:3'
    """
    return f"{key[0]}:{key[1]}"


def parse_run_id(text: str) -> RunKey:
    """Inverse of :func:`run_id`."""
    point, rep = text.split(":")
    return int(point), int(rep)
