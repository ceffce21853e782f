"""The compiled kernels (sim.kernels) give exactly the numpy mechanisms' tables.

Both engines run the same scenarios and seeds in this process and every table must be
equal bit for bit; the compiled random draw must be ``Streams.uniform``; the engine switch
must follow ``MENTORSIM_KERNELS`` and the number of runs a process expects or starts.
"""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from sim import kernels
from sim.errors import UserError
from sim.model import MentoringModel
from sim.rng import Streams
from sim.scenario import load_scenario

pytest.importorskip("numba")

# Scenarios that between them use every kernel's branches: burnout and relapse, recalls,
# informal continuation, family engagement, youth justice's family multiplier, a
# reorganisation, paid peer mentors, closures and bridging between grants.
CASES = [
    ("baseline", {}),
    ("youth_justice", {"support.family_engagement": True}),
    ("reorganisation_shock", {}),
    ("paid_peer_mentors", {"matching.lived_experience_matching": True}),
    ("stop_start_grants", {"funding.gap_policy": "skeleton"}),
    ("prison_leavers", {"programme.start": "new"}),
]


@pytest.fixture
def engine():
    """Switch engines inside a test and restore the process's engine after it."""
    before = kernels.engine()
    yield kernels.use
    kernels.use(before)


def _tables(name: str, values: dict, seed: int) -> dict[str, pd.DataFrame]:
    params = load_scenario(name, values={"run.weeks": 156, **values}).params
    model = MentoringModel(params, seed)
    model.run_for(params.run.weeks)
    model.finish()
    return {**model.tables(), "metrics": pd.DataFrame([model.run_metrics])}


@pytest.mark.parametrize(("name", "values"), [  # the fast lane checks the baseline
    pytest.param(*case, id=case[0], marks=() if case[0] == "baseline" else pytest.mark.slow)
    for case in CASES])
def test_both_engines_give_identical_tables(engine, name: str, values: dict) -> None:
    for seed in (3, 11):
        engine("numpy")
        expected = _tables(name, values, seed)
        engine("numba")
        got = _tables(name, values, seed)
        assert kernels.engine() == "numba"
        for table, frame in expected.items():
            pd.testing.assert_frame_equal(got[table], frame, check_exact=True,
                                          obj=f"{name} seed {seed} {table}")


def test_the_compiled_draw_is_the_streams_draw(engine) -> None:
    engine("numba")
    from sim import kernels as compiled_module

    streams = Streams(2024)
    for week in (-103, 0, 1, 519):
        streams.start_week(week)
        key = streams.key("engage")
        for index in (0, 1, 7, 10**6, 2**40 + 3):
            assert compiled_module.uniform(key, index) == streams.uniform("engage", index)


def test_the_engine_follows_the_environment(monkeypatch) -> None:
    monkeypatch.setenv("MENTORSIM_KERNELS", "fortran")
    with pytest.raises(UserError, match=r"MENTORSIM_KERNELS='fortran' is not an engine: "
                                        r"use one of numpy, numba, auto"):
        kernels.requested()
    monkeypatch.setenv("MENTORSIM_KERNELS", "NumPy ")
    assert kernels.requested() == "numpy"
    monkeypatch.delenv("MENTORSIM_KERNELS")
    assert kernels.requested() == "auto"


def test_auto_switches_once_a_process_is_asked_for_several_runs(monkeypatch) -> None:
    monkeypatch.setattr(kernels, "_active", False)
    monkeypatch.setattr(kernels, "_expected", 0)
    monkeypatch.setattr(kernels, "_started", 0)
    monkeypatch.delenv("MENTORSIM_KERNELS", raising=False)
    for _ in range(kernels.KERNEL_MIN_RUNS - 1):
        kernels.run_started()
        assert kernels.engine() == "numpy"
    kernels.run_started()
    assert kernels.engine() == "numba"
    monkeypatch.setattr(kernels, "_active", False)
    monkeypatch.setattr(kernels, "_started", 0)
    monkeypatch.setenv("MENTORSIM_KERNELS", "numpy")
    kernels.expect(100)
    assert kernels.engine() == "numpy"


def test_a_bad_engine_is_a_clear_error_from_the_cli() -> None:
    done = subprocess.run([sys.executable, "-m", "sim", "validate", "baseline"],
                          capture_output=True, text=True,
                          env={**_env(), "MENTORSIM_KERNELS": "gpu"}, check=False)
    assert done.returncode == 2
    assert done.stderr.strip() == ("error: environment variable MENTORSIM_KERNELS='gpu' is "
                                   "not an engine: use one of numpy, numba, auto (auto when "
                                   "unset)")


def test_kernels_write_only_the_rows_they_are_given(engine) -> None:
    # A kernel indexes whole columns through ``rows``: rows it is not given keep their state.
    engine("numba")
    params = load_scenario("baseline", values={"run.weeks": 30}).params
    model = MentoringModel(params, 5)
    model.run_for(20)
    gone = np.flatnonzero(~model.mentors.alive[:model.mentors.size])
    assert len(gone), "some mentors should have left by week 20"
    before = model.mentors.exhaustion[gone].copy()
    model.run_for(10)
    assert np.array_equal(model.mentors.exhaustion[gone], before)


def _env() -> dict[str, str]:
    import os

    return {k: v for k, v in os.environ.items() if k != "MENTORSIM_KERNELS"}


def test_a_serial_batch_is_counted_once(monkeypatch) -> None:
    # Saying how many runs to expect and then starting them counts each run once: a
    # two-run command stays on numpy (numba's start-up would not be won back).
    monkeypatch.setattr(kernels, "_active", False)
    monkeypatch.setattr(kernels, "_expected", 0)
    monkeypatch.setattr(kernels, "_started", 0)
    monkeypatch.delenv("MENTORSIM_KERNELS", raising=False)
    kernels.expect(2)
    kernels.run_started()
    kernels.run_started()
    assert kernels.engine() == "numpy"
    kernels.expect(kernels.KERNEL_MIN_RUNS)
    assert kernels.engine() == "numba"
