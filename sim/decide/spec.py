"""Decision specs: TOML files in ``scenarios/decisions/``, validated like scenarios.

A spec names today's programme (``extends``), the budget, the levers to allocate with their
bounds, the objectives (metrics with their declared direction), the constraints, the
planner's thresholds, the guardrail and the plausible worlds to decide across. Every
mistake is a :class:`sim.errors.UserError` naming the file, the key path, the bad value and
what is allowed (the sweep spec's messages: :func:`sim.sweep.schema.format_errors`).
See ``docs/decide.md`` for every key.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from sim.errors import ScenarioError, UserError
from sim.metrics import METRICS
from sim.params import ScenarioParams
from sim.sweep.factors import Factor, resolve_factor
from sim.sweep.schema import FactorSpec, flatten, format_errors

DECISIONS_DIR = Path(__file__).resolve().parents[2] / "scenarios" / "decisions"
# Set by the projection onto the budget (sim.decide.allocation), so not levers of a spec.
PROJECTED = ("programme.target_mentors", "funding.annual_budget_gbp")
SIZED_STAFF = ("staff.coordinators_fte", "staff.supervisors_fte")  # sized unless levers
# The guardrail against using mentors as unpaid staff: no extra-role hours, ever, and
# funding cuts never pass coordinators' tasks to mentors.
GUARDRAIL = {"mentors.extra_role_hours_per_week": 0.0, "funding.protect_mentor_role": True}
DEFAULT_MULTIPLES = (0.5, 0.75, 1.0, 1.5, 2.0)  # Optima's budget multiples of today's


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, allow_inf_nan=False)


class BudgetSpec(_Strict):
    """The money: a year's budget and the multiples of it the budget-outcome curve uses."""

    annual_gbp: float | None = Field(None, gt=0, le=1e9, description=(
        "GBP a year for the horizon (default: today's funding.annual_budget_gbp)"))
    multiples: list[float] = Field(list(DEFAULT_MULTIPLES), min_length=1, max_length=12)

    @model_validator(mode="after")
    def _positive(self) -> BudgetSpec:
        if any(m <= 0 or m > 10 for m in self.multiples):
            raise ValueError(f"multiples = {self.multiples}: each must be above 0 and at most 10")
        if 1.0 not in self.multiples:
            raise ValueError(f"multiples = {self.multiples}: must include 1.0 (today's budget)")
        return self


class BoundSpec(_Strict):
    """A limit on a metric: ``{ min = ... }``, ``{ max = ... }`` or both."""

    min: float | None = None
    max: float | None = None

    @model_validator(mode="after")
    def _one(self) -> BoundSpec:
        if self.min is None and self.max is None:
            raise ValueError("give min, max or both")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"min = {self.min} is above max = {self.max}")
        return self


class WorldsSpec(_Strict):
    """The plausible worlds to decide across."""

    count: int = Field(20, ge=2, le=1000)
    source: str = Field("ensemble", pattern="^(ensemble|plausible_ranges)$", description=(
        "ensemble: the calibrated worlds (scenarios/calibration/worlds.csv); "
        "plausible_ranges: drawn from the declared plausible ranges"))


class SearchSpec(_Strict):
    """How hard to search: the design, the confirmation and the Pareto set."""

    design_points: int = Field(40, ge=8, le=2000)
    design_reps: int = Field(2, ge=1, le=100)
    confirm_reps: int = Field(4, ge=2, le=200)
    finalists: int = Field(3, ge=1, le=10, description=(
        "best candidates of the emulator re-run with confirm_reps in every world"))
    pareto: int = Field(5, ge=0, le=5)
    seed: int | None = Field(None, ge=0, le=2**63 - 1)


class ValueSpec(_Strict):
    """The unit value that turns reoffences averted into money (net benefit)."""

    per_reoffence_gbp: list[float] | None = Field(None, min_length=2, max_length=2, description=(
        "[low, high] (default: value.cost_per_reoffence_gbp's plausible range)"))


class DecisionSpecModel(_Strict):
    """The whole spec file."""

    name: str | None = Field(None, min_length=1, max_length=80)
    question: str = ""
    extends: str = "baseline"
    horizon_weeks: int | None = Field(None, ge=52, le=1040)
    seed: int | None = Field(None, ge=0, le=2**63 - 1)
    set: dict[str, Any] = {}
    budget: BudgetSpec = BudgetSpec()
    levers: dict[str, FactorSpec] = Field(..., min_length=1, max_length=20)
    objectives: list[str] = Field(..., min_length=1, max_length=6)
    constraints: dict[str, BoundSpec] = {}
    thresholds: dict[str, BoundSpec] = {}
    guardrail: bool = True
    worlds: WorldsSpec = WorldsSpec()
    search: SearchSpec = SearchSpec()
    value: ValueSpec = ValueSpec()


