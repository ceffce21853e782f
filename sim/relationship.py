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

Each match has its own planned length (the programme's commitment length scaled by the
mentee's planned-length factor). At that commitment point the relationship ends as
planned, is formally extended, or carries on informally off the programme's books, with a
chance of carrying on that rises with quality; an extended one faces the same choice at
the end of its extension.
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
                 "expectation_gap", "cultural_gap", "missed", "planned_weeks", "due_week",
                 "extensions", "informal_weeks")

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
        self.planned_weeks = planned_weeks(p.programme.planned_match_weeks,
                                           mentee.planned_length_factor)
        self.due_week = start_week + self.planned_weeks  # the next commitment point
        self.extensions = 0
        self.informal_weeks = 0  # informal contact agreed at the end (0: none)
        self.expectation_gap = expectation_gap(mentor, mentee, p.training.pre_match_hours,
                                               self.planned_weeks,
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
            mentee.dose += self.quality
            self._bridge_to_services(model)
        else:
            self.missed += 1
            self.quality = max(0.0, self.quality - r.missed_week_erosion)
            mentee.motivation = max(0.0, mentee.motivation - r.missed_week_motivation_loss)
            if self.missed >= e.drift_missed_weeks:
                return "mentee_abandonment", "drift"
        if streams.uniform("crisis", idx) < mentee.crisis_probability():
            if streams.uniform("crisis_ends", idx) < e.crisis_closure_share:
                return "mentee_abandonment", "crisis"
            mentee.set_back(r.crisis_motivation_loss, self.quality)
        if streams.uniform("setback", idx) < r.setback_probability:
            mentee.set_back(r.setback_size, self.quality)
        mentee.motivation = max(0.0, mentee.motivation
                                - r.family_motivation_drain * mentee.family_pull())
        if model.week >= self.due_week:
            ending = self._commitment_point(model)
            if ending is not None:
                return ending
        return self._failure(model, skill)

    def _commitment_point(self, model: MentoringModel) -> tuple[str, str] | None:
        """The relationship has reached its planned length (or the end of an extension).

        It carries on with probability ``continuation_max x quality`` (a good bond is what
        makes people keep meeting: Herrera et al. 2007; DeWit et al. 2016); of those that
        carry on, ``extension_share`` are formally extended by ``programme.extension_weeks``
        and the rest continue informally for an exponentially distributed time (mean
        ``informal_weeks_mean``), recorded on the match and adding (reduced) dose to the
        mentee. The rest end as planned.
        """
        r = model.p.relationships
        streams = model.streams
        idx = self.mentee.index
        if streams.uniform("continuation", idx) >= r.continuation_max * self.quality:
            return "completed", "extended" if self.extensions else "planned"
        if streams.uniform("extension", idx) < r.extension_share:
            self.extensions += 1
            self.due_week = model.week + model.p.programme.extension_weeks
            return None
        u = streams.uniform("informal_length", idx)
        self.informal_weeks = max(1, round(-r.informal_weeks_mean * math.log(1.0 - u)))
        self.mentee.continue_informally(self.informal_weeks, self.quality)
        return "completed", "informal"

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
            ("family_interference", "family",
             e.family_hazard * mentee.family_pull() * unbonded * youth),
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
        duration = (horizon if end_week is None else end_week) - self.start_week
        return {
            "match_id": self.match_id,
            "agency_id": self.agency.index,
            "mentor_id": self.mentor.index,
            "mentee_id": self.mentee.index,
            "mentor_kind": self.mentor.kind,
            "start_week": self.start_week,
            "end_week": end_week,
            "duration_weeks": duration,
            "closure_reason": reason,
            "closure_detail": detail,
            "quality_at_end": round(self.quality, 6),
            "planned_weeks": self.planned_weeks,
            "reached_commitment": duration >= self.planned_weeks,
            "extensions": self.extensions,
            "informal_weeks": self.informal_weeks,
        }


def planned_weeks(commitment_weeks: int, factor: float) -> int:
    """A match's planned length: the commitment length scaled by the mentee's factor,
    in whole weeks, at least 4 (the shortest commitment a programme may set)."""
    return max(4, round(commitment_weeks * factor))  # literal-ok: programme.planned_match_weeks ge


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
