"""The mentee: a person on probation, leaving prison or in youth justice."""

from __future__ import annotations

import math
from itertools import accumulate
from typing import TYPE_CHECKING, NamedTuple

import numpy as np
from mesa import Agent

from sim.compiled import mechanism, uniform
from sim.draws import beta, normal, pick, substream
from sim.params import ScenarioParams
from sim.state import UNSET, Columns, column
from sim.vocabulary import RISK_BANDS

if TYPE_CHECKING:
    from sim.agents.agency import Agency
    from sim.model import MentoringModel
    from sim.params import Effects
    from sim.relationship import Match

NEEDS = ("housing", "substance", "employment")
EXPECTATIONS = ("practical", "emotional", "activities")

# Baseline one-year reoffending by setting is mentees.base_reoffending_<setting>.
FOLLOW_UP_WEEKS = 52  # the 12-month proven reoffending measure: a definition, not a parameter
# Pre-treatment risk bands: thirds of the risk distribution at referral (the standard normal's
# tercile points, +/-0.4307), so each band holds a third of referrals in every setting.
RISK_BAND_Z = 0.4307  # literal-ok: a definition (terciles of the normal), not a parameter
# "referred" (joined the waiting list), "lost" (arrived while the programme could not take
# referrals) or "diverted" (not referred during a reorganisation).
REFERRAL_OUTCOMES = ("referred", "lost", "diverted")
LOST, DIVERTED = REFERRAL_OUTCOMES.index("lost"), REFERRAL_OUTCOMES.index("diverted")
# Needs drawn at referral, as bits of ``needs`` in NEEDS order, counted.
NEEDS_COUNT = np.array([bin(mask).count("1") for mask in range(1 << len(NEEDS))])
# Code -> label, for reading whole columns into a table.
_RISK_BAND_LABELS = np.array(RISK_BANDS, dtype=object)
_OUTCOME_LABELS = np.array(REFERRAL_OUTCOMES, dtype=object)


def mentee_columns() -> Columns:
    """The column store holding every mentee's state (one row per mentee index)."""
    return Columns({
        "agency": np.int64, "referral_week": np.int64, "motivation": np.float64,
        "expectation": np.int8, "minority": np.bool_, "family": np.float64,
        "needs": np.int8, "linked_count": np.int64, "risk": np.float64,
        "crisis_risk": np.float64, "risk_band": np.int8, "base_hazard": np.float64,
        "repeat_hazard": np.float64,
        "planned_length_factor": np.float64, "match": np.int64, "waiting": np.bool_,
        "referral_outcome": np.int8, "gave_up": np.bool_, "ever_matched": np.bool_,
        "weeks_mentored": np.int64, "dose": np.float64, "informal_weeks_left": np.int64,
        "informal_weeks": np.int64, "informal_quality": np.float64, "early_end": np.bool_,
        "network": np.bool_, "reoffence_week": np.int64,
        "counterfactual_reoffence_week": np.int64, "reoffences": np.int64,
        "counterfactual_reoffences": np.int64, "left_week": np.int64,
    })


class TraitParams(NamedTuple):
    """The parameter values every referral's trait draws use, worked out once per model
    (``model.referral_traits``)."""

    motivation_alpha: float
    motivation_beta: float
    motivation_floor: float
    motivation_ceiling: float
    expectation_cumulative: tuple[float, float, float]  # EXPECTATIONS order
    minority_share: float
    family_prevalence: float
    family_min: float
    family_max: float
    need_shares: tuple[float, float, float]  # NEEDS order
    risk_spread: float
    risk_half_variance: float
    crisis_risk_exponent: float
    max_hazard: float
    weekly_base_hazard: float
    repeat_multiplier: float
    planned_length_spread: float

    @classmethod
    def of(cls, p: ScenarioParams) -> TraitParams:
        """The values for scenario ``p``."""
        m = p.mentees
        setting = p.programme.setting
        base_12m = getattr(m, f"base_reoffending_{setting}")
        return cls(
            motivation_alpha=m.motivation_concentration * m.motivation_mean,
            motivation_beta=m.motivation_concentration * (1 - m.motivation_mean),
            motivation_floor=m.motivation_floor, motivation_ceiling=m.motivation_ceiling,
            expectation_cumulative=tuple(accumulate((
                m.expectation_practical_share, m.expectation_emotional_share,
                m.expectation_activities_share))),
            minority_share=m.minority_share,
            family_prevalence=m.family_interference_prevalence,
            family_min=m.family_interference_min, family_max=m.family_interference_max,
            need_shares=(m.needs_housing, m.needs_substance, m.needs_employment),
            risk_spread=m.risk_spread,
            risk_half_variance=m.risk_spread * m.risk_spread / 2,  # literal-ok: mean-1 log-normal
            crisis_risk_exponent=p.relationships.crisis_risk_exponent,
            max_hazard=m.max_weekly_reoffending_hazard,
            # The setting's weekly hazard for a mentee of average risk
            # (1 - (1 - h)^52 = the 12-month rate).
            weekly_base_hazard=-math.log(1 - base_12m) / FOLLOW_UP_WEEKS,
            repeat_multiplier=m.repeat_reoffending_multiplier,
            planned_length_spread=getattr(p.programme, f"planned_length_spread_{setting}"))


