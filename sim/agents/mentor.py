"""The mentor: a peer mentor with lived experience, or a community volunteer."""

from __future__ import annotations

import math
from itertools import accumulate
from typing import TYPE_CHECKING

import numpy as np
from mesa import Agent

from sim import exact, kernels
from sim.params import weekly_rate
from sim.state import Columns, column
from sim.vocabulary import EXIT_REASONS

if TYPE_CHECKING:
    from sim.agents.agency import Agency
    from sim.model import MentoringModel
    from sim.params import Effects, ScenarioParams
    from sim.relationship import Match

STYLES = ("practical", "emotional", "activities")
KINDS = ("community", "peer")
PEER = KINDS.index("peer")
_COMMUNITY = KINDS.index("community")
# The codes of STYLES, the population a recruit's style is drawn from (the draw picks by
# position, so drawing the code picks what drawing the label would).
_STYLE_CODES = tuple(range(len(STYLES)))
# Exit reasons in the order of the competing hazards drawn on one number (None: stays).
EXITS = (None, "burnout", "life_change", "relapse", "paid_work")
# The codes sim.kernels.exit_codes returns: staying, burnout, life_change, relapse,
# paid_work.
_EXIT_CODES = np.array([EXITS.index(reason) for reason in EXITS])
# Exit reasons by category: a negative exit is a loss the programme could act on, a move
# into paid work is the progression peer mentoring hopes for, a closure is the programme's.
EXIT_CATEGORIES = {"burnout": "negative", "life_change": "negative", "relapse": "negative",
                   "paid_work": "progression", "programme_closed": "closure",
                   "active": "active"}
# Code -> label, for reading whole columns into a table (``exit_reason`` 0 is ``active``).
KIND_LABELS = np.array(KINDS, dtype=object)
_EXIT_REASON_LABELS = np.array(EXIT_REASONS, dtype=object)
EXIT_REASON_CODES = {reason: code for code, reason in enumerate(EXIT_REASONS)}


def mentor_columns() -> Columns:
    """The column store holding every mentor's state (one row per mentor index)."""
    return Columns({
        "agency": np.int64, "kind": np.int8, "paid": np.bool_, "minority": np.bool_,
        "style": np.int8, "skill": np.float64, "cultural_competence": np.float64,
        "expected_match_weeks": np.float64, "resilience": np.float64,
        "exhaustion": np.float64, "hours": np.float64, "cap": np.int64,
        "joined_week": np.int64, "trained_at_week": np.int64, "burnt_out": np.bool_,
        "burnout_episodes": np.int64, "mentees_mentored": np.int64,
        "distress_events": np.int64, "load": np.float64, "time_factor": np.float64,
        "open_matches": np.int64, "left_week": np.int64, "exit_reason": np.int8,
    })


class RecruitDraws:
    """The parameter values every recruit's draws use, worked out once per model.

    The model works them out once (``model.recruit_draws``). Each value is computed with
    the same operands in the same order as a per-recruit expression would be, so every
    trait drawn is the same number.
    """

    __slots__ = ("peer_share", "paid_peer_share", "minority_share",
                 "style_cum_weights", "skill_min", "skill_max", "skill_mean", "skill_spread",
                 "skill_training_gain", "competence_peer", "competence_community",
                 "competence_spread", "competence_training_gain",
                 "expected_match_weeks_median", "expected_match_weeks_spread",
                 "resilience_spread", "exhaustion_alpha", "exhaustion_beta", "paid_hours",
                 "volunteer_hours", "paid_cap", "volunteer_cap")

    def __init__(self, p: ScenarioParams) -> None:
        m = p.mentors
        self.peer_share = m.peer_share
        self.paid_peer_share = m.paid_peer_share
        self.minority_share = p.mentees.minority_share
        # choices() accumulates its weights on every call; accumulated once here they are
        # the same numbers, and the one random() it draws picks the same style.
        self.style_cum_weights = list(accumulate((
            m.style_practical_share, m.style_emotional_share,
            max(0.0, 1.0 - m.style_practical_share - m.style_emotional_share))))
        # Pre-match training raises skill with diminishing returns (Kupersmidt et al. 2017:
        # training was the one practice standard that predicted match length).
        trained = 1.0 - math.exp(-p.training.pre_match_hours / m.training_scale_hours)
        self.skill_min = m.skill_min
        self.skill_max = m.skill_max
        self.skill_mean = m.skill_mean
        self.skill_spread = m.skill_spread
        self.skill_training_gain = m.training_skill_gain * trained
        self.competence_peer = m.competence_peer
        self.competence_community = m.competence_community
        self.competence_spread = m.competence_spread
        self.competence_training_gain = m.training_competence_gain * trained
        self.expected_match_weeks_median = m.expected_match_weeks_median
        self.expected_match_weeks_spread = m.expected_match_weeks_spread
        self.resilience_spread = m.resilience_spread
        # New recruits start with little exhaustion (VA peer specialists study 2016); the
        # strain of the first months is added week by week (see novice_strain).
        concentration = m.recruit_exhaustion_concentration
        self.exhaustion_alpha = m.recruit_exhaustion_mean * concentration
        self.exhaustion_beta = (1.0 - m.recruit_exhaustion_mean) * concentration
        self.paid_hours = m.paid_hours_per_week
        self.volunteer_hours = m.volunteer_hours_per_week
        self.paid_cap = p.matching.caseload_cap_paid
        self.volunteer_cap = p.matching.caseload_cap_volunteer


