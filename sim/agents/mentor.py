"""The mentor: a peer mentor with lived experience, or a community volunteer."""

from __future__ import annotations

import math
from itertools import accumulate
from typing import TYPE_CHECKING, NamedTuple

import numpy as np
from mesa import Agent

from sim.compiled import mechanism, uniform
from sim.draws import beta, normal, pick, substream
from sim.params import ScenarioParams, weekly_rate
from sim.state import Columns, column
from sim.vocabulary import EXIT_REASONS

if TYPE_CHECKING:
    from sim.agents.agency import Agency
    from sim.model import MentoringModel
    from sim.params import Effects
    from sim.relationship import Match

STYLES = ("practical", "emotional", "activities")
KINDS = ("community", "peer")
PEER = KINDS.index("peer")
_COMMUNITY = KINDS.index("community")
# Exit reasons in the order of the competing hazards drawn on one number (None: stays).
EXITS = (None, "burnout", "life_change", "relapse", "paid_work")
# The codes :func:`exit_week` returns, by reason (0: stays).
_BURNOUT, _LIFE_CHANGE, _RELAPSE, _PAID_WORK = (
    EXITS.index(r) for r in ("burnout", "life_change", "relapse", "paid_work"))
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


class TraitParams(NamedTuple):
    """The parameter values every recruit's trait draws use, worked out once per model
    (``model.recruit_traits``)."""

    peer_share: float
    paid_peer_share: float
    minority_share: float
    style_cumulative: tuple[float, float, float]  # STYLES order
    skill_min: float
    skill_max: float
    skill_mean: float
    skill_spread: float
    skill_training_gain: float
    competence_peer: float
    competence_community: float
    competence_spread: float
    competence_training_gain: float
    expected_match_weeks_median: float
    expected_match_weeks_spread: float
    resilience_spread: float
    exhaustion_alpha: float
    exhaustion_beta: float
    paid_hours: float
    volunteer_hours: float
    paid_cap: int
    volunteer_cap: int

    @classmethod
    def of(cls, p: ScenarioParams) -> TraitParams:
        """The values for scenario ``p``."""
        m = p.mentors
        # Pre-match training raises skill with diminishing returns (Kupersmidt et al. 2017:
        # training was the one practice standard that predicted match length).
        trained = 1.0 - math.exp(-p.training.pre_match_hours / m.training_scale_hours)
        # New recruits start with little exhaustion (VA peer specialists study 2016); the
        # strain of the first months is added week by week (see novice_strain).
        concentration = m.recruit_exhaustion_concentration
        return cls(
            peer_share=m.peer_share, paid_peer_share=m.paid_peer_share,
            minority_share=p.mentees.minority_share,
            style_cumulative=tuple(accumulate((
                m.style_practical_share, m.style_emotional_share,
                max(0.0, 1.0 - m.style_practical_share - m.style_emotional_share)))),
            skill_min=m.skill_min, skill_max=m.skill_max, skill_mean=m.skill_mean,
            skill_spread=m.skill_spread, skill_training_gain=m.training_skill_gain * trained,
            competence_peer=m.competence_peer, competence_community=m.competence_community,
            competence_spread=m.competence_spread,
            competence_training_gain=m.training_competence_gain * trained,
            expected_match_weeks_median=m.expected_match_weeks_median,
            expected_match_weeks_spread=m.expected_match_weeks_spread,
            resilience_spread=m.resilience_spread,
            exhaustion_alpha=m.recruit_exhaustion_mean * concentration,
            exhaustion_beta=(1.0 - m.recruit_exhaustion_mean) * concentration,
            paid_hours=m.paid_hours_per_week, volunteer_hours=m.volunteer_hours_per_week,
            paid_cap=p.matching.caseload_cap_paid,
            volunteer_cap=p.matching.caseload_cap_volunteer)


# Each trait draws from a sub-stream of its own (sim.draws): (seed, "mentor", index, trait).
(_PEER, _PAID, _MINORITY, _STYLE, _SKILL, _COMPETENCE, _EXPECTED, _RESILIENCE,
 _EXHAUSTION) = range(9)  # literal-ok: trait numbers, names of sub-streams


