"""The mentor: a peer mentor with lived experience, or a community volunteer."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from mesa import Agent

from sim.params import weekly_rate

if TYPE_CHECKING:
    from sim.agents.agency import Agency
    from sim.model import MentoringModel
    from sim.relationship import Match

STYLES = ("practical", "emotional", "activities")
RECOVERED_BELOW = 0.45  # hysteresis: a burnt-out mentor recovers below this exhaustion
# Volunteers drift away when a programme's future is in doubt (assumption; Clinks State of
# the Sector 2023 reports staff lost near contract ends).
INSECURITY_EXIT_MULTIPLIER = 2.0


class Mentor(Agent):
    """A mentor on an agency's books.

    State: relational skill and cultural competence (0-1; training, supervision and
    experience improve them), the match length they expect, hours they can give,
    emotional exhaustion (0-1) and burnout, the relationships they hold.
    """

    def __init__(self, model: MentoringModel, agency: Agency, index: int,
                 trained_at_week: int) -> None:
        super().__init__(model)
        p = model.p
        draw = model.streams.entity("mentor", index)
        self.index = index
        self.agency = agency
        self.kind = "peer" if draw.random() < p.mentors.peer_share else "community"
        self.paid = self.kind == "peer" and draw.random() < p.mentors.paid_peer_share
        self.minority = draw.random() < p.mentees.minority_share
        self.style = draw.choices(STYLES, weights=(0.4, 0.4, 0.2))[0]
        # Pre-match training raises skill with diminishing returns (Kupersmidt et al. 2017:
        # training was the one practice standard that predicted match length).
        trained = 1.0 - math.exp(-p.training.pre_match_hours / 10.0)
        self.skill = min(0.95, max(0.05, draw.gauss(p.mentors.skill_mean, 0.12)
                                   + 0.25 * trained))
        # Lived experience helps bridge the divide with people in the justice system.
        competence = 0.5 if self.kind == "peer" else 0.35
        self.cultural_competence = min(0.95, max(0.0, draw.gauss(competence, 0.15)
                                                 + 0.15 * trained))
        self.expected_match_weeks = p.mentors.expected_match_weeks_median * math.exp(
            draw.gauss(0.0, 0.7))
        self.resilience = math.exp(draw.gauss(0.0, 0.4))  # >1 tires faster
        self.exhaustion = min(0.5, draw.uniform(0.0, 0.25) * self.resilience)
        self.hours = (p.mentors.paid_hours_per_week if self.paid
                      else p.mentors.volunteer_hours_per_week)
        self.cap = p.matching.caseload_cap_paid if self.paid else p.matching.caseload_cap_volunteer
        self.joined_week = model.week
        self.trained_at_week = trained_at_week
        self.matches: dict[Match, None] = {}
        self.burnt_out = False
        self.burnout_episodes = 0
        self.mentees_mentored = 0
        self.distress_events = 0
        self.load = 0.0
        self.time_factor = 1.0

    @property
    def available(self) -> bool:
        """Trained, not burnt out, and with room for another mentee."""
        return (self.model.week >= self.trained_at_week and not self.burnt_out
                and len(self.matches) < self.cap)

    def effective_skill(self, cultural_gap: bool) -> float:
        """Skill as the mentee experiences it: a cultural divide the mentor cannot bridge
        cuts it (Spencer 2007)."""
        if not cultural_gap:
            return self.skill
        weight = self.model.p.effects.cultural_gap_weight
        return self.skill * (1.0 - weight * (1.0 - self.cultural_competence))

    def extra_role_hours(self) -> float:
        """Extra-role hours actually loaded on this mentor; trained managers shield half."""
        hours = self.model.p.mentors.extra_role_hours_per_week
        return hours * (0.5 if self.model.p.training.staff_manager_training else 1.0)

    def plan_week(self) -> None:
        """Work out this week's load and the share of needed time each mentee gets."""
        needed = len(self.matches) * self.agency.hours_per_mentee
        extra = self.extra_role_hours()
        self.load = (needed + extra) / self.hours
        spare = max(0.0, self.hours - extra)
        self.time_factor = 1.0 if needed <= spare else spare / needed

    def distress(self) -> None:
        """A distressing event (a mentee reoffends): counted into this week's exhaustion."""
        self.distress_events += 1

    def step(self) -> None:
        """Weekly: exhaustion and burnout, skill growth, then the chance of leaving."""
        p = self.model.p
        e = p.effects
        streams = self.model.streams
        sup = self.agency.supervision_effect
        busy = bool(self.matches)
        gain = (e.exhaustion_load * self.load * busy
                + e.exhaustion_extra_role * min(1.0, self.extra_role_hours() / 4.0)
                + e.exhaustion_distress * self.distress_events
                + (e.exhaustion_peer if self.kind == "peer" else 0.0)) * self.resilience
        recovery = e.recovery_base + e.recovery_supervision * sup
        self.exhaustion = min(1.0, max(0.0, self.exhaustion + gain - recovery * self.exhaustion))
        self.distress_events = 0
        if not self.burnt_out and self.exhaustion >= e.burnout_threshold:
            self.burnt_out = True
            self.burnout_episodes += 1
        elif self.burnt_out and self.exhaustion < RECOVERED_BELOW:
            self.burnt_out = False

        growth = (0.002 * busy + 0.003 * p.training.ongoing_hours_per_month + 0.004 * sup
                  + (0.001 if p.training.staff_manager_training else 0.0))
        self.skill += (1.0 - self.skill) * growth
        self.cultural_competence += (1.0 - self.cultural_competence) * 0.5 * growth

        exit_reason = self._exit_reason(streams.uniform("mentor_exit", self.index), sup)
        if exit_reason is not None:
            self.model.mentor_leaves(self, exit_reason)

    def _exit_reason(self, u: float, sup: float) -> str | None:
        """Competing exit hazards on one random number: burnout or life change, relapse
        (peer mentors), progression to paid work (trained peer volunteers)."""
        p = self.model.p
        e = p.effects
        base = weekly_rate(p.mentors.attrition_annual_paid if self.paid
                           else p.mentors.attrition_annual_volunteer)
        burnout_mult = (e.burnout_exit_multiplier - 1.0) * (
            1.0 - e.paid_exit_reduction if self.paid else 1.0)
        multiplier = 1.0 + burnout_mult * self.burnt_out
        multiplier *= 1.0 + (e.extra_role_exit_multiplier - 1.0) * min(
            1.0, self.extra_role_hours() / 4.0)
        multiplier *= 1.0 - e.supervision_exit_reduction * sup
        if self.agency.insecure:
            multiplier *= INSECURITY_EXIT_MULTIPLIER
        leave = base * multiplier
        relapse = 0.0
        progress = 0.0
        if self.kind == "peer":
            # Giving back supports desistance (LeBel et al. 2015); exhaustion undermines it.
            relapse = (weekly_rate(p.mentors.relapse_annual) * (1.0 + self.exhaustion)
                       * (0.7 if self.matches else 1.0))
            if not self.paid and self.model.week - self.trained_at_week >= 26:
                progress = weekly_rate(p.mentors.progression_annual) * self.skill / 0.6
        if u < leave:
            return "burnout" if self.burnt_out else "life_change"
        if u < leave + relapse:
            return "relapse"
        if u < leave + relapse + progress:
            return "paid_work"
        return None

    def record(self) -> dict[str, object]:
        """This mentor's row of ``mentors.parquet`` (exit fields filled by the model)."""
        return {
            "mentor_id": self.index,
            "agency_id": self.agency.index,
            "mentor_kind": self.kind,
            "paid": self.paid,
            "joined_week": self.joined_week,
            "burnout_episodes": self.burnout_episodes,
            "mentees_mentored": self.mentees_mentored,
        }