# Each trait draws from a sub-stream of its own (sim.draws): (seed, "mentee", index, trait).
(_MOTIVATION, _EXPECTATION, _MINORITY, _FAMILY, _FAMILY_LEVEL, _RISK, _PLANNED_LENGTH,
 _FIRST_NEED) = range(8)  # literal-ok: trait numbers, names of sub-streams


@mechanism
def referral_traits(kind_key: np.uint64, first: int, count: int, p: TraitParams
                    ) -> tuple[np.ndarray, ...]:
    """The traits of referrals ``first .. first + count - 1``, each from its own
    sub-stream of the referral's stream ``substream(kind_key, index)``:

    * motivation ~ Beta(alpha, beta), clipped to [floor, ceiling];
    * expectation: the category a uniform picks from the expectation shares;
    * minority: ``u < minority_share``; family interference: Uniform(min, max) for the
      share ``family_prevalence`` of referrals, else 0;
    * need ``i``: ``u_i < share_i`` (one sub-stream per need), as bits of ``needs``;
    * risk ``= exp(spread z - spread^2 / 2)`` with ``z`` standard normal (log-normal,
      mean 1), so the population's average hazard is the setting's; the risk band is the
      tercile of ``z``; ``crisis_risk = risk^crisis_risk_exponent``;
      ``base_hazard = min(max, h risk)``, ``repeat_hazard = min(max, h risk multiplier)``
      with ``h`` the setting's weekly hazard;
    * planned length factor ``= exp(planned_length_spread z')``, ``z'`` standard normal:
      the person's planned length relative to the programme's commitment.

    Returns the columns in that order: motivation, expectation, minority, family, needs,
    risk, crisis_risk, risk_band, base_hazard, repeat_hazard, planned_length_factor.
    """
    motivation = np.empty(count)
    expectation = np.empty(count, np.int8)
    minority = np.empty(count, np.bool_)
    family = np.empty(count)
    needs = np.empty(count, np.int8)
    risk = np.empty(count)
    crisis_risk = np.empty(count)
    risk_band = np.empty(count, np.int8)
    base_hazard = np.empty(count)
    repeat_hazard = np.empty(count)
    planned = np.empty(count)
    for k in range(count):
        own = substream(kind_key, first + k)
        drawn = beta(substream(own, _MOTIVATION), p.motivation_alpha, p.motivation_beta)
        motivation[k] = min(p.motivation_ceiling, max(p.motivation_floor, drawn))
        expectation[k] = pick(uniform(substream(own, _EXPECTATION), 0),
                              p.expectation_cumulative)
        minority[k] = uniform(substream(own, _MINORITY), 0) < p.minority_share
        family[k] = 0.0
        if uniform(substream(own, _FAMILY), 0) < p.family_prevalence:
            family[k] = p.family_min + (p.family_max - p.family_min) * uniform(
                substream(own, _FAMILY_LEVEL), 0)
        bits = 0
        for i in range(len(p.need_shares)):
            if uniform(substream(own, _FIRST_NEED + i), 0) < p.need_shares[i]:
                bits |= 1 << i
        needs[k] = bits
        z = normal(substream(own, _RISK), 0)
        risk[k] = math.exp(p.risk_spread * z - p.risk_half_variance)
        crisis_risk[k] = risk[k] ** p.crisis_risk_exponent
        risk_band[k] = (z > -RISK_BAND_Z) + (z > RISK_BAND_Z)
        base_hazard[k] = min(p.max_hazard, p.weekly_base_hazard * risk[k])
        repeat_hazard[k] = min(p.max_hazard,
                               p.weekly_base_hazard * risk[k] * p.repeat_multiplier)
        planned[k] = math.exp(p.planned_length_spread * normal(substream(own, _PLANNED_LENGTH),
                                                                0))
    return (motivation, expectation, minority, family, needs, risk, crisis_risk, risk_band,
            base_hazard, repeat_hazard, planned)


