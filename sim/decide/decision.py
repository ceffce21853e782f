"""A whole decision: search, confirm, and say what was found and how sure it is.

:func:`run_decision` answers the four questions of a decision spec
(:mod:`sim.decide.spec`):

1. the best allocation of the fixed budget (``best``);
2. the least money that meets the planner's thresholds (``least_money``);
3. the budget-outcome curve at multiples of today's budget (``curve``);
4. a Pareto set over the objectives, at most five representative options (``pareto``);

then re-runs every proposal (and today's programme at each budget multiple) with more
paired replications in every world, chooses by the confirmed means (a paired test says
how clear the choice is), and reports robustness, what would change the decision and which
evidence is worth buying. Monte Carlo noise (replications inside a world) and uncertainty
between worlds are kept apart throughout.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

import numpy as np
import pandas as pd

from sim.capacity import planned_spend_parts
from sim.decide import information, robustness
from sim.decide.allocation import Allocation, project
from sim.decide.search import PENALTY, Goal, Space, design, optimise, pareto, shortfall
from sim.decide.simulation import (
    OPTION_COLUMN,
    WORLD_COLUMN,
    decision_worlds,
    run_stage,
    world_means,
)
from sim.decide.spec import Decision
from sim.errors import UserError
from sim.worlds import World, uncertain_parameters

VALUE_POINTS = 11  # unit values across the plausible range for the curves
EVPPI_PARAMETERS = 5  # single parameters whose EVPPI is reported (with them together)
# A regression on a group needs this many worlds per parameter in it (fewer: the Gaussian
# process follows the worlds' noise and the "value" exceeds the EVPI; Strong, Oakley &
# Brennan 2014 fit GPs on hundreds of samples)
WORLDS_PER_PARAMETER = 8
MONEY, PER_PROGRAMME = "total_spend_gbp", "reoffences_averted"
TODAY = "today"
CURVE_COLUMNS = ("value_per_reoffence_gbp", "option", "acceptability", "expected_loss_gbp",
                 "evpi_gbp")


@dataclass
class Option:
    """A confirmed option: its role, levers and what the budget buys."""

    name: str
    role: str  # today | best | finalist | least_money | curve | pareto
    multiple: float
    allocation: Allocation

    def params_value(self, key: str) -> Any:
        """The value of parameter ``key`` in this option's scenario."""
        from sim.worlds import value_of

        return value_of(self.allocation.params, key)

    def row(self) -> dict[str, Any]:
        a = self.allocation
        return {"option": self.name, "role": self.role, "budget_multiple": self.multiple,
                "annual_budget_gbp": a.annual_gbp, "mentors": a.mentors,
                "coordinators_fte": a.coordinators_fte, "supervisors_fte": a.supervisors_fte,
                "planned_annual_spend_gbp": a.planned_gbp,
                **{f"spend:{k}": v for k, v in planned_spend_parts(a.params).items()},
                **{f"lever:{k}": v for k, v in a.levers.items()}}


@dataclass
class Result:
    """Everything a decision found (written by :func:`write_decision`)."""

    decision: Decision
    worlds: list[World]
    worlds_source: str
    candidates: pd.DataFrame  # the design: one row per candidate, emulated and simulated
    options: list[Option]
    per_world: pd.DataFrame  # confirmed options x worlds: each metric's mean
    runs: pd.DataFrame  # confirmed runs: option, world, replication, metrics
    answer: dict[str, Any]
    robustness: pd.DataFrame
    curve: pd.DataFrame
    evppi: pd.DataFrame
    value_curves: pd.DataFrame
    run_count: int
    wall_time_s: float  # this session's
    simulated_s: float  # the stages' simulation time over every session (resumed too)
    notes: list[str] = field(default_factory=list)


def _metrics(decision: Decision) -> list[str]:
    return list(dict.fromkeys([*decision.objectives, *decision.constraints,
                               *decision.thresholds, PER_PROGRAMME, MONEY]))


def _today_levers(decision: Decision) -> dict[str, Any]:
    from sim.worlds import value_of

    return {f.name: value_of(decision.today, f.name) for f in decision.levers}


def targets_of(decision: Decision, today_primary: float) -> dict[str, tuple[Any, Any]]:
    """The planner's thresholds: as given, or else the constraints and the primary
    objective no worse than today's programme on today's budget."""
    if decision.thresholds:
        return dict(decision.thresholds)
    out = dict(decision.constraints)
    bound = (today_primary, None) if decision.direction(decision.primary) > 0 \
        else (None, today_primary)
    out.setdefault(decision.primary, bound)
    return out