@mechanism
def recruit_traits(kind_key: np.uint64, first: int, count: int, p: TraitParams
                   ) -> tuple[np.ndarray, ...]:
    """The traits of recruits ``first .. first + count - 1``, each from its own sub-stream
    of the recruit's stream ``substream(kind_key, index)``:

    * peer (lived experience): ``u < peer_share``; paid: a peer with ``u' < paid_peer_share``;
      minority: ``u < minority_share``; style: the category a uniform picks from the
      style shares;
    * skill ``= clip(N(skill_mean, skill_spread) + training gain, skill_min, skill_max)``;
    * cultural competence ``= clip(N(c, competence_spread) + training gain, 0, skill_max)``
      with ``c`` the peer or community mean (lived experience helps bridge the divide with
      people in the justice system);
    * expected match weeks ``= median exp(spread z)``; resilience ``= exp(spread z')``
      (above 1 tires faster); starting exhaustion ~ Beta(alpha, beta);
    * hours a week and caseload cap: the paid or the volunteer values.

    Returns the columns in that order: kind, paid, minority, style, skill,
    cultural_competence, expected_match_weeks, resilience, exhaustion, hours, cap.
    """
    kind = np.empty(count, np.int8)
    paid = np.empty(count, np.bool_)
    minority = np.empty(count, np.bool_)
    style = np.empty(count, np.int8)
    skill = np.empty(count)
    competence = np.empty(count)
    expected = np.empty(count)
    resilience = np.empty(count)
    exhaustion = np.empty(count)
    hours = np.empty(count)
    cap = np.empty(count, np.int64)
    for k in range(count):
        own = substream(kind_key, first + k)
        peer = uniform(substream(own, _PEER), 0) < p.peer_share
        kind[k] = PEER if peer else _COMMUNITY
        paid[k] = peer and uniform(substream(own, _PAID), 0) < p.paid_peer_share
        minority[k] = uniform(substream(own, _MINORITY), 0) < p.minority_share
        style[k] = pick(uniform(substream(own, _STYLE), 0), p.style_cumulative)
        drawn = p.skill_mean + p.skill_spread * normal(substream(own, _SKILL), 0)
        skill[k] = min(p.skill_max, max(p.skill_min, drawn + p.skill_training_gain))
        mean = p.competence_peer if peer else p.competence_community
        drawn = mean + p.competence_spread * normal(substream(own, _COMPETENCE), 0)
        competence[k] = min(p.skill_max, max(0.0, drawn + p.competence_training_gain))
        expected[k] = p.expected_match_weeks_median * math.exp(
            p.expected_match_weeks_spread * normal(substream(own, _EXPECTED), 0))
        resilience[k] = math.exp(p.resilience_spread * normal(substream(own, _RESILIENCE), 0))
        exhaustion[k] = beta(substream(own, _EXHAUSTION), p.exhaustion_alpha,
                             p.exhaustion_beta)
        hours[k] = p.paid_hours if paid[k] else p.volunteer_hours
        cap[k] = p.paid_cap if paid[k] else p.volunteer_cap
    return (kind, paid, minority, style, skill, competence, expected, resilience, exhaustion,
            hours, cap)


# The columns recruit_traits returns, in its order.
TRAIT_COLUMNS = ("kind", "paid", "minority", "style", "skill", "cultural_competence",
                 "expected_match_weeks", "resilience", "exhaustion", "hours", "cap")


