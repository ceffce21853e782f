"""Compiled kernels for the hottest weekly mechanisms, and the switch that picks them.

Each weekly mechanism is written once as numpy array code, with its equation in its
docstring (``sim.relationship``, ``sim.agents.mentor``). For a national programme a week
is a few hundred numpy calls on arrays of a few hundred rows, so the time goes on numpy's
fixed cost per call, not on arithmetic. The functions below do the same arithmetic one row
at a time, in the same order, for numba to compile: one call per mechanism per week.

**The same numbers.** Every kernel computes each value with the same operations in the
same order as its numpy mechanism: no ``fastmath`` (so no reassociation and no fused
multiply-add), ``math.exp`` and ``**`` (the C library's, as :mod:`sim.exact` uses),
Python's ``min``/``max`` semantics written out, and each random number from the same
counter-based stream (:func:`uniform` is ``Streams.uniform``). ``tests/test_kernels.py``
checks that both engines give identical tables, bit for bit.

**When they are used** (:func:`engine`). numba costs about 1 CPU-second per process
(its import, and loading the kernels from its on-disk cache; compiling them the first
time costs a few seconds more), which a single short run does not win back. The
``MENTORSIM_KERNELS`` environment variable chooses: ``numpy``, ``numba``, or ``auto``
(the default): numba once a process expects or has started at least
:data:`KERNEL_MIN_RUNS` runs (a pool worker's share, a demo, a sweep, a calibration), and
only if numba is installed; numpy otherwise. The choice never changes a result.
"""

from __future__ import annotations

import math
import os
from typing import Any

import numpy as np

from sim.errors import UserError

ENGINES = ("numpy", "numba", "auto")
# Runs a process must expect or have started before auto switches to the compiled kernels:
# from the benchmark (benchmarks/core_throughput.py), numba's start-up is won back within a
# few baseline-sized runs.
KERNEL_MIN_RUNS = 4  # literal-ok: a performance threshold, not behaviour

# SplitMix64 (Steele, Lea & Flood 2014), as sim.rng: mathematics, not behaviour.
_GAMMA = 0x9E3779B97F4A7C15  # literal-ok: SplitMix64's increment
_M1 = 0xBF58476D1CE4E5B9  # literal-ok: SplitMix64's first multiplier
_M2 = 0x94D049BB133111EB  # literal-ok: SplitMix64's second multiplier
_TO_UNIT = 2.0 ** -53  # literal-ok: 53 bits to a double in [0, 1)

# Spencer's (2007) six failure factors: the competing closure hazards of a relationship.
SIX_FACTORS = 6  # literal-ok: a count of mechanisms, not a strength

_compiled: dict[str, Any] | None = None
_active = False
_forced: bool | None = None  # MENTORSIM_KERNELS=numba, read at the first kernel lookup
_expected = 0  # the most runs this process has been told to expect (see expect)
_started = 0  # runs this process has started (see run_started)


def requested() -> str:
    """The engine ``MENTORSIM_KERNELS`` asks for (``auto`` when unset).

    Raises:
        UserError: a value outside :data:`ENGINES`, or ``numba`` without numba installed.
    """
    value = os.environ.get("MENTORSIM_KERNELS", "auto").strip().lower() or "auto"
    if value not in ENGINES:
        raise UserError(f"environment variable MENTORSIM_KERNELS={value!r} is not an engine: "
                        f"use one of {', '.join(ENGINES)} (auto when unset)")
    if value == "numba" and not available():
        raise UserError("environment variable MENTORSIM_KERNELS=numba, but numba is not "
                        "installed: pip install numba, or use auto or numpy")
    return value


def available() -> bool:
    """numba is installed."""
    try:
        import numba  # noqa: F401
    except ImportError:
        return False
    return True


def expect(runs: int) -> None:
    """This process will run about ``runs`` models in all (a serial batch, or a pool
    worker's share): with ``auto``, switch to the compiled kernels now if that is at
    least :data:`KERNEL_MIN_RUNS`."""
    global _expected
    _expected = max(_expected, runs)
    _choose()


