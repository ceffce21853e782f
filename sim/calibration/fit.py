"""The calibration search: Sobol design, ABC rejection, refinement; reproducible from a seed.

1. **Design.** A scrambled Sobol sequence (``scipy.stats.qmc``) of ``points`` parameter
   sets, uniform over the bounds of the uncertain parameters (by default their documented
   plausible ranges): a uniform prior, covered evenly.
2. **Simulation.** Every point runs on every variant that carries an enforced target, for
   ``reps`` replications on common seeds.
3. **ABC rejection.** A point's distance is its worst target, in half-widths of that
   target's range: ``rho = max_t |mean_t - centre_t| / half_width_t``, so ``rho <= 1``
   means every target is inside its range. Points with ``rho <= 1`` are accepted (if fewer
   than ``MIN_ACCEPTED`` are, the tolerance is widened to the ``MIN_ACCEPTED``-th smallest
   distance, as in quantile-based ABC). The accepted points approximate the posterior;
   their spread shows which parameters the targets pin down and which they do not.
4. **Refinement.** A second Sobol design in the box spanned by the accepted points
   (widened by ``refine_shrink`` of each full range), run with ``refine_reps``
   replications. Among refined points with ``rho <= 1`` the one closest to the centres of
   all ranges (smallest mean squared distance in half-widths) is chosen, then rounded to
   ``significant_digits``; those rounded values become the defaults.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from scipy.stats import qmc

from sim.calibration.evaluate import Evaluation, evaluate, variant_params
from sim.calibration.targets import CalibrationSpec, FitParameter
from sim.runner import Progress

MIN_ACCEPTED = 8
FIT_FILE = Path(__file__).resolve().parents[2] / "scenarios" / "calibration" / "fit.json"


def round_significant(value: float, digits: int) -> float:
    """Round to ``digits`` significant figures.

    Example:
        >>> round_significant(0.034567, 2)
        0.035
    """
    if value == 0 or not math.isfinite(value):
        return value
    return round(value, digits - 1 - math.floor(math.log10(abs(value))))


def design(parameters: Sequence[FitParameter], n: int, seed: int,
           box: Sequence[tuple[float, float]] | None = None) -> list[dict[str, float]]:
    """``n`` scrambled Sobol points over the parameters' bounds (or over ``box``).

    Example:
        >>> from sim.calibration.targets import FitParameter
        >>> pts = design([FitParameter("effects.engagement_base", 0.7, 0.9)], 4, seed=1)
        >>> len(pts), all(0.7 <= p["effects.engagement_base"] <= 0.9 for p in pts)
        (4, True)
    """
    bounds = list(box) if box is not None else [(p.low, p.high) for p in parameters]
    sampler = qmc.Sobol(d=len(parameters), scramble=True, seed=seed)
    unit = sampler.random(n)
    lows = np.array([b[0] for b in bounds])
    highs = np.array([b[1] for b in bounds])
    scaled = qmc.scale(unit, lows, highs)
    points = []
    for row in scaled:
        point = {}
        for p, x in zip(parameters, row, strict=True):
            point[p.name] = int(round(x)) if p.integer else float(x)
        points.append(point)
    return points


@dataclass
class Scored:
    """A parameter point with its target means and distances."""

    stage: str
    point: dict[str, float]
    means: dict[str, float]
    rho: float  # worst target, in half-widths of its range
    score: float  # mean squared distance from the range centres, in half-widths
    accepted: bool = False


def score_points(spec: CalibrationSpec, points: Sequence[dict[str, float]],
                 evaluation: Evaluation, stage: str) -> list[Scored]:
    """Distances of every point from the enforced targets."""
    targets = [t for t in spec.targets if t.enforce]
    scored = []
    for i, point in enumerate(points):
        means = {t.key: evaluation.mean(i, t.variant, t.metric) for t in targets}
        z = np.array([(means[t.key] - t.centre) / t.half_width for t in targets])
        z = np.where(np.isfinite(z), z, 1e3)  # an undefined metric is far from any target
        scored.append(Scored(stage, dict(point), means, float(np.abs(z).max()),
                             float(np.mean(z ** 2))))
    return scored


def accept(scored: list[Scored]) -> float:
    """Mark accepted points; return the tolerance used (1 = every target inside)."""
    rhos = sorted(s.rho for s in scored)
    tolerance = 1.0
    if sum(r <= 1.0 for r in rhos) < MIN_ACCEPTED:
        tolerance = rhos[min(MIN_ACCEPTED, len(rhos)) - 1]
    for s in scored:
        s.accepted = s.rho <= tolerance
    return tolerance


def refine_box(parameters: Sequence[FitParameter], accepted: Sequence[Scored],
               widen: float) -> list[tuple[float, float]]:
    """The box spanned by the accepted points, widened and clipped to the bounds."""
    box = []
    for p in parameters:
        xs = [s.point[p.name] for s in accepted]
        margin = widen * (p.high - p.low)
        box.append((max(p.low, min(xs) - margin), min(p.high, max(xs) + margin)))
    return box


@dataclass
class FitResult:
    """Everything the search did, as written to ``fit.json``."""

    seed: int
    parameters: list[dict[str, Any]]
    stage1: list[Scored]
    stage2: list[Scored]
    tolerance1: float
    tolerance2: float
    chosen: dict[str, float]
    rounded: dict[str, float]
    runs: int
    wall_time_s: float
    settings: dict[str, Any] = field(default_factory=dict)
    defaults_before: dict[str, float] = field(default_factory=dict)

    def posterior(self) -> dict[str, dict[str, float]]:
        """ABC posterior summaries from the first stage: median and 5-95% of accepted."""
        accepted = [s for s in self.stage1 if s.accepted]
        out = {}
        for p in self.parameters:
            xs = np.array([s.point[p["name"]] for s in accepted])
            out[p["name"]] = {"median": float(np.median(xs)), "p05": float(np.quantile(xs, 0.05)),
                              "p95": float(np.quantile(xs, 0.95)), "n": len(xs)}
        return out

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dictionary."""
        data = asdict(self)
        data["posterior"] = self.posterior()
        return data


