"""Each mechanism is one compiled text: it does what its docstring's equation says, on a
case worked by hand; it writes only the rows it is given; it draws with the streams'
numbers; and run as plain Python (``NUMBA_DISABLE_JIT=1``) it gives the same tables."""

from __future__ import annotations

import math
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from sim.agents.mentee import (
    CrisisParams,
    EngagementParams,
    MultiplierParams,
    crisis_chance,
    engagement,
    hazard_multiplier,
)
from sim.agents.mentor import ExhaustionParams, ExitParams, exhaustion_week, exit_week
from sim.compiled import uniform
from sim.matching import MatchingParams, best_mentors
from sim.model import MentoringModel
from sim.params import ScenarioParams
from sim.relationship import CommitmentParams, FailureParams, extension_length, failure_week
from sim.rng import Streams
from sim.scenario import load_scenario

ROOT = Path(__file__).resolve().parent.parent
P = ScenarioParams()


def test_exhaustion_follows_its_equation() -> None:
    p = ExhaustionParams(exhaustion_load=0.02, exhaustion_distress=0.08, exhaustion_peer=0.004,
                         recovery_base=0.05, recovery_supervision=0.01, burnout_threshold=0.6,
                         recovered_below=0.45)
    rows = np.array([0, 1])
    exhaustion = np.array([0.5, 0.59])
    burnt = np.array([False, False])
    episodes = np.zeros(2, dtype=np.int64)
    distress = np.array([1, 0])
    onsets = exhaustion_week(rows, np.array([0, 0]), np.array([1.2, 0.5]), distress,
                             np.array([1, 0], dtype=np.int8), np.array([1.0, 3.0]), exhaustion,
                             burnt, episodes, np.array([0.01]), np.array([0.5]),
                             np.array([0.002, 0.0]), p, True, 1)
    # gain = (0.02 x 1.2 + 0.08 x 1 + 0.004 (peer) + 0.01 + 0.002) x 1; recovery 0.055
    first = 0.5 + (0.02 * 1.2 + 0.08 + 0.004 + 0.01 + 0.002) - 0.055 * 0.5
    second = 0.59 + (0.02 * 0.5 + 0.01) * 3.0 - 0.055 * 0.59
    assert exhaustion.tolist() == pytest.approx([first, second])
    assert burnt.tolist() == [first >= 0.6, second >= 0.6] == [False, True]
    assert onsets == 1 and episodes.tolist() == [0, 1] and distress.tolist() == [0, 0]


def test_exits_compete_on_one_number() -> None:
    p = ExitParams.of(P)
    key = np.uint64(12345)
    rows = np.arange(400)
    codes = exit_week(rows, np.zeros(400, dtype=np.int64), np.zeros(400, dtype=bool),
                      np.zeros(400, dtype=np.int8), np.ones(400, dtype=bool), np.zeros(400),
                      np.zeros(400, dtype=np.int64), np.zeros(400, dtype=np.int64),
                      np.full(400, 0.5), np.array([0.0]), np.array([False]), p, 100, key, 1)
    # Burnt-out community volunteers: leave = w(volunteer) x burnout_exit_multiplier.
    leave = p.volunteer_leave * (1.0 + p.burnout_excess)
    expected = [1 if uniform(key, r) < leave else 0 for r in range(400)]
    assert codes.tolist() == expected and 0 < sum(expected) < 400


def test_scalar_mechanisms_follow_their_equations() -> None:
    e = EngagementParams.of(P)
    x = (e.engagement_base
         + e.engagement_motivation_weight * (0.7 - e.engagement_neutral_motivation)
         + e.engagement_quality_weight * 0.4 - e.engagement_family_weight * 0.5 * 0.6
         - e.engagement_chaos_weight * 0.2)
    assert engagement(e, 0.7, 0.4, 0.5, 0.2) == pytest.approx(
        min(e.engagement_ceiling, max(e.engagement_floor, x)))
    assert engagement(e._replace(engagement_base=0.1), 0.0, 0.0, 1.0, 1.0) == e.engagement_floor
    assert engagement(e._replace(engagement_base=2.0), 1.0, 1.0, 0.0, 0.0) == e.engagement_ceiling
    c = CrisisParams(crisis_weekly=0.01, crisis_need_weight=0.3)
    assert crisis_chance(c, 2.0, 2) == pytest.approx(0.01 * 2.0 * 1.6)
    assert crisis_chance(c, 500.0, 3) == 1.0
    w = MultiplierParams.of(P)
    assert hazard_multiplier(w, 0.0, False, 1.0, False) == 1.0
    m = hazard_multiplier(w, 26.0, True, 0.9, True)
    dosed = 1 - w.reoffending_effect * (1 - math.exp(-26.0 / w.dose_saturation_weeks))
    assert m == pytest.approx(dosed * (1 + w.early_end_harm) * 0.9
                              * (1 - w.network_reoffending_cut))
    k = CommitmentParams(0.6, 0.4, 13.0, 13.0, 0.5)
    assert [int(extension_length(k, u)) for u in (0.0, 0.5, 0.999)] == [6, 13, 19]


