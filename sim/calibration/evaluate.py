"""Run calibration variants for parameter points, keeping only the metrics.

Every run is a :class:`sim.runner.Job` run by :func:`sim.runner.run_job` on the runner's
one pool for the whole design (:func:`sim.runner.map_batches`), the same unit of work and
pool as a comparison's. Replication k of every point uses the same seed (common random
numbers), so two points differ through their parameters, not their luck.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from contextlib import closing
from dataclasses import dataclass

import numpy as np

from sim.calibration.targets import CalibrationSpec, Variant
from sim.params import ScenarioParams
from sim.rng import replication_seeds
from sim.runner import Job, map_batches, run_metrics_only
from sim.scenario import load_scenario


def _value_text(value: float | int | bool | str) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return repr(value)
    return repr(value)


def variant_params(variant: Variant, point: Mapping[str, float] | None = None
                   ) -> ScenarioParams:
    """The variant's scenario with its overrides and then the point's values applied.

    Example:
        >>> from sim.calibration.targets import load_spec
        >>> v = load_spec().variants["baseline"]
        >>> variant_params(v, {"effects.engagement_base": 0.8}).effects.engagement_base
        0.8
    """
    sets = list(variant.overrides)
    sets += [f"{name}={_value_text(value)}" for name, value in (point or {}).items()]
    return load_scenario(variant.scenario, sets).params


@dataclass
class Evaluation:
    """Per-replication metric values: ``values[point][variant][metric]`` is an array."""

    values: list[dict[str, dict[str, np.ndarray]]]
    seeds: list[int]

    def mean(self, point: int, variant: str, metric: str) -> float:
        """Mean over the finite replications (NaN if none)."""
        column = self.values[point][variant][metric]
        finite = column[np.isfinite(column)]
        return float(finite.mean()) if len(finite) else math.nan


def evaluate(spec: CalibrationSpec, points: Sequence[Mapping[str, float]], reps: int,
             seed: int, variants: Sequence[str] | None = None, workers: int = 1,
             reps_by_variant: Mapping[str, int] | None = None,
             on_done: Callable[[], None] | None = None) -> Evaluation:
    """Run every point on every variant for ``reps`` paired replications.

    Args:
        spec: the calibration specification.
        points: parameter values (dotted name -> value) to apply on top of each variant.
        reps: replications per point and variant (unless ``reps_by_variant`` says).
        seed: root seed; replication k has the same seed for every point and variant.
        variants: which variants to run (default: all).
        workers: processes (1 runs here).
        reps_by_variant: replications for particular variants.
        on_done: called after each finished run (progress).

    Returns:
        The metric values of every run.
    """
    names = list(variants or spec.variants)
    counts = {v: (reps_by_variant or {}).get(v, reps) for v in names}
    seeds = replication_seeds(seed, max(counts.values()))
    metrics = {v: tuple(sorted({t.metric for t in spec.targets_on(v)})) for v in names}
    jobs: list[Job] = []
    where: list[tuple[int, str]] = []  # each job's point and variant
    for i, point in enumerate(points):
        for v in names:
            params = variant_params(spec.variants[v], point)
            jobs += [Job(v, k, seeds[k], params) for k in range(counts[v])]
            where += [(i, v)] * counts[v]
    results: dict[int, list[dict[str, float]]] = {}  # by batch number
    # One run per task, as before: a design's runs differ a lot in length, and progress
    # then advances run by run.
    with closing(map_batches(run_metrics_only, jobs, workers, size=1)) as stream:
        for seq, _chunk, out in stream:
            results[seq] = out
            if on_done:
                for _ in out:
                    on_done()
    ordered = [m for seq in sorted(results) for m in results[seq]]
    values: list[dict[str, dict[str, list[float]]]] = [
        {v: {m: [] for m in metrics[v]} for v in names} for _ in points]
    for (i, v), out in zip(where, ordered, strict=True):
        for m in metrics[v]:
            values[i][v][m].append(out[m])
    arrays = [{v: {m: np.asarray(xs, dtype=float) for m, xs in by_v.items()}
               for v, by_v in point.items()} for point in values]
    return Evaluation(arrays, seeds)
