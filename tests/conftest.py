"""Shared fixtures."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def small_run_dir(tmp_path_factory: pytest.TempPathFactory):
    """A real results folder from a small two-scenario CLI run (shared by several tests)."""
    from sim.cli import main

    out = tmp_path_factory.mktemp("runs") / "compare"
    code = main(["run", "baseline", "long_term_investment", "--reps", "3", "--weeks", "104",
                 "--workers", "1", "--out", str(out), "--no-dashboard"])
    assert code == 0
    return out