def run_started() -> None:
    """A run is starting (``sim.runner.simulate``): with ``auto``, switch to the compiled
    kernels once this process has started :data:`KERNEL_MIN_RUNS` runs, whether or not
    anyone said how many to expect (a long-lived worker given tasks one by one)."""
    global _started
    _started += 1
    _choose()


def _choose() -> None:
    """numba once the environment asks for it, or ``auto`` and enough runs are expected
    or started (and numba is installed); once active the kernels stay active."""
    if _active:
        return
    wanted = requested()
    if wanted == "numba" or (wanted == "auto" and max(_expected, _started) >= KERNEL_MIN_RUNS
                             and available()):
        use("numba")


def engine() -> str:
    """The engine the weekly mechanisms use now: ``numba`` or ``numpy``."""
    return "numba" if _active else "numpy"


def use(name: str) -> None:
    """Set the engine for this process (``numpy`` or ``numba``), e.g. in a test."""
    global _active
    if name not in ("numpy", "numba"):
        raise ValueError(f"engine {name!r}: use numpy or numba")
    if name == "numba":
        _load()
    _active = name == "numba"


def compiled(name: str) -> Any:
    """The compiled kernel ``name`` when the numba engine is active, else None
    (``MENTORSIM_KERNELS=numba`` makes it active at the first call)."""
    global _forced
    if _forced is None:
        _forced = requested() == "numba"
        if _forced:
            use("numba")
    return _compiled[name] if _active and _compiled is not None else None


def _load() -> None:
    global _compiled
    if _compiled is not None:
        return
    from numba import njit

    # cache=True keeps the machine code on disk beside this file (numba's __pycache__),
    # so a later process loads rather than compiles it.
    jit = njit(cache=True, nogil=True)
    uniform_jit = jit(uniform)
    globals()["uniform"] = uniform_jit  # the kernels below call the compiled draw
    _compiled = {name: jit(globals()[name]) for name in
                 ("failure_codes", "exhaustion_update", "exit_codes",
                  "meet_update", "setback_update", "mentee_week", "pair_rows",
                  "commitment_codes")}


# --- the kernels (plain Python, compiled by numba when active) -----------------------

def uniform(key: np.uint64, index: int) -> float:
    """``Streams.uniform``: output ``index`` of the SplitMix64 stream ``key``, in [0, 1)."""
    z = np.uint64(key) + (np.uint64(index) + np.uint64(1)) * np.uint64(_GAMMA)
    z = (z ^ (z >> np.uint64(30))) * np.uint64(_M1)  # literal-ok: SplitMix64's shifts
    z = (z ^ (z >> np.uint64(27))) * np.uint64(_M2)  # literal-ok: SplitMix64's shifts
    z = z ^ (z >> np.uint64(31))  # literal-ok: SplitMix64's shifts
    return float(z >> np.uint64(11)) * _TO_UNIT  # literal-ok: 64 - 53 bits


def failure_codes(rows: np.ndarray, mentor: np.ndarray, mentee: np.ndarray,
                  agency: np.ndarray, quality: np.ndarray, expectation_gap: np.ndarray,
                  burnt_out: np.ndarray, load: np.ndarray, raw_skill: np.ndarray,
                  motivation: np.ndarray, chaos: np.ndarray, deficit: np.ndarray,
                  skill: np.ndarray, pull: np.ndarray, hazard: np.ndarray,
                  weight: np.ndarray, detail: np.ndarray, key_close: np.uint64,
                  key_reason: np.uint64) -> np.ndarray:
    """``sim.relationship.failure`` row by row (see its docstring for the hazards).

    ``hazard``: mentor_abandon, low_motivation, expectation, skill, family, support
    hazards; ``weight``: overload_abandon_weight, motivation threshold,
    skilled_motivation_buffer, low_skill_exponent, youth multiplier,
    support_deficit_weight, bond_support_buffer, cultural_gap_detail_ratio; ``detail``:
    the ending codes burnout, overload, programme_chaos, low_motivation, expectations,
    cultural_gap, low_skill, family, chaos, contacts, and the open code. ``skill`` and
    ``pull`` are per row; the rest are whole columns, indexed through ``rows``.
    """
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
        hazards[0] = hazard[0] * (burnt + weight[0] * over + c)
        x = (weight[1] - motivation[person]) / weight[1]
        hazards[1] = hazard[1] * (x if x > 0.0 else 0.0) * (1.0 - weight[2] * raw)
        hazards[2] = hazard[2] * expectation_gap[row] * unbonded
        hazards[3] = hazard[3] * (1.0 - skill[i]) ** weight[3] * unbonded
        hazards[4] = hazard[4] * pull[i] * unbonded * weight[4]
        hazards[5] = hazard[5] * (weight[5] * deficit[a] + c) * (1.0 - weight[6] * q)
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
        details[3] = detail[5] if raw - skill[i] > weight[7] * (1.0 - raw) else detail[6]
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


