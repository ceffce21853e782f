"""EMA Workbench adapter: the model as an ``ema_workbench`` model in one call.

:func:`ema_model` builds a ``ReplicatorModel`` whose uncertainties and levers are the
parameters the project declares (``sim/params.py``: kind ``uncertainty`` or ``lever``,
with their plausible ranges; choices and yes/no parameters as categorical and boolean
parameters), whose outcomes are declared metrics (``sim.metrics``, every replication
kept), and whose replications carry the project's
common-random-number seeds (:func:`sim.rng.replication_seeds`), so replication k of every
experiment runs on the same seed, as in ``mentorsim run`` and ``mentorsim sweep``.

Parameter names are the keyword-lever names (``supervision__sessions_per_month``), which
EMA passes to :func:`run_point` as keyword arguments; each point is validated exactly as a
scenario file. Install the extra with ``pip install -e ".[ema]"``.

Example:
    >>> from ema_workbench import SequentialEvaluator  # doctest: +SKIP
    >>> model = ema_model("baseline", replications=3, weeks=104,
    ...                   uncertainties=["mentors.burnout_threshold"],
    ...                   levers=["supervision.sessions_per_month"])  # doctest: +SKIP
    >>> with SequentialEvaluator(model) as evaluator:  # doctest: +SKIP
    ...     experiments, outcomes = evaluator.perform_experiments(scenarios=4, policies=2)
"""

from __future__ import annotations

import typing
from collections.abc import Sequence
from typing import Any

from sim.metrics import HEADLINE, METRICS
from sim.params import SECTIONS


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


def _parameters(names: Sequence[str] | None, kind: str) -> list[Any]:
    import ema_workbench as ema

    available = declared(kind)
    chosen = list(available) if names is None else list(names)
    unknown = [n for n in chosen if n not in available]
    if unknown:
        raise ValueError(f"not a declared {kind} EMA can sample: {', '.join(unknown)} "
                         f"(choose from: {', '.join(sorted(available))})")
    parameters = []
    for name in chosen:
        annotation, bounds = available[name]
        if annotation is bool:
            parameters.append(ema.BooleanParameter(keyword(name)))
        elif annotation is str:
            parameters.append(ema.CategoricalParameter(keyword(name), list(bounds)))
        elif annotation is int:
            parameters.append(ema.IntegerParameter(keyword(name), int(bounds[0]),
                                                   int(bounds[1])))
        else:
            parameters.append(ema.RealParameter(keyword(name), float(bounds[0]),
                                                float(bounds[1])))
    return parameters


def ema_model(scenario: str = "baseline", *, replications: int = 10,
              root_seed: int | None = None, weeks: int | None = None,
              uncertainties: Sequence[str] | None = None, levers: Sequence[str] | None = None,
              outcomes: Sequence[str] | None = None, name: str | None = None) -> Any:
    """An ``ema_workbench.ReplicatorModel`` of ``scenario``.

    Args:
        scenario: a bundled scenario name or a scenario file; points change its values.
        replications: replications per experiment, on the seeds
            ``replication_seeds(root_seed, replications)``.
        root_seed: default the scenario's ``run.seed``.
        weeks: horizon; default the scenario's ``run.weeks``.
        uncertainties, levers: dotted parameter names (default: every declared one EMA
            can sample).
        outcomes: metric names (default: the headline metrics).
        name: the EMA model's name (an identifier; default from the scenario).

    Each outcome keeps every replication (an ``ArrayOutcome``: an array of experiments x
    replications, paired across experiments by seed); ``ema_workbench.process_replications``
    takes their mean. (EMA registers an outcome name with one outcome class per process,
    so the adapter offers one kind.)
    """
    import ema_workbench as ema

    from sim.rng import replication_seeds
    from sim.scenario import load_scenario

    base = load_scenario(scenario, run_overrides={"weeks": weeks})
    seed = base.params.run.seed if root_seed is None else root_seed
    model = ema.ReplicatorModel(name or f"mentorsim_{base.name}", function=run_point)
    model.uncertainties = _parameters(uncertainties, "uncertainty")
    model.levers = _parameters(levers, "lever")
    chosen = list(HEADLINE) if outcomes is None else list(outcomes)
    unknown = [m for m in chosen if m not in METRICS]
    if unknown:
        raise ValueError(f"not a metric: {', '.join(unknown)} (see mentorsim metrics)")
    model.outcomes = [ema.ArrayOutcome(m) for m in chosen]
    model.constants = [ema.Constant("scenario", scenario),
                       ema.Constant("weeks", base.params.run.weeks),
                       ema.Constant("outcomes", tuple(chosen))]
    model.replications = [{"seed": s} for s in replication_seeds(seed, replications)]
    return model


def point_params(scenario: str, weeks: int, values: dict[str, Any]) -> Any:
    """The validated parameters of one EMA point (keyword-lever names -> values)."""
    from sim.model import lever_values
    from sim.scenario import load_scenario

    plain = {k: (v.item() if hasattr(v, "item") else v) for k, v in values.items()}
    return load_scenario(scenario, run_overrides={"weeks": weeks},
                         values=lever_values(plain)).params


def run_point(scenario: str, weeks: int, seed: int, outcomes: Sequence[str],
              **values: Any) -> dict[str, float]:
    """One replication of one EMA experiment: the declared metrics of the run."""
    from sim.metrics import run_metrics
    from sim.runner import simulate

    params = point_params(scenario, weeks, values)
    metrics = run_metrics(simulate(params, int(seed)), params)
    return {m: float(metrics[m]) for m in outcomes}
