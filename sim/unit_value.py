"""The unit value of a proven reoffence averted: its derivation, written beside the number.

``value.cost_per_reoffence_gbp`` turns the reoffences the programme averts into money. The
model counts proven reoffences per person over the 12-month follow-up, with and without
mentoring on the same random numbers (``sim.agents.mentee.step_mentees``), so what it
values is a count of reoffences, and the unit is the cost of one proven reoffence. Both
halves of the division come from one cohort, the offenders of 2016:

- **numerator**: the economic and social cost of the 2016 cohort's proven reoffending over
  its 12-month follow-up, GBP 18.1bn in 2017/18 prices (Newton, May, Eames & Ahmad 2019,
  *Economic and social costs of reoffending*, Ministry of Justice Analytical Series,
  executive summary; it includes costs in anticipation of, as a consequence of and in
  response to crime, and the unrecorded crime that goes with proven reoffences);
- **divisor**: the proven reoffences that cohort committed, its reoffenders times their
  reoffences each (Ministry of Justice *Proven reoffending statistics*, the four
  quarterly offender cohorts of January to December 2016, the cohorts the report costs).
  These two counts are *recalled, not checked against the published tables* (evidence
  grade C): about 160,000 reoffenders, and about 3.9 proven reoffences each under the
  methodology introduced in October 2017 (three-month cohorts count more reoffences per
  reoffender than the earlier annual cohorts). Replace them with the tables' figures
  when checking the derivation.

The defensible alternatives bound the plausible range declared with the parameter:
the July 2011 to June 2012 cohort's 2.9 reoffences each from about 150,000 reoffenders
(about 450,000 proven reoffences: the published summary, grade A) gives the upper end,
GBP 41,600 (with a numerator from another cohort, so an upper bound rather than an
estimate); counting adults only (GBP 16.7bn) or a higher frequency gives the lower end.
A commissioner can put their own figure under ``[value]``.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Derivation:
    """The published quantities a per-reoffence cost is derived from.

    Attributes:
        cost_gbp: the cohort's economic and social cost of proven reoffending over 12
            months (GBP, 2017/18 prices).
        reoffenders: people in the cohort proven to reoffend within 12 months.
        reoffences_each: proven reoffences per reoffender.
        source: where each number comes from, and its evidence grade.
    """

    cost_gbp: float
    reoffenders: float
    reoffences_each: float
    source: str

    @property
    def reoffences(self) -> float:
        """Proven reoffences committed by the cohort."""
        return self.reoffenders * self.reoffences_each

    @property
    def per_reoffence_gbp(self) -> float:
        """The cost of one proven reoffence, rounded to GBP 100 (the inputs carry two or
        three significant figures)."""
        return round(self.cost_gbp / self.reoffences, -2)


# Published figures, each cited in its source text (inputs to a derivation, not behaviour).
COHORT_2016 = Derivation(
    cost_gbp=18.1e9, reoffenders=160_000, reoffences_each=3.9,  # literal-ok: cited figures
    source="Newton et al. (2019) executive summary, GBP 18.1bn (grade A); MoJ Proven "
           "reoffending statistics, 2016 cohorts: about 160,000 reoffenders, about 3.9 "
           "reoffences each (grade C: recalled, not checked against the tables)")
COHORT_2011_12 = Derivation(
    cost_gbp=18.1e9, reoffenders=150_000, reoffences_each=2.9,  # literal-ok: cited figures
    source="Newton et al. (2019), GBP 18.1bn for 2016; MoJ Proven reoffending statistics, "
           "July 2011 to June 2012: about 150,000 reoffenders, 2.9 reoffences each (grade "
           "A); the divisor from another cohort, so an upper bound")