def exhaustion_update(rows: np.ndarray, agency: np.ndarray, load: np.ndarray,
                      distress: np.ndarray, kind: np.ndarray, resilience: np.ndarray,
                      exhaustion: np.ndarray, burnt_out: np.ndarray,
                      burnout_episodes: np.ndarray, stress: np.ndarray,
                      supervision: np.ndarray, novice: np.ndarray, effect: np.ndarray,
                      count_episodes: bool, peer_code: int) -> int:
    """``sim.agents.mentor.exhaustion`` row by row (see its docstring), in place.

    ``effect``: exhaustion_load, exhaustion_distress, exhaustion_peer, recovery_base,
    recovery_supervision, burnout_threshold, the recovery level ``min(recovered_below,
    burnout_threshold)``. ``novice`` is per row; ``stress`` and ``supervision`` are by
    agency. Returns the burnout onsets.
    """
    onsets = 0
    for i in range(len(rows)):
        row = rows[i]
        a = agency[row]
        gain = (effect[0] * load[row] + effect[1] * distress[row]
                + (effect[2] if kind[row] == peer_code else 0.0)
                + stress[a] + novice[i]) * resilience[row]
        r = effect[3] + effect[4] * supervision[a]
        recovery = r if r < 1.0 else 1.0
        x = exhaustion[row]
        x = x + gain - recovery * x
        x = x if x > 0.0 else 0.0
        x = x if x < 1.0 else 1.0
        exhaustion[row] = x
        distress[row] = 0
        burnt = burnt_out[row]
        onset = not burnt and x >= effect[5]
        recovered = burnt and x < effect[6]
        burnt_out[row] = (burnt or onset) and not recovered
        if onset and count_episodes:
            burnout_episodes[row] += 1
            onsets += 1
    return onsets


def exit_codes(rows: np.ndarray, agency: np.ndarray, paid: np.ndarray, kind: np.ndarray,
               burnt_out: np.ndarray, exhaustion: np.ndarray, open_matches: np.ndarray,
               trained_at_week: np.ndarray, skill: np.ndarray, supervision: np.ndarray,
               insecure: np.ndarray, rate: np.ndarray, weight: np.ndarray, week: int,
               key: np.uint64, codes_of: np.ndarray, peer_code: int) -> np.ndarray:
    """``sim.agents.mentor.exit_reasons`` row by row (see its docstring).

    ``rate``: the weekly attrition of paid mentors and of volunteers, relapse and
    progression rates; ``weight``: burnout excess for paid mentors and for volunteers,
    supervision_exit_reduction, insecurity_exit_multiplier, relapse_exhaustion_weight,
    relapse_work_protection, progression_after_weeks, progression_reference_skill;
    ``codes_of``: the codes of staying, burnout, life_change, relapse, paid_work.
    """
    n = len(rows)
    codes = np.empty(n, dtype=np.int64)
    for i in range(n):
        row = rows[i]
        a = agency[row]
        is_paid = paid[row]
        burnt = burnt_out[row]
        base = rate[0] if is_paid else rate[1]
        excess = weight[0] if is_paid else weight[1]
        multiplier = 1.0 + excess * (1.0 if burnt else 0.0)
        multiplier = multiplier * (1.0 - weight[2] * supervision[a])
        if insecure[a]:
            multiplier = multiplier * weight[3]
        leave = base * multiplier
        relapse = 0.0
        progress = 0.0
        if kind[row] == peer_code:
            relapse = (rate[2] * (1.0 + weight[4] * exhaustion[row])
                       * (1.0 - weight[5] * (1.0 if open_matches[row] > 0 else 0.0)))
            if not is_paid and week - trained_at_week[row] >= weight[6]:
                progress = rate[3] * skill[row] / weight[7]
        u = uniform(key, row)
        if u < leave:
            codes[i] = codes_of[1] if burnt else codes_of[2]
        elif u < leave + relapse:
            codes[i] = codes_of[3]
        elif u < leave + relapse + progress:
            codes[i] = codes_of[4]
        else:
            codes[i] = codes_of[0]
    return codes


