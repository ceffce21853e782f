"""How a commissioner pays: the two payment rules (``funding.payment_rule``).

- ``same_annual_rate`` (default): a grant pays ``annual_budget_gbp`` a year while it runs,
  and money not paid in a gap is not paid. Options that differ in how the money is cut into
  grants are paid the same per funded week, and an option with gaps receives less in all.
- ``same_pot``: the commissioner holds ``annual_budget_gbp`` a year for the whole horizon
  and pays every grant the same weekly rate, the pot divided by the weeks it expects to
  fund given the term, the renewal odds and the gaps it expects (:func:`weekly_payment`).
  Money not paid in a gap is therefore paid in the grants around it, so options that differ
  only in how the money is cut into grants receive the same total in expectation, and an
  option with gaps is paid more per funded week; a run with fewer gaps than expected
  receives more, one with more gaps less.

One rate for the horizon, rather than one recomputed from what is left at each grant,
keeps the expected total equal to the pot: recomputing it after each gap pays out about
1-2% less on average, because the money for weeks of a gap that runs past the horizon is
never paid.
"""

from __future__ import annotations

import math
import operator
from functools import lru_cache


def _gap_probabilities(mean_weeks: float, longest: int) -> list[float]:
    """P(gap = g weeks) for g = 0..longest, for the model's gap: an exponential length
    rounded to whole weeks, at least one week."""
    probs = [0.0] * (longest + 1)
    if longest < 1:
        return probs
    if mean_weeks <= 0:
        probs[1] = 1.0
        return probs

    def below(x: float) -> float:  # P(exponential < x)
        return 1.0 - math.exp(-max(0.0, x) / mean_weeks)

    # Rounded to whole weeks, at least one: one week takes everything below 1.5.
    probs[1] = below(1.5)  # literal-ok: rounding to whole weeks
    for g in range(2, longest + 1):  # literal-ok: g = 2, 3, ... after the first week
        probs[g] = below(g + 0.5) - below(g - 0.5)  # literal-ok: rounding to whole weeks
    return probs


def _after(gaps: list[float], funded: list[float] | tuple[float, ...], rest: int,
           renewal: float) -> float:
    """Expected funded weeks in the ``rest`` weeks after a grant ends."""
    # sum over g of P(gap = g) x funded[rest - g], term by term in g's order (a
    # zero-probability term adds +0.0, which changes no sum of non-negative terms).
    gap = sum(map(operator.mul, gaps[:rest], funded[rest:0:-1]))
    return renewal * funded[rest] + (1.0 - renewal) * gap


@lru_cache(maxsize=64)  # literal-ok: a cache size
def _funded_from_start(weeks: int, term: int, renewal: float, gap_mean: float
                       ) -> tuple[list[float], tuple[float, ...]]:
    """The gap probabilities, and ``funded[t]``: expected funded weeks in the ``t`` weeks
    from the start of a full grant, for t = 0..weeks. They do not depend on the first
    grant's term, so the agencies' staggered first grants share them (O(weeks^2) once)."""
    gaps = _gap_probabilities(gap_mean, weeks)
    funded = [0.0] * (weeks + 1)
    for t in range(1, weeks + 1):
        funded[t] = float(t) if t <= term else term + _after(gaps, funded, t - term, renewal)
    return gaps, tuple(funded)


@lru_cache(maxsize=256)  # literal-ok: a cache size
def expected_funded_weeks(weeks: int, term: int, renewal: float, gap_mean: float,
                          first_term: int | None = None) -> float:
    """Expected weeks with a grant paying in the next ``weeks`` weeks, starting at the
    start of a grant of ``first_term`` weeks (default ``term``); each grant is renewed with
    probability ``renewal`` and otherwise followed by a gap of mean ``gap_mean`` weeks
    before the next grant of ``term`` weeks.

    Example:
        >>> expected_funded_weeks(260, 260, 0.5, 26.0)
        260.0
        >>> round(expected_funded_weeks(104, 52, 0.0, 0.0), 1)  # a 1-week gap after each
        103.0
    """
    if weeks <= 0:
        return 0.0
    first = term if first_term is None else max(1, first_term)
    if weeks <= first:
        return float(weeks)
    gaps, funded = _funded_from_start(weeks, term, renewal, gap_mean)
    return first + _after(gaps, funded, weeks - first, renewal)


def term_weeks(grant_term_years: float) -> int:
    """A grant's length in whole weeks (at least one).

    Example:
        >>> term_weeks(2), term_weeks(0.001)
        (104, 1)
    """
    return max(1, round(grant_term_years * 52))


def grant_weekly_rate(annual_budget_gbp: float, payment_rule: str, weeks: int, term: int,
                      renewal: float, gap_mean: float, first_term: int | None = None) -> float:
    """What a grant pays a week under ``payment_rule``: the annual budget over 52, or (same
    pot) the pot for ``weeks`` over the weeks the commissioner expects to fund.

    Example:
        >>> grant_weekly_rate(52_000, "same_annual_rate", 260, 104, 0.5, 26.0)
        1000.0
        >>> grant_weekly_rate(52_000, "same_pot", 260, 260, 0.9, 26.0)  # no gaps expected
        1000.0
    """
    base = annual_budget_gbp / 52
    if payment_rule == "same_annual_rate":
        return base
    return weekly_payment(base * weeks, weeks, term, renewal, gap_mean, first_term)


def weekly_payment(pot_gbp: float, weeks: int, term: int, renewal: float, gap_mean: float,
                   first_term: int | None = None) -> float:
    """The weekly payment of every grant in the horizon: the pot over the weeks the
    commissioner expects to fund."""
    funded = expected_funded_weeks(weeks, term, renewal, gap_mean, first_term)
    return max(0.0, pot_gbp) / funded if funded > 0 else 0.0