# The columns referral_traits returns, in its order.
TRAIT_COLUMNS = ("motivation", "expectation", "minority", "family", "needs", "risk",
                 "crisis_risk", "risk_band", "base_hazard", "repeat_hazard",
                 "planned_length_factor")


class Mentee(Agent):
    """A person referred to the programme: a Mesa agent whose state lives in the model's
    mentee columns (``model.mentees``, row ``index``).

    State: motivation (0-1, moves with small steps and setbacks: a crisis, a reoffence, a
    missed meeting), what they expect from mentoring, cultural background, family
    interference (0 supportive .. 1 pulls away; it changes over time), individual
    reoffending risk (and its pre-treatment band), needs and the services they have been
    linked to, and the dose of mentoring received so far (quality-weighted weeks, across
    every relationship and any informal contact after one). :func:`referral_traits` draws
    the traits and the weekly mechanisms below work on all mentees at once; this class
    gives Mesa (and a reader) one person's view of them.
    """

    referral_week = column()
    motivation = column()
    expectation = column(codes=EXPECTATIONS)
    minority = column()
    family = column()
    risk = column()
    risk_band = column(codes=RISK_BANDS)
    base_hazard = column()
    planned_length_factor = column()
    waiting = column()
    referral_outcome = column(codes=REFERRAL_OUTCOMES)
    gave_up = column()
    ever_matched = column()
    weeks_mentored = column()
    dose = column()  # quality-weighted weeks of mentoring, never reset by a rematch
    informal_weeks_left = column()
    informal_weeks = column()
    informal_quality = column()
    early_end = column()
    network = column()
    reoffence_week = column(optional=True)
    counterfactual_reoffence_week = column(optional=True)
    reoffences = column()  # proven reoffences within the 12-month follow-up
    counterfactual_reoffences = column()

    def __init__(self, model: MentoringModel, agency: Agency, index: int) -> None:
        """The view of mentee ``index``, whose row (traits drawn by
        :func:`referral_traits`) the model has added."""
        super().__init__(model)
        self.index = index
        self.agency = agency
        self._columns = model.mentees

    @property
    def match(self) -> Match | None:
        """The relationship this person is in, if any."""
        row = self._columns.match.item(self.index)
        return None if row == UNSET else self.model.match_views[row]

    @match.setter
    def match(self, match: Match | None) -> None:
        self._columns.match[self.index] = UNSET if match is None else match.match_id

    @property
    def needs(self) -> list[str]:
        """Needs not yet linked to a service, in the order they are worked on."""
        return self._drawn_needs()[self._columns.linked_count.item(self.index):]

    @property
    def linked(self) -> list[str]:
        """Needs linked to a partner service."""
        return self._drawn_needs()[:self._columns.linked_count.item(self.index)]

    def _drawn_needs(self) -> list[str]:
        mask = self._columns.needs.item(self.index)
        return [need for i, need in enumerate(NEEDS) if mask >> i & 1]


def records(model: MentoringModel, rows: np.ndarray) -> dict[str, object]:
    """The ``mentees.parquet`` columns of ``rows`` (mentee indexes), read from the columns
    as they stand: a discharged mentee's row keeps its state from the week they left, so
    it can be read at the end. The keys are the ``mentees`` columns declared in
    :mod:`sim.tables` (building the table checks them). ``reoffended_12m`` is null for a
    mentee with fewer than 52 weeks of follow-up by the horizon (``run.weeks``)."""
    c = model.mentees
    referral_week = c.referral_week[rows]
    end = referral_week + FOLLOW_UP_WEEKS
    complete = end <= model.p.run.weeks

    def within(weeks: np.ndarray) -> np.ndarray:
        return np.where(complete, (weeks != UNSET) & (weeks <= end), None)

    return {
        "mentee_id": rows,
        "agency_id": c.agency[rows],
        "referral_week": referral_week,
        "referral_outcome": _OUTCOME_LABELS[c.referral_outcome[rows]],
        "matched": c.ever_matched[rows],
        "gave_up_waiting": c.gave_up[rows],
        "weeks_mentored": c.weeks_mentored[rows],
        "informal_weeks": c.informal_weeks[rows],
        # Python's round (correctly rounded), as each value has always been rounded.
        "dose": [round(dose, 6) for dose in c.dose[rows].tolist()],
        "risk_band": _RISK_BAND_LABELS[c.risk_band[rows]],
        "needs": NEEDS_COUNT[c.needs[rows]],
        "services_linked": c.linked_count[rows],
        "reoffended_12m": within(c.reoffence_week[rows]),
        "reoffended_12m_without_mentoring": within(c.counterfactual_reoffence_week[rows]),
        "reoffences_12m": np.where(complete, c.reoffences[rows], None),
        "reoffences_12m_without_mentoring": np.where(
            complete, c.counterfactual_reoffences[rows], None),
        "support_network": c.network[rows],
    }