class Mentor(Agent):
    """A mentor on an agency's books: a Mesa agent whose state lives in the model's
    mentor columns (``model.mentors``, row ``index``).

    State: relational skill and cultural competence (0-1; training, supervision and
    experience improve them), the match length they expect, hours they can give,
    emotional exhaustion (0-1) and burnout, the relationships they hold. The weekly
    mechanisms below work on all mentors at once; this class draws a recruit's traits
    and gives Mesa (and a reader) one mentor's view of them.
    """

    kind = column(codes=KINDS)
    paid = column()
    minority = column()
    style = column(codes=STYLES)
    skill = column()
    cultural_competence = column()
    expected_match_weeks = column()
    resilience = column()
    exhaustion = column()
    hours = column()
    cap = column()
    joined_week = column()
    trained_at_week = column()
    burnt_out = column()
    burnout_episodes = column()
    mentees_mentored = column()
    distress_events = column()
    load = column()
    time_factor = column()

    def __init__(self, model: MentoringModel, agency: Agency, index: int,
                 trained_at_week: int) -> None:
        super().__init__(model)
        c = model.recruit_draws
        draw = model.streams.entity("mentor", index)
        self.index = index
        self.agency = agency
        self._columns = model.mentors
        # The draws, in their fixed order (each trait keeps its random numbers).
        peer = draw.random() < c.peer_share
        paid = peer and draw.random() < c.paid_peer_share
        minority = draw.random() < c.minority_share
        style = draw.choices(_STYLE_CODES, cum_weights=c.style_cum_weights)[0]
        skill = min(c.skill_max, max(c.skill_min, draw.gauss(c.skill_mean, c.skill_spread)
                                     + c.skill_training_gain))
        # Lived experience helps bridge the divide with people in the justice system.
        competence = c.competence_peer if peer else c.competence_community
        cultural_competence = min(c.skill_max, max(0.0, draw.gauss(
            competence, c.competence_spread) + c.competence_training_gain))
        expected = c.expected_match_weeks_median * math.exp(
            draw.gauss(0.0, c.expected_match_weeks_spread))
        resilience = math.exp(draw.gauss(0.0, c.resilience_spread))  # >1 tires faster
        exhaustion = draw.betavariate(c.exhaustion_alpha, c.exhaustion_beta)
        row = model.mentors.add(
            agency=agency.index, kind=PEER if peer else _COMMUNITY, paid=paid,
            minority=minority, style=style, skill=skill,
            cultural_competence=cultural_competence, expected_match_weeks=expected,
            resilience=resilience, exhaustion=exhaustion,
            hours=c.paid_hours if paid else c.volunteer_hours,
            cap=c.paid_cap if paid else c.volunteer_cap,
            joined_week=model.week, trained_at_week=trained_at_week, time_factor=1.0)
        assert row == index, "a mentor's row is its index"
        self.matches: dict[Match, None] = {}

    def organisational_stress(self) -> float:
        """This mentor's share of :func:`organisational_stress` (per week)."""
        return float(organisational_stress(self.model)[self.agency.index])

    def novice_strain(self) -> float:
        """This mentor's :func:`novice_strain` this week."""
        return float(novice_strain(self.model, np.array([self.index]))[0])


