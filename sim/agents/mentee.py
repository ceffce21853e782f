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


class Mentee(Agent):
    """A person referred to the programme.

    State: motivation (0-1, moves with small steps and setbacks), what they expect from
    mentoring, cultural background, family interference (0 supportive .. 1 pulls away),
    individual reoffending risk, needs and the services they have been linked to.
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
        risk = math.exp(draw.gauss(-sigma * sigma / 2, sigma))  # literal-ok: mean-1 log-normal
        base_12m = getattr(m, f"base_reoffending_{p.programme.setting}")
        self.base_hazard = min(m.max_weekly_reoffending_hazard,
                               -math.log(1 - base_12m) / FOLLOW_UP_WEEKS * risk)
        self.match: Match | None = None
        self.waiting = True
        # "referred" (joined the waiting list), "lost" (arrived while the programme could
        # not take referrals) or "diverted" (not referred during a reorganisation).
        self.referral_outcome = "referred"
        self.gave_up = False
        self.ever_matched = False
        self.weeks_mentored = 0
        self.quality_sum = 0.0
        self.linked: list[str] = []
        self.early_end = False
        self.network = False
        self.reoffence_week: int | None = None
        self.counterfactual_reoffence_week: int | None = None

    def hazard_multiplier(self) -> float:
        """How mentoring so far changes this person's reoffending hazard (1 = no change).

        Benefit grows with the length and quality of mentoring (Grossman & Rhodes 2002;
        Ipsos MORI/McIvor 2015: length of engagement was the key predictor); a very early
        ending is followed by a small harm; service links and a lasting informal network
        each cut the hazard a little.
        """
        e = self.model.p.effects
        multiplier = 1.0
        if self.weeks_mentored:
            dose = min(1.0, self.weeks_mentored / self.model.p.programme.planned_match_weeks)
            mean_quality = self.quality_sum / self.weeks_mentored
            multiplier *= 1.0 - e.reoffending_effect * dose * mean_quality
        if self.early_end:
            multiplier *= 1.0 + e.early_end_harm
        multiplier *= (1.0 - e.linkage_reoffending_cut) ** len(self.linked)
        if self.network:
            multiplier *= 1.0 - e.network_reoffending_cut
        return multiplier

    def engagement_probability(self, quality: float, chaos: float) -> float:
        """Chance of turning up this week: motivation and the bond pull in, family and
        programme chaos pull away."""
        e = self.model.p.effects
        p = (e.engagement_base
             + e.engagement_motivation_weight * (self.motivation - e.engagement_neutral_motivation)
             + e.engagement_quality_weight * quality
             - e.engagement_family_weight * self.family * (1.0 - quality)
             - e.engagement_chaos_weight * chaos)
        return min(e.engagement_ceiling, max(e.engagement_floor, p))

    def step(self) -> None:
        """Weekly: the chance of reoffending (actual and without mentoring, on the same
        random number), and leaving the model when the 12-month follow-up is over."""
        model = self.model
        week = model.week
        u = model.streams.uniform("reoffend", self.index)
        if u < self.base_hazard and self.counterfactual_reoffence_week is None:
            self.counterfactual_reoffence_week = week
        if u < self.base_hazard * self.hazard_multiplier():
            if self.reoffence_week is None:
                self.reoffence_week = week
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
            "needs": len(self.needs) + len(self.linked),
            "services_linked": len(self.linked),
            "reoffended_12m": within(self.reoffence_week),
            "reoffended_12m_without_mentoring": within(self.counterfactual_reoffence_week),
            "support_network": self.network,
        }
