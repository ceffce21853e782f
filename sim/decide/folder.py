"""The decision's results folder: typed Parquet tables, the answer as JSON and in words, a
scenario file per recommended option and a spreadsheet (see ``docs/outputs.md``)."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.across_worlds import CLEAR_P
from sim.decide.decision import TODAY, Result
from sim.labels import label
from sim.metrics import METRICS

FILES = ("answer.json", "summary.md", "candidates.parquet", "options.parquet",
         "per_world.parquet", "robustness.parquet", "budget_curve.parquet",
         "evppi.parquet", "value_curves.parquet", "decision.xlsx", "options/")


def _clean(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _lever_text(levers: dict[str, Any]) -> str:
    return ", ".join(f"{label(k).lower()} {v:g}" if isinstance(v, int | float) and
                     not isinstance(v, bool) else f"{label(k).lower()} {v}"
                     for k, v in levers.items())


def _bound_text(low: float | None, high: float | None) -> str:
    """``at least 0.8``, ``at most 0.33`` or ``between 0.2 and 0.4``."""
    if low is not None and high is not None:
        return f"between {low:g} and {high:g}"
    return f"at least {low:g}" if low is not None else f"at most {high:g}"


def _share(x: float) -> str:
    return f"{100 * x:.0f}%"


def summary(result: Result) -> str:
    """The decision in plain words, headline first, each claim with what it rests on."""
    from sim.findings import caveat

    d, a = result.decision, result.answer
    options = {o.name: o for o in result.options}
    chosen = options[a["recommended"]]
    primary = METRICS[d.primary].label.lower()
    rob = result.robustness.set_index("option")
    lines = [f"# {d.name}: {d.question or 'the best use of the budget'}", ""]
    alloc = chosen.allocation
    lines.append(f"**Recommended for £{d.annual_gbp:,.0f} a year:** {chosen.name}: "
                 f"{alloc.mentors} mentors, {alloc.coordinators_fte:g} coordinator and "
                 f"{alloc.supervisors_fte:g} supervisor posts; {_lever_text(alloc.levers)}.")
    if not a.get("constraints_met", True):
        bounds = "; ".join(f"{METRICS[m].label.lower()} {_bound_text(lo, hi)}"
                           for m, (lo, hi) in d.constraints.items())
        lines.append(f"**No option meets the constraints on average over worlds** ({bounds}), "
                     "today's programme included: this is the best on "
                     f"{primary} regardless. Widen the levers, add money or relax the "
                     "constraints.")
    vt = a.get("versus_today")
    if vt:
        lines.append(f"Against today's programme on the same budget, {primary} differs by "
                     f"{vt['difference']:+.3f} on average (Monte Carlo 95% interval "
                     f"{vt['mc_low']:+.3f} to {vt['mc_high']:+.3f}; 95% of worlds between "
                     f"{vt['worlds_low']:+.3f} and {vt['worlds_high']:+.3f}); the sign holds "
                     f"in {_share(vt['worlds_better_share'])} of {len(result.worlds)} worlds.")
    else:
        lines.append("No proposal beat today's programme once re-run in every world.")
    vn = a.get("versus_runner_up")
    if vn:
        clear = vn["mc_low"] > 0 or vn["mc_high"] < 0
        lines.append(f"Against the runner-up ({a['runner_up']}) the difference is "
                     f"{vn['difference']:+.3f} ({'clear' if clear else 'not clear'} beyond "
                     "Monte Carlo noise).")
    others = [m for m in d.objectives[1:] if f"mean:{m}" in rob.columns]
    if others:
        today_row = rob.loc[f"{TODAY}@1"]
        parts = [f"{METRICS[m].label.lower()} {rob.loc[a['recommended'], f'mean:{m}']:.4g} "
                 f"against today's {today_row[f'mean:{m}']:.4g}" for m in others]
        lines.append("Its other objectives, mean over worlds: " + "; ".join(parts) + ".")
    r = rob.loc[a["recommended"]]
    lines += ["", "## How robust",
              f"It meets the planner's thresholds in {_share(r['satisficing'])} of worlds "
              f"(today: {_share(rob.loc[f'{TODAY}@1', 'satisficing'])}); its regret against "
              f"the best option in each world is {r['regret_mean']:.3f} on average and "
              f"{r['regret_p90']:.3f} at the 90th percentile; in the worst tenth of worlds "
              f"{primary} is {r['low_percentile']:.3f}."]
    pareto = rob[rob["role"] == "pareto"]
    if len(pareto):
        lines += ["", "## The trade-offs (Pareto set at today's budget)"]
        for name, row in pareto.iterrows():
            o = options[name].allocation
            values = "; ".join(f"{METRICS[m].label.lower()} {row[f'mean:{m}']:.4g}"
                               for m in d.objectives if f"mean:{m}" in row)
            lines.append(f"- {name}: {o.mentors} mentors; {_lever_text(o.levers)}: {values}")
    curve = result.curve
    if "best_mean" in curve.columns and len(curve) > 1:
        lines += ["", "## Budget and outcome",
                  f"{METRICS[d.primary].label} (mean over worlds), today's allocation and the "
                  "best found, at each budget:"]
        for row in curve.itertuples():
            best = getattr(row, "best_mean", math.nan)
            lines.append(f"- £{row.annual_budget_gbp:,.0f} a year: today's {row.today_mean:.3f}"
                         + (f", the emulator's best {best:.3f}" if best == best else "")
                         + ("" if not row.best_found.startswith(TODAY) or best != best
                            else " (today's allocation does better here)"))
    change = a["what_would_change"]
    lines += ["", "## What would change this"]
    if change.get("switching"):
        s = change["switching"]
        lines.append(f"The advantage over today reverses if {s['parameter']} is beyond "
                     f"{s['value']:.4g} (plausible range {s['range'][0]:g}-{s['range'][1]:g}; "
                     f"evidence: {s['grade']}).")
    for dr in change.get("drivers", []):
        clear = "clear" if dr["p"] < CLEAR_P else "not clear beyond chance"
        lines.append(f"- the advantage varies with {dr['parameter']} (rank correlation "
                     f"{dr['rho']:+.2f}, {clear}: p = {dr['p']:.2g} after Bonferroni; "
                     f"evidence: {dr['grade']})")
    if change.get("box"):
        b = change["box"]
        lines.append(f"It fails (misses a threshold or does worse than today) mainly where "
                     f"{b['text']} (coverage {b['coverage']:.2f}, density {b['density']:.2f}).")
    elif "fails_share" in change and change.get("box_sought"):
        lines.append(f"It fails in {_share(change['fails_share'])} of worlds, with no clear "
                     "region of the parameters to blame.")
    elif "fails_share" in change:
        lines.append(f"It fails in {_share(change['fails_share'])} of worlds; too few worlds "
                     "fail, or too few do not, to say where (scenario discovery needs at "
                     "least 10 of each: use more worlds).")
    if a.get("least_money"):
        lm = a["least_money"]
        lines += ["", "## The least money that meets the thresholds"]
        if lm["at_most_budget"] and not lm["meets_on_average"]:
            lines.append(f"Not reached within the budgets considered: even at "
                         f"£{lm['annual_budget_gbp']:,.0f} a year ({lm['budget_multiple']:.2f} x "
                         f"today's) the best allocation found meets the thresholds in "
                         f"{_share(lm['satisficing'])} of worlds.")
        else:
            lines.append(f"About £{lm['annual_budget_gbp']:,.0f} a year "
                         f"({lm['budget_multiple']:.2f} x today's budget): the thresholds "
                         f"{'are' if lm['meets_on_average'] else 'are not'} met on average "
                         f"over worlds, and in {_share(lm['satisficing'])} of them.")
    e = a["evpi"]
    lines += ["", "## Evidence worth buying"]
    if e is None:
        lines.append("Not valued: reoffending needs a year's follow-up inside the horizon.")
    else:
        lines.append(
            f"Perfect information about the model's parameters would be worth about "
            f"£{e['evpi_gbp']:,.0f} per programme (£{e['evpi_gbp_per_year']:,.0f} a year) at "
            f"£{e['value_per_reoffence_gbp']:,.0f} per proven reoffence averted "
            f"(£{e['evpi_low_gbp']:,.0f}-£{e['evpi_high_gbp']:,.0f} across the unit "
            "value's plausible range; an upper bound, as it counts the noise left in a "
            "world's mean).")
    rows = result.evppi.sort_values("evppi_gbp", ascending=False)
    if len(rows):
        lines.append(f"Partial information (EVPPI, regression on {len(result.worlds)} worlds; "
                     "rough with few worlds, where a group can even come out below its "
                     "members):")
    for row in rows.itertuples():
        lines.append(f"- {row.parameters}: £{row.evppi_gbp:,.0f} (£{row.evppi_gbp_per_year:,.0f}"
                     f" a year; £{row.evppi_low_value_gbp:,.0f}-£{row.evppi_high_value_gbp:,.0f} "
                     f"across the unit value's range; evidence: {row.grade})")
    lines += ["", f"Worlds: {len(result.worlds)}, {result.worlds_source}. "
              f"Runs: {result.run_count:,}, simulated in {result.simulated_s:.0f} s (this "
              f"session took {result.wall_time_s:.0f} s).",
              "", caveat(len(result.worlds))]
    return "\n".join(lines) + "\n"


def _toml_scenario(result: Result, name: str) -> str:
    """Option ``name`` as a scenario file: today's programme (the spec's base, its ``set``
    and the guardrail) with the option's levers and what its budget buys."""
    from sim.toml_text import document_text

    o = next(o for o in result.options if o.name == name)
    d = result.decision
    doc: dict[str, Any] = {"question": d.question or d.name, "extends": d.base_name}
    changes = {**d.settings, **o.allocation.changes(), "run.weeks": d.today.run.weeks,
               "run.seed": d.today.run.seed}
    for key, value in changes.items():
        section, field = key.split(".", 1)
        doc.setdefault(section, {})[field] = value.item() if isinstance(value, np.generic) \
            else value
    return document_text(doc, [f"{d.name}: option {name} ({o.role}), from `mentorsim decide`"])


