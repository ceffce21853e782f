"""EMA Workbench adapter: the model as an ``ema_workbench`` model in one call.

:func:`ema_model` builds a ``ReplicatorModel`` whose uncertainties and levers are the
parameters the project declares (``sim/params.py``: kind ``uncertainty`` or ``lever``,
with their plausible ranges; choices and yes/no parameters as categorical and boolean
parameters), whose outcomes are declared metrics (``sim.metrics``) with their direction,
and whose replications carry the project's common-random-number seeds
(:func:`sim.rng.replication_seeds`), so replication k of every experiment runs on the
same seed, as in ``mentorsim run`` and ``mentorsim sweep``.

With every default, EMA's own samplers give points the model runs:

* **shares that add up to 1** (the mentees' expectation shares) are sampled together as
  a composition (:mod:`sim.composition`): EMA samples ``k - 1`` coordinates in [0, 1]
  (``mentees__expectation_shares__1``, ``__2``) and the point gets shares in their
  ranges that add up to 1, reported as outcomes of the same names as the parameters;
* **a point the model refuses** (staff costing more than ``funding.annual_budget_gbp``,
  supervision without supervisors: the scenario validator's cross-field rules) is not
  run: its ``feasible`` outcome is 0 and its metrics NaN, recorded like any other
  experiment, never an exception that would stop a run or leave process workers waiting;
  :func:`point_params` on its row gives the validator's message, and
  :func:`feasibility_constraint` keeps ``optimize`` to points the model runs.

Ranges can be narrowed in the call (``uncertainties={"effects.exhaustion_load": (0.03,
0.05)}``). Parameter names are the keyword-lever names (``supervision__sessions_per_month``)
EMA passes to :func:`run_point`; each point is validated exactly as a scenario file. Install
the extra with ``pip install -e ".[ema]"``.

Example:
    >>> from ema_workbench import SequentialEvaluator  # doctest: +SKIP
    >>> model = ema_model("baseline", replications=3, weeks=104,
    ...                   uncertainties={"mentors.burnout_threshold": None},
    ...                   levers={"supervision.sessions_per_month": (0, 2)})  # doctest: +SKIP
    >>> with SequentialEvaluator(model) as evaluator:  # doctest: +SKIP
    ...     experiments, outcomes = evaluator.perform_experiments(scenarios=4, policies=2)
"""

from __future__ import annotations

import math
import typing
from collections.abc import Mapping, Sequence
from typing import Any

from sim.composition import Composition, composition_of
from sim.metrics import HEADLINE, METRICS
from sim.params import SECTIONS

FEASIBLE = "feasible"  # the outcome that says whether the model could run the point
REPLICATIONS_SUFFIX = "_by_replication"
Choice = tuple[float, float] | Sequence[Any] | None
Chosen = Sequence[str] | Mapping[str, Choice] | None


def keyword(dotted: str) -> str:
    """A parameter's keyword-lever name: ``funding.renewal_probability`` ->
    ``funding__renewal_probability``."""
    return dotted.replace(".", "__")


def declared(kind: str) -> dict[str, tuple[type, Any]]:
    """Parameters of a kind (``"uncertainty"`` or ``"lever"``) that EMA can sample:
    dotted name -> (annotation, plausible range or choices). Numbers need a declared
    plausible range; choices and yes/no parameters always qualify."""
    out: dict[str, tuple[type, Any]] = {}
    for section, model in SECTIONS.items():
        for name, info in model.model_fields.items():
            extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
            if extra.get("kind") != kind:
                continue
            annotation = info.annotation
            if typing.get_origin(annotation) is typing.Literal:
                out[f"{section}.{name}"] = (str, typing.get_args(annotation))
            elif annotation is bool:
                out[f"{section}.{name}"] = (bool, None)
            elif annotation in (int, float) and extra.get("plausible"):
                out[f"{section}.{name}"] = (annotation, tuple(extra["plausible"]))
    return out


def _chosen(names: Chosen, kind: str) -> dict[str, tuple[type, Any]]:
    """The parameters asked for, with their ranges or choices (narrowed where given)."""
    from sim.sweep.factors import resolve_factor

    available = declared(kind)
    if names is None:
        return available
    asked = dict(names) if isinstance(names, Mapping) else dict.fromkeys(names)
    unknown = [n for n in asked if n not in available]
    if unknown:
        raise ValueError(f"not a declared {kind} EMA can sample: {', '.join(unknown)} "
                         f"(choose from: {', '.join(sorted(available))})")
    out = {}
    for name, narrowed in asked.items():
        annotation, bounds = available[name]
        if narrowed is not None:
            entry = ({"range": list(narrowed)} if annotation in (int, float)
                     else {"values": list(narrowed)})
            try:  # checked as a sweep spec's range or values are
                factor = resolve_factor(name, "lever", entry)
            except ValueError as exc:
                raise ValueError(f"{name}: {exc}") from None
            bounds = (factor.low, factor.high) if factor.values is None else factor.values
        out[name] = (annotation, bounds)
    return out