# which model's keys each table of a spec allows (for "did you mean" and "allowed in")
ALLOWED = {(): DecisionSpecModel, ("budget",): BudgetSpec, ("worlds",): WorldsSpec,
           ("search",): SearchSpec, ("value",): ValueSpec, ("levers", "*"): FactorSpec,
           ("constraints", "*"): BoundSpec, ("thresholds", "*"): BoundSpec}


@dataclass(frozen=True)
class Decision:
    """A resolved decision spec.

    Attributes:
        name, question, source: as in the file (``name`` defaults to the file stem).
        today: today's programme (the base scenario with ``set``, horizon and seed).
        base_name: the base scenario as ``extends`` names it.
        settings: what ``set`` and the guardrail change in the base scenario (dotted
            keys; ``run`` aside), for the stages' sweeps and the option files.
        annual_gbp: the budget a year.
        multiples: budget multiples for the budget-outcome curve (1.0 among them).
        levers: the levers to allocate (numbers with a range, or lists of choices).
        objectives: metrics, the first the one the best allocation optimises.
        constraints, thresholds: ``metric -> (min, max)`` (either may be None).
        guardrail: no extra-role hours for mentors and no cut that passes staff tasks on.
        worlds: how many worlds, and from where.
        search: the search's sizes.
        value_range: GBP per proven reoffence, low and high.
    """

    name: str
    question: str
    source: str
    today: ScenarioParams
    base_name: str
    settings: dict[str, Any]
    annual_gbp: float
    multiples: tuple[float, ...]
    levers: tuple[Factor, ...]
    objectives: tuple[str, ...]
    constraints: dict[str, tuple[float | None, float | None]]
    thresholds: dict[str, tuple[float | None, float | None]]
    guardrail: bool
    worlds: WorldsSpec
    search: SearchSpec
    value_range: tuple[float, float]
    seed: int

    def direction(self, metric: str) -> int:
        """+1 when more of ``metric`` is better, -1 when less is."""
        return 1 if METRICS[metric].better == "higher" else -1

    @property
    def years(self) -> float:
        """The horizon in years."""
        return self.today.run.weeks / 52.0

    @property
    def primary(self) -> str:
        """The objective the best allocation optimises."""
        return self.objectives[0]


def find_decision(ref: str) -> Path:
    """A spec path, or a bundled decision's name."""
    from sim.bundled import find_file

    return find_file(ref, DECISIONS_DIR, "decision spec")


def _metric(source: str, key: str, name: str) -> None:
    if name not in METRICS:
        hint = difflib.get_close_matches(name, list(METRICS), n=1)
        raise UserError(f"{source}: {key} = {name!r}: not a metric"
                        + (f" (did you mean '{hint[0]}'?)" if hint else "")
                        + "; `mentorsim metrics` lists them")


def _levers(spec: DecisionSpecModel, source: str) -> tuple[Factor, ...]:
    from sim.ema import declared

    allowed = [n for n in declared("lever") if n not in PROJECTED
               and not (spec.guardrail and n in GUARDRAIL)]
    out = []
    for name, given in spec.levers.items():
        key = f"levers.{name}"
        if name in PROJECTED:
            raise UserError(f"{source}: {key}: set by the budget (every candidate is projected "
                            "onto it with the model's unit costs), so not a lever here; "
                            "use [budget] annual_gbp")
        if spec.guardrail and name in GUARDRAIL:
            raise UserError(f"{source}: {key}: fixed by the guardrail against using mentors "
                            f"as unpaid staff ({name} = {GUARDRAIL[name]}); set guardrail = "
                            "false to let it vary")
        if name not in allowed:
            hint = difflib.get_close_matches(name, allowed, n=1)
            raise UserError(f"{source}: {key}: not a lever a programme can allocate"
                            + (f" (did you mean '{hint[0]}'?)" if hint else "")
                            + f"; levers: {', '.join(allowed)}")
        try:
            factor = resolve_factor(name, "lever", given.model_dump(exclude_none=True))
        except ValueError as exc:
            raise UserError(f"{source}: {key}: {exc}") from None
        if factor.discrete and len(factor.values or ()) < 2:
            raise UserError(f"{source}: {key}: give at least two values to choose between")
        if not factor.discrete and factor.low == factor.high:
            raise UserError(f"{source}: {key}: range = [{factor.low}, {factor.high}] is one "
                            "value; fix it under [set] instead")
        out.append(factor)
    return tuple(out)


