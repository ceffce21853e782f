"""Matching policy: which free mentor each waiting mentee gets.

A pure function of the waiting list (first come, first served), the free mentors and the
matching policy; it draws no random numbers, so the same inputs always give the same pairs.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, NamedTuple

import numpy as np

from sim.agents.mentor import PEER
from sim.compiled import mechanism
from sim.params import Matching

if TYPE_CHECKING:
    from sim.state import Columns


class MatchingParams(NamedTuple):
    """The matching policy :func:`best_mentors` applies (``matching.*``)."""

    load_penalty: float
    cultural_match_weight: float
    lived_experience_weight: float
    cultural_matching: bool
    lived_experience_matching: bool

    @classmethod
    def of(cls, policy: Matching) -> MatchingParams:
        """The values of a scenario's matching policy."""
        return cls(policy.load_penalty, policy.cultural_match_weight,
                   policy.lived_experience_weight, policy.cultural_matching,
                   policy.lived_experience_matching)


@mechanism
def best_mentors(waiting_minority: np.ndarray, rows: np.ndarray, open_matches: np.ndarray,
                 cap: np.ndarray, minority: np.ndarray, kind: np.ndarray, p: MatchingParams,
                 peer: int) -> tuple[np.ndarray, np.ndarray]:
    """Pair waiting mentees, in referral order, with the free mentor of highest score::

        score = -load_penalty x (mentees held + mentees given earlier this round)
                + cultural_match_weight x [cultural_matching and same background]
                + lived_experience_weight x [lived_experience_matching and peer mentor]

    Cultural matching prefers a shared background (Spencer 2007: failing to bridge
    cultural divides ends relationships); lived-experience matching prefers a peer mentor
    (Buck 2021); the load penalty spreads mentees across mentors, and among equal scores
    the longest-serving free mentor wins. A mentor takes mentees up to their spare
    capacity. Returns the waiting list's positions and the mentor rows they are
    paired with, in waiting-list order."""
    n = len(rows)
    base = np.empty((2, n))  # literal-ok: two backgrounds (minority or not)
    spare = np.empty(n, dtype=np.int64)
    given = np.zeros(n, dtype=np.int64)
    left = 0
    for j in range(n):
        row = rows[j]
        held = open_matches[row]
        spare[j] = cap[row] - held
        if spare[j] > 0:
            left += 1
        for same in range(2):  # literal-ok: two backgrounds
            value = -p.load_penalty * held
            if p.cultural_matching and (minority[row] == (same == 1)):
                value = value + p.cultural_match_weight
            if p.lived_experience_matching and kind[row] == peer:
                value = value + p.lived_experience_weight
            base[same, j] = value
    positions = np.empty(len(waiting_minority), dtype=np.int64)
    chosen = np.empty(len(waiting_minority), dtype=np.int64)
    pairs = 0
    for k in range(len(waiting_minority)):
        if left == 0:
            break
        background = 1 if waiting_minority[k] else 0
        best = -1
        best_value = 0.0
        for j in range(n):
            if spare[j] <= 0:
                continue
            value = base[background, j] - p.load_penalty * given[j]
            if best < 0 or value > best_value:
                best = j
                best_value = value
        spare[best] -= 1
        given[best] += 1
        if spare[best] == 0:
            left -= 1
        positions[pairs] = k
        chosen[pairs] = rows[best]
        pairs += 1
    return positions[:pairs], chosen[:pairs]


def pair(waiting_minority: Sequence[bool] | np.ndarray, mentors: Columns, rows: np.ndarray,
         policy: Matching) -> list[tuple[int, int]]:
    """Pair waiting mentees, in referral order, with the best free mentor each
    (:func:`best_mentors`).

    Args:
        waiting_minority: for each waiting mentee, in the order they joined the waiting
            list, whether they are of the minority background.
        mentors: the model's mentor columns.
        rows: the free mentors (with room for another mentee), in the order they joined.
        policy: the scenario's matching policy.

    Returns:
        (position on the waiting list, mentor row) pairs; a mentor appears as many times
        as their spare capacity.

    Example:
        ``pair([], mentors, rows, policy) == []``.
    """
    if not len(waiting_minority) or not len(rows):
        return []
    positions, chosen = best_mentors(
        np.asarray(waiting_minority, dtype=np.bool_), rows, mentors.open_matches, mentors.cap,
        mentors.minority, mentors.kind, MatchingParams.of(policy), PEER)
    return list(zip(positions.tolist(), chosen.tolist(), strict=True))
