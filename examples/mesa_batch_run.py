"""Vary a lever with Mesa's own batch_run and compare on paired seeds.

    python examples/mesa_batch_run.py

Each row batch_run returns is one run's last week, with every metric of
``mentorsim metrics``; the same seeds run under every lever value (common random
numbers), so differences are paired.
"""

from __future__ import annotations

import mesa
import pandas as pd

from sim.model import MentoringModel

if __name__ == "__main__":  # batch_run may start processes: guard the entry point
    rows = mesa.batch_run(
        MentoringModel,
        {"supervision__sessions_per_month": [0, 1, 2], "run__weeks": 104},
        rng=[1, 2, 3],
        max_steps=1_000,
        number_processes=1,
        display_progress=False,
    )
    frame = pd.DataFrame(rows)
    table = frame.pivot_table(index="seed", columns="supervision__sessions_per_month",
                              values="mentor_burnout_prevalence")
    print("Share of mentors burnt out, by seed (rows) and sessions a month (columns):")
    print(table.round(3).to_string())
    print("\nPaired difference, 2 sessions minus none, mean over seeds:",
          round(float((table[2] - table[0]).mean()), 3))