class Mentor(Agent):
    """A mentor on an agency's books: a Mesa agent whose state lives in the model's
    mentor columns (``model.mentors``, row ``index``).

    State: relational skill and cultural competence (0-1; training, supervision and
    experience improve them), the match length they expect, hours they can give,
    emotional exhaustion (0-1) and burnout, the relationships they hold.
    :func:`recruit_traits` draws the traits and the weekly mechanisms below work on all
    mentors at once; this class gives Mesa (and a reader) one mentor's view of them.
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

    def __init__(self, model: MentoringModel, agency: Agency, index: int) -> None:
        """The view of mentor ``index``, whose row (traits drawn by
        :func:`recruit_traits`) the model has added."""
        super().__init__(model)
        self.index = index
        self.agency = agency
        self._columns = model.mentors
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


@mechanism
def workload(rows: np.ndarray, agency: np.ndarray, open_matches: np.ndarray,
             hours: np.ndarray, hours_per_mentee: np.ndarray, extra: np.ndarray,
             load: np.ndarray, time_factor: np.ndarray) -> None:
    """This week's workload of each mentor, in place::

        needed      = open matches x hours per mentee
        load        = (needed + extra) / hours
        spare       = max(0, hours - extra)
        time_factor = 1 if needed <= spare else spare / needed

    Extra-role tasks come first out of the mentor's time (Buck 2021's "punitive
    dilution"), so they raise the load that tires mentors and, above 1, overloads them;
    ``hours_per_mentee`` and ``extra`` are by agency."""
    for i in range(len(rows)):
        row = rows[i]
        a = agency[row]
        needed = open_matches[row] * hours_per_mentee[a]
        load[row] = (needed + extra[a]) / hours[row]
        x = hours[row] - extra[a]
        spare = x if x > 0.0 else 0.0
        time_factor[row] = 1.0 if needed <= spare else spare / needed


def plan_week(model: MentoringModel, rows: np.ndarray) -> None:
    """Phase 6, first: every mentor's load and time factor (:func:`workload`)."""
    c = model.mentors
    workload(rows, c.agency, c.open_matches, c.hours, model.agency_values("hours_per_mentee"),
             extra_role_hours(model), c.load, c.time_factor)


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


class ExhaustionParams(NamedTuple):
    """The parameters :func:`exhaustion_week` reads (``effects.*``)."""

    exhaustion_load: float
    exhaustion_distress: float
    exhaustion_peer: float
    recovery_base: float
    recovery_supervision: float
    burnout_threshold: float
    recovered_below: float  # min(effects.recovered_below, burnout_threshold): hysteresis

    @classmethod
    def of(cls, p: ScenarioParams) -> ExhaustionParams:
        """The values of a scenario."""
        e = p.effects
        return cls(e.exhaustion_load, e.exhaustion_distress, e.exhaustion_peer,
                   e.recovery_base, e.recovery_supervision, e.burnout_threshold,
                   min(e.recovered_below, e.burnout_threshold))


@mechanism
def exhaustion_week(rows: np.ndarray, agency: np.ndarray, load: np.ndarray,
                    distress: np.ndarray, kind: np.ndarray, resilience: np.ndarray,
                    exhaustion: np.ndarray, burnt_out: np.ndarray,
                    burnout_episodes: np.ndarray, stress: np.ndarray,
                    supervision: np.ndarray, novice: np.ndarray, p: ExhaustionParams,
                    count_episodes: bool, peer: int) -> int:
    """Weekly exhaustion and burnout of each mentor, in place; returns the burnout onsets::

        gain       = (exhaustion_load x load + exhaustion_distress x distress events
                      + exhaustion_peer x [peer] + stress + novice) x resilience
        recovery   = min(1, recovery_base + recovery_supervision x supervision effect)
        exhaustion = clip(exhaustion + gain - recovery x exhaustion, 0, 1)

    ``load`` includes extra-role hours (:func:`workload`), ``stress`` is the agency's
    organisational stress (:func:`organisational_stress`) and ``novice`` the mentor's
    strain of the first months (:func:`novice_strain`). A mentor becomes burnt out at
    ``burnout_threshold`` and recovers below ``recovered_below``; onsets count as
    episodes when ``count_episodes`` (the measured weeks). ``stress`` and ``supervision``
    are by agency, ``novice`` by row."""
    onsets = 0
    for i in range(len(rows)):
        row = rows[i]
        a = agency[row]
        gain = (p.exhaustion_load * load[row] + p.exhaustion_distress * distress[row]
                + (p.exhaustion_peer if kind[row] == peer else 0.0)
                + stress[a] + novice[i]) * resilience[row]
        r = p.recovery_base + p.recovery_supervision * supervision[a]
        recovery = r if r < 1.0 else 1.0
        x = exhaustion[row]
        x = x + gain - recovery * x
        x = x if x > 0.0 else 0.0
        x = x if x < 1.0 else 1.0
        exhaustion[row] = x
        distress[row] = 0
        burnt = burnt_out[row]
        onset = not burnt and x >= p.burnout_threshold
        recovered = burnt and x < p.recovered_below
        burnt_out[row] = (burnt or onset) and not recovered
        if onset and count_episodes:
            burnout_episodes[row] += 1
            onsets += 1
    return onsets


