"""No dead mechanisms: every way a relationship can fail happens in some bundled scenario,
and formal extensions vary in length."""

from __future__ import annotations

import numpy as np

from sim.relationship import ENDINGS, CommitmentParams, extension_length
from sim.rng import replication_seeds
from sim.runner import simulate
from sim.scenario import bundled_names, load_scenario

SEED = replication_seeds(31, 1)[0]


def test_every_failure_mechanism_fires_in_some_bundled_scenario() -> None:
    seen: dict[tuple[str, str], str] = {}
    for name in bundled_names():
        if name == "national":  # twelve baselines: adds nothing the baseline lacks
            continue
        matches = simulate(load_scenario(name).params, SEED)["matches"]
        for reason, detail in zip(matches["closure_reason"].astype(str),
                                  matches["closure_detail"].astype(str), strict=True):
            seen.setdefault((reason, detail), name)
    failures = [ending for ending in ENDINGS if ending[0] != "completed"]
    dead = [f"{reason} ({detail})" for reason, detail in failures if (reason, detail) not in seen]
    assert not dead, f"failure mechanisms that never fire in a bundled scenario: {dead}"
    unpaid = simulate(load_scenario("unpaid_support_staff").params, SEED)["matches"]
    assert (unpaid["closure_detail"] == "overload").sum() > 0, (
        "extra-role tasks overload mentors")


def test_formal_extensions_vary_in_length() -> None:
    def lengths(spread: float, draws: np.ndarray) -> np.ndarray:
        p = CommitmentParams(0.0, 0.0, 0.0, 13.0, spread)
        return np.array([extension_length(p, float(u)) for u in draws])

    spread = lengths(0.5, np.linspace(0.0, 0.999, 1000))
    assert spread.min() == 6 and spread.max() == 19 and len(set(spread.tolist())) == 14
    assert lengths(0.0, np.array([0.1, 0.9])).tolist() == [13, 13]
    matches = simulate(load_scenario("baseline").params, SEED)["matches"]
    extended = matches[matches["extensions"] > 0]
    assert len(extended) > 5
