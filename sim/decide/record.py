"""The bundled decision's answer as a record, and the README's and docs/decide.md's words
for it.

``python -m sim.decide.record`` runs ``mentorsim decide adult_probation_budget`` (about 6
minutes on 2 cores; ``--stages DIR`` keeps or resumes its runs), writes
``docs/records/decision.json`` and puts the answer between the ``decision`` markers of
README.md and the ``decision_example`` markers of docs/decide.md
(``tests/test_doc_claims.py`` checks all three against each other and the model's
fingerprint).

    python -m sim.decide.record --workers 2
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path
from typing import Any

from sim import claims

NAME, EXAMPLE, SPEC = "decision", "decision_example", "adult_probation_budget"


def compute(workers: int, stages: Path | None = None) -> dict[str, Any]:
    """Run the bundled decision; the record (the numbers the documents quote)."""
    from sim.decide.decision import TODAY, run_decision
    from sim.decide.spec import load_decision

    decision = load_decision(SPEC)
    with tempfile.TemporaryDirectory() as tmp:
        folder = stages or Path(tmp) / "runs"
        result = run_decision(decision, folder, workers, resume=stages is not None,
                              progress=False)
    rob = result.robustness.set_index("option")
    options = {o.name: o for o in result.options}
    chosen = result.answer["recommended"]
    best, today = options[chosen], options[f"{TODAY}@1"]

    def allocation(name: str) -> dict[str, Any]:
        a = options[name].allocation
        return {"mentors": a.mentors, "coordinators_fte": a.coordinators_fte,
                "supervisors_fte": a.supervisors_fte, "planned_gbp": round(a.planned_gbp),
                "levers": [[k, v] for k, v in a.levers.items()]}  # in the spec's order

    return {
        "fingerprint": claims.fingerprint(), "spec": SPEC, "seed": decision.seed,
        "worlds": len(result.worlds), "runs": result.run_count,
        "minutes": round(result.simulated_s / 60, 1),
        "recommended": chosen, "allocation": allocation(chosen),
        "today": allocation(f"{TODAY}@1"),
        "versus_today": result.answer["versus_today"],
        "objectives": list(decision.objectives),
        "means": {name: {m: float(rob.loc[name, f"mean:{m}"]) for m in decision.objectives}
                  for name in (chosen, f"{TODAY}@1")},
        "satisficing": {name: float(rob.loc[name, "satisficing"])
                        for name in (chosen, f"{TODAY}@1")},
        "regret": {"mean": float(rob.loc[chosen, "regret_mean"]),
                   "p90": float(rob.loc[chosen, "regret_p90"])},
        "low_percentile": float(rob.loc[chosen, "low_percentile"]),
        "what_would_change": result.answer["what_would_change"],
        "least_money": result.answer["least_money"], "evpi": result.answer["evpi"],
        "evppi": result.evppi.sort_values("evppi_gbp", ascending=False).to_dict("records"),
        "curve": result.curve.to_dict("records"),
        "grant_years": {"recommended": best.params_value("funding.grant_term_years"),
                        "today": today.params_value("funding.grant_term_years")},
    }


def _pts(x: float) -> str:
    return f"{100 * x:+.1f}".replace("-", "−")


def readme(r: dict[str, Any]) -> str:
    """The README's paragraph."""
    a, t, v = r["allocation"], r["today"], r["versus_today"]
    if not v:
        return (f"The bundled decision ({r['runs']:,} runs, about {r['minutes']:.0f} minutes "
                "on 2 cores) finds no allocation that beats today's once re-run in every "
                "world.\n")
    better = round(v["worlds_better_share"] * r["worlds"])
    years = r["grant_years"]
    return (f"The bundled decision ({r['runs']:,} runs, about {r['minutes']:.0f} minutes on 2 "
            f"cores) recommends {a['mentors']} mentors on {years['recommended']:g}-year "
            f"grants over today's {t['mentors']} on {years['today']:g}-year grants: "
            f"abandonment {_pts(v['difference'])} points (better in {better} of "
            f"{r['worlds']} worlds), meeting the planner's thresholds in "
            f"{100 * r['satisficing'][r['recommended']]:.0f}% of worlds against today's "
            f"{100 * r['satisficing']['today@1']:.0f}%, under the model's stated "
            "assumptions.\n")