def records(model: MentoringModel, rows: np.ndarray) -> dict[str, object]:
    """The ``mentors.parquet`` columns of ``rows`` (mentor indexes), read from the columns
    as they stand: a mentor who left keeps the state of the week they left (with
    ``left_week`` and ``exit_reason``), and one still on the books is ``active`` with no
    ``left_week``. The keys are the ``mentors`` columns declared in :mod:`sim.tables`
    (building the table checks them)."""
    c = model.mentors
    active = c.alive[rows]
    reasons = _EXIT_REASON_LABELS[c.exit_reason[rows]]
    return {
        "mentor_id": rows,
        "agency_id": c.agency[rows],
        "mentor_kind": KIND_LABELS[c.kind[rows]],
        "paid": c.paid[rows],
        "joined_week": c.joined_week[rows],
        "trained_week": c.trained_at_week[rows],
        "left_week": np.where(active, None, c.left_week[rows]),
        "exit_reason": reasons,
        "exit_category": [EXIT_CATEGORIES[reason] for reason in reasons.tolist()],
        "burnout_episodes": c.burnout_episodes[rows],
        "mentees_mentored": c.mentees_mentored[rows],
    }


# --- the weekly mechanisms, on all mentors at once ------------------------------------
# Each takes the model and the rows (mentor indexes) it applies to, and works on columns.
# Agency-level inputs are read once per week as arrays indexed by agency (see
# ``MentoringModel.agency_values``).

def available(model: MentoringModel, rows: np.ndarray) -> np.ndarray:
    """Trained, not burnt out, and with room for another mentee."""
    c = model.mentors
    return ((model.week >= c.trained_at_week[rows]) & ~c.burnt_out[rows]
            & (c.open_matches[rows] < c.cap[rows]))


def effective_skill(model: MentoringModel, rows: np.ndarray, cultural_gap: np.ndarray
                    ) -> np.ndarray:
    """Skill as the mentee experiences it: a cultural divide the mentor cannot bridge cuts
    it, ``skill x (1 - cultural_gap_weight x (1 - cultural competence))`` (Spencer 2007)."""
    c = model.mentors
    skill = c.skill[rows]
    weight = model.p.effects.cultural_gap_weight
    return np.where(cultural_gap, skill * (1.0 - weight * (1.0 - c.cultural_competence[rows])),
                    skill)


def extra_role_hours(model: MentoringModel) -> np.ndarray:
    """Extra-role hours per week actually loaded on each agency's mentors (the scenario's,
    plus any a budget cut asks for); trained staff and managers keep
    ``manager_shield_share`` of them off. Indexed by agency."""
    p = model.p
    shield = p.mentors.manager_shield_share if p.training.staff_manager_training else 0.0
    return model.agency_values("extra_role_hours") * (1.0 - shield)


def plan_week(model: MentoringModel, rows: np.ndarray) -> None:
    """This week's workload, ``load = (open matches x hours per mentee + extra-role hours) /
    hours``, and the share of needed time each mentee gets once extra-role tasks have taken
    their hours: 1 if the needed hours fit in ``max(0, hours - extra)``, else that spare /
    needed. Extra-role tasks come first out of the mentor's time (Buck 2021's "punitive
    dilution"), so they raise the load that tires mentors and, above 1, overloads them."""
    c = model.mentors
    agency = c.agency[rows]
    needed = c.open_matches[rows] * model.agency_values("hours_per_mentee")[agency]
    hours = c.hours[rows]
    extra = extra_role_hours(model)[agency]
    c.load[rows] = (needed + extra) / hours
    spare = exact.maximum(0.0, hours - extra)
    fits = needed <= spare
    c.time_factor[rows] = np.where(fits, 1.0, spare / np.where(fits, 1.0, needed))


def organisational_stress(model: MentoringModel) -> np.ndarray:
    """Exhaustion per week from the organisation rather than the mentoring, by agency:
    ``(stress_insecurity x insecure + stress_restart x (1 - experience) + stress_waiting_list
    x waiting pressure + stress_reorganisation x shock) x (1 - stress_supervision_buffer x
    supervision effect)``: job insecurity near a grant's end (Sverke et al. 2002), a restart
    with staff who do not know the programme and a full waiting list, and a reorganisation
    (Phillips et al. 2024: organisational stressors drive burnout); supervision absorbs
    part."""
    e = model.p.effects
    stress = (e.stress_insecurity * model.agency_values("insecure")
              + e.stress_restart * (1.0 - model.agency_values("experience"))
              + e.stress_waiting_list * model.agency_values("waiting_pressure")
              + e.stress_reorganisation * model.shock_active)
    return stress * (1.0 - e.stress_supervision_buffer * model.agency_values("supervision_effect"))