def _parameter(name: str, annotation: type, bounds: Any) -> Any:
    import ema_workbench as ema

    if annotation in (bool, str) and bounds is not None and len(bounds) == 1:
        return ema.Constant(keyword(name), bounds[0])  # one choice left: fixed, not sampled
    if annotation is bool:
        return ema.BooleanParameter(keyword(name))
    if annotation is str:
        return ema.CategoricalParameter(keyword(name), list(bounds))
    if annotation is int:
        return ema.IntegerParameter(keyword(name), int(bounds[0]), int(bounds[1]))
    return ema.RealParameter(keyword(name), float(bounds[0]), float(bounds[1]))


def _parameters(chosen: dict[str, tuple[type, Any]]
                ) -> tuple[list[Any], list[Composition]]:
    """EMA parameters for the chosen ones; parts of a composition become its coordinates
    (all its parts vary together, each over its range: the narrowed one where given)."""
    import ema_workbench as ema

    parameters, groups = [], []
    for name, (annotation, bounds) in chosen.items():
        group = composition_of(name)
        if group is None:
            parameters.append(_parameter(name, annotation, bounds))
            continue
        if any(g.name == group.name for g in groups):
            continue
        ranges = {p: chosen[p][1] for p in group.parts if p in chosen}
        group = group.narrowed(ranges)
        groups.append(group)
        parameters += [ema.RealParameter(keyword(c), 0.0, 1.0)
                       for c in group.coordinates()]
    return parameters, groups


def replication_mean(values: Sequence[float]) -> float:
    """The mean over an experiment's replications where the metric is defined (NaN when
    it is defined in none); every replication's value is kept beside it."""
    defined = [float(v) for v in values if not math.isnan(float(v))]
    return sum(defined) / len(defined) if defined else math.nan


def _outcomes(metrics: list[str], groups: list[Composition]) -> list[Any]:
    """Each metric as a ScalarOutcome (mean over replications, with the metric's declared
    direction) and an ArrayOutcome of every replication; whether the point was feasible;
    the shares each composition gave."""
    import ema_workbench as ema

    kinds = {"lower": ema.ScalarOutcome.MINIMIZE, "higher": ema.ScalarOutcome.MAXIMIZE,
             "neither": ema.ScalarOutcome.INFO}
    out: list[Any] = []
    for m in metrics:
        out.append(ema.ScalarOutcome(m, kind=kinds[METRICS[m].better], variable_name=m,
                                     function=replication_mean))
        out.append(ema.ArrayOutcome(m + REPLICATIONS_SUFFIX, variable_name=m))
    informative = [FEASIBLE, *(keyword(p) for g in groups for p in g.parts)]
    out += [ema.ScalarOutcome(name, kind=ema.ScalarOutcome.INFO, function=replication_mean)
            for name in informative]
    return out