# --- the weekly mechanisms, on many mentees at once ---------------------------------------
# Each takes the model and the rows (mentee indexes) it applies to, and works on columns.

def matched(model: MentoringModel, rows: np.ndarray) -> np.ndarray:
    """In a relationship now."""
    return model.mentees.match[rows] != UNSET


def unmet_needs(model: MentoringModel, rows: np.ndarray) -> np.ndarray:
    """Needs not yet linked to a partner service."""
    c = model.mentees
    return NEEDS_COUNT[c.needs[rows]] - c.linked_count[rows]


def family_pull(model: MentoringModel, rows: np.ndarray) -> np.ndarray:
    """Family interference as the relationship feels it (0-1): engaging the family
    (``support.family_engagement``) removes ``effects.family_engagement_effect`` of it,
    ``family x (1 - family_engagement_effect)``, while the person is mentored."""
    p = model.p
    family = model.mentees.family[rows]
    if not p.support.family_engagement:
        return family
    return np.where(matched(model, rows),
                    family * (1.0 - p.effects.family_engagement_effect), family)


def linkage_cuts(e: Effects) -> np.ndarray:
    """How services linked cut the reoffending hazard, by how many: ``(1 -
    linkage_reoffending_cut) ^ k`` for k = 0 .. every need (a table, worked out once)."""
    return np.array([(1.0 - e.linkage_reoffending_cut) ** k for k in range(len(NEEDS) + 1)])


class EngagementParams(NamedTuple):
    """The parameters :func:`engagement` reads (``effects.*``)."""

    engagement_base: float
    engagement_motivation_weight: float
    engagement_neutral_motivation: float
    engagement_quality_weight: float
    engagement_family_weight: float
    engagement_chaos_weight: float
    engagement_floor: float
    engagement_ceiling: float

    @classmethod
    def of(cls, p: ScenarioParams) -> EngagementParams:
        """The values of a scenario."""
        e = p.effects
        return cls(e.engagement_base, e.engagement_motivation_weight,
                   e.engagement_neutral_motivation, e.engagement_quality_weight,
                   e.engagement_family_weight, e.engagement_chaos_weight, e.engagement_floor,
                   e.engagement_ceiling)


@mechanism
def engagement(p: EngagementParams, motivation: float, quality: float, pull: float,
               chaos: float) -> float:
    """Chance a mentee turns up this week::

        clip(engagement_base + engagement_motivation_weight x (motivation -
             engagement_neutral_motivation) + engagement_quality_weight x quality
             - engagement_family_weight x family pull x (1 - quality)
             - engagement_chaos_weight x chaos, engagement_floor, engagement_ceiling)

    Motivation and the bond pull in, family and programme chaos pull away."""
    x = (p.engagement_base + p.engagement_motivation_weight
         * (motivation - p.engagement_neutral_motivation) + p.engagement_quality_weight * quality
         - p.engagement_family_weight * pull * (1.0 - quality)
         - p.engagement_chaos_weight * chaos)
    x = x if x > p.engagement_floor else p.engagement_floor
    return x if x < p.engagement_ceiling else p.engagement_ceiling


class CrisisParams(NamedTuple):
    """The parameters :func:`crisis_chance` reads (``relationships.*``)."""

    crisis_weekly: float
    crisis_need_weight: float

    @classmethod
    def of(cls, p: ScenarioParams) -> CrisisParams:
        """The values of a scenario."""
        r = p.relationships
        return cls(r.crisis_weekly, r.crisis_need_weight)