def example(r: dict[str, Any]) -> str:
    """docs/decide.md's worked example (numbers only; the prose around it is the doc's)."""
    a, t, v = r["allocation"], r["today"], r["versus_today"]
    lever_text = ", ".join(f"`{k}` = {val:g}" if isinstance(val, int | float) else
                           f"`{k}` = {val}" for k, val in a["levers"])
    means = r["means"]
    rows = [f"- **Run**: {r['runs']:,} runs across {r['worlds']} worlds in about "
            f"{r['minutes']:.0f} minutes on 2 cores (root seed {r['seed']}).",
            f"- **Recommended** (`{r['recommended']}`): {a['mentors']} mentors, "
            f"{a['coordinators_fte']:g} coordinator and {a['supervisors_fte']:g} supervisor "
            f"posts, £{a['planned_gbp']:,} planned a year; {lever_text}. Today: "
            f"{t['mentors']} mentors, {t['coordinators_fte']:g} and {t['supervisors_fte']:g} "
            f"posts, £{t['planned_gbp']:,}."]
    if v:
        rows.append(
            f"- **Against today on the same budget**: abandonment {_pts(v['difference'])} "
            f"points (Monte Carlo 95% interval {_pts(v['mc_low'])} to {_pts(v['mc_high'])}; "
            f"95% of worlds {_pts(v['worlds_low'])} to {_pts(v['worlds_high'])}; same sign "
            f"in {100 * v['worlds_better_share']:.0f}% of worlds).")
    rows.append("- **Objectives, mean over worlds** (recommended / today): " + "; ".join(
        f"`{m}` {means[r['recommended']][m]:.4g} / {means['today@1'][m]:.4g}"
        for m in r["objectives"]) + ".")
    rows.append(f"- **Robustness**: thresholds met in "
                f"{100 * r['satisficing'][r['recommended']]:.0f}% of worlds (today "
                f"{100 * r['satisficing']['today@1']:.0f}%); regret {r['regret']['mean']:.3f} "
                f"on average, {r['regret']['p90']:.3f} at the 90th percentile; abandonment "
                f"{r['low_percentile']:.3f} in the worst tenth of worlds.")
    change = r["what_would_change"]
    drivers = "; ".join(f"`{d['parameter']}` ({d['grade']}; rank correlation "
                        f"{d['rho']:+.2f}, p = {d['p']:.2g})" for d in change["drivers"])
    switch = change.get("switching")
    rows.append("- **What would change it**: the advantage varies with " + (drivers or "none")
                + (f"; it reverses where `{switch['parameter']}` passes {switch['value']:.4g}"
                   if switch else "; none reverses it within its plausible range")
                + (f"; it fails mainly where {change['box']['text']}" if change.get("box")
                   else "") + ".")
    lm = r["least_money"]
    if lm:
        rows.append(f"- **Least money**: £{lm['annual_budget_gbp']:,.0f} a year "
                    f"({lm['budget_multiple']:.2f} × today's); thresholds "
                    f"{'met' if lm['meets_on_average'] else 'not met'} on average, in "
                    f"{100 * lm['satisficing']:.0f}% of worlds.")
    curve = "; ".join(f"£{c['annual_budget_gbp']:,.0f}: today {c['today_mean']:.3f}, "
                      f"emulator's best {c.get('best_mean', float('nan')):.3f}"
                      for c in r["curve"])
    rows.append(f"- **Budget and outcome** (abandonment): {curve}.")
    e = r["evpi"]
    if e:
        top = r["evppi"][:3]
        rows.append(f"- **Evidence worth buying** (£{e['value_per_reoffence_gbp']:,.0f} per "
                    f"proven reoffence): EVPI £{e['evpi_gbp']:,.0f} per programme "
                    f"(£{e['evpi_gbp_per_year']:,.0f} a year; £{e['evpi_low_gbp']:,.0f}–"
                    f"£{e['evpi_high_gbp']:,.0f} over the unit value's range); largest EVPPI: "
                    + "; ".join(f"`{x['parameters']}` £{x['evppi_gbp']:,.0f} ({x['grade']})"
                                for x in top) + ".")
    return "\n".join(rows) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Compute the record and write it and both documents' blocks."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--stages", type=Path, default=None,
                        help="keep (or resume) the decision's runs here (the time recorded "
                             "is their simulation time over every session)")
    args = parser.parse_args(argv)
    record = compute(args.workers, args.stages)
    path = claims.write_record(NAME, record)
    claims.replace_block(claims.ROOT / "README.md", NAME, readme(record))
    claims.replace_block(claims.ROOT / "docs" / "decide.md", EXAMPLE, example(record))
    print(readme(record) + "\n" + example(record))
    print(f"wrote {path}, README.md and docs/decide.md")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