def meet_update(rows: np.ndarray, mentor: np.ndarray, mentee: np.ndarray,
                agency: np.ndarray, quality: np.ndarray, missed: np.ndarray,
                burnt_out: np.ndarray, time_factor: np.ndarray, kind: np.ndarray,
                motivation: np.ndarray, weeks_mentored: np.ndarray, dose: np.ndarray,
                chaos: np.ndarray, bonding: np.ndarray, support_ratio: np.ndarray,
                skill: np.ndarray, pull: np.ndarray, effect: np.ndarray,
                key_shows: np.uint64, key_engage: np.uint64, peer_code: int) -> np.ndarray:
    """``sim.relationship.meet`` row by row (see its docstring), in place; returns
    whether each row met.

    ``effect``: burnt_out_attendance, engagement_base, engagement_motivation_weight,
    engagement_neutral_motivation, engagement_quality_weight, engagement_family_weight,
    engagement_chaos_weight, engagement_floor, engagement_ceiling, peer_bonding,
    support_growth_share, quality_growth, missed_week_erosion, small_step_gain,
    missed_week_motivation_loss. ``skill`` and ``pull`` are per row; ``chaos``,
    ``bonding`` and ``support_ratio`` by agency.
    """
    n = len(rows)
    met = np.empty(n, dtype=np.bool_)
    for i in range(n):
        row = rows[i]
        m = mentor[row]
        person = mentee[row]
        a = agency[row]
        shows = not burnt_out[m] or uniform(key_shows, person) < effect[0]
        q = quality[row]
        mot = motivation[person]
        p = (effect[1] + effect[2] * (mot - effect[3]) + effect[4] * q
             - effect[5] * pull[i] * (1.0 - q) - effect[6] * chaos[a])
        p = p if p > effect[7] else effect[7]
        engage = p if p < effect[8] else effect[8]
        met[i] = shows and uniform(key_engage, person) < engage
        core = skill[i] * time_factor[m]
        bond = bonding[a] * (effect[9] if kind[m] == peer_code else 1.0)
        support = (1.0 - effect[10]) + effect[10] * support_ratio[a]
        g = effect[11] * bond * core * support
        growth = g if g < 1.0 else 1.0
        grown = q + growth * (1.0 - q)
        if met[i]:
            quality[row] = grown
            x = mot + effect[13] * core * grown
            motivation[person] = x if x < 1.0 else 1.0
            missed[row] = 0
            weeks_mentored[person] += 1
            dose[person] = dose[person] + grown
        else:
            x = q - effect[12]
            quality[row] = x if x > 0.0 else 0.0
            x = mot - effect[14]
            motivation[person] = x if x > 0.0 else 0.0
            missed[row] = missed[row] + 1
    return met


def setback_update(rows: np.ndarray, mentee: np.ndarray, quality: np.ndarray,
                   motivation: np.ndarray, crisis_risk: np.ndarray, needs: np.ndarray,
                   linked_count: np.ndarray, needs_count: np.ndarray, pull: np.ndarray,
                   effect: np.ndarray, key_crisis: np.uint64, key_ends: np.uint64,
                   key_setback: np.uint64) -> np.ndarray:
    """``sim.relationship.setbacks`` row by row (see its docstring), in place; returns
    whether a crisis ended each row.

    ``effect``: crisis_weekly, crisis_need_weight, crisis_closure_share,
    crisis_motivation_loss, setback_probability, setback_size, family_motivation_drain.
    ``pull`` is per row.
    """
    n = len(rows)
    ends = np.empty(n, dtype=np.bool_)
    for i in range(n):
        row = rows[i]
        person = mentee[row]
        unmet = needs_count[needs[person]] - linked_count[person]
        x = effect[0] * crisis_risk[person] * (1.0 + effect[1] * unmet)
        chance = x if x < 1.0 else 1.0
        crisis = uniform(key_crisis, person) < chance
        ends[i] = crisis and uniform(key_ends, person) < effect[2]
        if ends[i]:
            continue
        q = quality[row]
        if crisis:
            x = motivation[person] - effect[3] * (1.0 - q)
            motivation[person] = x if x > 0.0 else 0.0
        if uniform(key_setback, person) < effect[4]:
            x = motivation[person] - effect[5] * (1.0 - q)
            motivation[person] = x if x > 0.0 else 0.0
        x = motivation[person] - effect[6] * pull[i]
        motivation[person] = x if x > 0.0 else 0.0
    return ends