@mechanism
def crisis_chance(p: CrisisParams, crisis_risk: float, unmet: int) -> float:
    """Weekly chance of a crisis (custody, a move, a relapse, a housing loss)::

        min(1, crisis_weekly x risk ^ crisis_risk_exponent x (1 + crisis_need_weight x unmet needs))

    ``crisis_risk`` is the person's ``risk ^ relationships.crisis_risk_exponent``, worked
    out at referral: crises rise with individual risk (Kupersmidt et al. 2017) and with
    each need not yet linked to a service."""
    x = p.crisis_weekly * crisis_risk * (1.0 + p.crisis_need_weight * unmet)
    return x if x < 1.0 else 1.0


class MultiplierParams(NamedTuple):
    """The parameters :func:`hazard_multiplier` reads (``effects.*``)."""

    reoffending_effect: float
    dose_saturation_weeks: float
    early_end_harm: float
    network_reoffending_cut: float

    @classmethod
    def of(cls, p: ScenarioParams) -> MultiplierParams:
        """The values of a scenario."""
        e = p.effects
        return cls(e.reoffending_effect, e.dose_saturation_weeks, e.early_end_harm,
                   e.network_reoffending_cut)


@mechanism
def hazard_multiplier(p: MultiplierParams, dose: float, early_end: bool, linkage_cut: float,
                      network: bool) -> float:
    """How mentoring so far changes a person's reoffending hazard (1: no change)::

        M = (1 - reoffending_effect x (1 - exp(-dose / dose_saturation_weeks)))
            x (1 + early_end_harm if a very early ending)
            x (1 - linkage_reoffending_cut) ^ services linked            (``linkage_cut``)
            x (1 - network_reoffending_cut if a lasting support network formed)

    Benefit grows with the absolute dose, weeks actually mentored each weighted by the
    relationship's quality, and saturates (Grossman & Rhodes 2002; Ipsos MORI/McIvor
    2015: length of engagement was the key predictor). The dose is the mentee's, so a
    rematch after an early ending carries on from it."""
    multiplier = 1.0 - p.reoffending_effect * (1.0 - math.exp(-dose / p.dose_saturation_weeks))
    if early_end:
        multiplier = multiplier * (1.0 + p.early_end_harm)
    multiplier = multiplier * linkage_cut
    if network:
        multiplier = multiplier * (1.0 - p.network_reoffending_cut)
    return multiplier


class WeekParams(NamedTuple):
    """The parameters :func:`mentees_week` reads besides :class:`MultiplierParams`."""

    family_change_weekly: float
    family_interference_prevalence: float
    family_interference_min: float
    family_interference_max: float
    informal_benefit_share: float
    reoffence_motivation_loss: float
    recall_share: float

    @classmethod
    def of(cls, p: ScenarioParams) -> WeekParams:
        """The values of a scenario."""
        m, e = p.mentees, p.effects
        return cls(m.family_change_weekly, m.family_interference_prevalence,
                   m.family_interference_min, m.family_interference_max,
                   e.informal_benefit_share, p.relationships.reoffence_motivation_loss,
                   e.recall_share)