def run_fit(spec: CalibrationSpec, workers: int = 1, reps: int | None = None,
            progress: bool = True) -> FitResult:
    """Run the two-stage search.

    Args:
        spec: targets, variants and fit settings.
        workers: processes.
        reps: replications per point in the first stage (default from the file).
        progress: show a progress bar on a terminal.

    Returns:
        The scored points of both stages, the chosen point and its rounded values.
    """
    f = spec.fit
    start = time.perf_counter()
    variants = spec.fitted_variants
    reference = variant_params(spec.variants[variants[0]])
    before = {p.name: getattr(getattr(reference, p.section), p.field) for p in f.parameters}
    reps1 = reps or f.reps
    points1 = design(f.parameters, f.points, f.seed)
    bar = Progress(len(points1) * reps1 * len(variants), "stage-1 runs") if progress else None
    eval1 = evaluate(spec, points1, reps1, f.seed, variants, workers, on_done=bar)
    stage1 = score_points(spec, points1, eval1, "design")
    tolerance1 = accept(stage1)
    box = refine_box(f.parameters, [s for s in stage1 if s.accepted], f.refine_shrink)
    points2 = design(f.parameters, f.refine_points, f.seed + 1, box)
    bar = Progress(len(points2) * f.refine_reps * len(variants), "stage-2 runs") if progress \
        else None
    eval2 = evaluate(spec, points2, f.refine_reps, f.seed + 1, variants, workers, on_done=bar)
    stage2 = score_points(spec, points2, eval2, "refine")
    tolerance2 = accept(stage2)
    pool = [s for s in stage2 if s.accepted] or stage2
    best = min(pool, key=lambda s: s.score)
    rounded = {p.name: (best.point[p.name] if p.integer
                        else round_significant(best.point[p.name], f.significant_digits))
               for p in f.parameters}
    runs = len(variants) * (len(points1) * reps1 + len(points2) * f.refine_reps)
    return FitResult(
        seed=f.seed,
        parameters=[{"name": p.name, "low": p.low, "high": p.high, "why": p.why}
                    for p in f.parameters],
        stage1=stage1, stage2=stage2, tolerance1=tolerance1, tolerance2=tolerance2,
        chosen=best.point, rounded=rounded, runs=runs,
        wall_time_s=time.perf_counter() - start,
        settings={"points": f.points, "reps": reps1, "refine_points": f.refine_points,
                  "refine_reps": f.refine_reps, "refine_shrink": f.refine_shrink,
                  "significant_digits": f.significant_digits, "variants": variants,
                  "workers": workers, "refine_box": box, "weeks": reference.run.weeks},
        defaults_before=before)


def write_fit(result: FitResult, path: Path = FIT_FILE) -> Path:
    """Write the fit record as JSON (sorted keys, so reruns diff cleanly)."""
    path.write_text(json.dumps(result.to_json(), indent=1, sort_keys=True) + "\n")
    return path


def read_fit(path: Path = FIT_FILE) -> dict[str, Any]:
    """The last fit record."""
    return json.loads(path.read_text())
