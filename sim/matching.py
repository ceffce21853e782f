"""Matching policy: which free mentor each waiting mentee gets.

A pure function of the waiting list (first come, first served), the free mentors and the
matching policy; it draws no random numbers, so the same inputs always give the same pairs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sim.agents.mentee import Mentee
    from sim.agents.mentor import Mentor
    from sim.params import Matching


def score(mentor: Mentor, mentee: Mentee, policy: Matching) -> float:
    """How well a mentor suits a mentee under the policy (higher is better).

    Cultural matching prefers a shared background (Spencer 2007: failing to bridge
    cultural divides ends relationships); lived-experience matching prefers a peer mentor
    (Buck 2021). Among equals, the mentor with fewer mentees wins, spreading the load
    (``policy.load_penalty`` per mentee; the preference weights are
    ``policy.cultural_match_weight`` and ``policy.lived_experience_weight``).
    """
    value = -policy.load_penalty * len(mentor.matches)
    if policy.cultural_matching and mentor.minority == mentee.minority:
        value += policy.cultural_match_weight
    if policy.lived_experience_matching and mentor.kind == "peer":
        value += policy.lived_experience_weight
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
    spare = {mentor: mentor.cap - len(mentor.matches) for mentor in free}
    pairs: list[tuple[Mentee, Mentor]] = []
    for mentee in waiting:
        candidates = [m for m, room in spare.items() if room > 0]
        if not candidates:
            break
        # max() keeps the first of equal scores, i.e. the longest-serving free mentor. The
        # load penalty also counts the mentees given to a mentor earlier in this round.
        best = max(candidates, key=lambda m: score(m, mentee, policy) - policy.load_penalty * (
            m.cap - spare[m] - len(m.matches)))
        spare[best] -= 1
        pairs.append((mentee, best))
    return pairs
