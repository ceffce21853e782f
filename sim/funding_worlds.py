"""The funding answer across plausible worlds: one five-year grant against stop-start grants
in every stored world, under both payment rules.

``python -m sim.funding_worlds`` runs ``stop_start_grants`` (the reference) and
``long_term_investment`` at the baseline's budget in each plausible world
(:mod:`sim.worlds`, :func:`sim.across_worlds.compare`) under ``same_annual_rate`` and
``same_pot``; it writes ``docs/records/funding_worlds.json`` and the README's table
(``tests/test_doc_claims.py`` checks both): for each outcome, in how many worlds the
five-year grant is better, worse or not clearly different, the effect over worlds, what
it depends on most (with the evidence grade of that parameter) and where it reverses.

    python -m sim.funding_worlds --reps 3 --workers 2
"""

from __future__ import annotations

import math
from typing import Any

from sim import claims

NAME = "funding_worlds"
REFERENCE, OPTION = "stop_start_grants", "long_term_investment"
RULES = ("same_annual_rate", "same_pot")
OUTCOMES = ("premature_closure_not_programme_rate", "abandonment_rate",
            "burnout_incidence_per_100_mentor_years", "mentor_burnout_prevalence",
            "reoffending_itt_difference")
SCALE = {"burnout_incidence_per_100_mentor_years": 1.0}  # literal-ok: others are shares
POINTS = 100.0  # literal-ok: shares are given in points per 100


def compute(reps: int, seed: int, workers: int) -> dict[str, Any]:
    """Run both options in every stored world under both rules; the record."""
    from sim.across_worlds import compare
    from sim.scenario import load_scenario
    from sim.worlds import load_worlds

    worlds = len(load_worlds())
    rows = []
    for rule in RULES:
        options = [load_scenario(name, [f"funding.payment_rule='{rule}'"],
                                 {"seed": seed}) for name in (REFERENCE, OPTION)]
        table = compare(options, worlds, reps, seed, workers, progress=False,
                        outcomes=OUTCOMES)
        for row in table.to_dict("records"):
            rows.append({"rule": rule, **{k: (None if isinstance(v, float) and math.isnan(v)
                                              else v) for k, v in row.items()}})
    return {"reps": reps, "seed": seed, "worlds": worlds, "fingerprint": claims.fingerprint(),
            "rows": rows}


def _rare(row: dict[str, Any]) -> int:
    """Worlds whose verdict is not the most common one (what a box describes)."""
    shares = (row["better_share"], row["worse_share"], row["unclear_share"])
    return row["worlds"] - round(max(shares) * row["worlds"])


def _n(value: float | None, metric: str) -> str:
    if value is None:
        return "n/a"
    return f"{value * SCALE.get(metric, POINTS):+.1f}"


def markdown(record: dict[str, Any]) -> str:
    """The README's table across worlds."""
    from sim.across_worlds import BOX_MIN_CASES, CLEAR_P
    from sim.metrics import METRICS

    n = record["worlds"]
    lines = ["| payment rule | outcome | five-year grant better / worse / unclear (worlds) | "
             "difference: mean (95% of worlds) | depends most on (evidence) | reverses at |",
             "|---|---|---|---|---|---|"]
    for row in record["rows"]:
        metric = row["metric"]
        counts = " / ".join(str(round(row[k] * row["worlds"])) for k in
                            ("better_share", "worse_share", "unclear_share"))
        driver = "none clear"
        if row["driver_1"] and row["driver_1_p"] is not None and row["driver_1_p"] < CLEAR_P:
            driver = (f"`{row['driver_1']}` ({row['driver_1_grade']}; rank correlation "
                      f"{row['driver_1_rho']:+.2f})")
        elif row["driver_1"]:
            driver = f"none clear (strongest `{row['driver_1']}`, {row['driver_1_rho']:+.2f})"
        switch = (f"`{row['switching_parameter']}` at {row['switching_value']:.3g}"
                  if row["switching_parameter"] else "not within its plausible range")
        lines.append(f"| `{row['rule']}` | {METRICS[metric].label} | {counts} | "
                     f"{_n(row['effect'], metric)} ({_n(row['worlds_low'], metric)} to "
                     f"{_n(row['worlds_high'], metric)}) | {driver} | {switch} |")
    lines += ["", f"Each row: the five-year grant (`{OPTION}`) minus stop-start grants "
              f"(`{REFERENCE}`) in each of {n} plausible worlds "
              "(`scenarios/calibration/worlds.csv`), "
              f"{record['reps']} paired replications per world (root seed {record['seed']}); "
              "points per 100 for shares, episodes per 100 mentor-years for burnout "
              "incidence; negative favours the five-year grant on every row. A world counts as "
              "better or worse when the 95% interval of its mean difference (replication "
              "variance pooled over worlds) is clear of zero. Renewal chances are the "
              "options' own (0.9 and 0.4), not drawn. Written by `python -m "
              "sim.funding_worlds`."]
    boxes = [f"- `{r['rule']}`, {r['metric']}: {r['box']} (coverage {r['box_coverage']:.2f}, "
             f"density {r['box_density']:.2f})" for r in record["rows"]
             if r.get("box") and _rare(r) >= BOX_MIN_CASES]
    lines += ["", f"Scenario discovery (PRIM, boxes in at most three parameters, sought where "
              f"at least {BOX_MIN_CASES} worlds differ from the most common verdict):", "",
              *(boxes or ["- no clear box: where the answer differs, no few parameters "
                          "say where"])]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Compute the record and write it and the table in README.md."""
    return claims.run_script(NAME, "README.md", __doc__.splitlines()[0], compute, markdown, 3,
                             argv)


if __name__ == "__main__":
    raise SystemExit(main())
