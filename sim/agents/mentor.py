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
# Exit reasons by category: a negative exit is a loss the programme could act on, a move
# into paid work is the progression peer mentoring hopes for, a closure is the programme's.
EXIT_CATEGORIES = {"burnout": "negative", "life_change": "negative", "relapse": "negative",
                   "paid_work": "progression", "programme_closed": "closure",
                   "active": "active"}


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
        m = p.mentors
        draw = model.streams.entity("mentor", index)
        self.index = index
        self.agency = agency
        self.kind = "peer" if draw.random() < m.peer_share else "community"
        self.paid = self.kind == "peer" and draw.random() < m.paid_peer_share
        self.minority = draw.random() < p.mentees.minority_share
        self.style = draw.choices(STYLES, weights=(
            m.style_practical_share, m.style_emotional_share,
            max(0.0, 1.0 - m.style_practical_share - m.style_emotional_share)))[0]
        # Pre-match training raises skill with diminishing returns (Kupersmidt et al. 2017:
        # training was the one practice standard that predicted match length).
        trained = 1.0 - math.exp(-p.training.pre_match_hours / m.training_scale_hours)
        self.skill = min(m.skill_max, max(m.skill_min, draw.gauss(m.skill_mean, m.skill_spread)
                                          + m.training_skill_gain * trained))
        # Lived experience helps bridge the divide with people in the justice system.
        competence = m.competence_peer if self.kind == "peer" else m.competence_community
        self.cultural_competence = min(m.skill_max, max(0.0, draw.gauss(
            competence, m.competence_spread) + m.training_competence_gain * trained))
        self.expected_match_weeks = m.expected_match_weeks_median * math.exp(
            draw.gauss(0.0, m.expected_match_weeks_spread))
        self.resilience = math.exp(draw.gauss(0.0, m.resilience_spread))  # >1 tires faster
        # New recruits start with little exhaustion (VA peer specialists study 2016); the
        # strain of the first months is added week by week (see novice_strain).
        a = m.recruit_exhaustion_mean * m.recruit_exhaustion_concentration
        b = (1.0 - m.recruit_exhaustion_mean) * m.recruit_exhaustion_concentration
        self.exhaustion = draw.betavariate(a, b)
        self.hours = m.paid_hours_per_week if self.paid else m.volunteer_hours_per_week
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
        """Extra-role hours actually loaded on this mentor (the scenario's, plus any a
        budget cut asks for); trained staff and managers keep some off."""
        p = self.model.p
        shield = p.mentors.manager_shield_share if p.training.staff_manager_training else 0.0
        return self.agency.extra_role_hours * (1.0 - shield)

    def plan_week(self) -> None:
        """Work out this week's mentoring load and the share of needed time each mentee
        gets once extra-role tasks have taken their hours."""
        needed = len(self.matches) * self.agency.hours_per_mentee
        extra = self.extra_role_hours()
        self.load = needed / self.hours
        spare = max(0.0, self.hours - extra)
        self.time_factor = 1.0 if needed <= spare else spare / needed

    def distress(self) -> None:
        """A distressing event (a mentee reoffends): counted into this week's exhaustion."""
        self.distress_events += 1

    def organisational_stress(self) -> float:
        """Exhaustion per week from the organisation rather than the mentoring: job
        insecurity near a grant's end (Sverke et al. 2002), a restart with staff who do
        not know the programme and a full waiting list, and a reorganisation (Phillips et
        al. 2024: organisational stressors drive burnout); supervision absorbs part."""
        e = self.model.p.effects
        agency = self.agency
        stress = (e.stress_insecurity * agency.insecure
                  + e.stress_restart * (1.0 - agency.experience)
                  + e.stress_waiting_list * agency.waiting_pressure
                  + e.stress_reorganisation * self.model.shock_active)
        return stress * (1.0 - e.stress_supervision_buffer * agency.supervision_effect)

    def novice_strain(self) -> float:
        """Extra exhaustion of the first months, peaking at about four months and fading by
        a year (VA peer specialists study 2016; BMC Psychiatry 2022)."""
        e = self.model.p.effects
        tenure = self.model.week - self.trained_at_week
        if tenure < 0:
            return 0.0
        x = tenure / e.novice_strain_peak_weeks
        return e.novice_strain * x * math.exp(1.0 - x)

    def step(self) -> None:
        """Weekly: exhaustion and burnout, skill growth, then the chance of leaving."""
        p = self.model.p
        e = p.effects
        g = p.growth
        sup = self.agency.supervision_effect
        busy = bool(self.matches)
        gain = (e.exhaustion_load * self.load * busy
                + e.exhaustion_extra_role * self.extra_role_hours() / self.hours
                + e.exhaustion_distress * self.distress_events
                + (e.exhaustion_peer if self.kind == "peer" else 0.0)
                + self.organisational_stress() + self.novice_strain()) * self.resilience
        recovery = min(1.0, e.recovery_base + e.recovery_supervision * sup)
        self.exhaustion = min(1.0, max(0.0, self.exhaustion + gain - recovery * self.exhaustion))
        self.distress_events = 0
        if not self.burnt_out and self.exhaustion >= e.burnout_threshold:
            self.burnt_out = True
            if self.model.week >= 1:  # episodes are counted in the measured weeks only
                self.burnout_episodes += 1
                self.model.burnout_onsets += 1
        elif self.burnt_out and self.exhaustion < min(e.recovered_below, e.burnout_threshold):
            self.burnt_out = False

        growth = (g.skill_experience * busy + g.skill_training * self.agency.ongoing_hours
                  + g.skill_supervision * sup
                  + (g.skill_manager_training if p.training.staff_manager_training else 0.0))
        growth = min(1.0, growth)
        self.skill += (1.0 - self.skill) * growth
        self.cultural_competence += (1.0 - self.cultural_competence) * g.competence_share * growth

        u = self.model.streams.uniform("mentor_exit", self.index)
        exit_reason = self._exit_reason(u, sup)
        if exit_reason is not None:
            self.model.mentor_leaves(self, exit_reason)

    def _exit_reason(self, u: float, sup: float) -> str | None:
        """Competing exit hazards on one random number: burnout or life change, relapse
        (peer mentors), progression to paid work (trained peer volunteers). Extra-role tasks
        act only through exhaustion and burnout (one pathway)."""
        p = self.model.p
        e = p.effects
        m = p.mentors
        base = weekly_rate(m.attrition_annual_paid if self.paid else m.attrition_annual_volunteer)
        burnout_mult = (e.burnout_exit_multiplier - 1.0) * (
            1.0 - e.paid_exit_reduction if self.paid else 1.0)
        multiplier = 1.0 + burnout_mult * self.burnt_out
        multiplier *= 1.0 - e.supervision_exit_reduction * sup
        if self.agency.insecure:
            multiplier *= e.insecurity_exit_multiplier
        leave = base * multiplier
        relapse = 0.0
        progress = 0.0
        if self.kind == "peer":
            # Giving back supports desistance (LeBel et al. 2015); exhaustion undermines it.
            relapse = (weekly_rate(m.relapse_annual)
                       * (1.0 + m.relapse_exhaustion_weight * self.exhaustion)
                       * (1.0 - m.relapse_work_protection * bool(self.matches)))
            if (not self.paid
                    and self.model.week - self.trained_at_week >= m.progression_after_weeks):
                progress = weekly_rate(m.progression_annual) * self.skill \
                    / m.progression_reference_skill
        if u < leave:
            return "burnout" if self.burnt_out else "life_change"
        if u < leave + relapse:
            return "relapse"
        if u < leave + relapse + progress:
            return "paid_work"
        return None

    def record(self) -> dict[str, object]:
        """This mentor's row of ``mentors.parquet`` (exit fields filled by the model). The
        keys are the ``mentors`` columns declared in :mod:`sim.tables` (building the table
        checks that none is missing)."""
        return {
            "mentor_id": self.index,
            "agency_id": self.agency.index,
            "mentor_kind": self.kind,
            "paid": self.paid,
            "joined_week": self.joined_week,
            "trained_week": self.trained_at_week,
            "burnout_episodes": self.burnout_episodes,
            "mentees_mentored": self.mentees_mentored,
        }
