"""The relationship (match): quality growth and the six failure factors.

Quality grows through Buck's (2021) three core conditions, caring, listening and
encouraging small steps, at a rate set by the mentor's effective skill, the time they have
for this mentee, the format mix, lived experience and agency support. Each of Spencer's
(2007) six failure factors is its own mechanism with its own inputs:

1. abandonment: the mentee drifts away after missed weeks or a crisis; the mentor stops
   turning up when burnt out or overloaded (or leaves the programme: see ``Mentor``);
2. perceived low motivation: mentee motivation below a threshold, read by a less skilled
   mentor as not wanting help;
3. mismatched expectations: the gap between what each side expected (type of help,
   length of commitment), narrowed by pre-match training and expectation setting;
4. relational skills: low effective skill, including a cultural divide the mentor
   cannot bridge;
5. family interference: the mentee's family pulling them away;
6. inadequate agency support: too few support contacts, and programme chaos
   (reorganisation, looming end of funding, staff vacancies).

Competing hazards share one random number per week, so exactly one reason is recorded.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sim.agents.agency import Agency
    from sim.agents.mentee import Mentee
    from sim.agents.mentor import Mentor
    from sim.model import MentoringModel
    from sim.params import Relationships

CLOSURE_REASONS = (
    "completed", "mentor_abandonment", "mentee_abandonment", "low_motivation",
    "mismatched_expectations", "relational_skills", "family_interference", "agency_support",
    "mentee_reoffended", "mentor_moved_on", "programme_closed", "ongoing",
)
FAILURE_FACTORS = {  # closure reason -> which of Spencer's six factors it is
    "mentor_abandonment": "abandonment",
    "mentee_abandonment": "abandonment",
    "low_motivation": "motivation",
    "mismatched_expectations": "expectations",
    "relational_skills": "relational_skills",
    "family_interference": "family",
    "agency_support": "agency_support",
}


class Match:
    """A mentor-mentee relationship, from matching to closure."""

    __slots__ = ("match_id", "mentor", "mentee", "agency", "start_week", "weeks", "quality",
                 "expectation_gap", "cultural_gap", "missed")

    def __init__(self, match_id: int, mentor: Mentor, mentee: Mentee, agency: Agency,
                 start_week: int) -> None:
        p = agency.model.p
        self.match_id = match_id
        self.mentor = mentor
        self.mentee = mentee
        self.agency = agency
        self.start_week = start_week
        self.weeks = 0
        self.quality = p.relationships.start_quality
        self.cultural_gap = mentor.minority != mentee.minority
        self.expectation_gap = expectation_gap(mentor, mentee, p.training.pre_match_hours,
                                               p.programme.planned_match_weeks,
                                               p.matching.expectation_setting, p.relationships)
        self.missed = 0

    def advance(self, model: MentoringModel) -> tuple[str, str] | None:
        """One week of the relationship. Returns (reason, detail) if it ends this week."""
        e = model.p.effects
        r = model.p.relationships
        streams = model.streams
        mentor, mentee, agency = self.mentor, self.mentee, self.agency
        idx = mentee.index
        self.weeks += 1
        skill = mentor.effective_skill(self.cultural_gap)
        mentor_shows = (not mentor.burnt_out
                        or streams.uniform("burnt_shows", idx) < e.burnt_out_attendance)
        if mentor_shows and streams.uniform("engage", idx) < mentee.engagement_probability(
                self.quality, agency.chaos):
            self.missed = 0
            core = skill * mentor.time_factor  # caring and listening need skill and time
            bonding = agency.bonding * (e.peer_bonding if mentor.kind == "peer" else 1.0)
            support = ((1.0 - r.support_growth_share)
                       + r.support_growth_share * agency.support_ratio)
            # A week closes at most the whole remaining gap: quality stays in [0, 1] for
            # any accepted growth rate and format bonding.
            growth = min(1.0, e.quality_growth * bonding * core * support)
            self.quality += growth * (1.0 - self.quality)
            mentee.motivation = min(1.0, mentee.motivation
                                    + r.small_step_gain * core * self.quality)
            mentee.weeks_mentored += 1
            mentee.quality_sum += self.quality
            self._bridge_to_services(model)
        else:
            self.missed += 1
            self.quality = max(0.0, self.quality - r.missed_week_erosion)
            if self.missed >= e.drift_missed_weeks:
                return "mentee_abandonment", "drift"
        if streams.uniform("setback", idx) < r.setback_probability:
            mentee.motivation = max(0.0, mentee.motivation
                                    - r.setback_size * (1 - self.quality))
        mentee.motivation = max(0.0, mentee.motivation
                                - r.family_motivation_drain * mentee.family)
        if model.week - self.start_week >= model.p.programme.planned_match_weeks:
            return "completed", "planned"
        return self._failure(model, skill)

    def _bridge_to_services(self, model: MentoringModel) -> None:
        """A good relationship bridges unmet needs into partner services with free places
        (Taylor et al. 2013); no place, no link."""
        mentee = self.mentee
        if not mentee.needs:
            return
        chance = model.p.effects.linkage_rate * self.quality
        if model.streams.uniform("linkage", mentee.index) < chance:
            need = mentee.needs[0]
            if self.agency.take_place(need):
                mentee.needs.pop(0)
                mentee.linked.append(need)
                mentee.motivation = min(1.0, mentee.motivation
                                        + model.p.relationships.linkage_motivation_gain)

    def _failure(self, model: MentoringModel, skill: float) -> tuple[str, str] | None:
        e = model.p.effects
        r = model.p.relationships
        mentor, mentee, agency = self.mentor, self.mentee, self.agency
        unbonded = 1.0 - self.quality
        threshold = e.motivation_threshold
        youth = r.youth_family_multiplier if model.p.programme.setting == "youth_justice" else 1.0
        low_skill = (1.0 - skill) ** r.low_skill_exponent
        hazards = (
            ("mentee_abandonment", "crisis", e.chaos_weekly),
            ("mentor_abandonment", "burnout" if mentor.burnt_out else (
                "overload" if mentor.load > 1.0 else "programme_chaos"),
             e.mentor_abandon_hazard * (mentor.burnt_out
                                        + r.overload_abandon_weight * max(0.0, mentor.load - 1.0)
                                        + agency.chaos)),
            ("low_motivation", "perceived",
             e.low_motivation_hazard * max(0.0, (threshold - mentee.motivation) / threshold)
             * (1.0 - r.skilled_motivation_buffer * mentor.skill)),
            ("mismatched_expectations", "expectations",
             e.expectation_hazard * self.expectation_gap * unbonded),
            ("relational_skills",
             ("cultural_gap"
              if mentor.skill - skill > r.cultural_gap_detail_ratio * (1.0 - mentor.skill)
              else "low_skill"),
             e.skill_hazard * low_skill * unbonded),
            ("family_interference", "family", e.family_hazard * mentee.family * unbonded * youth),
            ("agency_support", "chaos" if agency.chaos > agency.support_deficit else "contacts",
             e.support_hazard * (r.support_deficit_weight * agency.support_deficit + agency.chaos)
             * (1.0 - r.bond_support_buffer * self.quality)),
        )
        total = sum(h for _, _, h in hazards)
        if total <= 0.0:
            return None
        u = model.streams.uniform("closure", mentee.index)
        if u >= 1.0 - math.exp(-total):
            return None
        pick = model.streams.uniform("closure_reason", mentee.index) * total
        for reason, detail, hazard in hazards:
            pick -= hazard
            if pick < 0.0:
                return reason, detail
        return hazards[-1][0], hazards[-1][1]

    def record(self, end_week: int | None, reason: str, detail: str,
               horizon: int) -> dict[str, object]:
        """This relationship's row of ``matches.parquet``; an open one (``end_week`` None)
        is censored at the horizon. The keys are the ``matches`` columns declared in
        :mod:`sim.tables` (building the table checks that none is missing)."""
        return {
            "match_id": self.match_id,
            "agency_id": self.agency.index,
            "mentor_id": self.mentor.index,
            "mentee_id": self.mentee.index,
            "mentor_kind": self.mentor.kind,
            "start_week": self.start_week,
            "end_week": end_week,
            "duration_weeks": (horizon if end_week is None else end_week) - self.start_week,
            "closure_reason": reason,
            "closure_detail": detail,
            "quality_at_end": round(self.quality, 6),
        }


def expectation_gap(mentor: Mentor, mentee: Mentee, pre_match_hours: float,
                    planned_weeks: int, expectation_setting: bool, r: Relationships) -> float:
    """Gap (0-1) between what the two sides expect of the relationship.

    One part (``r.expectation_kind_weight``) is the kind of help (practical, emotional,
    activities); the rest is how long the mentor expects it to last against the programme's
    planned length (Keller & Spencer 2017: mentors unsure of, or over-expecting, match
    length did worst), full at ``r.expectation_length_full_ratio`` either way. Pre-match
    training brings the mentor's expectations towards reality; agreeing expectations at
    matching leaves ``r.expectation_setting_residual`` of what remains.
    """
    kind = 0.0 if mentor.style == mentee.expectation else 1.0
    length = min(1.0, abs(math.log(mentor.expected_match_weeks / planned_weeks))
                 / math.log(r.expectation_length_full_ratio))
    length *= math.exp(-pre_match_hours / r.expectation_training_hours)
    gap = r.expectation_kind_weight * kind + (1.0 - r.expectation_kind_weight) * length
    return gap * (r.expectation_setting_residual if expectation_setting else 1.0)