def _paired(runs: pd.DataFrame, a: str, b: str, metric: str, names: Mapping[str, int]
            ) -> dict[str, float]:
    """Option ``a`` minus ``b`` on ``metric``: the mean paired difference (same world and
    replication), its Monte Carlo 95% interval (replication variance pooled over worlds,
    :func:`sim.across_worlds.world_effects`) and the 2.5-97.5% range of the worlds' mean
    differences."""
    from sim.across_worlds import INTERVAL, world_effects

    x = runs[runs[OPTION_COLUMN] == names[a]].set_index([WORLD_COLUMN, "replication"])[metric]
    y = runs[runs[OPTION_COLUMN] == names[b]].set_index([WORLD_COLUMN, "replication"])[metric]
    effect, half = world_effects((x - y).dropna())
    mean = float(effect.mean())
    return {"difference": mean, "mc_low": mean - half, "mc_high": mean + half,
            "worlds_low": float(np.percentile(effect, INTERVAL[0])),
            "worlds_high": float(np.percentile(effect, INTERVAL[1])),
            "worlds_better_share": float(np.mean(np.sign(effect) == np.sign(mean)))}


def run_decision(decision: Decision, stages: Path, workers: int = 1,
                 scheduler: str | None = None, resume: bool = False,
                 progress: bool = True, stream: TextIO | None = None) -> Result:
    """Answer the decision's four questions (see the module docstring).

    Args:
        decision: a resolved spec.
        stages: the folder the stages' sweeps are kept in (resumable).
        workers, scheduler: local processes, or a dask scheduler's address.
        resume: carry on the stages' sweeps where they stopped.
        progress: report progress on stderr.
        stream: where the stages' progress records go instead of stderr (JSON lines off a
            terminal: ``{"event": "progress", "done": ..., "planned": ...}``), each stage
            announced first by ``{"event": "stage", "stage": "design" | "confirm",
            "planned": runs}``.
    """
    from sim.calibration.emulator import Emulator

    start = time.perf_counter()
    d = decision
    metrics = _metrics(d)
    worlds, source = decision_worlds(d)
    space = Space(d.levers, (min(d.multiples), max(d.multiples)))
    unit = design(space, d.search.design_points, d.seed)
    rows, changes, kept = [], [], []
    for i, u in enumerate(unit):
        levers, multiple = space.decode(u)
        a = project(d.today, levers, multiple * d.annual_gbp)
        rows.append({"candidate": i, "budget_multiple": multiple, "feasible": a.feasible,
                     "mentors": a.mentors, **{f"lever:{k}": v for k, v in levers.items()}})
        if a.feasible:
            changes.append(a.changes())
            kept.append(i)
    _announce(stream, "design", len(changes) * len(worlds) * d.search.design_reps)
    stage = run_stage(d, changes, worlds, d.search.design_reps, stages / "design", metrics,
                      workers, scheduler, resume, progress, stream)
    means = stage.runs.groupby(OPTION_COLUMN)[metrics].mean()
    candidates = pd.DataFrame(rows)
    for m in metrics:
        candidates[f"simulated:{m}"] = np.nan
        candidates.loc[kept, f"simulated:{m}"] = means[m].reindex(range(len(kept))).to_numpy()
    snapped = np.array([space.snap(unit[i]) for i in kept])
    table = means.reindex(range(len(kept)))[metrics]
    # a metric the horizon leaves undefined (e.g. reoffending within a year) is not emulated
    emulated = [m for m in metrics if table[m].notna().mean() >= 0.5]
    for name in [*d.objectives, *d.constraints, *d.thresholds]:
        if name not in emulated:
            raise UserError(f"{d.source}: {name} is undefined in most candidates' runs (at "
                            f"{d.today.run.weeks} weeks); choose a longer horizon_weeks or "
                            "another metric")
    values = table[emulated].fillna(table[emulated].mean()).to_numpy()
    reps = np.full(len(kept), d.search.design_reps * len(worlds), dtype=float)
    emulator = Emulator.fit(snapped, values, reps)
    spread = {m: float(np.nanstd(values[:, j])) or 1.0 for j, m in enumerate(emulated)}

    def predict(u: np.ndarray) -> np.ndarray:
        return np.asarray(emulator.predict(u))

    direction = d.direction(d.primary)
    today_levers = _today_levers(d)
    today_primary = float(predict(space.encode(today_levers, 1.0)[None, :])[0, 0])
    targets = targets_of(d, today_primary)
    best_goal = Goal(emulated, d.primary, direction, d.constraints, spread)
    proposals: list[tuple[str, str, dict[str, Any], float]] = []
    for m in d.multiples:
        proposals.append((f"{TODAY}@{m:g}", TODAY, today_levers, m))
    best_u = optimise(space, predict, best_goal, 1.0, d.seed)
    proposals.append(("best", "best", space.decode(best_u)[0], 1.0))
    # finalists: the design's best points moved to today's budget, on the emulator
    at_one = np.array([space.encode(space.decode(unit[i])[0], 1.0) for i in kept])
    predicted = predict(at_one)
    score = direction * predicted[:, 0] - PENALTY * shortfall(predicted, best_goal)
    for rank, j in enumerate(np.argsort(-score)[: max(0, d.search.finalists - 1)]):
        proposals.append((f"finalist{rank + 1}", "finalist",
                          space.decode(at_one[j])[0], 1.0))
    money_goal = Goal(emulated, None, direction, targets, spread)
    least_u = optimise(space, predict, money_goal, None, d.seed + 1)
    least_levers, least_multiple = space.decode(least_u)
    proposals.append(("least_money", "least_money", least_levers, least_multiple))
    for m in d.multiples:
        if m != 1.0:
            u = optimise(space, predict, best_goal, m, d.seed + 2)
            proposals.append((f"best@{m:g}", "curve", space.decode(u)[0], m))
    if d.search.pareto and len(d.objectives) > 1:
        reps_pareto = pareto(space, predict, emulated, d.objectives,
                             [d.direction(o) for o in d.objectives], best_goal, 1.0, d.seed,
                             d.search.pareto)
        for k, u in enumerate(reps_pareto):
            proposals.append((f"pareto{k + 1}", "pareto", space.decode(u)[0], 1.0))
    options: list[Option] = []
    seen: dict[str, str] = {}
    aliases: dict[str, str] = {}  # a proposal that repeats an earlier one -> that one
    notes = []
    for name, role, levers, multiple in proposals:
        a = project(d.today, levers, multiple * d.annual_gbp)
        key = json.dumps(a.changes(), sort_keys=True, default=str)
        if not a.feasible:
            notes.append(f"{name}: not affordable at {multiple:g} x the budget; dropped")
            continue
        if key in seen:
            notes.append(f"{name}: the same allocation as {seen[key]}")
            aliases[name] = seen[key]
            continue
        seen[key] = name
        options.append(Option(name, role, multiple, a))
    _announce(stream, "confirm", len(options) * len(worlds) * d.search.confirm_reps)
    confirm = run_stage(d, [o.allocation.changes() for o in options], worlds,
                        d.search.confirm_reps, stages / "confirm", metrics, workers,
                        scheduler, resume, progress, stream)
    names = {o.name: i for i, o in enumerate(options)}
    names.update({alias: names[name] for alias, name in aliases.items()})
    per_world = world_means(confirm.runs, metrics)
    result = _analyse(d, worlds, options, confirm.runs, per_world, names, targets)
    return Result(d, worlds, source, candidates, options, per_world, confirm.runs, **result,
                  run_count=len(stage.runs) + len(confirm.runs),
                  wall_time_s=time.perf_counter() - start,
                  simulated_s=stage.simulated_s + confirm.simulated_s,
                  notes=notes + [f"design: {len(kept)} of {len(unit)} candidates affordable"])


