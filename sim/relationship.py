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
from typing import TYPE_CHECKING

import numpy as np

from sim import exact, kernels
from sim.agents import mentee as mentees
from sim.agents import mentor as mentors
from sim.agents.mentor import PEER
from sim.state import Columns, column
from sim.vocabulary import CLOSURE_DETAILS, CLOSURE_REASONS

if TYPE_CHECKING:
    from sim.agents.agency import Agency
    from sim.agents.mentee import Mentee
    from sim.agents.mentor import Mentor
    from sim.model import MentoringModel
    from sim.params import Relationships



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
# The codes :func:`commitment_point` gives, in the order sim.kernels.commitment_codes reads.
_COMMITMENT_CODES = np.array([_END["completed", "planned"], _END["completed", "extended"],
                              _END["completed", "informal"], _OPEN])
# The ending codes :func:`failure` picks from, in the order sim.kernels.failure_codes reads.
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

def meet(model: MentoringModel, rows: np.ndarray, skill: np.ndarray) -> np.ndarray:
    """Whether each pair meets this week, and what a meeting or a missed week does.

    The mentor turns up (a burnt-out one with chance ``burnt_out_attendance``) and the
    mentee engages (see ``engagement_probability``). A meeting grows quality by ``growth x
    (1 - quality)`` with ``growth = min(1, quality_growth x format bonding (x peer_bonding
    for a peer mentor) x core x support)``, where ``core = effective skill x time factor``
    (caring and listening need skill and time) and ``support = 1 - support_growth_share +
    support_growth_share x support ratio``; motivation gains ``small_step_gain x core x
    quality``, and the dose one quality-weighted week. A missed week erodes quality by
    ``missed_week_erosion`` and motivation by ``missed_week_motivation_loss``. Returns the
    rows that met.
    """
    e = model.p.effects
    r = model.p.relationships
    c = model.matches
    m = model.mentees
    streams = model.streams
    kernel = kernels.compiled("meet_update")
    if kernel is not None:  # the same arithmetic, compiled (see sim.kernels)
        return rows[kernel(
            rows, c.mentor, c.mentee, c.agency, c.quality, c.missed, model.mentors.burnt_out,
            model.mentors.time_factor, model.mentors.kind, m.motivation,
            m.weeks_mentored, m.dose, model.agency_values("chaos"),
            model.agency_values("bonding"), model.agency_values("support_ratio"), skill,
            mentees.family_pull(model, c.mentee[rows]),
            np.array([e.burnt_out_attendance, e.engagement_base,
                      e.engagement_motivation_weight, e.engagement_neutral_motivation,
                      e.engagement_quality_weight, e.engagement_family_weight,
                      e.engagement_chaos_weight, e.engagement_floor, e.engagement_ceiling,
                      e.peer_bonding, r.support_growth_share, e.quality_growth,
                      r.missed_week_erosion, r.small_step_gain,
                      r.missed_week_motivation_loss]),
            streams.key("burnt_shows"), streams.key("engage"), PEER)]
    mentor, mentee, agency = c.mentor[rows], c.mentee[rows], c.agency[rows]
    burnt = model.mentors.burnt_out[mentor]
    shows = ~burnt | (streams.uniforms("burnt_shows", mentee) < e.burnt_out_attendance)
    quality = c.quality[rows]
    engage = mentees.engagement_probability(model, mentee, quality,
                                            model.agency_values("chaos")[agency])
    met = shows & (streams.uniforms("engage", mentee) < engage)
    core = skill * model.mentors.time_factor[mentor]
    bonding = model.agency_values("bonding")[agency] * np.where(
        model.mentors.kind[mentor] == PEER, e.peer_bonding, 1.0)
    support = ((1.0 - r.support_growth_share)
               + r.support_growth_share * model.agency_values("support_ratio")[agency])
    # A week closes at most the whole remaining gap: quality stays in [0, 1] for any
    # accepted growth rate and format bonding.
    growth = exact.minimum(1.0, e.quality_growth * bonding * core * support)
    grown = quality + growth * (1.0 - quality)
    motivation = m.motivation[mentee]
    c.quality[rows] = np.where(met, grown, exact.maximum(0.0, quality - r.missed_week_erosion))
    m.motivation[mentee] = np.where(
        met, exact.minimum(1.0, motivation + r.small_step_gain * core * grown),
        exact.maximum(0.0, motivation - r.missed_week_motivation_loss))
    c.missed[rows] = np.where(met, 0, c.missed[rows] + 1)
    m.weeks_mentored[mentee[met]] += 1
    m.dose[mentee[met]] = m.dose[mentee[met]] + grown[met]
    return rows[met]


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


