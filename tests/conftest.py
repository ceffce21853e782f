"""Shared fixtures."""

from __future__ import annotations

import os
import signal

import pytest

from pairing import RUN_CACHE_ENV


@pytest.fixture(scope="session", autouse=True)
def shared_run_cache(tmp_path_factory: pytest.TempPathFactory):
    """One folder per test session for runs every xdist worker can reuse (pairing.py).

    Under xdist each worker's temporary folder sits inside the session's, so the parent is
    shared by the workers of this session and by no other session."""
    base = tmp_path_factory.getbasetemp()
    folder = (base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base) / "model-runs"
    folder.mkdir(exist_ok=True)
    os.environ[RUN_CACHE_ENV] = str(folder)
    yield folder
    os.environ.pop(RUN_CACHE_ENV, None)


@pytest.fixture(autouse=True)
def sigint_restored():
    """Each test starts and ends with this process's Ctrl-C handling as it was.

    ``sim.cli.main`` run in-process and interrupted ignores a second Ctrl-C from then on
    (what a real process wants while it winds down); left so, every later subprocess of
    this test worker would inherit the ignored SIGINT, and a test that stops one with
    Ctrl-C (the studio's) would wait for ever.
    """
    before = signal.getsignal(signal.SIGINT)
    yield
    signal.signal(signal.SIGINT, before)


@pytest.fixture(scope="session")
def small_run_dir(tmp_path_factory: pytest.TempPathFactory):
    """A real results folder from a small two-scenario CLI run (shared by several tests)."""
    from sim.cli import main

    out = tmp_path_factory.mktemp("runs") / "compare"
    code = main(["run", "baseline", "long_term_investment", "--reps", "3", "--weeks", "104",
                 "--workers", "1", "--out", str(out), "--no-dashboard"])
    assert code == 0
    return out


# The fast lane (`pytest -m "not slow"`) leaves out tests that take many seconds. Most are
# marked where they are written; these are marked here: every browser test (headless
# Chromium pages), and the tests of the printed report and dashboards that build a real
# results folder first.
SLOW_TESTS = frozenset({
    "test_demo_output_fits_80_columns",
    "test_first_line_is_printed_before_the_model_and_data_stack_load",
    "test_real_results_folder_builds_the_comparison_page",
})


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        name = getattr(item, "originalname", item.name)
        if item.get_closest_marker("browser") or name in SLOW_TESTS:
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="session", autouse=True)
def throughput_cache(tmp_path_factory: pytest.TempPathFactory):
    """Runs record what they took (sim.progress.record_run) in a folder of this session,
    never in the user's own cache."""
    folder = tmp_path_factory.mktemp("mentorsim-cache")
    before = os.environ.get("MENTORSIM_CACHE")
    os.environ["MENTORSIM_CACHE"] = str(folder)
    yield folder
    if before is None:
        os.environ.pop("MENTORSIM_CACHE", None)
    else:
        os.environ["MENTORSIM_CACHE"] = before
