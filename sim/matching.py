"""Matching policy: which free mentor each waiting mentee gets.

A pure function of the waiting list (first come, first served), the free mentors and the
matching policy; it draws no random numbers, so the same inputs always give the same pairs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sim.agents.mentor import PEER

if TYPE_CHECKING:
    from sim.agents.mentee import Mentee
    from sim.agents.mentor import Mentor
    from sim.params import Matching


def score(same_background: bool, peer: bool, held: int, policy: Matching) -> float:
    """How well a free mentor suits a mentee under the policy (higher is better).

    ``-load_penalty x mentees held + cultural_match_weight (same background, with cultural
    matching) + lived_experience_weight (a peer mentor, with lived-experience matching)``;
    during a round of matching :func:`pair` also takes off ``load_penalty`` for each
    mentee given to the mentor earlier in the round. Cultural matching prefers a shared
    background (Spencer 2007: failing to bridge cultural divides ends relationships);
    lived-experience matching prefers a peer mentor (Buck 2021). Among equals, the mentor
    with fewer mentees wins, spreading the load.
    """
    value = -policy.load_penalty * held
    if policy.cultural_matching and same_background:
        value = value + policy.cultural_match_weight
    if policy.lived_experience_matching and peer:
        value = value + policy.lived_experience_weight
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
    # A few dozen free mentors at most per agency: plain Python over lists is several
    # times faster here than numpy's per-call overhead for arrays this small.
    rows = [mentor.index for mentor in free]
    columns = free[0].model.mentors
    held = columns.open_matches[rows].tolist()
    spare = [cap - h for cap, h in zip(columns.cap[rows].tolist(), held, strict=True)]
    minority = columns.minority[rows].tolist()
    peer = (columns.kind[rows] == PEER).tolist()
    # A mentor's score depends on the mentee only through a shared background: one list
    # for each background.
    scores = {same: [score(m == same, p, h, policy) for m, p, h in zip(
        minority, peer, held, strict=True)] for same in (False, True)}
    penalty = policy.load_penalty
    given = [0] * len(rows)
    open_rows = [i for i, room in enumerate(spare) if room > 0]  # in joining order
    pairs: list[tuple[Mentee, Mentor]] = []
    for mentee in waiting:
        if not open_rows:
            break
        base = scores[mentee.minority]
        best, best_value = -1, 0.0
        for i in open_rows:
            # The first of equal scores (the longest-serving free mentor) wins.
            value = base[i] - penalty * given[i]
            if best < 0 or value > best_value:
                best, best_value = i, value
        spare[best] -= 1
        given[best] += 1
        if spare[best] == 0:
            open_rows.remove(best)
        pairs.append((mentee, free[best]))
    return pairs
