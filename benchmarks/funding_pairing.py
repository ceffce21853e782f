"""How much common random numbers help the funding comparison.

Runs ``baseline`` and each funding scenario on the same replication seeds and prints, per
metric, the correlation across replications between the baseline's value and the
scenario's, with the standard error of the paired difference against that of an unpaired
one. Renewal decisions and gap lengths are drawn per (agency, grant number) and referrals
arrive whatever the programme's state, so replication k meets the same renewals and the
same people in every scenario; a correlation near 1 means a paired comparison needs far
fewer replications. Target for premature closure: r >= 0.6.

The last row per scenario splits premature closure: without the relationships a
programme closure ends, relationship-level causes pair well with the baseline; the
closures at the baseline's own funding cliffs (renewal luck that a five-year grant never
meets) are what a paired comparison cannot line up, and they bound r for
``long_term_investment``.

    python benchmarks/funding_pairing.py --reps 20 --workers 2
"""

from __future__ import annotations

import argparse

import numpy as np

from sim.runner import run_scenarios
from sim.scenario import load_scenario

FUNDING = ("long_term_investment", "stop_start_grants")
METRICS = ("premature_closure_rate", "abandonment_per_100_match_years",
           "mentor_burnout_prevalence", "median_match_weeks")
WITHOUT_CLOSURES = "premature_closure_not_programme_closed"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=20)
    parser.add_argument("--seed", type=int, default=20210626)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    scenarios = [load_scenario(name) for name in ("baseline", *FUNDING)]
    results = run_scenarios(scenarios, args.reps, args.seed, args.workers, progress=False)
    metrics = results.metrics.copy()
    # Premature closure without the relationships a programme closure ended.
    metrics[WITHOUT_CLOSURES] = (metrics["premature_closure_rate"]
                                 - metrics["closure_share_programme_closed"])
    base = metrics[metrics["scenario"] == "baseline"].set_index("replication").sort_index()
    print(f"{args.reps} paired replications, root seed {args.seed}")
    print(f"{'scenario':<22} {'metric':<40} {'r':>6} {'se paired':>10} {'se unpaired':>12}")
    for name in FUNDING:
        other = metrics[metrics["scenario"] == name].set_index("replication").sort_index()
        for metric in (*METRICS, WITHOUT_CLOSURES):
            a = base[metric].to_numpy(dtype=float)
            b = other[metric].to_numpy(dtype=float)
            r = float(np.corrcoef(a, b)[0, 1])
            paired = float(np.std(b - a, ddof=1) / np.sqrt(len(a)))
            unpaired = float(np.sqrt((np.var(a, ddof=1) + np.var(b, ddof=1)) / len(a)))
            print(f"{name:<22} {metric:<40} {r:>6.2f} {paired:>10.4f} {unpaired:>12.4f}")


if __name__ == "__main__":
    main()