def mentee_week(rows: np.ndarray, waiting: np.ndarray, match: np.ndarray,
                family: np.ndarray, informal_weeks_left: np.ndarray,
                informal_weeks: np.ndarray, informal_quality: np.ndarray, dose: np.ndarray,
                base_hazard: np.ndarray, repeat_hazard: np.ndarray, early_end: np.ndarray,
                linked_count: np.ndarray, network: np.ndarray, reoffence_week: np.ndarray,
                counterfactual_reoffence_week: np.ndarray, reoffences: np.ndarray,
                counterfactual_reoffences: np.ndarray, motivation: np.ndarray,
                referral_week: np.ndarray, match_quality: np.ndarray,
                match_mentor: np.ndarray, distress_events: np.ndarray,
                linkage_cut: np.ndarray, effect: np.ndarray, keys: np.ndarray, week: int,
                unset: int, follow_up_weeks: int) -> tuple[np.ndarray, np.ndarray]:
    """The array part of ``sim.agents.mentee.step_mentees`` row by row, in place:
    ``family_changes``, ``informal_contact``, then reoffending (actual and without
    mentoring, :func:`hazard_multiplier`), its setback and the mentor's distress (see
    their docstrings). Returns, per row, whether the person is recalled and whether
    their follow-up is over with no relationship and no place on a waiting list.

    ``effect``: family_change_weekly, family_interference_prevalence,
    family_interference_min, family_interference_max, informal_benefit_share,
    reoffending_effect, dose_saturation_weeks, early_end_harm, network_reoffending_cut,
    reoffence_motivation_loss, recall_share; ``keys``: the streams family_change,
    family_present, family_level, reoffend, recall.
    """
    n = len(rows)
    recalled = np.zeros(n, dtype=np.bool_)
    due_free = np.zeros(n, dtype=np.bool_)
    for i in range(n):
        row = rows[i]
        matched = match[row] != unset
        if (waiting[row] or matched) and uniform(keys[0], row) < effect[0]:
            present = uniform(keys[1], row) < effect[1]
            level = effect[2] + (effect[3] - effect[2]) * uniform(keys[2], row)
            family[row] = level if present else 0.0
        if informal_weeks_left[row] > 0 and not matched:
            informal_weeks_left[row] -= 1
            informal_weeks[row] += 1
            dose[row] = dose[row] + effect[4] * informal_quality[row]
        u = uniform(keys[3], row)
        counted = week <= referral_week[row] + follow_up_weeks
        before = counterfactual_reoffence_week[row] != unset
        if u < (repeat_hazard[row] if before else base_hazard[row]):
            if not before:
                counterfactual_reoffence_week[row] = week
            if counted:
                counterfactual_reoffences[row] += 1
        before = reoffence_week[row] != unset
        base = repeat_hazard[row] if before else base_hazard[row]
        multiplier = 1.0 - effect[5] * (1.0 - math.exp(-dose[row] / effect[6]))
        if early_end[row]:
            multiplier = multiplier * (1.0 + effect[7])
        multiplier = multiplier * linkage_cut[linked_count[row]]
        if network[row]:
            multiplier = multiplier * (1.0 - effect[8])
        if u < base * multiplier:
            if not before:
                reoffence_week[row] = week
            if counted:
                reoffences[row] += 1
            quality = 0.0
            if matched:
                quality = match_quality[match[row]]
                distress_events[match_mentor[match[row]]] += 1
                recalled[i] = uniform(keys[4], row) < effect[10]
            x = motivation[row] - effect[9] * (1.0 - quality)
            motivation[row] = x if x > 0.0 else 0.0
        due_free[i] = (week >= referral_week[row] + follow_up_weeks and not waiting[row]
                       and not matched)
    return recalled, due_free