def novice_strain(model: MentoringModel, rows: np.ndarray) -> np.ndarray:
    """Extra exhaustion of the first months, ``novice_strain x x x e^(1 - x)`` with ``x`` the
    weeks since training over ``novice_strain_peak_weeks``: it peaks at about four months
    and fades by a year (VA peer specialists study 2016; BMC Psychiatry 2022)."""
    tenure = model.week - model.mentors.trained_at_week[rows]
    if len(tenure) and tenure.max() >= len(model.novice_strain_by_tenure):
        model.novice_strain_by_tenure = novice_strain_table(model.p.effects, int(tenure.max()))
    table = model.novice_strain_by_tenure
    return np.where(tenure < 0, 0.0, table[np.clip(tenure, 0, None)])


def novice_strain_table(e: Effects, longest: int) -> np.ndarray:
    """:func:`novice_strain` by whole weeks of tenure (0 to at least ``longest``), with
    ``math.exp`` as a scalar would have it (a burnout threshold can depend on the last
    bit)."""
    weeks = max(longest + 1, 2 * longest, 64)  # literal-ok: table size, not behaviour
    return np.array([e.novice_strain * (t / e.novice_strain_peak_weeks)
                     * math.exp(1.0 - t / e.novice_strain_peak_weeks) for t in range(weeks)])


def exhaustion(model: MentoringModel, rows: np.ndarray) -> None:
    """Weekly exhaustion, ``x + gain - recovery x x`` kept in [0, 1], where ``gain`` is
    ``(exhaustion_load x load + exhaustion_distress x distressing events + exhaustion_peer
    (peer mentors) + organisational stress + novice strain) x resilience`` (``load``
    includes extra-role hours: see :func:`plan_week`) and ``recovery`` is ``min(1,
    recovery_base + recovery_supervision x supervision effect)``. Burnout starts at
    ``burnout_threshold`` and ends below ``recovered_below``."""
    e = model.p.effects
    c = model.mentors
    kernel = kernels.compiled("exhaustion_update")
    if kernel is not None:  # the same arithmetic, compiled (see sim.kernels)
        onsets = kernel(
            rows, c.agency, c.load, c.distress_events, c.kind,
            c.resilience, c.exhaustion, c.burnt_out, c.burnout_episodes,
            organisational_stress(model),
            model.agency_values("supervision_effect"), novice_strain(model, rows),
            np.array([e.exhaustion_load, e.exhaustion_distress,
                      e.exhaustion_peer, e.recovery_base, e.recovery_supervision,
                      e.burnout_threshold, min(e.recovered_below, e.burnout_threshold)]),
            model.week >= 1, PEER)
        model.burnout_onsets += onsets  # 0 in the burn-in, whose episodes are not counted
        return
    agency = c.agency[rows]
    sup = model.agency_values("supervision_effect")[agency]
    gain = (e.exhaustion_load * c.load[rows]
            + e.exhaustion_distress * c.distress_events[rows]
            + np.where(c.kind[rows] == PEER, e.exhaustion_peer, 0.0)
            + organisational_stress(model)[agency] + novice_strain(model, rows)
            ) * c.resilience[rows]
    recovery = exact.minimum(1.0, e.recovery_base + e.recovery_supervision * sup)
    x = c.exhaustion[rows]
    x = exact.minimum(1.0, exact.maximum(0.0, x + gain - recovery * x))
    c.exhaustion[rows] = x
    c.distress_events[rows] = 0
    burnt = c.burnt_out[rows]
    onset = ~burnt & (x >= e.burnout_threshold)
    recovered = burnt & (x < min(e.recovered_below, e.burnout_threshold))
    c.burnt_out[rows] = (burnt | onset) & ~recovered
    if model.week >= 1:  # episodes are counted in the measured weeks only
        c.burnout_episodes[rows] += onset
        model.burnout_onsets += int(onset.sum())


def skill_growth(model: MentoringModel, rows: np.ndarray) -> None:
    """Skill grows by ``(1 - skill) x growth`` and cultural competence by ``(1 - competence)
    x competence_share x growth``, where ``growth = min(1, skill_experience (when mentoring)
    + skill_training x ongoing training hours + skill_supervision x supervision effect +
    skill_manager_training (with trained managers))``."""
    p = model.p
    g = p.growth
    c = model.mentors
    agency = c.agency[rows]
    busy = c.open_matches[rows] > 0
    growth = (g.skill_experience * busy
              + g.skill_training * model.agency_values("ongoing_hours")[agency]
              + g.skill_supervision * model.agency_values("supervision_effect")[agency]
              + (g.skill_manager_training if p.training.staff_manager_training else 0.0))
    growth = exact.minimum(1.0, growth)
    skill = c.skill[rows]
    c.skill[rows] = skill + (1.0 - skill) * growth
    competence = c.cultural_competence[rows]
    c.cultural_competence[rows] = competence + (1.0 - competence) * g.competence_share * growth