def ema_model(scenario: str = "baseline", *, replications: int = 10,
              root_seed: int | None = None, weeks: int | None = None,
              uncertainties: Chosen = None, levers: Chosen = None,
              outcomes: Sequence[str] | None = None, name: str | None = None) -> Any:
    """An ``ema_workbench.ReplicatorModel`` of ``scenario``.

    Args:
        scenario: a bundled scenario name or a scenario file; points change its values.
        replications: replications per experiment, on the seeds
            ``replication_seeds(root_seed, replications)``.
        root_seed: default the scenario's ``run.seed``.
        weeks: horizon; default the scenario's ``run.weeks``.
        uncertainties, levers: dotted parameter names (default: every declared one EMA
            can sample), or a mapping of names to a narrower ``(low, high)`` range (or a
            subset of choices, one choice fixing it; ``None`` keeps the declared range). A
            part of a composition brings the whole composition in.
        outcomes: metric names (default: the headline metrics).
        name: the EMA model's name (an identifier; default from the scenario).

    Outcomes: each metric ``m`` is ``m`` (a ``ScalarOutcome``, the mean over the
    replications where it is defined, ``MINIMIZE``, ``MAXIMIZE`` or ``INFO`` as the metric
    declares which direction is better) and ``m_by_replication`` (an ``ArrayOutcome``:
    experiments x replications, paired across experiments by seed); ``feasible`` is 1 for
    a point the model ran, 0 for one it refuses (see the module docstring); each share of
    a composition is reported under its keyword name.

    Raises:
        ValueError: an unknown parameter or metric, a range outside what a parameter
            allows, or a composition whose ranges cannot add up to 1.
    """
    import ema_workbench as ema

    from sim.rng import replication_seeds
    from sim.scenario import load_scenario

    base = load_scenario(scenario, run_overrides={"weeks": weeks})
    seed = base.params.run.seed if root_seed is None else root_seed
    chosen_u = _chosen(uncertainties, "uncertainty")
    chosen_l = _chosen(levers, "lever")
    u_parameters, u_groups = _parameters(chosen_u)
    l_parameters, l_groups = _parameters(chosen_l)
    metrics = list(HEADLINE) if outcomes is None else list(outcomes)
    unknown = [m for m in metrics if m not in METRICS]
    if unknown:
        raise ValueError(f"not a metric: {', '.join(unknown)} (see mentorsim metrics)")
    model = ema.ReplicatorModel(name or f"mentorsim_{base.name}", function=run_point)
    fixed = [p for p in u_parameters + l_parameters if isinstance(p, ema.Constant)]
    model.uncertainties = [p for p in u_parameters if not isinstance(p, ema.Constant)]
    model.levers = [p for p in l_parameters if not isinstance(p, ema.Constant)]
    groups = u_groups + l_groups
    model.outcomes = _outcomes(metrics, groups)
    model.constants = [
        ema.Constant("scenario", scenario), ema.Constant("weeks", base.params.run.weeks),
        ema.Constant("outcomes", tuple(metrics)),
        ema.Constant("compositions", tuple((g.name, g.parts, g.low, g.high) for g in groups)),
        *fixed]
    model.replications = [{"seed": s} for s in replication_seeds(seed, replications)]
    return model


def infeasibility(feasible: float) -> float:
    """How far a point is from one the model runs: 0 when it ran, 1 when refused."""
    return 0.0 if feasible >= 1 else 1.0


def feasibility_constraint() -> Any:
    """The EMA ``Constraint`` for ``optimize``: only points the model runs (staff within
    budget, supervisors for supervision) are acceptable solutions."""
    import ema_workbench as ema

    return ema.Constraint(FEASIBLE, outcome_names=FEASIBLE, function=infeasibility)


def point_values(values: dict[str, Any],
                 compositions: Sequence[tuple[str, tuple[str, ...], tuple[float, ...],
                                              tuple[float, ...]]] = ()) -> dict[str, Any]:
    """An EMA point's parameter values by keyword-lever name, compositions' coordinates
    turned into their shares."""
    import numpy as np

    plain = {k: (v.item() if hasattr(v, "item") else v) for k, v in values.items()}
    for name, parts, low, high in compositions:
        group = Composition(name, tuple(parts), tuple(low), tuple(high))
        unit = np.array([[plain.pop(keyword(c)) for c in group.coordinates()]])
        plain.update({keyword(p): v for p, v in group.values(unit)[0].items()})
    return plain


def point_params(scenario: str, weeks: int, values: dict[str, Any],
                 compositions: Sequence[Any] = ()) -> Any:
    """The validated parameters of one EMA point (keyword-lever names -> values, and any
    compositions' coordinates).

    Raises:
        ScenarioError: the point is one the model refuses, with the validator's message.
    """
    from sim.model import lever_values
    from sim.scenario import load_scenario

    return load_scenario(scenario, run_overrides={"weeks": weeks},
                         values=lever_values(point_values(values, compositions))).params


def run_point(scenario: str, weeks: int, seed: int, outcomes: Sequence[str],
              compositions: Sequence[Any] = (), **values: Any) -> dict[str, float]:
    """One replication of one EMA experiment: the declared metrics of the run, whether the
    point was feasible, and the shares its compositions gave."""
    from sim.errors import ScenarioError
    from sim.runner import Job, run_job

    shares = {k: float(v) for k, v in point_values(values, compositions).items()
              if any(k == keyword(p) for _, parts, _, _ in compositions for p in parts)}
    try:
        params = point_params(scenario, weeks, values, compositions)
    except ScenarioError:  # a point the model refuses: recorded, not raised
        return {**dict.fromkeys(outcomes, math.nan), FEASIBLE: 0.0, **shares}
    metrics = run_job(Job(scenario, 0, int(seed), params), yearly=False).metrics
    return {**{m: float(metrics[m]) for m in outcomes}, FEASIBLE: 1.0, **shares}