def setbacks(model: MentoringModel, rows: np.ndarray) -> np.ndarray:
    """Crises and setbacks. A crisis comes with ``crisis_probability``; a share
    ``crisis_closure_share`` of them end the relationship (the mentee drifts away), the rest
    cost ``crisis_motivation_loss``; an ordinary setback (``setback_probability``) costs
    ``setback_size``; both cushioned by the bond (see ``set_back``). Family pull then drains
    ``family_motivation_drain x pull`` of motivation. Returns, for each row, whether a
    crisis ended it."""
    r = model.p.relationships
    e = model.p.effects
    c = model.matches
    streams = model.streams
    mentee = c.mentee[rows]
    kernel = kernels.compiled("setback_update")
    if kernel is not None:  # the same arithmetic, compiled (see sim.kernels)
        m = model.mentees
        return kernel(
            rows, c.mentee, c.quality, m.motivation, m.crisis_risk, m.needs, m.linked_count,
            mentees._NEEDS_COUNT, mentees.family_pull(model, mentee),
            np.array([r.crisis_weekly, r.crisis_need_weight, e.crisis_closure_share,
                      r.crisis_motivation_loss, r.setback_probability, r.setback_size,
                      r.family_motivation_drain]),
            streams.key("crisis"), streams.key("crisis_ends"), streams.key("setback"))
    crisis = streams.uniforms("crisis", mentee) < mentees.crisis_probability(model, mentee)
    ends = crisis & (streams.uniforms("crisis_ends", mentee) < e.crisis_closure_share)
    go_on = ~ends
    rows, mentee, crisis = rows[go_on], mentee[go_on], crisis[go_on]
    quality = c.quality[rows]
    mentees.set_back(model, mentee[crisis], r.crisis_motivation_loss, quality[crisis])
    setback = streams.uniforms("setback", mentee) < r.setback_probability
    mentees.set_back(model, mentee[setback], r.setback_size, quality[setback])
    m = model.mentees
    m.motivation[mentee] = exact.maximum(0.0, m.motivation[mentee] - r.family_motivation_drain
                                      * mentees.family_pull(model, mentee))
    return ends


def commitment_point(model: MentoringModel, rows: np.ndarray) -> np.ndarray:
    """Relationships at their planned length (or the end of an extension). Returns an
    ending code per row (``_OPEN`` for one that carries on).

    Each carries on with probability ``continuation_max x quality`` (a good bond is what
    makes people keep meeting: Herrera et al. 2007; DeWit et al. 2016); of those that carry
    on, ``extension_share`` are formally extended (for ``extension_weeks x (1 +
    extension_length_spread x (2U - 1))`` weeks, rounded, at least one) and the
    rest continue informally for an exponentially distributed time (mean
    ``informal_weeks_mean``), recorded on the match and adding (reduced) dose to the
    mentee. The rest end as planned.
    """
    r = model.p.relationships
    c = model.matches
    m = model.mentees
    streams = model.streams
    kernel = kernels.compiled("commitment_codes")
    if kernel is not None:  # the same arithmetic, compiled (see sim.kernels)
        return kernel(
            rows, c.mentee, c.quality, c.extensions, c.due_week, c.informal_weeks,
            m.informal_weeks_left, m.informal_quality,
            np.array([r.continuation_max, r.extension_share, r.informal_weeks_mean,
                      model.p.programme.extension_weeks, r.extension_length_spread]),
            model.week, _COMMITMENT_CODES,
            np.array([streams.key(name) for name in (
                "continuation", "extension", "informal_length", "extension_length")]))
    mentee = c.mentee[rows]
    quality = c.quality[rows]
    ends = streams.uniforms("continuation", mentee) >= r.continuation_max * quality
    extend = ~ends & (streams.uniforms("extension", mentee) < r.extension_share)
    informal = ~ends & ~extend
    c.extensions[rows[extend]] += 1
    c.due_week[rows[extend]] = model.week + extension_lengths(
        model.p.programme.extension_weeks, r.extension_length_spread,
        streams.uniforms("extension_length", mentee[extend]))
    codes = np.where(ends, np.where(c.extensions[rows] > 0, _END["completed", "extended"],
                                    _END["completed", "planned"]), _OPEN)
    codes[informal] = _END["completed", "informal"]
    lengths = streams.uniforms("informal_length", mentee[informal])
    for row, person, u, q in zip(rows[informal].tolist(), mentee[informal].tolist(),
                                 lengths.tolist(), quality[informal].tolist(), strict=True):
        weeks = max(1, round(-r.informal_weeks_mean * math.log(1.0 - u)))
        c.informal_weeks[row] = weeks
        m.informal_weeks_left[person] = weeks
        m.informal_quality[person] = q
    return codes