def pair_rows(waiting_minority: np.ndarray, rows: np.ndarray, open_matches: np.ndarray,
              cap: np.ndarray, minority: np.ndarray, kind: np.ndarray, penalty: float,
              cultural_weight: float, lived_weight: float, cultural_matching: bool,
              lived_matching: bool, peer_code: int) -> tuple[np.ndarray, np.ndarray]:
    """``sim.matching.pair`` (see its docstring and ``score``): the waiting list's
    positions and the mentor rows they are paired with, in waiting-list order."""
    n = len(rows)
    base = np.empty((2, n))  # literal-ok: two backgrounds (minority or not)
    spare = np.empty(n, dtype=np.int64)
    given = np.zeros(n, dtype=np.int64)
    left = 0
    for j in range(n):
        row = rows[j]
        held = open_matches[row]
        spare[j] = cap[row] - held
        if spare[j] > 0:
            left += 1
        for same in range(2):  # literal-ok: two backgrounds
            value = -penalty * held
            if cultural_matching and (minority[row] == (same == 1)):
                value = value + cultural_weight
            if lived_matching and kind[row] == peer_code:
                value = value + lived_weight
            base[same, j] = value
    positions = np.empty(len(waiting_minority), dtype=np.int64)
    chosen = np.empty(len(waiting_minority), dtype=np.int64)
    pairs = 0
    for k in range(len(waiting_minority)):
        if left == 0:
            break
        background = 1 if waiting_minority[k] else 0
        best = -1
        best_value = 0.0
        for j in range(n):
            if spare[j] <= 0:
                continue
            value = base[background, j] - penalty * given[j]
            if best < 0 or value > best_value:
                best = j
                best_value = value
        spare[best] -= 1
        given[best] += 1
        if spare[best] == 0:
            left -= 1
        positions[pairs] = k
        chosen[pairs] = rows[best]
        pairs += 1
    return positions[:pairs], chosen[:pairs]


def commitment_codes(rows: np.ndarray, mentee: np.ndarray, quality: np.ndarray,
                     extensions: np.ndarray, due_week: np.ndarray,
                     informal_weeks: np.ndarray, informal_weeks_left: np.ndarray,
                     informal_quality: np.ndarray, effect: np.ndarray, week: int,
                     codes_of: np.ndarray, keys: np.ndarray) -> np.ndarray:
    """``sim.relationship.commitment_point`` row by row (see its docstring), in place.

    ``effect``: continuation_max, extension_share, informal_weeks_mean, extension_weeks,
    extension_length_spread; ``codes_of``: the ending codes completed planned, completed
    extended, completed informal, and the open code; ``keys``: the streams continuation,
    extension, informal_length, extension_length. The informal length is ``max(1,
    round(-mean x log(1 - u)))``, Python's ``round`` being ``rint`` (both round half to
    even); an extension's length is ``sim.relationship.extension_lengths``.
    """
    n = len(rows)
    codes = np.empty(n, dtype=np.int64)
    for i in range(n):
        row = rows[i]
        person = mentee[row]
        q = quality[row]
        if uniform(keys[0], person) >= effect[0] * q:
            codes[i] = codes_of[1] if extensions[row] > 0 else codes_of[0]
        elif uniform(keys[1], person) < effect[1]:
            extensions[row] += 1
            u = uniform(keys[3], person)
            u = 2.0 * u - 1.0  # literal-ok: U(0, 1) to U(-1, 1)
            length = np.int64(np.rint(effect[3] * (1.0 + effect[4] * u)))
            due_week[row] = week + (length if length > 1 else np.int64(1))
            codes[i] = codes_of[3]
        else:
            weeks = np.int64(np.rint(-effect[2] * math.log(1.0 - uniform(keys[2], person))))
            weeks = weeks if weeks > 1 else np.int64(1)
            informal_weeks[row] = weeks
            informal_weeks_left[person] = weeks
            informal_quality[person] = q
            codes[i] = codes_of[2]
    return codes