def exhaustion(model: MentoringModel, rows: np.ndarray) -> None:
    """Phase 7: every mentor's exhaustion and burnout (:func:`exhaustion_week`); burnout
    episodes count from week 1 (the burn-in's are not measured)."""
    c = model.mentors
    model.burnout_onsets += exhaustion_week(
        rows, c.agency, c.load, c.distress_events, c.kind, c.resilience, c.exhaustion,
        c.burnt_out, c.burnout_episodes, organisational_stress(model),
        model.agency_values("supervision_effect"), novice_strain(model, rows),
        ExhaustionParams.of(model.p), model.week >= 1, PEER)


class GrowthParams(NamedTuple):
    """The parameters :func:`skill_week` reads (``growth.*``)."""

    skill_experience: float
    skill_training: float
    skill_supervision: float
    skill_manager_training: float  # 0 unless training.staff_manager_training
    competence_share: float

    @classmethod
    def of(cls, p: ScenarioParams) -> GrowthParams:
        """The values of a scenario."""
        g = p.growth
        return cls(g.skill_experience, g.skill_training, g.skill_supervision,
                   g.skill_manager_training if p.training.staff_manager_training else 0.0,
                   g.competence_share)


@mechanism
def skill_week(rows: np.ndarray, agency: np.ndarray, open_matches: np.ndarray,
               skill: np.ndarray, competence: np.ndarray, ongoing_hours: np.ndarray,
               supervision: np.ndarray, p: GrowthParams) -> None:
    """Skill and cultural competence grow, in place::

        g          = min(1, skill_experience x [has mentees] + skill_training x ongoing hours
                            + skill_supervision x supervision effect + skill_manager_training)
        skill      = skill + (1 - skill) x g
        competence = competence + (1 - competence) x competence_share x g

    ``ongoing_hours`` and ``supervision`` are by agency; ``skill_manager_training`` is 0
    without trained staff and managers."""
    for i in range(len(rows)):
        row = rows[i]
        a = agency[row]
        g = (p.skill_experience * (1.0 if open_matches[row] > 0 else 0.0)
             + p.skill_training * ongoing_hours[a] + p.skill_supervision * supervision[a]
             + p.skill_manager_training)
        g = g if g < 1.0 else 1.0
        skill[row] = skill[row] + (1.0 - skill[row]) * g
        competence[row] = competence[row] + (1.0 - competence[row]) * p.competence_share * g


def skill_growth(model: MentoringModel, rows: np.ndarray) -> None:
    """Phase 7: every mentor's skill and cultural competence (:func:`skill_week`)."""
    c = model.mentors
    skill_week(rows, c.agency, c.open_matches, c.skill, c.cultural_competence,
               model.agency_values("ongoing_hours"), model.agency_values("supervision_effect"),
               GrowthParams.of(model.p))


class ExitParams(NamedTuple):
    """The parameters :func:`exit_week` reads (weekly rates from yearly ones)."""

    paid_leave: float  # w(mentors.attrition_annual_paid)
    volunteer_leave: float  # w(mentors.attrition_annual_volunteer)
    relapse: float  # w(mentors.relapse_annual)
    progression: float  # w(mentors.progression_annual)
    paid_burnout_excess: float  # (burnout_exit_multiplier - 1) x (1 - paid_exit_reduction)
    burnout_excess: float  # burnout_exit_multiplier - 1
    supervision_exit_reduction: float
    insecurity_exit_multiplier: float
    relapse_exhaustion_weight: float
    relapse_work_protection: float
    progression_after_weeks: int
    progression_reference_skill: float

    @classmethod
    def of(cls, p: ScenarioParams) -> ExitParams:
        """The values of a scenario."""
        e, m = p.effects, p.mentors
        excess = e.burnout_exit_multiplier - 1.0
        return cls(weekly_rate(m.attrition_annual_paid),
                   weekly_rate(m.attrition_annual_volunteer), weekly_rate(m.relapse_annual),
                   weekly_rate(m.progression_annual), excess * (1.0 - e.paid_exit_reduction),
                   excess, e.supervision_exit_reduction, e.insecurity_exit_multiplier,
                   m.relapse_exhaustion_weight, m.relapse_work_protection,
                   m.progression_after_weeks, m.progression_reference_skill)


