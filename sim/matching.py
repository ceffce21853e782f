"""Matching policy: which free mentor each waiting mentee gets.

A pure function of the waiting list (first come, first served), the free mentors and the
matching policy; it draws no random numbers, so the same inputs always give the same pairs.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from sim import kernels
from sim.agents.mentor import PEER

if TYPE_CHECKING:
    from sim.params import Matching
    from sim.state import Columns


def score(same_background: np.ndarray, peer: np.ndarray, held: np.ndarray, policy: Matching
          ) -> np.ndarray:
    """How well each free mentor suits a mentee under the policy (higher is better).

    ``-load_penalty x mentees held + cultural_match_weight (same background, with cultural
    matching) + lived_experience_weight (a peer mentor, with lived-experience matching)``;
    during a round of matching :func:`pair` also takes off ``load_penalty`` for each
    mentee given to the mentor earlier in the round. Cultural matching prefers a shared
    background (Spencer 2007: failing to bridge cultural divides ends relationships);
    lived-experience matching prefers a peer mentor (Buck 2021). Among equals, the mentor
    with fewer mentees wins, spreading the load.
    """
    value = -policy.load_penalty * held
    if policy.cultural_matching:
        value = np.where(same_background, value + policy.cultural_match_weight, value)
    if policy.lived_experience_matching:
        value = np.where(peer, value + policy.lived_experience_weight, value)
    return value


def pair(waiting_minority: Sequence[bool] | np.ndarray, mentors: Columns, rows: np.ndarray,
         policy: Matching) -> list[tuple[int, int]]:
    """Pair waiting mentees, in referral order, with the best free mentor each.

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
    kernel = kernels.compiled("pair_rows")
    if kernel is not None:  # the same choices, compiled (see sim.kernels)
        positions, chosen = kernel(
            np.asarray(waiting_minority, dtype=np.bool_), rows, mentors.open_matches,
            mentors.cap, mentors.minority, mentors.kind, policy.load_penalty,
            policy.cultural_match_weight, policy.lived_experience_weight,
            policy.cultural_matching, policy.lived_experience_matching, PEER)
        return list(zip(positions.tolist(), chosen.tolist(), strict=True))
    held = mentors.open_matches[rows]
    spare = mentors.cap[rows] - held
    minority = mentors.minority[rows]
    peer = mentors.kind[rows] == PEER
    # A mentor's score depends on the mentee only through a shared background: one array
    # for each background.
    base = {same: score(minority == same, peer, held, policy) for same in (False, True)}
    penalty = policy.load_penalty
    given = np.zeros(len(rows), dtype=np.int64)
    room = spare > 0
    left = int(np.count_nonzero(room))
    pairs: list[tuple[int, int]] = []
    for position, background in enumerate(waiting_minority):
        if not left:
            break
        # The first of equal scores (the longest-serving free mentor) wins: argmax takes
        # the first maximum.
        best = int(np.argmax(np.where(room, base[bool(background)] - penalty * given,
                                      -np.inf)))
        spare[best] -= 1
        given[best] += 1
        if spare[best] == 0:
            room[best] = False
            left -= 1
        pairs.append((position, int(rows[best])))
    return pairs
