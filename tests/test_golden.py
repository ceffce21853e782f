"""The golden regression baseline: any change to the model's numbers must be deliberate
(see tests/golden.py; refresh with ``python tests/update_baseline.py``)."""

from __future__ import annotations

import json

from golden import BASELINE_FILE, current_summary, differences


def test_the_small_fixed_run_reproduces_the_committed_baseline() -> None:
    expected = json.loads(BASELINE_FILE.read_text(encoding="utf-8"))
    changed = differences(expected, current_summary())
    assert not changed, (
        f"{len(changed)} metric(s) moved from tests/baseline.json (refresh it with "
        "`python tests/update_baseline.py` only if the change is intended):\n"
        + "\n".join(changed[:40]))


def test_the_comparison_reports_each_moved_metric() -> None:
    old = {"baseline": {"a": 1.0, "b": None, "c": 2.0}}
    new = {"baseline": {"a": 1.0, "b": 0.5, "c": 2.0000001}}
    assert differences(old, new) == ["baseline.b: baseline None -> now 0.5",
                                     "baseline.c: baseline 2.0 -> now 2.0000001"]