def failure(model: MentoringModel, rows: np.ndarray, skill: np.ndarray) -> np.ndarray:
    """Spencer's (2007) failure factors as competing weekly hazards on one random number;
    the relationship ends with probability ``1 - exp(-total hazard)`` and the reason is
    drawn in proportion to each hazard. Returns an ending code per row (``_OPEN``: none).

    - abandonment by the mentor: ``mentor_abandon_hazard x (burnt out +
      overload_abandon_weight x max(0, load - 1) + chaos)``;
    - perceived low motivation: ``low_motivation_hazard x max(0, (threshold - motivation) /
      threshold) x (1 - skilled_motivation_buffer x skill)``;
    - mismatched expectations: ``expectation_hazard x gap x (1 - quality)``;
    - relational skills: ``skill_hazard x (1 - effective skill)^low_skill_exponent x (1 -
      quality)`` (a cultural gap when the cultural divide is most of the shortfall);
    - family interference: ``family_hazard x family pull x (1 - quality)`` (x
      ``youth_family_multiplier`` in youth justice);
    - inadequate agency support: ``support_hazard x (support_deficit_weight x support
      deficit + chaos) x (1 - bond_support_buffer x quality)``.
    """
    e = model.p.effects
    r = model.p.relationships
    c = model.matches
    threshold = e.motivation_threshold
    youth = r.youth_family_multiplier if model.p.programme.setting == "youth_justice" else 1.0
    kernel = kernels.compiled("failure_codes")
    if kernel is not None:  # the same arithmetic, compiled (see sim.kernels)
        return kernel(
            rows, c.mentor, c.mentee, c.agency, c.quality, c.expectation_gap,
            model.mentors.burnt_out, model.mentors.load, model.mentors.skill,
            model.mentees.motivation, model.agency_values("chaos"),
            model.agency_values("support_deficit"), skill,
            mentees.family_pull(model, c.mentee[rows]),
            np.array([e.mentor_abandon_hazard, e.low_motivation_hazard, e.expectation_hazard,
                      e.skill_hazard, e.family_hazard, e.support_hazard]),
            np.array([r.overload_abandon_weight, threshold, r.skilled_motivation_buffer,
                      r.low_skill_exponent, youth, r.support_deficit_weight,
                      r.bond_support_buffer, r.cultural_gap_detail_ratio]),
            _FAILURE_DETAILS, model.streams.key("closure"), model.streams.key("closure_reason"))
    mentor, mentee, agency = c.mentor[rows], c.mentee[rows], c.agency[rows]
    quality = c.quality[rows]
    unbonded = 1.0 - quality
    burnt = model.mentors.burnt_out[mentor]
    load = model.mentors.load[mentor]
    raw_skill = model.mentors.skill[mentor]
    chaos = model.agency_values("chaos")[agency]
    deficit = model.agency_values("support_deficit")[agency]
    hazards = (
        e.mentor_abandon_hazard * (
            burnt + r.overload_abandon_weight * exact.maximum(0.0, load - 1.0) + chaos),
        e.low_motivation_hazard * exact.maximum(
            0.0, (threshold - model.mentees.motivation[mentee]) / threshold)
        * (1.0 - r.skilled_motivation_buffer * raw_skill),
        e.expectation_hazard * c.expectation_gap[rows] * unbonded,
        e.skill_hazard * exact.power(1.0 - skill, r.low_skill_exponent) * unbonded,
        e.family_hazard * mentees.family_pull(model, mentee) * unbonded * youth,
        e.support_hazard * (r.support_deficit_weight * deficit + chaos)
        * (1.0 - r.bond_support_buffer * quality),
    )
    details = (
        np.where(burnt, _END["mentor_abandonment", "burnout"],
                 np.where(load > 1.0, _END["mentor_abandonment", "overload"],
                          _END["mentor_abandonment", "programme_chaos"])),
        _END["low_motivation", "perceived"],
        _END["mismatched_expectations", "expectations"],
        np.where(raw_skill - skill > r.cultural_gap_detail_ratio * (1.0 - raw_skill),
                 _END["relational_skills", "cultural_gap"], _END["relational_skills", "low_skill"]),
        _END["family_interference", "family"],
        np.where(chaos > deficit, _END["agency_support", "chaos"],
                 _END["agency_support", "contacts"]),
    )
    total = hazards[0]
    for hazard in hazards[1:]:
        total = total + hazard
    codes = np.full(len(rows), _OPEN)
    at_risk = total > 0.0
    closes = np.zeros(len(rows), dtype=bool)
    u = model.streams.uniforms("closure", mentee[at_risk])
    closes[at_risk] = u < 1.0 - exact.exp(-total[at_risk])
    # The reason: subtract each hazard in turn from u x total; the first to take it below
    # zero is the reason (the last one if rounding leaves it at zero).
    pick = model.streams.uniforms("closure_reason", mentee[closes]) * total[closes]
    chosen = np.full(len(pick), _OPEN)
    for hazard, detail in zip(hazards, details, strict=True):
        pick = pick - hazard[closes]
        chosen = np.where((chosen == _OPEN) & (pick < 0.0),
                          np.broadcast_to(detail, len(rows))[closes], chosen)
    last = np.broadcast_to(details[-1], len(rows))[closes]
    codes[closes] = np.where(chosen == _OPEN, last, chosen)
    return codes


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


def extension_lengths(mean_weeks: int, spread: float, u: np.ndarray) -> np.ndarray:
    """Lengths of formal extensions: ``max(1, round(mean x (1 + spread x (2u - 1))))``,
    spread evenly within ``spread`` of the mean either side (rounding half to even, as
    numba's ``np.rint`` does)."""
    u = 2.0 * u - 1.0  # literal-ok: U(0, 1) to U(-1, 1)
    return np.maximum(1, np.rint(mean_weeks * (1.0 + spread * u))).astype(np.int64)


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
