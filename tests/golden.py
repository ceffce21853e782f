"""The golden regression baseline: the summary of one small, fixed run.

``tests/baseline.json`` holds the mean of every metric over a small run (the scenarios
below, 3 replications x 104 weeks, root seed 2021). ``tests/test_golden.py`` reruns it and
fails with a per-metric diff when any number moves. Only a deliberate refresh changes the
file, after a change whose effect on the numbers is intended and explained in its commit:

    python tests/update_baseline.py
"""

from __future__ import annotations

import json
import math
from pathlib import Path

from sim.runner import run_scenarios
from sim.scenario import load_scenario

BASELINE_FILE = Path(__file__).with_name("baseline.json")
SCENARIOS = ("baseline", "stop_start_grants")  # one steady programme, one with cliffs
REPLICATIONS = 3
WEEKS = 104
ROOT_SEED = 2021


def current_summary() -> dict[str, dict[str, float | None]]:
    """``{scenario: {metric: mean over replications}}`` of the golden run (None for NaN)."""
    scenarios = [load_scenario(name, [], {"weeks": WEEKS}) for name in SCENARIOS]
    results = run_scenarios(scenarios, REPLICATIONS, ROOT_SEED, workers=1, progress=False)
    means = results.metrics.drop(columns="replication").groupby("scenario").mean()
    return {name: {metric: (None if math.isnan(v) else float(v))
                   for metric, v in means.loc[name].items()} for name in SCENARIOS}


def differences(expected: dict, actual: dict, rel: float = 1e-9) -> list[str]:
    """One line per metric whose value moved (or appeared or disappeared)."""
    lines = []
    for scenario in sorted(set(expected) | set(actual)):
        old, new = expected.get(scenario, {}), actual.get(scenario, {})
        for metric in sorted(set(old) | set(new)):
            a, b = old.get(metric, "absent"), new.get(metric, "absent")
            if a == b:
                continue
            if isinstance(a, float) and isinstance(b, float) and math.isclose(
                    a, b, rel_tol=rel, abs_tol=1e-12):
                continue
            lines.append(f"{scenario}.{metric}: baseline {a} -> now {b}")
    return lines


def write(summary: dict) -> None:
    """Write the baseline file (sorted keys, so a refresh diffs cleanly)."""
    BASELINE_FILE.write_text(json.dumps(summary, indent=1, sort_keys=True) + "\n",
                             encoding="utf-8")
