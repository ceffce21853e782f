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
Each mechanism below works on every open relationship at once (the model's ``matches``
columns, one row per match id); :class:`Match` is one relationship's view of its row.

Each match has its own planned length (the programme's commitment length scaled by the
mentee's planned-length factor). At that commitment point the relationship ends as
planned, is formally extended, or carries on informally off the programme's books, with a
chance of carrying on that rises with quality; an extended one faces the same choice at
the end of its extension.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, NamedTuple

import numpy as np

from sim.agents import mentee as mentees
from sim.agents import mentor as mentors
from sim.agents.mentee import CrisisParams, EngagementParams, crisis_chance, engagement
from sim.agents.mentor import PEER
from sim.compiled import mechanism, uniform
from sim.state import Columns, column
from sim.vocabulary import CLOSURE_DETAILS, CLOSURE_REASONS

if TYPE_CHECKING:
    from sim.agents.agency import Agency
    from sim.agents.mentee import Mentee
    from sim.agents.mentor import Mentor
    from sim.model import MentoringModel
    from sim.params import Relationships, ScenarioParams



# Endings a week can bring, as (reason, detail); :func:`advance` returns codes into this.
ENDINGS = (
    ("mentee_abandonment", "drift"), ("mentee_abandonment", "crisis"),
    ("completed", "planned"), ("completed", "extended"), ("completed", "informal"),
    ("mentor_abandonment", "burnout"), ("mentor_abandonment", "overload"),
    ("mentor_abandonment", "programme_chaos"), ("low_motivation", "perceived"),
    ("mismatched_expectations", "expectations"), ("relational_skills", "cultural_gap"),
    ("relational_skills", "low_skill"), ("family_interference", "family"),
    ("agency_support", "chaos"), ("agency_support", "contacts"),
)
_END = {ending: code for code, ending in enumerate(ENDINGS)}
# A closed relationship's reason and detail, as codes in the closure vocabularies (the
# ``reason`` and ``detail`` columns), and back.
REASON_CODES = {reason: code for code, reason in enumerate(CLOSURE_REASONS)}
DETAIL_CODES = {detail: code for code, detail in enumerate(CLOSURE_DETAILS)}
_REASON_LABELS = np.array(CLOSURE_REASONS, dtype=object)
_DETAIL_LABELS = np.array(CLOSURE_DETAILS, dtype=object)
_OPEN = -1  # the code of a relationship that carries on this week
# Spencer's (2007) six failure factors: the competing closure hazards of a relationship.
SIX_FACTORS = 6  # literal-ok: a count of mechanisms, not a strength
# The codes :func:`commitment_week` gives, in the order it reads them.
_COMMITMENT_CODES = np.array([_END["completed", "planned"], _END["completed", "extended"],
                              _END["completed", "informal"], _OPEN])
# The ending codes :func:`failure_week` picks from, in the order it reads them.
_FAILURE_DETAILS = np.array([_END[ending] for ending in (
    ("mentor_abandonment", "burnout"), ("mentor_abandonment", "overload"),
    ("mentor_abandonment", "programme_chaos"), ("low_motivation", "perceived"),
    ("mismatched_expectations", "expectations"), ("relational_skills", "cultural_gap"),
    ("relational_skills", "low_skill"), ("family_interference", "family"),
    ("agency_support", "chaos"), ("agency_support", "contacts"))] + [_OPEN])


def match_columns() -> Columns:
    """The column store holding every relationship's state (one row per match id);
    ``alive`` is True while the relationship is open."""
    return Columns({
        "mentor": np.int64, "mentee": np.int64, "agency": np.int64, "start_week": np.int64,
        "weeks": np.int64, "quality": np.float64, "expectation_gap": np.float64,
        "cultural_gap": np.bool_, "missed": np.int64, "planned_weeks": np.int64,
        "due_week": np.int64, "extensions": np.int64, "informal_weeks": np.int64,
        "end_week": np.int64, "reason": np.int8, "detail": np.int8,
    })


class Match:
    """A mentor-mentee relationship, from matching to closure: a view of its row in the
    model's ``matches`` columns."""

    __slots__ = ("model", "index", "_columns")

    start_week = column()
    weeks = column()
    quality = column()
    expectation_gap = column()
    cultural_gap = column()
    missed = column()
    planned_weeks = column()
    due_week = column()  # the next commitment point
    extensions = column()
    informal_weeks = column()  # informal contact agreed at the end (0: none)

    def __init__(self, model: MentoringModel, match_id: int, mentor: Mentor, mentee: Mentee,
                 agency: Agency, start_week: int) -> None:
        p = model.p
        self.model = model
        self.index = match_id
        self._columns = model.matches
        # The two sides' traits, read straight from their columns (as their attributes
        # would give them).
        mentor_row, mentee_row = mentor.index, mentee.index
        planned = planned_weeks(p.programme.planned_match_weeks,
                                model.mentees.planned_length_factor.item(mentee_row))
        row = model.matches.add(
            mentor=mentor_row, mentee=mentee_row, agency=agency.index,
            start_week=start_week, quality=p.relationships.start_quality,
            cultural_gap=(model.mentors.minority.item(mentor_row)
                          != model.mentees.minority.item(mentee_row)),
            planned_weeks=planned, due_week=start_week + planned,
            expectation_gap=expectation_gap(mentor, mentee, p.training.pre_match_hours,
                                            planned, p.matching.expectation_setting,
                                            p.relationships))
        assert row == match_id, "a match's row is its id"

    @property
    def match_id(self) -> int:
        """The relationship's id (its row)."""
        return self.index

    @property
    def mentor(self) -> Mentor:
        """The mentor."""
        return self.model.mentor_agents[self._columns.mentor.item(self.index)]

    @property
    def mentee(self) -> Mentee:
        """The mentee."""
        return self.model.mentee_agents[self._columns.mentee.item(self.index)]

    @property
    def agency(self) -> Agency:
        """The agency running it."""
        return self.model.agency_list[self._columns.agency.item(self.index)]


def records(model: MentoringModel, rows: np.ndarray, horizon: int) -> dict[str, object]:
    """The ``matches.parquet`` columns of ``rows`` (match ids), read from the columns as
    they stand: a closed relationship keeps the state of the week it closed (with
    ``end_week``, ``reason`` and ``detail``); an open one is ``ongoing``, censored at
    ``horizon``. The keys are the ``matches`` columns declared in :mod:`sim.tables`
    (building the table checks them)."""
    c = model.matches
    open_ = c.alive[rows]
    start_week = c.start_week[rows]
    planned = c.planned_weeks[rows]
    duration = np.where(open_, horizon, c.end_week[rows]) - start_week
    return {
        "match_id": rows,
        "agency_id": c.agency[rows],
        "mentor_id": c.mentor[rows],
        "mentee_id": c.mentee[rows],
        "mentor_kind": mentors.KIND_LABELS[model.mentors.kind[c.mentor[rows]]],
        "start_week": start_week,
        "end_week": np.where(open_, None, c.end_week[rows]),
        "duration_weeks": duration,
        "closure_reason": np.where(open_, "ongoing", _REASON_LABELS[c.reason[rows]]),
        "closure_detail": np.where(open_, "censored", _DETAIL_LABELS[c.detail[rows]]),
        # Python's round (correctly rounded), as each value has always been rounded.
        "quality_at_end": [round(quality, 6) for quality in c.quality[rows].tolist()],
        "planned_weeks": planned,
        "reached_commitment": duration >= planned,
        "extensions": c.extensions[rows],
        "informal_weeks": c.informal_weeks[rows],
    }


# --- the weekly mechanisms, on every open relationship at once ------------------------

class MeetParams(NamedTuple):
    """The parameters :func:`meet_week` reads."""

    burnt_out_attendance: float
    peer_bonding: float
    support_growth_share: float
    quality_growth: float
    missed_week_erosion: float
    small_step_gain: float
    missed_week_motivation_loss: float

    @classmethod
    def of(cls, p: ScenarioParams) -> MeetParams:
        """The values of a scenario."""
        e, r = p.effects, p.relationships
        return cls(e.burnt_out_attendance, e.peer_bonding, r.support_growth_share,
                   e.quality_growth, r.missed_week_erosion, r.small_step_gain,
                   r.missed_week_motivation_loss)


@mechanism
def meet_week(rows: np.ndarray, mentor: np.ndarray, mentee: np.ndarray, agency: np.ndarray,
              quality: np.ndarray, missed: np.ndarray, burnt_out: np.ndarray,
              time_factor: np.ndarray, kind: np.ndarray, motivation: np.ndarray,
              weeks_mentored: np.ndarray, dose: np.ndarray, chaos: np.ndarray,
              bonding: np.ndarray, support_ratio: np.ndarray, skill: np.ndarray,
              pull: np.ndarray, p: MeetParams, engage_p: EngagementParams,
              key_shows: np.uint64, key_engage: np.uint64, peer: int) -> np.ndarray:
    """Whether each pair meets this week, and what a meeting or a missed week does, in
    place; returns whether each row met.

    The mentor turns up (a burnt-out one with chance ``burnt_out_attendance``) and the
    mentee engages (:func:`sim.agents.mentee.engagement`). A meeting, Buck's (2021) three
    core conditions at work::

        core       = effective skill x time factor
        support    = 1 - support_growth_share + support_growth_share x support ratio
        growth     = min(1, quality_growth x format bonding (x peer_bonding, peer) x core x support)
        quality    = quality + growth x (1 - quality)
        motivation = min(1, motivation + small_step_gain x core x quality)
        dose       = dose + quality

    A missed week erodes quality by ``missed_week_erosion`` and motivation by
    ``missed_week_motivation_loss``. ``skill`` (effective skill) and ``pull`` (family pull)
    are by row; ``chaos``, ``bonding`` and ``support_ratio`` by agency."""
    n = len(rows)
    met = np.empty(n, dtype=np.bool_)
    for i in range(n):
        row = rows[i]
        m = mentor[row]
        person = mentee[row]
        a = agency[row]
        shows = not burnt_out[m] or uniform(key_shows, person) < p.burnt_out_attendance
        q = quality[row]
        mot = motivation[person]
        chance = engagement(engage_p, mot, q, pull[i], chaos[a])
        met[i] = shows and uniform(key_engage, person) < chance
        core = skill[i] * time_factor[m]
        bond = bonding[a] * (p.peer_bonding if kind[m] == peer else 1.0)
        support = (1.0 - p.support_growth_share) + p.support_growth_share * support_ratio[a]
        g = p.quality_growth * bond * core * support
        growth = g if g < 1.0 else 1.0
        grown = q + growth * (1.0 - q)
        if met[i]:
            quality[row] = grown
            x = mot + p.small_step_gain * core * grown
            motivation[person] = x if x < 1.0 else 1.0
            missed[row] = 0
            weeks_mentored[person] += 1
            dose[person] = dose[person] + grown
        else:
            x = q - p.missed_week_erosion
            quality[row] = x if x > 0.0 else 0.0
            x = mot - p.missed_week_motivation_loss
            motivation[person] = x if x > 0.0 else 0.0
            missed[row] = missed[row] + 1
    return met


def meet(model: MentoringModel, rows: np.ndarray, skill: np.ndarray) -> np.ndarray:
    """Phase 6: who meets this week (:func:`meet_week`); returns the rows that met."""
    c = model.matches
    m = model.mentees
    return rows[meet_week(
        rows, c.mentor, c.mentee, c.agency, c.quality, c.missed, model.mentors.burnt_out,
        model.mentors.time_factor, model.mentors.kind, m.motivation, m.weeks_mentored, m.dose,
        model.agency_values("chaos"), model.agency_values("bonding"),
        model.agency_values("support_ratio"), skill, mentees.family_pull(model, c.mentee[rows]),
        MeetParams.of(model.p), EngagementParams.of(model.p), model.streams.key("burnt_shows"),
        model.streams.key("engage"), PEER)]


def bridge_to_services(model: MentoringModel, rows: np.ndarray) -> None:
    """A good relationship bridges unmet needs into partner services with free places
    (Taylor et al. 2013), with chance ``linkage_rate x quality`` a week; no place, no
    link. Places go in the order relationships started (the agency's own order)."""
    c = model.matches
    mentee = c.mentee[rows]
    has_needs = mentees.unmet_needs(model, mentee) > 0
    rows, mentee = rows[has_needs], mentee[has_needs]
    chance = model.p.effects.linkage_rate * c.quality[rows]
    tries = model.streams.uniforms("linkage", mentee) < chance
    gain = model.p.relationships.linkage_motivation_gain
    m = model.mentees
    for row, person in zip(rows[tries].tolist(), mentee[tries].tolist(), strict=True):
        need = model.mentee_agents[person].needs[0]
        if model.agency_list[c.agency[row]].take_place(need):
            m.linked_count[person] += 1
            m.motivation[person] = min(1.0, m.motivation[person] + gain)


class SetbackParams(NamedTuple):
    """The parameters :func:`setbacks_week` reads."""

    crisis_closure_share: float
    crisis_motivation_loss: float
    setback_probability: float
    setback_size: float
    family_motivation_drain: float

    @classmethod
    def of(cls, p: ScenarioParams) -> SetbackParams:
        """The values of a scenario."""
        r = p.relationships
        return cls(p.effects.crisis_closure_share, r.crisis_motivation_loss,
                   r.setback_probability, r.setback_size, r.family_motivation_drain)


@mechanism
def setbacks_week(rows: np.ndarray, mentee: np.ndarray, quality: np.ndarray,
                  motivation: np.ndarray, crisis_risk: np.ndarray, needs: np.ndarray,
                  linked_count: np.ndarray, needs_count: np.ndarray, pull: np.ndarray,
                  p: SetbackParams, crisis_p: CrisisParams, key_crisis: np.uint64,
                  key_ends: np.uint64, key_setback: np.uint64) -> np.ndarray:
    """Crises and setbacks, in place; returns whether a crisis ended each row.

    A crisis comes with :func:`sim.agents.mentee.crisis_chance`; a share
    ``crisis_closure_share`` of them end the relationship (the mentee drifts away), the
    rest cost ``crisis_motivation_loss x (1 - quality)``; an ordinary setback (chance
    ``setback_probability``) costs ``setback_size x (1 - quality)``: a strong bond cushions
    both. Family pull then drains ``family_motivation_drain x pull`` of motivation.
    ``pull`` is by row."""
    n = len(rows)
    ends = np.empty(n, dtype=np.bool_)
    for i in range(n):
        row = rows[i]
        person = mentee[row]
        unmet = needs_count[needs[person]] - linked_count[person]
        crisis = uniform(key_crisis, person) < crisis_chance(crisis_p, crisis_risk[person],
                                                               unmet)
        ends[i] = crisis and uniform(key_ends, person) < p.crisis_closure_share
        if ends[i]:
            continue
        q = quality[row]
        if crisis:
            x = motivation[person] - p.crisis_motivation_loss * (1.0 - q)
            motivation[person] = x if x > 0.0 else 0.0
        if uniform(key_setback, person) < p.setback_probability:
            x = motivation[person] - p.setback_size * (1.0 - q)
            motivation[person] = x if x > 0.0 else 0.0
        x = motivation[person] - p.family_motivation_drain * pull[i]
        motivation[person] = x if x > 0.0 else 0.0
    return ends


def setbacks(model: MentoringModel, rows: np.ndarray) -> np.ndarray:
    """Phase 6: crises and setbacks (:func:`setbacks_week`); returns, per row, whether a
    crisis ended it."""
    c = model.matches
    m = model.mentees
    streams = model.streams
    return setbacks_week(
        rows, c.mentee, c.quality, m.motivation, m.crisis_risk, m.needs, m.linked_count,
        mentees.NEEDS_COUNT, mentees.family_pull(model, c.mentee[rows]),
        SetbackParams.of(model.p), CrisisParams.of(model.p), streams.key("crisis"),
        streams.key("crisis_ends"), streams.key("setback"))


class CommitmentParams(NamedTuple):
    """The parameters :func:`commitment_week` reads."""

    continuation_max: float
    extension_share: float
    informal_weeks_mean: float
    extension_weeks: float  # programme.extension_weeks, the mean
    extension_length_spread: float

    @classmethod
    def of(cls, p: ScenarioParams) -> CommitmentParams:
        """The values of a scenario."""
        r = p.relationships
        return cls(r.continuation_max, r.extension_share, r.informal_weeks_mean,
                   float(p.programme.extension_weeks), r.extension_length_spread)


@mechanism
def extension_length(p: CommitmentParams, u: float) -> np.int64:
    """A formal extension's length, ``max(1, round(extension_weeks x (1 +
    extension_length_spread x (2u - 1))))`` weeks: spread evenly within the share either
    side of the mean (rounding half to even)."""
    u = 2.0 * u - 1.0  # literal-ok: U(0, 1) to U(-1, 1)
    length = np.int64(np.rint(p.extension_weeks * (1.0 + p.extension_length_spread * u)))
    return length if length > 1 else np.int64(1)


@mechanism
def commitment_week(rows: np.ndarray, mentee: np.ndarray, quality: np.ndarray,
                    extensions: np.ndarray, due_week: np.ndarray, informal_weeks: np.ndarray,
                    informal_weeks_left: np.ndarray, informal_quality: np.ndarray,
                    p: CommitmentParams, week: int, codes_of: np.ndarray,
                    keys: np.ndarray) -> np.ndarray:
    """Relationships at their planned length (or the end of an extension), in place;
    returns an ending code per row (``codes_of[3]``: carries on).

    Each carries on with probability ``continuation_max x quality`` (a good bond is what
    makes people keep meeting: Herrera et al. 2007; DeWit et al. 2016); of those that carry
    on, ``extension_share`` are formally extended (:func:`extension_length`) and the rest
    continue informally for ``max(1, round(-informal_weeks_mean x log(1 - u)))`` weeks
    (exponential), recorded on the match and adding reduced dose to the mentee. The rest
    end as planned. ``codes_of``: the ending codes completed planned, completed extended,
    completed informal, and the open code; ``keys``: the streams continuation, extension,
    informal_length, extension_length."""
    n = len(rows)
    codes = np.empty(n, dtype=np.int64)
    for i in range(n):
        row = rows[i]
        person = mentee[row]
        q = quality[row]
        if uniform(keys[0], person) >= p.continuation_max * q:
            codes[i] = codes_of[1] if extensions[row] > 0 else codes_of[0]
        elif uniform(keys[1], person) < p.extension_share:
            extensions[row] += 1
            due_week[row] = week + extension_length(p, uniform(keys[3], person))
            codes[i] = codes_of[3]
        else:
            weeks = np.int64(np.rint(-p.informal_weeks_mean
                                     * math.log(1.0 - uniform(keys[2], person))))
            weeks = weeks if weeks > 1 else np.int64(1)
            informal_weeks[row] = weeks
            informal_weeks_left[person] = weeks
            informal_quality[person] = q
            codes[i] = codes_of[2]
    return codes


def commitment_point(model: MentoringModel, rows: np.ndarray) -> np.ndarray:
    """Phase 6: relationships at their commitment point (:func:`commitment_week`);
    returns an ending code per row (``_OPEN`` for one that carries on)."""
    c = model.matches
    m = model.mentees
    return commitment_week(
        rows, c.mentee, c.quality, c.extensions, c.due_week, c.informal_weeks,
        m.informal_weeks_left, m.informal_quality, CommitmentParams.of(model.p), model.week,
        _COMMITMENT_CODES, np.array([model.streams.key(name) for name in (
            "continuation", "extension", "informal_length", "extension_length")]))


class FailureParams(NamedTuple):
    """The parameters :func:`failure_week` reads."""

    mentor_abandon_hazard: float
    low_motivation_hazard: float
    expectation_hazard: float
    skill_hazard: float
    family_hazard: float
    support_hazard: float
    overload_abandon_weight: float
    motivation_threshold: float
    skilled_motivation_buffer: float
    low_skill_exponent: float
    youth_family_multiplier: float  # relationships.youth_family_multiplier in youth justice, else 1
    support_deficit_weight: float
    bond_support_buffer: float
    cultural_gap_detail_ratio: float

    @classmethod
    def of(cls, p: ScenarioParams) -> FailureParams:
        """The values of a scenario."""
        e, r = p.effects, p.relationships
        youth = r.youth_family_multiplier if p.programme.setting == "youth_justice" else 1.0
        return cls(e.mentor_abandon_hazard, e.low_motivation_hazard, e.expectation_hazard,
                   e.skill_hazard, e.family_hazard, e.support_hazard, r.overload_abandon_weight,
                   e.motivation_threshold, r.skilled_motivation_buffer, r.low_skill_exponent,
                   youth, r.support_deficit_weight, r.bond_support_buffer,
                   r.cultural_gap_detail_ratio)


@mechanism
def failure_week(rows: np.ndarray, mentor: np.ndarray, mentee: np.ndarray,
                 agency: np.ndarray, quality: np.ndarray, expectation_gap: np.ndarray,
                 burnt_out: np.ndarray, load: np.ndarray, raw_skill: np.ndarray,
                 motivation: np.ndarray, chaos: np.ndarray, deficit: np.ndarray,
                 skill: np.ndarray, pull: np.ndarray, p: FailureParams, detail: np.ndarray,
                 key_close: np.uint64, key_reason: np.uint64) -> np.ndarray:
    """Spencer's (2007) failure factors as competing weekly hazards on one random number;
    returns an ending code per row (``detail[10]``: none).

    - abandonment by the mentor: ``mentor_abandon_hazard x (burnt out +
      overload_abandon_weight x max(0, load - 1) + chaos)``;
    - perceived low motivation: ``low_motivation_hazard x max(0, (motivation_threshold -
      motivation) / motivation_threshold) x (1 - skilled_motivation_buffer x skill)``;
    - mismatched expectations: ``expectation_hazard x gap x (1 - quality)``;
    - relational skills: ``skill_hazard x (1 - effective skill)^low_skill_exponent x (1 -
      quality)``, a ``cultural_gap`` when the divide cut skill by more than
      ``cultural_gap_detail_ratio x (1 - skill)``, else ``low_skill``;
    - family interference: ``family_hazard x family pull x (1 - quality) x
      youth_family_multiplier``;
    - inadequate agency support: ``support_hazard x (support_deficit_weight x support
      deficit + chaos) x (1 - bond_support_buffer x quality)``.

    The relationship ends with probability ``1 - exp(-total)`` and the reason is drawn in
    proportion to each hazard. ``detail``: the ending codes burnout, overload,
    programme_chaos, low_motivation, expectations, cultural_gap, low_skill, family, chaos,
    contacts, and the open code. ``skill`` (effective) and ``pull`` are by row; ``chaos``
    and ``deficit`` by agency; the rest are whole columns, indexed through ``rows``."""
    n = len(rows)
    codes = np.empty(n, dtype=np.int64)
    hazards = np.empty(SIX_FACTORS)
    details = np.empty(SIX_FACTORS, dtype=np.int64)
    for i in range(n):
        row = rows[i]
        m = mentor[row]
        person = mentee[row]
        q = quality[row]
        unbonded = 1.0 - q
        burnt = 1.0 if burnt_out[m] else 0.0
        x = load[m] - 1.0
        over = x if x > 0.0 else 0.0
        a = agency[row]
        c = chaos[a]
        raw = raw_skill[m]
        hazards[0] = p.mentor_abandon_hazard * (burnt + p.overload_abandon_weight * over + c)
        x = (p.motivation_threshold - motivation[person]) / p.motivation_threshold
        hazards[1] = (p.low_motivation_hazard * (x if x > 0.0 else 0.0)
                      * (1.0 - p.skilled_motivation_buffer * raw))
        hazards[2] = p.expectation_hazard * expectation_gap[row] * unbonded
        hazards[3] = p.skill_hazard * (1.0 - skill[i]) ** p.low_skill_exponent * unbonded
        hazards[4] = p.family_hazard * pull[i] * unbonded * p.youth_family_multiplier
        hazards[5] = (p.support_hazard * (p.support_deficit_weight * deficit[a] + c)
                      * (1.0 - p.bond_support_buffer * q))
        total = hazards[0]
        for k in range(1, SIX_FACTORS):
            total = total + hazards[k]
        codes[i] = detail[10]
        if not total > 0.0:
            continue
        if not uniform(key_close, person) < 1.0 - math.exp(-total):
            continue
        details[0] = detail[0] if burnt_out[m] else (detail[1] if load[m] > 1.0 else detail[2])
        details[1] = detail[3]
        details[2] = detail[4]
        details[3] = (detail[5] if raw - skill[i] > p.cultural_gap_detail_ratio * (1.0 - raw)
                      else detail[6])
        details[4] = detail[7]
        details[5] = detail[8] if c > deficit[a] else detail[9]
        pick = uniform(key_reason, person) * total
        chosen = details[5]
        for k in range(SIX_FACTORS):
            pick = pick - hazards[k]
            if pick < 0.0:
                chosen = details[k]
                break
        codes[i] = chosen
    return codes


def failure(model: MentoringModel, rows: np.ndarray, skill: np.ndarray) -> np.ndarray:
    """Phase 6: the failure hazards (:func:`failure_week`); returns an ending code per row
    (``_OPEN``: none)."""
    c = model.matches
    return failure_week(
        rows, c.mentor, c.mentee, c.agency, c.quality, c.expectation_gap,
        model.mentors.burnt_out, model.mentors.load, model.mentors.skill,
        model.mentees.motivation, model.agency_values("chaos"),
        model.agency_values("support_deficit"), skill,
        mentees.family_pull(model, c.mentee[rows]), FailureParams.of(model.p),
        _FAILURE_DETAILS, model.streams.key("closure"), model.streams.key("closure_reason"))


def advance(model: MentoringModel) -> tuple[np.ndarray, list[tuple[str, str]]]:
    """One week of every open relationship, in the order they started: meetings,
    bridging to services, crises and setbacks, the commitment point, then the failure
    hazards. Returns the rows that end this week and their (reason, detail)."""
    c = model.matches
    rows = c.live()
    c.weeks[rows] += 1
    skill = mentors.effective_skill(model, c.mentor[rows], c.cultural_gap[rows])
    met = meet(model, rows, skill)
    bridge_to_services(model, met)
    codes = np.where(c.missed[rows] >= model.p.effects.drift_missed_weeks,
                     _END["mentee_abandonment", "drift"], _OPEN)
    going = codes == _OPEN
    crisis_ends = setbacks(model, rows[going])
    codes[np.flatnonzero(going)[crisis_ends]] = _END["mentee_abandonment", "crisis"]
    going = codes == _OPEN
    due = going & (model.week >= c.due_week[rows])
    codes[due] = commitment_point(model, rows[due])
    going = codes == _OPEN
    codes[going] = failure(model, rows[going], skill[going])
    ended = codes != _OPEN
    return rows[ended], [ENDINGS[code] for code in codes[ended].tolist()]


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
    # The traits, read straight from the columns (as the agents' attributes give them).
    model = mentor.model
    style = mentors.STYLES[model.mentors.style.item(mentor.index)]
    expected_weeks = model.mentors.expected_match_weeks.item(mentor.index)
    wanted = mentees.EXPECTATIONS[model.mentees.expectation.item(mentee.index)]
    kind = 0.0 if style == wanted else 1.0
    length = min(1.0, abs(math.log(expected_weeks / planned_weeks))
                 / math.log(r.expectation_length_full_ratio))
    length *= math.exp(-pre_match_hours / r.expectation_training_hours)
    gap = r.expectation_kind_weight * kind + (1.0 - r.expectation_kind_weight) * length
    return gap * (r.expectation_setting_residual if expectation_setting else 1.0)
