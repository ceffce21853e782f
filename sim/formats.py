"""The format mix: what a week of mentoring costs in mentor time, bonding and money.

A pure function of :class:`sim.params.Formats`, kept out of the agents so that the checks
run before a model exists (``mentorsim validate``, :mod:`sim.capacity`) need neither Mesa
nor the model.
"""

from __future__ import annotations

from sim.params import Formats


def format_mix(f: Formats, leisure_cut: bool) -> tuple[float, float, float]:
    """(mentor hours per mentee-week, bonding, direct cost per match-week) of the format
    mix; with leisure cut, its share of contact becomes one-to-one work.

    Example:
        >>> round(format_mix(Formats(), leisure_cut=False)[2], 2)  # GBP per match-week
        6.3
    """
    one = f.one_to_one_share + (f.leisure_share if leisure_cut else 0.0)
    leisure = 0.0 if leisure_cut else f.leisure_share
    hours = one * f.one_to_one_hours + f.group_share * f.group_hours + leisure * f.leisure_hours
    bonding = (one * f.one_to_one_bonding + f.group_share * f.group_bonding
               + leisure * f.leisure_bonding)
    cost = one * f.one_to_one_cost_gbp + f.group_share * f.group_cost_gbp \
        + leisure * f.leisure_cost_gbp
    return hours, bonding, cost
