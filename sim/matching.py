"""Matching policy: which free mentor each waiting mentee gets.

A pure function of the waiting list (first come, first served), the free mentors and the
matching policy; it draws no random numbers, so the same inputs always give the same pairs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.agents.mentor import PEER

if TYPE_CHECKING:
    from sim.agents.mentee import Mentee
    from sim.agents.mentor import Mentor
    from sim.params import Matching


def score(minority: bool, mentor_minority: np.ndarray, mentor_peer: np.ndarray,
          load: np.ndarray, policy: Matching) -> np.ndarray:
    """How well each free mentor suits a mentee under the policy (higher is better).

    ``-load_penalty x mentees held + cultural_match_weight (same background, with cultural
    matching) + lived_experience_weight (a peer mentor, with lived-experience matching)``.
    Cultural matching prefers a shared background (Spencer 2007: failing to bridge cultural
    divides ends relationships); lived-experience matching prefers a peer mentor (Buck
    2021). Among equals, the mentor with fewer mentees wins, spreading the load.
    """
    value = -policy.load_penalty * load
    if policy.cultural_matching:
        value = np.where(mentor_minority == minority, value + policy.cultural_match_weight,
                         value)
    if policy.lived_experience_matching:
        value = np.where(mentor_peer, value + policy.lived_experience_weight, value)
    return value


def pair(waiting: list[Mentee], free: list[Mentor], policy: Matching
         ) -> list[tuple[Mentee, Mentor]]:
    """Pair waiting mentees, in referral order, with the best free mentor each.

    Args:
        waiting: mentees in the order they joined the waiting list.
        free: mentors with room for another mentee, in the order they joined.
        policy: the scenario's matching policy.

    Returns:
        (mentee, mentor) pairs; a mentor appears as many times as their spare capacity.

    Example:
        ``pair([], free, policy) == []``.
    """
    if not waiting or not free:
        return []
    rows = np.array([mentor.index for mentor in free])
    columns = free[0].model.mentors
    held = columns.open_matches[rows]
    spare = columns.cap[rows] - held
    given = np.zeros(len(rows), dtype=np.int64)
    minority = columns.minority[rows]
    peer = columns.kind[rows] == PEER
    pairs: list[tuple[Mentee, Mentor]] = []
    for mentee in waiting:
        room = spare > 0
        if not room.any():
            break
        # argmax keeps the first of equal scores, i.e. the longest-serving free mentor. The
        # load penalty also counts the mentees given to a mentor earlier in this round.
        value = score(mentee.minority, minority, peer, held, policy) \
            - policy.load_penalty * given
        best = int(np.flatnonzero(room)[np.argmax(value[room])])
        spare[best] -= 1
        given[best] += 1
        pairs.append((mentee, free[best]))
    return pairs