def _announce(stream: TextIO | None, stage: str, planned: int) -> None:
    if stream is not None:
        stream.write(json.dumps({"event": "stage", "stage": stage, "planned": planned}) + "\n")
        stream.flush()


def planned_runs(decision: Decision) -> int:
    """At most how many runs a decision takes: the design's, and the confirmation's
    (today's programme at every budget multiple, the best, the finalists, the least
    money, the curve's best at every other multiple and the Pareto set)."""
    s, worlds = decision.search, decision.worlds.count
    confirm = 2 * len(decision.multiples) + s.finalists + 1 + (
        s.pareto if len(decision.objectives) > 1 else 0)
    return worlds * (s.design_points * s.design_reps + confirm * s.confirm_reps)


def _mean(values: np.ndarray) -> float:
    """The mean of the finite values (NaN when there are none)."""
    finite = np.asarray(values, dtype=float)
    finite = finite[np.isfinite(finite)]
    return float(finite.mean()) if len(finite) else math.nan


def _outcome(per_world: pd.DataFrame, option: int, metric: str) -> np.ndarray:
    return per_world.loc[option, metric].to_numpy(dtype=float)


def _analyse(d: Decision, worlds: list[World], options: list[Option], runs: pd.DataFrame,
             per_world: pd.DataFrame, names: dict[str, int],
             targets: Mapping[str, tuple[Any, Any]]) -> dict[str, Any]:
    from sim.across_worlds import (
        BOX_MIN_CASES,
        INTERVAL,
        discovery_box,
        drivers,
        switching_value,
    )

    primary, direction = d.primary, d.direction(d.primary)
    at_one = [o for o in options if o.multiple == 1.0]
    index = [names[o.name] for o in at_one]
    outcome = np.vstack([_outcome(per_world, i, primary) for i in index])
    regrets = robustness.regret(outcome, direction)
    rows = []
    for k, o in enumerate(at_one):
        i = names[o.name]
        vals = {m: _outcome(per_world, i, m) for m in _metrics(d)}
        rows.append({"option": o.name, "role": o.role, "mean": float(_mean(vals[primary])),
                     "low_percentile": robustness.low_percentile(vals[primary], direction),
                     "satisficing": robustness.satisficing(vals, targets),
                     "meets_constraints": robustness.meets_on_average(vals, d.constraints),
                     "regret_mean": float(regrets[k].mean()),
                     "regret_p90": float(np.percentile(regrets[k], robustness.REGRET_PERCENTILE)),
                     **{f"mean:{m}": float(_mean(vals[m])) for m in d.objectives}})
    table = pd.DataFrame(rows)
    # the recommendation: the best confirmed mean among the proposals meeting the constraints
    proposed = table[table["role"].isin(["best", "finalist", "pareto", TODAY])]
    eligible = proposed[proposed["meets_constraints"]]
    constraints_met = not eligible.empty
    if not constraints_met:  # none does: the best on the objective, said plainly
        eligible = proposed
    chosen = eligible.iloc[int(np.argmax(direction * eligible["mean"].to_numpy()))]["option"]
    today = f"{TODAY}@1"
    versus_today = _paired(runs, chosen, today, primary, names) if chosen != today else None
    rivals = eligible[eligible["option"] != chosen]
    runner_up = (rivals.iloc[int(np.argmax(direction * rivals["mean"].to_numpy()))]["option"]
                 if not rivals.empty else None)
    versus_next = _paired(runs, chosen, runner_up, primary, names) if runner_up else None
    # what would change it: the worlds' differences against today, their drivers
    values = pd.DataFrame([w.values for w in worlds], index=[w.index for w in worlds])
    varied = values.loc[:, values.nunique() > 2] if len(values.columns) else values
    ranges = {u.name: (u.low, u.high) for u in uncertain_parameters()}
    change: dict[str, Any] = {"drivers": [], "switching": None, "box": None}
    if chosen != today:
        diff = direction * (_outcome(per_world, names[chosen], primary)
                            - _outcome(per_world, names[today], primary))
        found = drivers(diff, varied) if len(varied.columns) else []
        change["drivers"] = [{"parameter": f.name, "rho": f.rho, "p": f.p_value,
                              "grade": f.grade} for f in found]
        for f in found:
            if f.name in ranges:
                s = switching_value(varied[f.name].to_numpy(), diff, *ranges[f.name])
                if s is not None:
                    change["switching"] = {"parameter": f.name, "value": s,
                                           "range": list(ranges[f.name]), "grade": f.grade}
                    break
        vals = {m: _outcome(per_world, names[chosen], m) for m in _metrics(d)}
        fails = ~robustness.meets(vals, targets) | (diff < 0)
        box = discovery_box(varied, fails) if len(varied.columns) else None
        change["fails_share"] = float(fails.mean())
        change["box_sought"] = bool(min(fails.sum(), (~fails).sum()) >= BOX_MIN_CASES)
        if box:
            change["box"] = {"text": box.text, "coverage": box.coverage, "density": box.density}
    # budget-outcome curve
    curve = []
    for m in d.multiples:
        row: dict[str, Any] = {"budget_multiple": m, "annual_budget_gbp": m * d.annual_gbp}
        confirmed = {}
        for label, name in (("today", f"{TODAY}@{m:g}"),
                            ("best", "best" if m == 1.0 else f"best@{m:g}")):
            if name in names:
                v = _outcome(per_world, names[name], primary)
                confirmed[name] = _mean(v)
                row.update({f"{label}_mean": _mean(v),
                            f"{label}_worlds_low": float(np.nanpercentile(v, INTERVAL[0])),
                            f"{label}_worlds_high": float(np.nanpercentile(v, INTERVAL[1]))})
        # the better of the two once both are confirmed (the emulator only proposed)
        row["best_found"] = max(confirmed, key=lambda k: direction * confirmed[k]) \
            if confirmed else ""
        curve.append(row)
    # least money
    least = None
    if "least_money" in names:
        o = options[names["least_money"]]
        vals = {m: _outcome(per_world, names["least_money"], m) for m in _metrics(d)}
        least = {"budget_multiple": o.multiple, "annual_budget_gbp": o.allocation.annual_gbp,
                 "at_most_budget": o.multiple >= max(d.multiples) - 1e-9,
                 "meets_on_average": robustness.meets_on_average(vals, targets),
                 "satisficing": robustness.satisficing(vals, targets)}
    evppi, curves, evpi_row = _information(d, worlds, at_one, per_world, names, varied)
    answer = {"recommended": chosen, "constraints_met": constraints_met,
              "runner_up": runner_up, "versus_today": versus_today,
              "versus_runner_up": versus_next, "targets": {k: list(v) for k, v in targets.items()},
              "what_would_change": change, "least_money": least, "evpi": evpi_row}
    return {"answer": answer, "robustness": table, "curve": pd.DataFrame(curve),
            "evppi": evppi, "value_curves": curves}