@mechanism
def mentees_week(rows: np.ndarray, waiting: np.ndarray, match: np.ndarray,
                 family: np.ndarray, informal_weeks_left: np.ndarray,
                 informal_weeks: np.ndarray, informal_quality: np.ndarray, dose: np.ndarray,
                 base_hazard: np.ndarray, repeat_hazard: np.ndarray, early_end: np.ndarray,
                 linked_count: np.ndarray, network: np.ndarray, reoffence_week: np.ndarray,
                 counterfactual_reoffence_week: np.ndarray, reoffences: np.ndarray,
                 counterfactual_reoffences: np.ndarray, motivation: np.ndarray,
                 referral_week: np.ndarray, match_quality: np.ndarray,
                 match_mentor: np.ndarray, distress_events: np.ndarray,
                 linkage_cut: np.ndarray, p: WeekParams, m: MultiplierParams,
                 keys: np.ndarray, week: int,
                 unset: int, follow_up_weeks: int) -> tuple[np.ndarray, np.ndarray]:
    """A week of everyone in follow-up, in place. Returns, per row, whether the person is
    recalled and whether their follow-up is over with no relationship and no place on a
    waiting list.

    - **Family context changes** (waiting or mentored): with chance
      ``family_change_weekly`` it is redrawn from the population's distribution
      (interfering with probability ``family_interference_prevalence``, at a level between
      ``family_interference_min`` and ``_max``).
    - **Informal contact** after a formal ending adds ``informal_benefit_share x`` the
      relationship's final quality to the dose each week it lasts.
    - **Reoffending**, on one uniform ``u`` for both worlds: without mentoring the person
      reoffends when ``u < h``, with it when ``u < h x M`` (:func:`hazard_multiplier`),
      where ``h`` is the base hazard before the person's first reoffence in that world and
      the repeat hazard after it; reoffences within ``follow_up_weeks`` of referral are
      counted in each world. A reoffence costs motivation ``reoffence_motivation_loss x
      (1 - quality)``, distresses the mentor and, with chance ``recall_share``, ends the
      relationship (recall).

    ``keys``: the streams family_change, family_present, family_level, reoffend, recall;
    ``linkage_cut``: ``(1 - linkage_reoffending_cut) ^ k`` for k services linked."""
    n = len(rows)
    recalled = np.zeros(n, dtype=np.bool_)
    due_free = np.zeros(n, dtype=np.bool_)
    for i in range(n):
        row = rows[i]
        matched = match[row] != unset
        if (waiting[row] or matched) and uniform(keys[0], row) < p.family_change_weekly:
            present = uniform(keys[1], row) < p.family_interference_prevalence
            level = p.family_interference_min + (
                p.family_interference_max - p.family_interference_min) * uniform(keys[2], row)
            family[row] = level if present else 0.0
        if informal_weeks_left[row] > 0 and not matched:
            informal_weeks_left[row] -= 1
            informal_weeks[row] += 1
            dose[row] = dose[row] + p.informal_benefit_share * informal_quality[row]
        u = uniform(keys[3], row)
        counted = week <= referral_week[row] + follow_up_weeks
        before = counterfactual_reoffence_week[row] != unset
        if u < (repeat_hazard[row] if before else base_hazard[row]):
            if not before:
                counterfactual_reoffence_week[row] = week
            if counted:
                counterfactual_reoffences[row] += 1
        before = reoffence_week[row] != unset
        base = repeat_hazard[row] if before else base_hazard[row]
        multiplier = hazard_multiplier(m, dose[row], early_end[row],
                                       linkage_cut[linked_count[row]], network[row])
        if u < base * multiplier:
            if not before:
                reoffence_week[row] = week
            if counted:
                reoffences[row] += 1
            quality = 0.0
            if matched:
                quality = match_quality[match[row]]
                distress_events[match_mentor[match[row]]] += 1
                recalled[i] = uniform(keys[4], row) < p.recall_share
            x = motivation[row] - p.reoffence_motivation_loss * (1.0 - quality)
            motivation[row] = x if x > 0.0 else 0.0
        due_free[i] = (week >= referral_week[row] + follow_up_weeks and not waiting[row]
                       and not matched)
    return recalled, due_free


def step_mentees(model: MentoringModel) -> None:
    """Phase 8: a week of everyone in follow-up (:func:`mentees_week`), then recalls close
    their relationships and people whose 12-month follow-up is over leave the model."""
    c = model.mentees
    rows = c.live()
    recalled, due_free = mentees_week(
        rows, c.waiting, c.match, c.family, c.informal_weeks_left, c.informal_weeks,
        c.informal_quality, c.dose, c.base_hazard, c.repeat_hazard, c.early_end,
        c.linked_count, c.network, c.reoffence_week, c.counterfactual_reoffence_week,
        c.reoffences, c.counterfactual_reoffences, c.motivation, c.referral_week,
        model.matches.quality, model.matches.mentor, model.mentors.distress_events,
        model.linkage_cut_by_count, WeekParams.of(model.p), MultiplierParams.of(model.p),
        np.array([model.streams.key(name) for name in (
            "family_change", "family_present", "family_level", "reoffend", "recall")]),
        model.week, UNSET, FOLLOW_UP_WEEKS)
    _end_follow_up(model, rows[recalled | due_free], rows[recalled])


def _end_follow_up(model: MentoringModel, events: np.ndarray, recalled: np.ndarray) -> None:
    """Recalls close their relationships, and people whose follow-up is over (and who are
    neither matched nor waiting) leave the model; ``events`` are the rows of both, in
    creation order, as Mesa would step them."""
    c = model.mentees
    week = model.week
    recall = set(recalled.tolist())
    for row in events.tolist():
        mentee = model.mentee_agents[row]
        if row in recall:
            model.close_match(mentee.match, "mentee_reoffended", "recalled")
        # A recall may already have discharged this mentee (close_match does so once
        # follow-up is over), so check they are still in the model.
        if (c.match[row] == UNSET and not c.waiting[row] and c.alive[row]
                and week >= c.referral_week[row] + FOLLOW_UP_WEEKS):
            model.discharge_mentee(mentee)
