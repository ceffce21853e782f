"""The mentee: a person on probation, leaving prison or in youth justice."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from mesa import Agent

if TYPE_CHECKING:
    from sim.agents.agency import Agency
    from sim.model import MentoringModel
    from sim.relationship import Match

NEEDS = ("housing", "substance", "employment")
EXPECTATIONS = ("practical", "emotional", "activities")

# Baseline one-year reoffending by setting is mentees.base_reoffending_<setting>.
FOLLOW_UP_WEEKS = 52  # the 12-month proven reoffending measure: a definition, not a parameter
# Pre-treatment risk bands: thirds of the risk distribution at referral (the standard normal's
# tercile points, +/-0.4307), so each band holds a third of referrals in every setting.
RISK_BAND_Z = 0.4307  # literal-ok: a definition (terciles of the normal), not a parameter
RISK_BANDS = ("low", "medium", "high")


class Mentee(Agent):
    """A person referred to the programme.

    State: motivation (0-1, moves with small steps and setbacks: a crisis, a reoffence, a
    missed meeting), what they expect from mentoring, cultural background, family
    interference (0 supportive .. 1 pulls away; it changes over time), individual
    reoffending risk (and its pre-treatment band), needs and the services they have been
    linked to, and the dose of mentoring received so far (quality-weighted weeks, across
    every relationship and any informal contact after one).
    """

    def __init__(self, model: MentoringModel, agency: Agency, index: int) -> None:
        super().__init__(model)
        p = model.p
        draw = model.streams.entity("mentee", index)
        self.index = index
        self.agency = agency
        self.referral_week = model.week
        m = p.mentees
        concentration = m.motivation_concentration
        self.motivation = min(m.motivation_ceiling, max(m.motivation_floor, draw.betavariate(
            concentration * m.motivation_mean, concentration * (1 - m.motivation_mean))))
        self.expectation = draw.choices(EXPECTATIONS, weights=(
            m.expectation_practical_share, m.expectation_emotional_share,
            m.expectation_activities_share))[0]
        self.minority = draw.random() < m.minority_share
        self.family = (draw.uniform(m.family_interference_min, m.family_interference_max)
                       if draw.random() < m.family_interference_prevalence else 0.0)
        shares = (p.mentees.needs_housing, p.mentees.needs_substance, p.mentees.needs_employment)
        self.needs = [need for need, share in zip(NEEDS, shares, strict=True)
                      if draw.random() < share]
        # Log-normal risk with mean 1, so the population's average hazard is the setting's.
        sigma = p.mentees.risk_spread
        z = draw.gauss(0.0, 1.0)
        self.risk = math.exp(sigma * z - sigma * sigma / 2)  # literal-ok: mean-1 log-normal
        self.risk_band = RISK_BANDS[(z > -RISK_BAND_Z) + (z > RISK_BAND_Z)]
        base_12m = getattr(m, f"base_reoffending_{p.programme.setting}")
        self.base_hazard = min(m.max_weekly_reoffending_hazard,
                               -math.log(1 - base_12m) / FOLLOW_UP_WEEKS * self.risk)
        # The mentee's planned length relative to the programme's commitment (set by their
        # order or licence and their needs); drawn last so earlier traits keep their draws.
        spread = getattr(p.programme, f"planned_length_spread_{p.programme.setting}")
        self.planned_length_factor = math.exp(draw.gauss(0.0, spread))
        self.match: Match | None = None
        self.waiting = True
        # "referred" (joined the waiting list), "lost" (arrived while the programme could
        # not take referrals) or "diverted" (not referred during a reorganisation).
        self.referral_outcome = "referred"
        self.gave_up = False
        self.ever_matched = False
        self.weeks_mentored = 0
        self.dose = 0.0  # quality-weighted weeks of mentoring, never reset by a rematch
        self.informal_weeks_left = 0
        self.informal_weeks = 0
        self.informal_quality = 0.0
        self.linked: list[str] = []
        self.early_end = False
        self.network = False
        self.reoffence_week: int | None = None
        self.counterfactual_reoffence_week: int | None = None

    def hazard_multiplier(self) -> float:
        """How mentoring so far changes this person's reoffending hazard (1 = no change).

        Benefit grows with the absolute dose, weeks actually mentored each weighted by the
        relationship's quality, and saturates:
        ``1 - effect x (1 - exp(-dose / saturation))`` (Grossman & Rhodes 2002: benefit grows
        with duration; Ipsos MORI/McIvor 2015: length of engagement was the key predictor).
        The dose is the mentee's, not a relationship's, so a rematch after an early ending
        carries on from it rather than starting again. A very early ending adds a small
        harm; service links and a lasting informal network each cut the hazard a little.
        """
        e = self.model.p.effects
        multiplier = 1.0 - e.reoffending_effect * (
            1.0 - math.exp(-self.dose / e.dose_saturation_weeks))
        if self.early_end:
            multiplier *= 1.0 + e.early_end_harm
        multiplier *= (1.0 - e.linkage_reoffending_cut) ** len(self.linked)
        if self.network:
            multiplier *= 1.0 - e.network_reoffending_cut
        return multiplier

    def family_pull(self) -> float:
        """Family interference as the relationship feels it (0-1): engaging the family
        (``support.family_engagement``) removes ``effects.family_engagement_effect`` of it."""
        p = self.model.p
        if p.support.family_engagement and self.match is not None:
            return self.family * (1.0 - p.effects.family_engagement_effect)
        return self.family

    def crisis_probability(self) -> float:
        """Weekly chance of a crisis: rises with individual risk (Kupersmidt et al. 2017)
        and with each need not yet linked to a service."""
        r = self.model.p.relationships
        return min(1.0, r.crisis_weekly * self.risk ** r.crisis_risk_exponent
                   * (1.0 + r.crisis_need_weight * len(self.needs)))

    def set_back(self, size: float, quality: float) -> None:
        """A setback costs motivation; a strong bond cushions it (scaled by 1 - quality)."""
        self.motivation = max(0.0, self.motivation - size * (1.0 - quality))

    def continue_informally(self, weeks: int, quality: float) -> None:
        """The formal relationship has ended and the pair keep in touch for ``weeks``."""
        self.informal_weeks_left = weeks
        self.informal_quality = quality

    def engagement_probability(self, quality: float, chaos: float) -> float:
        """Chance of turning up this week: motivation and the bond pull in, family and
        programme chaos pull away."""
        e = self.model.p.effects
        p = (e.engagement_base
             + e.engagement_motivation_weight * (self.motivation - e.engagement_neutral_motivation)
             + e.engagement_quality_weight * quality
             - e.engagement_family_weight * self.family_pull() * (1.0 - quality)
             - e.engagement_chaos_weight * chaos)
        return min(e.engagement_ceiling, max(e.engagement_floor, p))

    def _family_changes(self) -> None:
        """Family context is not fixed: now and then it changes (a new partner, a return
        home, a conflict) and is redrawn from the population's distribution."""
        model = self.model
        m = model.p.mentees
        streams = model.streams
        if not (self.waiting or self.match is not None):
            return  # after the programme, family context no longer enters anything
        if streams.uniform("family_change", self.index) >= m.family_change_weekly:
            return
        if streams.uniform("family_present", self.index) < m.family_interference_prevalence:
            self.family = m.family_interference_min + (
                m.family_interference_max - m.family_interference_min
            ) * streams.uniform("family_level", self.index)
        else:
            self.family = 0.0

    def step(self) -> None:
        """Weekly: family context may change; informal contact after a formal ending adds
        to the dose; the chance of reoffending (actual and without mentoring, on the same
        random number), a reoffence setting motivation back; and leaving the model when
        the 12-month follow-up is over."""
        model = self.model
        week = model.week
        self._family_changes()
        if self.informal_weeks_left and self.match is None:
            self.informal_weeks_left -= 1
            self.informal_weeks += 1
            self.dose += model.p.effects.informal_benefit_share * self.informal_quality
        u = model.streams.uniform("reoffend", self.index)
        if u < self.base_hazard and self.counterfactual_reoffence_week is None:
            self.counterfactual_reoffence_week = week
        if u < self.base_hazard * self.hazard_multiplier():
            if self.reoffence_week is None:
                self.reoffence_week = week
            quality = self.match.quality if self.match is not None else 0.0
            self.set_back(model.p.relationships.reoffence_motivation_loss, quality)
            if self.match is not None:
                self.match.mentor.distress()
                if model.streams.uniform("recall", self.index) < model.p.effects.recall_share:
                    model.close_match(self.match, "mentee_reoffended", "recalled")
        # A recall above may already have discharged this mentee (close_match does so once
        # follow-up is over), so check they are still in the model.
        if (self.match is None and not self.waiting and self in model.mentee_pool
                and week >= self.referral_week + FOLLOW_UP_WEEKS):
            model.discharge_mentee(self)

    def record(self, horizon: int) -> dict[str, object]:
        """This mentee's row of ``mentees.parquet``. The keys are the ``mentees`` columns
        declared in :mod:`sim.tables` (building the table checks that none is missing)."""
        complete = self.referral_week + FOLLOW_UP_WEEKS <= horizon
        end = self.referral_week + FOLLOW_UP_WEEKS

        def within(week: int | None) -> bool | None:
            return (week is not None and week <= end) if complete else None

        return {
            "mentee_id": self.index,
            "agency_id": self.agency.index,
            "referral_week": self.referral_week,
            "referral_outcome": self.referral_outcome,
            "matched": self.ever_matched,
            "gave_up_waiting": self.gave_up,
            "weeks_mentored": self.weeks_mentored,
            "informal_weeks": self.informal_weeks,
            "dose": round(self.dose, 6),
            "risk_band": self.risk_band,
            "needs": len(self.needs) + len(self.linked),
            "services_linked": len(self.linked),
            "reoffended_12m": within(self.reoffence_week),
            "reoffended_12m_without_mentoring": within(self.counterfactual_reoffence_week),
            "support_network": self.network,
        }