def test_matching_takes_the_best_free_mentor_in_referral_order() -> None:
    p = MatchingParams(load_penalty=0.1, cultural_match_weight=2.0, lived_experience_weight=1.0,
                       cultural_matching=True, lived_experience_matching=True)
    rows = np.array([0, 1, 2])
    open_matches = np.array([0, 1, 0])
    cap = np.array([1, 2, 2])
    minority = np.array([False, True, False])
    kind = np.array([0, 1, 1], dtype=np.int8)
    positions, chosen = best_mentors(np.array([True, False, False, True]), rows, open_matches,
                                     cap, minority, kind, p, 1)
    # A minority mentee: mentor 1 (shared background 2 + peer 1 - 0.1 held) wins and is
    # full. Then mentor 2 (peer, 1, then 0.9) beats mentor 0 (0) twice, up to its capacity
    # of two; the last mentee, though of the minority, gets mentor 0, the only room left.
    assert positions.tolist() == [0, 1, 2, 3] and chosen.tolist() == [1, 2, 2, 0]


def test_failure_draws_one_reason_in_proportion_to_the_hazards() -> None:
    p = FailureParams.of(P)
    n = 2000
    rows = np.arange(n)
    zeros, ones = np.zeros(n), np.ones(n)
    detail = np.arange(11)
    codes = failure_week(rows, rows, rows, np.zeros(n, dtype=np.int64), zeros, ones,
                         np.zeros(n, dtype=bool), zeros, ones, ones, np.array([0.0]),
                         np.array([0.0]), ones, zeros, p, detail, np.uint64(7), np.uint64(9))
    # Only the expectations hazard is non-zero (gap 1, quality 0): each row closes with
    # probability 1 - exp(-expectation_hazard), always for that reason.
    closes = [uniform(np.uint64(7), r) < 1 - math.exp(-p.expectation_hazard) for r in range(n)]
    assert (codes == 4).tolist() == closes and set(codes.tolist()) == {4, 10}


def test_the_compiled_draw_is_the_streams_draw() -> None:
    streams = Streams(20210626)
    streams.start_week(3)
    key = streams.key("engage")
    for index in (0, 1, 17, 2**20, 2**40):
        assert uniform(key, index) == streams.uniform("engage", index)


def test_mechanisms_write_only_the_rows_they_are_given() -> None:
    params = load_scenario("baseline", values={"run.weeks": 30}).params
    model = MentoringModel(params, 5)
    model.run_for(20)
    gone = np.flatnonzero(~model.mentors.alive[:model.mentors.size])
    assert len(gone), "some mentors should have left by week 20"
    before = model.mentors.exhaustion[gone].copy()
    model.run_for(10)
    assert np.array_equal(model.mentors.exhaustion[gone], before)


SCRIPT = """
import pandas as pd
from sim.runner import simulate
from sim.scenario import load_scenario
for name in ("baseline", "youth_justice", "paid_peer_mentors"):
    params = load_scenario(name, values={"run.weeks": 26, "programme.burn_in_weeks": 26}).params
    for table, frame in simulate(params, 3).items():
        frame.to_parquet(f"{OUT}/{name}-{table}.parquet")
"""


def test_plain_python_gives_the_same_tables(tmp_path: Path) -> None:
    outputs = {}
    for jit in ("0", "1"):
        out = tmp_path / jit
        out.mkdir()
        env = {**os.environ, "NUMBA_DISABLE_JIT": jit}
        subprocess.run([sys.executable, "-c", SCRIPT.replace("{OUT}", str(out))], env=env,
                       check=True, cwd=ROOT)
        outputs[jit] = sorted(out.iterdir())
    import pandas as pd

    assert [p.name for p in outputs["0"]] == [p.name for p in outputs["1"]]
    for compiled, plain in zip(outputs["0"], outputs["1"], strict=True):
        pd.testing.assert_frame_equal(pd.read_parquet(compiled), pd.read_parquet(plain))
