"""The demo's value-for-money table: reoffending, reoffences averted and their value
against the money the commissioner paid, for the demo's scenarios.

``python -m sim.value_for_money`` runs the scenarios ``mentorsim demo`` runs, on the
demo's replications and root seed, writes ``docs/records/value_for_money.json`` and the
README's table (``tests/test_doc_claims.py`` checks both).

    python -m sim.value_for_money --workers 2
"""

from __future__ import annotations

from typing import Any

from sim import claims

NAME = "value_for_money"
REFERENCE = "baseline"
# (metric, label, format: "points" (a share, in percentage points), "gbp", "count", "ratio")
ROWS = (
    ("reoffending_itt_difference", "reoffending of everyone referred, with minus without "
     "mentoring (points)", "points"),
    ("reoffences_averted", "proven reoffences averted", "count"),
    ("funding_received_gbp", "money the commissioner paid", "gbp"),
    ("total_spend_gbp", "money spent", "gbp"),
    ("funding_unspent_gbp", "money left unspent (not a saving)", "gbp"),
    ("social_cost_averted_gbp", "cost of reoffending averted", "gbp"),
    ("net_benefit_gbp", "net benefit (value minus money paid)", "gbp"),
    ("benefit_cost_ratio", "benefit-cost ratio (on money paid)", "ratio"),
    ("cost_per_commitment_reached_gbp", "spending per relationship reaching commitment",
     "gbp"),
)


def compute(reps: int, seed: int, workers: int) -> dict[str, Any]:
    """Run the demo's scenarios; the record (see the module)."""
    from sim.cli import DEMO_SCENARIOS
    from sim.params import Value
    from sim.runner import run_scenarios
    from sim.scenario import load_scenario

    names = list(DEMO_SCENARIOS)
    metrics = run_scenarios([load_scenario(n) for n in names], reps, seed, workers,
                            progress=False).metrics
    table: dict[str, dict[str, Any]] = {}
    for metric, _, _ in ROWS:
        table[metric] = {}
        for name in names:
            if name == REFERENCE:
                own = metrics[metrics["scenario"] == name][metric].astype(float)
                n = own.notna().sum()
                half = claims.spread(own.dropna().to_numpy()) if n > 1 else float("nan")
                table[metric][name] = {"value": float(own.mean()), "half_width": half}
            else:
                table[metric][name] = claims.paired(metrics, REFERENCE, name,
                                                    metric).as_json()
    value = Value.model_fields["cost_per_reoffence_gbp"]
    return {"reps": reps, "seed": seed, "scenarios": names,
            "fingerprint": claims.fingerprint(), "table": table,
            "unit_value_gbp": value.default,
            "unit_value_plausible_gbp": value.json_schema_extra["plausible"]}


def _number(value: float, kind: str, signed: bool = False) -> str:
    sign = "+" if signed else ""
    if kind == "points":
        return f"{100 * value:{sign}.1f}"
    if kind == "gbp":
        millions = value / 1e6  # literal-ok: pounds to millions
        return f"GBP {millions:{sign}.2f}m" if abs(millions) >= 1 else f"GBP {value:{sign},.0f}"
    if kind == "count":
        return f"{value:{sign}.1f}"
    return f"{value:{sign}.2f}"


def markdown(record: dict[str, Any]) -> str:
    """The README's table: the reference's value with its interval, and each option's
    value with its paired difference and interval."""
    names = record["scenarios"]
    lines = ["| | " + " | ".join(n.replace("_", " ") for n in names) + " |",
             "|---|" + "---|" * len(names)]
    for metric, label, kind in ROWS:
        cells = []
        for name in names:
            c = record["table"][metric][name]
            if name == REFERENCE:
                v, h = c["value"], c["half_width"]
                cells.append(f"{_number(v, kind)} ({_number(v - h, kind)} to "
                             f"{_number(v + h, kind)})")
            else:
                d, h = c["difference"], c["half_width"]
                cells.append(f"{_number(c['option'], kind)} ({_number(d, kind, True)}; "
                             f"{_number(d - h, kind, True)} to {_number(d + h, kind, True)})")
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    ratio = record["table"]["benefit_cost_ratio"][REFERENCE]["value"]
    unit = record["unit_value_gbp"]
    low, high = record["unit_value_plausible_gbp"]
    return "\n".join(lines) + (
        f"\n\n{record['reps']} paired replications (root seed {record['seed']}), 260 weeks; "
        f"each option's value, then its difference from `{REFERENCE}` with the 95% "
        "interval of the paired difference (Monte Carlo only). The value rests on the "
        f"unit value, GBP {unit:,.0f} a proven reoffence (evidence grade C): across its "
        f"plausible range, GBP {low:,.0f}-{high:,.0f}, the `{REFERENCE}`'s benefit-cost ratio "
        f"would be {ratio * low / unit:.1f}-{ratio * high / unit:.1f}. Written by `python -m "
        "sim.value_for_money`.\n")


def main(argv: list[str] | None = None) -> int:
    """Compute the record and write it and the table in README.md."""
    return claims.run_script(NAME, "README.md", __doc__.splitlines()[0], compute, markdown, 20,
                             argv)


if __name__ == "__main__":
    raise SystemExit(main())
