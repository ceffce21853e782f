"""Refresh the golden regression baseline (tests/baseline.json) from the current code.

Run it only when a change is meant to move the model's numbers; the diff it prints is what
the commit should explain.

    python tests/update_baseline.py
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from golden import BASELINE_FILE, current_summary, differences, write  # noqa: E402


def main() -> int:
    summary = current_summary()
    old = json.loads(BASELINE_FILE.read_text()) if BASELINE_FILE.exists() else {}
    changed = differences(old, summary)
    write(summary)
    print("\n".join(changed) if changed else "no metric moved")
    print(f"wrote {BASELINE_FILE} ({len(changed)} values changed)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
