"""The funding answer: one five-year grant against stop-start grants, at three budgets and
under both payment rules, with the money paid, spent and left unspent beside each.

``python -m sim.funding_answer`` runs ``long_term_investment`` and ``stop_start_grants``
(and the ``baseline`` for the money) on paired seeds at 75%, 100% and 150% of the
baseline's budget under ``same_annual_rate`` and ``same_pot``, and, over the budget's
plausible range, how often money binds; it writes ``docs/records/funding_answer.json``
and the README's table (``tests/test_funding_answer.py`` checks both).

    python -m sim.funding_answer --reps 12 --workers 2
"""

from __future__ import annotations

import dataclasses
from typing import Any

from sim import claims

NAME = "funding_answer"
LONG, SHORT = "long_term_investment", "stop_start_grants"
SCENARIOS = ("baseline", LONG, SHORT)
BUDGET_SHARES = (0.75, 1.0, 1.5)  # literal-ok: the three budget levels the answer is given at
RULES = ("same_annual_rate", "same_pot")
OUTCOMES = ("premature_closure_not_programme_rate", "abandonment_rate",
            "burnout_incidence_per_100_mentor_years", "mentor_burnout_prevalence")
MONEY = ("funding_received_gbp", "total_spend_gbp", "funding_unspent_share")
# How often money binds over the budget's plausible range: this many budgets spread evenly
# (a Latin-hypercube sample of one factor), each run this many times on the baseline.
BINDING_BUDGETS, BINDING_REPS = 20, 3  # literal-ok: the size of a check, not behaviour
MOST = 0.5  # literal-ok: money "binds" when it holds the offer back in most funded weeks


def _label(rule: str, budget: float, scenario: str) -> str:
    return f"{rule}|{budget:.0f}|{scenario}"


def compute(reps: int, seed: int, workers: int) -> dict[str, Any]:
    """Run the comparisons; the record (see the module)."""
    import numpy as np
    from scipy.stats import qmc

    from sim.params import Funding
    from sim.runner import run_scenarios
    from sim.scenario import load_scenario

    base = load_scenario("baseline").params.funding.annual_budget_gbp
    budgets = [base * share for share in BUDGET_SHARES]
    runs = [dataclasses.replace(
        load_scenario(name, [f"funding.annual_budget_gbp={budget}",
                             f"funding.payment_rule='{rule}'"]),
        name=_label(rule, budget, name))
        for rule in RULES for budget in budgets for name in SCENARIOS]
    metrics = run_scenarios(runs, reps, seed, workers, progress=False).metrics
    answer = []
    for rule in RULES:
        for budget in budgets:
            row: dict[str, Any] = {"rule": rule, "budget_gbp": budget, "effects": {},
                                   "money": {}}
            for metric in OUTCOMES:
                row["effects"][metric] = claims.paired(
                    metrics, _label(rule, budget, SHORT), _label(rule, budget, LONG),
                    metric).as_json()
            for name in SCENARIOS:
                own = metrics[metrics["scenario"] == _label(rule, budget, name)]
                row["money"][name] = {m: float(own[m].mean()) for m in MONEY}
            answer.append(row)
    low, high = Funding.model_fields["annual_budget_gbp"].json_schema_extra["plausible"]
    unit = qmc.LatinHypercube(d=1, seed=seed).random(BINDING_BUDGETS)[:, 0]
    sampled = sorted(float(low + (high - low) * u) for u in unit)
    plausible = [dataclasses.replace(
        load_scenario("baseline", [f"funding.annual_budget_gbp={b}"]), name=f"plausible|{b:.0f}")
        for b in sampled]
    bound = run_scenarios(plausible, BINDING_REPS, seed, workers, progress=False).metrics
    binding = []
    for b in sampled:
        own = bound[bound["scenario"] == f"plausible|{b:.0f}"]
        binding.append({"budget_gbp": b,
                        "money_bound_share": float(own["money_bound_share"].mean()),
                        "funding_unspent_share": float(own["funding_unspent_share"].mean())})
    share = float(np.mean([x["money_bound_share"] >= MOST for x in binding]))
    return {"reps": reps, "seed": seed, "fingerprint": claims.fingerprint(), "answer": answer,
            "binding": binding, "binds_share": share,
            "binding_reps": BINDING_REPS, "plausible_gbp": [low, high]}


def _points(p: dict[str, float], scale: float = 100.0) -> str:
    return (f"{scale * p['difference']:+.1f} ({scale * (p['difference'] - p['half_width']):+.1f}"
            f" to {scale * (p['difference'] + p['half_width']):+.1f})")


def _money(m: dict[str, float]) -> str:
    return (f"GBP {m['funding_received_gbp'] / 1000:,.0f}k / {m['total_spend_gbp'] / 1000:,.0f}k"
            f" / {100 * m['funding_unspent_share']:.0f}%")


def markdown(record: dict[str, Any]) -> str:
    """The README's table and the binding line."""
    lines = ["| budget a year | payment rule | early endings, programme closures aside "
             "(points) | abandoned (points) | new burnout episodes per 100 mentor-years | "
             "burnt out at a time (points) | money paid / spent / unspent: five-year grant "
             "| the same: stop-start |", "|---|---|---|---|---|---|---|---|"]
    for row in record["answer"]:
        e = row["effects"]
        lines.append(
            f"| GBP {row['budget_gbp'] / 1000:,.0f}k | `{row['rule']}` | "
            f"{_points(e['premature_closure_not_programme_rate'])} | "
            f"{_points(e['abandonment_rate'])} | "
            f"{_points(e['burnout_incidence_per_100_mentor_years'], 1.0)} | "
            f"{_points(e['mentor_burnout_prevalence'])} | {_money(row['money'][LONG])} | "
            f"{_money(row['money'][SHORT])} |")
    low, high = record["plausible_gbp"]
    binds = sum(x["money_bound_share"] >= MOST for x in record["binding"])
    unspent = max(x["funding_unspent_share"] for x in record["binding"])
    lines += ["", f"Each cell: the five-year grant minus stop-start grants, {record['reps']} "
              f"paired replications (root seed {record['seed']}), 95% interval (Monte Carlo "
              "only); negative favours the five-year grant. Written by `python -m "
              "sim.funding_answer`.", "",
              f"Money binds (holds the baseline's offer back in at least half its funded "
              f"weeks) at {binds} of {len(record['binding'])} budgets spread over the "
              f"plausible range GBP {low / 1000:,.0f}k-{high / 1000:,.0f}k a year "
              f"({record['binding_reps']} replications each); the most left unspent at any "
              f"of them is {100 * unspent:.0f}% of the money paid."]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Compute the record and write it and the table in README.md."""
    return claims.run_script(NAME, "README.md", __doc__.splitlines()[0], compute, markdown, 12,
                             argv)


if __name__ == "__main__":
    raise SystemExit(main())