def write_decision(folder: Path, result: Result) -> None:
    """Write the decision's files into ``folder`` (a folder being built atomically)."""
    options = pd.DataFrame([o.row() for o in result.options])
    tables = {"candidates": result.candidates, "options": options,
              "per_world": result.per_world.reset_index(), "robustness": result.robustness,
              "budget_curve": result.curve, "evppi": result.evppi,
              "value_curves": result.value_curves}
    for name, frame in tables.items():
        frame.to_parquet(folder / f"{name}.parquet", index=False)
    answer = {"decision": result.decision.name, "source": result.decision.source,
              "worlds": len(result.worlds), "worlds_source": result.worlds_source,
              "runs": result.run_count, "wall_time_s": result.wall_time_s,
              "simulated_s": result.simulated_s,
              "notes": result.notes, **result.answer}
    (folder / "answer.json").write_text(json.dumps(_clean(answer), indent=2) + "\n")
    (folder / "summary.md").write_text(summary(result))
    (folder / "options").mkdir()
    keep = {result.answer["recommended"]} | {o.name for o in result.options
                                             if o.role in ("pareto", "least_money")}
    for name in sorted(keep):
        (folder / "options" / f"{name}.toml").write_text(_toml_scenario(result, name))
    with pd.ExcelWriter(folder / "decision.xlsx", engine="openpyxl") as xl:
        pd.DataFrame({"summary": summary(result).splitlines()}).to_excel(
            xl, sheet_name="Summary", index=False)
        for name, frame in tables.items():
            if name != "per_world":
                frame.to_excel(xl, sheet_name=name.replace("_", " ").title()[:31], index=False)