def exit_reasons(model: MentoringModel, rows: np.ndarray) -> np.ndarray:
    """Competing weekly exit hazards on one random number, as codes into :data:`EXITS`.

    ``leave = base x (1 + (burnout_exit_multiplier - 1) x burnt out) x (1 -
    supervision_exit_reduction x supervision effect)``, times ``insecurity_exit_multiplier``
    near a grant's end (burnout's excess is cut by ``paid_exit_reduction`` for paid
    mentors); peer mentors may also relapse, ``relapse rate x (1 + relapse_exhaustion_weight
    x exhaustion) x (1 - relapse_work_protection (when mentoring))`` (giving back supports
    desistance, LeBel et al. 2015; exhaustion undermines it), and trained peer volunteers
    progress to paid work at ``progression rate x skill / progression_reference_skill``.
    Extra-role tasks act only through exhaustion and burnout (one pathway).
    """
    p = model.p
    e = p.effects
    m = p.mentors
    c = model.mentors
    excess = e.burnout_exit_multiplier - 1.0
    kernel = kernels.compiled("exit_codes")
    if kernel is not None:  # the same arithmetic, compiled (see sim.kernels)
        return kernel(
            rows, c.agency, c.paid, c.kind, c.burnt_out, c.exhaustion, c.open_matches,
            c.trained_at_week, c.skill, model.agency_values("supervision_effect"),
            model.agency_values("insecure"),
            np.array([weekly_rate(m.attrition_annual_paid),
                      weekly_rate(m.attrition_annual_volunteer),
                      weekly_rate(m.relapse_annual), weekly_rate(m.progression_annual)]),
            np.array([excess * (1.0 - e.paid_exit_reduction), excess,
                      e.supervision_exit_reduction, e.insecurity_exit_multiplier,
                      m.relapse_exhaustion_weight, m.relapse_work_protection,
                      m.progression_after_weeks, m.progression_reference_skill]),
            model.week, model.streams.key("mentor_exit"), _EXIT_CODES, PEER)
    agency = c.agency[rows]
    paid = c.paid[rows]
    peer = c.kind[rows] == PEER
    burnt = c.burnt_out[rows]
    sup = model.agency_values("supervision_effect")[agency]
    base = np.where(paid, weekly_rate(m.attrition_annual_paid),
                    weekly_rate(m.attrition_annual_volunteer))
    burnout_mult = np.where(paid, excess * (1.0 - e.paid_exit_reduction), excess)
    multiplier = 1.0 + burnout_mult * burnt
    multiplier = multiplier * (1.0 - e.supervision_exit_reduction * sup)
    multiplier = np.where(model.agency_values("insecure")[agency],
                          multiplier * e.insecurity_exit_multiplier, multiplier)
    leave = base * multiplier
    relapse = np.where(peer, weekly_rate(m.relapse_annual)
                       * (1.0 + m.relapse_exhaustion_weight * c.exhaustion[rows])
                       * (1.0 - m.relapse_work_protection * (c.open_matches[rows] > 0)), 0.0)
    progresses = peer & ~paid & (model.week - c.trained_at_week[rows] >= m.progression_after_weeks)
    progress = np.where(progresses, weekly_rate(m.progression_annual) * c.skill[rows]
                        / m.progression_reference_skill, 0.0)
    u = model.streams.uniforms("mentor_exit", rows)
    return np.select(
        [u < leave, u < leave + relapse, u < leave + relapse + progress],
        [np.where(burnt, EXITS.index("burnout"), EXITS.index("life_change")),
         EXITS.index("relapse"), EXITS.index("paid_work")], 0)


def step_mentors(model: MentoringModel) -> None:
    """Weekly, for every mentor: exhaustion and burnout, skill growth, then the chance of
    leaving (a leaver's relationships close: see ``MentoringModel.mentor_leaves``)."""
    rows = model.mentors.live()
    exhaustion(model, rows)
    skill_growth(model, rows)
    codes = exit_reasons(model, rows)
    for i in np.flatnonzero(codes).tolist():  # in creation order, as Mesa would step them
        model.mentor_leaves(model.mentor_agents[rows[i]], EXITS[codes[i]])