def parse_decision(data: dict[str, Any], source: str, path: Path | None = None) -> Decision:
    """Validate an already-parsed spec table (``path`` locates a relative ``extends``)."""
    from sim.scenario import load_scenario
    from sim.sweep.variants import apply_overrides

    data = dict(data)
    if isinstance(data.get("levers"), dict):
        flat = flatten(data["levers"], set(FactorSpec.model_fields))
        data["levers"] = {k: ({"values": v} if isinstance(v, list) and k != "range" else v)
                          for k, v in flat.items()}
    for key in ("constraints", "thresholds"):
        if isinstance(data.get(key), dict):
            data[key] = flatten(data[key], {"min", "max"})
    if isinstance(data.get("set"), dict):
        data["set"] = flatten(data["set"], set())
    try:
        spec = DecisionSpecModel.model_validate(data)
    except ValidationError as exc:
        raise UserError(format_errors(exc, source, ALLOWED)) from None
    for i, name in enumerate(spec.objectives):
        _metric(source, f"objectives[{i}]", name)
        if METRICS[name].better not in ("higher", "lower"):
            raise UserError(f"{source}: objectives[{i}] = {name!r}: this metric has no better "
                            "direction (neither more nor less is better), so it cannot be an "
                            "objective; put it under [constraints]")
    if len(set(spec.objectives)) != len(spec.objectives):
        raise UserError(f"{source}: objectives: a metric is named twice")
    for table in ("constraints", "thresholds"):
        for name in getattr(spec, table):
            _metric(source, f"{table}.{name}", name)
    where = (path or Path(source)).parent
    ref = spec.extends
    local = where / f"{ref}.toml"
    try:
        scenario = load_scenario(str(local) if local.is_file() else ref)
    except ScenarioError as exc:
        raise UserError(f"{source}: extends = {ref!r}: {exc}") from None
    run = {"run.weeks": spec.horizon_weeks or scenario.params.run.weeks,
           "run.seed": scenario.params.run.seed if spec.seed is None else spec.seed}
    changes = {**spec.set, **run, **(GUARDRAIL if spec.guardrail else {})}
    try:
        today = apply_overrides(scenario.params, changes)
    except ValueError as exc:
        raise UserError(f"{source}: set: {exc}") from None
    levers = _levers(spec, source)
    unit_value = resolve_factor("value.cost_per_reoffence_gbp", "uncertainty", {})
    low, high = spec.value.per_reoffence_gbp or (unit_value.low, unit_value.high)
    if not 0 <= low < high:
        raise UserError(f"{source}: value.per_reoffence_gbp = [{low}, {high}]: give "
                        "[low, high] with 0 <= low < high")
    name = spec.name or Path(source).stem
    return Decision(
        name=name, question=spec.question, source=source, today=today, base_name=ref,
        settings=_changed(today, scenario.params),
        annual_gbp=spec.budget.annual_gbp or today.funding.annual_budget_gbp,
        multiples=tuple(sorted(spec.budget.multiples)), levers=levers,
        objectives=tuple(spec.objectives),
        constraints={k: (v.min, v.max) for k, v in spec.constraints.items()},
        thresholds={k: (v.min, v.max) for k, v in spec.thresholds.items()},
        guardrail=spec.guardrail, worlds=spec.worlds, search=spec.search,
        value_range=(float(low), float(high)),
        seed=spec.search.seed if spec.search.seed is not None else today.run.seed)


def _changed(today: ScenarioParams, base: ScenarioParams) -> dict[str, Any]:
    """The values of ``today`` that differ from ``base``'s, as dotted keys (``run``
    aside)."""
    out = {}
    for section in type(base).model_fields:
        if section == "run":
            continue
        mine, theirs = getattr(today, section), getattr(base, section)
        for name in type(mine).model_fields:
            if getattr(mine, name) != getattr(theirs, name):
                out[f"{section}.{name}"] = getattr(mine, name)
    return out


def load_decision(ref: str | Path) -> Decision:
    """Load and validate a decision spec (a path, or a name in ``scenarios/decisions/``).

    Example:
        >>> load_decision("adult_probation_budget").primary
        'abandonment_rate'
    """
    from sim.scenario import read_toml

    path = find_decision(str(ref))
    return parse_decision(read_toml(path, UserError, "decision spec"), str(path), path)