@mechanism
def exit_week(rows: np.ndarray, agency: np.ndarray, paid: np.ndarray, kind: np.ndarray,
              burnt_out: np.ndarray, exhaustion: np.ndarray, open_matches: np.ndarray,
              trained_at_week: np.ndarray, skill: np.ndarray, supervision: np.ndarray,
              insecure: np.ndarray, p: ExitParams, week: int, key: np.uint64,
              peer: int) -> np.ndarray:
    """Competing weekly exit hazards on one random number; returns a code into
    :data:`EXITS` per row (0: stays)::

        leave    = (paid_leave if paid else volunteer_leave)
                   x (1 + (paid_burnout_excess if paid else burnout_excess) x [burnt out])
                   x (1 - supervision_exit_reduction x supervision effect)
                   x (insecurity_exit_multiplier if the agency is insecure else 1)
        relapse  = relapse x (1 + relapse_exhaustion_weight x exhaustion)
                   x (1 - relapse_work_protection x [has mentees])             (peers only)
        progress = progression x skill / progression_reference_skill
                   (unpaid peers trained progression_after_weeks or more)

    ``U < leave`` is ``burnout`` (if burnt out) or ``life_change``; then ``relapse``;
    then ``paid_work``. Giving back supports desistance (LeBel et al. 2015), exhaustion
    undermines it; extra-role tasks act only through exhaustion and burnout.
    ``supervision`` and ``insecure`` are by agency."""
    n = len(rows)
    codes = np.empty(n, dtype=np.int64)
    for i in range(n):
        row = rows[i]
        a = agency[row]
        is_paid = paid[row]
        burnt = burnt_out[row]
        base = p.paid_leave if is_paid else p.volunteer_leave
        excess = p.paid_burnout_excess if is_paid else p.burnout_excess
        multiplier = 1.0 + excess * (1.0 if burnt else 0.0)
        multiplier = multiplier * (1.0 - p.supervision_exit_reduction * supervision[a])
        if insecure[a]:
            multiplier = multiplier * p.insecurity_exit_multiplier
        leave = base * multiplier
        relapse = 0.0
        progress = 0.0
        if kind[row] == peer:
            relapse = (p.relapse * (1.0 + p.relapse_exhaustion_weight * exhaustion[row])
                       * (1.0 - p.relapse_work_protection
                          * (1.0 if open_matches[row] > 0 else 0.0)))
            if not is_paid and week - trained_at_week[row] >= p.progression_after_weeks:
                progress = p.progression * skill[row] / p.progression_reference_skill
        u = uniform(key, row)
        if u < leave:
            codes[i] = _BURNOUT if burnt else _LIFE_CHANGE
        elif u < leave + relapse:
            codes[i] = _RELAPSE
        elif u < leave + relapse + progress:
            codes[i] = _PAID_WORK
        else:
            codes[i] = 0
    return codes


def exit_reasons(model: MentoringModel, rows: np.ndarray) -> np.ndarray:
    """Phase 7: who leaves this week and why, as codes into :data:`EXITS`
    (:func:`exit_week`)."""
    c = model.mentors
    return exit_week(rows, c.agency, c.paid, c.kind, c.burnt_out, c.exhaustion,
                     c.open_matches, c.trained_at_week, c.skill,
                     model.agency_values("supervision_effect"),
                     model.agency_values("insecure"), ExitParams.of(model.p), model.week,
                     model.streams.key("mentor_exit"), PEER)


def step_mentors(model: MentoringModel) -> None:
    """Weekly, for every mentor: exhaustion and burnout, skill growth, then the chance of
    leaving (a leaver's relationships close: see ``MentoringModel.mentor_leaves``)."""
    rows = model.mentors.live()
    exhaustion(model, rows)
    skill_growth(model, rows)
    codes = exit_reasons(model, rows)
    for i in np.flatnonzero(codes).tolist():  # in creation order, as Mesa would step them
        model.mentor_leaves(model.mentor_agents[rows[i]], EXITS[codes[i]])