def _information(d: Decision, worlds: list[World], at_one: list[Option],
                 per_world: pd.DataFrame, names: dict[str, int], varied: pd.DataFrame
                 ) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, Any] | None]:
    from scipy import stats

    from sim.across_worlds import evidence_grade

    low, high = d.value_range
    lambdas = np.linspace(low, high, VALUE_POINTS)
    index = [names[o.name] for o in at_one]
    averted = np.vstack([_outcome(per_world, i, PER_PROGRAMME) for i in index])
    spend = np.vstack([_outcome(per_world, i, MONEY) for i in index])
    columns = ["parameters", "size", "evppi_gbp", "evppi_gbp_per_year", "evppi_low_value_gbp",
               "evppi_high_value_gbp", "grade"]
    if not (np.isfinite(averted).all() and np.isfinite(spend).all()):
        # reoffending needs a year's follow-up within the horizon: no net benefit to value
        return (pd.DataFrame(columns=columns), pd.DataFrame(columns=list(CURVE_COLUMNS)),
                None)
    curves = []
    for lam in lambdas:
        nb = lam * averted - spend
        accept, loss = information.acceptability(nb), information.expected_loss(nb)
        value = information.evpi(nb)
        for k, o in enumerate(at_one):
            curves.append({"value_per_reoffence_gbp": lam, "option": o.name,
                           "acceptability": accept[k], "expected_loss_gbp": loss[k],
                           "evpi_gbp": value})
    middle = float(d.today.value.cost_per_reoffence_gbp)
    nb = middle * averted - spend
    total = information.evpi(nb)
    rows = []
    if len(varied.columns) and len(at_one) > 1:
        order = np.argsort(-nb.mean(axis=1))
        gap = nb[order[0]] - nb[order[1]]
        rho = {c: abs(stats.spearmanr(varied[c].to_numpy(), gap)[0]) for c in varied.columns
               if np.ptp(varied[c].to_numpy()) > 0}
        top = sorted(rho, key=lambda c: -np.nan_to_num(rho[c]))[:EVPPI_PARAMETERS]
        values = {lam: lam * averted - spend for lam in (low, middle, high)}

        def value(group: list[str], lam: float) -> float:
            return information.evppi(values[lam], varied[group].to_numpy())

        singles = {c: value([c], middle) for c in top}
        groups = [[c] for c in top if len(worlds) >= WORLDS_PER_PARAMETER]
        # together: the singles worth most, as many as the worlds can carry
        together = sorted(top, key=lambda c: -singles[c])[: len(worlds) // WORLDS_PER_PARAMETER]
        if len(together) > 1:
            groups.append(together)
        for group in groups:
            at = singles[group[0]] if len(group) == 1 else value(group, middle)
            rows.append({"parameters": " + ".join(group), "size": len(group),
                         "evppi_gbp": at, "evppi_gbp_per_year": at / d.years,
                         "evppi_low_value_gbp": value(group, low),
                         "evppi_high_value_gbp": value(group, high),
                         "grade": "; ".join(evidence_grade(g) for g in group)})
    evpi_row = {"value_per_reoffence_gbp": middle, "evpi_gbp": total,
                "evpi_gbp_per_year": total / d.years,
                "evpi_low_gbp": information.evpi(low * averted - spend),
                "evpi_high_gbp": information.evpi(high * averted - spend)}
    return (pd.DataFrame(rows, columns=columns),
            pd.DataFrame(curves, columns=list(CURVE_COLUMNS)), evpi_row)
