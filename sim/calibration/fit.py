"""The calibration search: history matching in waves, then ABC rejection; one seed.

The targets constrain many weakly evidenced parameters at once, so the region of the
plausible box that reproduces all of them is small (typically well under 1%). A single
space-filling design rarely lands in it; the search therefore works in **waves**, as in
history matching (Vernon, Goldstein & Bower 2010, Bayesian Analysis 5; Andrianakis et al.
2015, PLoS Computational Biology 11, for an agent-based model):

1. **Wave 1, design.** A scrambled Sobol sequence (``scipy.stats.qmc``) over the bounds of
   the uncertain parameters (by default their documented plausible ranges): a uniform
   prior, covered evenly. Every point runs on every variant that carries an enforced
   target, for the wave's replications, on common seeds.
2. **Emulate.** For each target, a quadratic regression on the parameters (in unit-cube
   coordinates, no interactions) with a Gaussian process on its residuals
   (:mod:`sim.calibration.emulator`), fitted to every point simulated so far; its standard
   deviation ``sd(x)`` counts the emulator's own uncertainty at ``x`` and simulation noise.
3. **Rule out.** ``candidates`` new Sobol points are screened with the emulators; a point
   stays *not ruled out yet* when every emulated target lies within ``cutoff`` x ``sd(x)``
   of its range. The next wave simulates the first ``points`` of them (still a low-discrepancy
   set), with more replications. Steps 2-3 repeat for each later wave.
4. **ABC rejection.** A simulated point's distance is its worst target, in half-widths of
   that target's range: ``rho = max_t |mean_t - centre_t| / half_width_t``, so ``rho <= 1``
   means every enforced target is inside its range. Points of the last wave with
   ``rho <= 1`` are accepted: they approximate the posterior, and their spread shows which
   parameters the targets pin down and which they leave open.
5. **Confirmation and choice.** The accepted points, topped up with the candidates the
   final emulators put closest to the centres of all ranges, are re-run with
   ``confirm_reps`` replications on fresh seeds (so the choice is not a winner of
   simulation noise), already rounded to ``significant_digits``, so what is confirmed is
   exactly what becomes the defaults. The confirmed point whose worst target lies furthest
   inside its range (smallest ``rho``; ties by mean squared distance) is chosen, unless
   the targets file names another confirmed point (``choose``) and says why
   (``choose_reason``).

Everything is reproducible from ``seed`` (designs, candidates and replication seeds).
"""

from __future__ import annotations

import json
import math
import sys
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from scipy.stats import qmc

from sim.calibration.emulator import Emulator
from sim.calibration.evaluate import evaluate, variant_params
from sim.calibration.targets import CalibrationSpec, FitParameter, Target
from sim.runner import Progress

MIN_ACCEPTED = 8
EMULATOR = ("quadratic regression with a Gaussian process on its residuals "
            "(squared-exponential, one length-scale per parameter, white noise)")
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


def unit_sobol(dimensions: int, n: int, seed: int) -> np.ndarray:
    sampler = qmc.Sobol(d=dimensions, scramble=True, seed=seed)
    m = math.ceil(math.log2(max(n, 1)))
    return sampler.random_base2(m)[:n]  # a power of two keeps Sobol's balance; then trim


def to_points(parameters: Sequence[FitParameter], unit: np.ndarray) -> list[dict[str, float]]:
    """Unit-cube rows to parameter values (integers rounded)."""
    lows = np.array([p.low for p in parameters])
    highs = np.array([p.high for p in parameters])
    scaled = lows + unit * (highs - lows)
    return [{p.name: (int(round(x)) if p.integer else float(x))
             for p, x in zip(parameters, row, strict=True)} for row in scaled]


def to_unit(parameters: Sequence[FitParameter], points: Sequence[dict[str, float]]
            ) -> np.ndarray:
    """Parameter values to unit-cube coordinates."""
    lows = np.array([p.low for p in parameters])
    highs = np.array([p.high for p in parameters])
    values = np.array([[pt[p.name] for p in parameters] for pt in points], dtype=float)
    return (values - lows) / (highs - lows)


def design(parameters: Sequence[FitParameter], n: int, seed: int) -> list[dict[str, float]]:
    """``n`` scrambled Sobol points over the parameters' bounds.

    Example:
        >>> from sim.calibration.targets import FitParameter
        >>> pts = design([FitParameter("effects.engagement_base", 0.7, 0.9)], 4, seed=1)
        >>> len(pts), all(0.7 <= p["effects.engagement_base"] <= 0.9 for p in pts)
        (4, True)
    """
    return to_points(parameters, unit_sobol(len(parameters), n, seed))


@dataclass
class Scored:
    """A simulated parameter point with its target means and distances."""

    wave: int
    point: dict[str, float]
    means: dict[str, float]
    rho: float  # worst target, in half-widths of its range
    score: float  # mean squared distance from the range centres, in half-widths
    reps: int = 1
    accepted: bool = False


def distances(targets: Sequence[Target], means: dict[str, float]) -> tuple[float, float]:
    """(rho, score) of one point's target means."""
    z = np.array([(means[t.key] - t.centre) / t.half_width for t in targets])
    z = np.where(np.isfinite(z), z, 1e3)  # an undefined metric is far from any target
    return float(np.abs(z).max()), float(np.mean(z ** 2))


def simulate_wave(spec: CalibrationSpec, points: list[dict[str, float]], reps: int, seed: int,
                  wave: int, workers: int, progress: bool) -> list[Scored]:
    """Run and score one wave of points."""
    variants = spec.fitted_variants
    targets = [t for t in spec.targets if t.enforce]
    counts = {v: reps * spec.variants[v].fit_reps_factor for v in variants}
    bar = Progress(len(points) * sum(counts.values()), f"wave-{wave} runs") if progress else None
    evaluation = evaluate(spec, points, reps, seed, variants, workers, reps_by_variant=counts,
                          on_done=bar)
    scored = []
    for i, point in enumerate(points):
        means = {t.key: evaluation.mean(i, t.variant, t.metric) for t in targets}
        rho, score = distances(targets, means)
        scored.append(Scored(wave, dict(point), means, rho, score, reps))
    return scored


def accept(scored: list[Scored]) -> float:
    """Mark accepted points; return the tolerance used (1 = every target inside).

    When fewer than ``MIN_ACCEPTED`` points are inside every range the tolerance widens to
    the ``MIN_ACCEPTED``-th smallest distance (quantile ABC), so there is always a sample.
    """
    rhos = sorted(s.rho for s in scored)
    tolerance = 1.0
    if sum(r <= 1.0 for r in rhos) < MIN_ACCEPTED:
        tolerance = max(1.0, rhos[min(MIN_ACCEPTED, len(rhos)) - 1])
    for s in scored:
        s.accepted = s.rho <= tolerance
    return tolerance


def not_ruled_out(emulator: Emulator, targets: Sequence[Target], unit: np.ndarray,
                  cutoff: float) -> np.ndarray:
    """Which candidates every emulated target keeps within ``cutoff`` of the emulator's
    standard deviations at that candidate of its range."""
    predicted, sd = emulator.predict(unit, return_sd=True)
    lows = np.array([t.low for t in targets]) - cutoff * sd
    highs = np.array([t.high for t in targets]) + cutoff * sd
    return ((predicted >= lows) & (predicted <= highs)).all(axis=1)


def emulator_diagnostics(emulator: Emulator, targets: Sequence[Target],
                         parameters: Sequence[FitParameter]) -> dict[str, Any]:
    """A wave's emulator diagnostics as written to ``fit.json`` (rounded)."""
    d = emulator.diagnostics()
    inactive = emulator.inactive_parameters()
    return {
        "emulator_loo_r2": {t.key: round(float(x), 3)
                            for t, x in zip(targets, d["loo_r2"], strict=True)},
        "quadratic_loo_r2": {t.key: round(float(x), 3)
                             for t, x in zip(targets, d["quadratic_loo_r2"], strict=True)},
        "emulator_loo_within_2sd": {t.key: round(float(x), 3)
                                    for t, x in zip(targets, d["loo_within_2sd"], strict=True)},
        "parameters_not_used": {t.key: [parameters[i].name for i in idx]
                                for t, idx in zip(targets, inactive, strict=True)},
    }


@dataclass
class FitResult:
    """Everything the search did, as written to ``fit.json``."""

    seed: int
    parameters: list[dict[str, Any]]
    points: list[Scored]
    waves: list[dict[str, Any]]
    tolerance: float
    chosen: dict[str, float]
    chosen_rho: float
    rounded: dict[str, float]
    runs: int
    wall_time_s: float
    settings: dict[str, Any] = field(default_factory=dict)
    defaults_before: dict[str, float] = field(default_factory=dict)

    def accepted(self) -> list[Scored]:
        """The accepted points of the last wave (before the confirmation runs)."""
        return [s for s in self.points if s.accepted]

    def posterior(self) -> dict[str, dict[str, float]]:
        """Median and 5-95% range of each parameter over the accepted points."""
        accepted = self.accepted()
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


def _emulate(params: Sequence[FitParameter], targets: Sequence[Target],
             scored: Sequence[Scored]) -> Emulator:
    unit = to_unit(params, [s.point for s in scored])
    values = np.array([[s.means[t.key] for t in targets] for s in scored])
    return Emulator.fit(unit, values, np.array([s.reps for s in scored], float))


def _emulated_distances(emulator: Emulator, targets: Sequence[Target], unit: np.ndarray
                        ) -> tuple[np.ndarray, np.ndarray]:
    """Emulated (rho, score) of unit-cube candidates."""
    half = np.array([t.half_width for t in targets])
    centre = np.array([t.centre for t in targets])
    z = (emulator.predict(unit) - centre) / half
    return np.abs(z).max(axis=1), (z ** 2).mean(axis=1)


def run_fit(spec: CalibrationSpec, workers: int = 1, reps: int | None = None,
            progress: bool = True) -> FitResult:
    """Run the waves, the ABC rejection, the confirmation runs and the choice of defaults.

    Args:
        spec: targets, variants and fit settings.
        workers: processes.
        reps: replications per point in the first wave (default from the file).
        progress: show a progress bar on a terminal.

    Returns:
        Every simulated point with its scores, per-wave diagnostics, the chosen point and
        its rounded values.
    """
    f = spec.fit
    start = time.perf_counter()
    params = list(f.parameters)
    targets = [t for t in spec.targets if t.enforce]
    variants = spec.fitted_variants
    per_rep = sum(spec.variants[v].fit_reps_factor for v in variants)
    reference = variant_params(spec.variants[variants[0]])
    before = {p.name: getattr(getattr(reference, p.section), p.field) for p in params}
    waves = [(f.waves[0][0], reps or f.waves[0][1]), *f.waves[1:]]
    scored: list[Scored] = []
    diagnostics: list[dict[str, Any]] = []
    runs = 0
    for k, (n, r) in enumerate(waves, start=1):
        info: dict[str, Any] = {"wave": k, "points": n, "reps": r}
        if k == 1:
            points = design(params, n, f.seed)
        else:
            emulator = _emulate(params, targets, scored)
            candidates = unit_sobol(len(params), f.candidates, f.seed + k)
            cutoff = f.cutoffs[k - 2]
            keep = not_ruled_out(emulator, targets, candidates, cutoff)
            info.update(cutoff=cutoff, not_ruled_out_share=float(keep.mean()),
                        **emulator_diagnostics(emulator, targets, params))
            if keep.sum() >= n:
                chosen_unit = candidates[keep][:n]
            else:  # too few survive: take the candidates the emulators put closest
                worst, _ = _emulated_distances(emulator, targets, candidates)
                chosen_unit = candidates[np.argsort(worst, kind="stable")[:n]]
            points = to_points(params, chosen_unit)
        wave = simulate_wave(spec, points, r, f.seed + k, k, workers, progress)
        runs += len(points) * r * per_rep
        info["inside_all_ranges"] = sum(s.rho <= 1 for s in wave)
        diagnostics.append(info)
        scored += wave
    last = [s for s in scored if s.wave == len(waves)]
    tolerance = accept(last)

    # Confirmation: the last wave's points inside every range, topped up with the points the
    # final emulators put closest to the centres, are re-run with many replications on fresh
    # seeds, so the choice is not a winner of simulation noise.
    emulator = _emulate(params, targets, scored)
    candidates = unit_sobol(len(params), f.candidates, f.seed + len(waves) + 1)
    worst, score = _emulated_distances(emulator, targets, candidates)
    order = np.lexsort((score, worst > 1.0))  # inside every range first, then closest
    inside = sorted((s for s in last if s.rho <= 1.0), key=lambda s: s.score)
    confirm = [s.point for s in inside[:f.confirm_points]]
    confirm += to_points(params, candidates[order[:f.confirm_points - len(confirm)]])
    # The values confirmed are the values that become the defaults: rounding first means a
    # target the rounding would push out of its range shows here, not in ``--check``.
    confirm = [_rounded(params, point, f.significant_digits) for point in confirm]
    k = len(waves) + 1
    confirmed = simulate_wave(spec, confirm, f.confirm_reps, f.seed + k, k, workers, progress)
    runs += len(confirm) * f.confirm_reps * per_rep
    diagnostics.append({"wave": k, "points": len(confirm), "reps": f.confirm_reps,
                        "confirmation": True,
                        "inside_all_ranges": sum(s.rho <= 1 for s in confirmed)})
    scored += confirmed
    # The choice is the confirmed point whose worst target is furthest inside its range
    # (smallest rho): every enforced target must stay inside in ``--check`` on other seeds,
    # so the margin of the worst one matters more than the mean distance to the centres.
    closest = min(confirmed, key=lambda s: (s.rho, s.score))
    best = closest
    choose = f.choose
    if choose is not None and (not 1 <= choose <= len(confirmed)
                               or confirmed[choose - 1].rho > 1.0):
        # A choice written for an earlier search does not fit this one: keep the point
        # chosen by rule rather than throw away the search, and say so (the report shows it).
        print(f"warning: fit.choose = {choose} is not a confirmed point inside every range "
              "in this search; the confirmed point whose worst target is furthest inside is "
              "used instead", file=sys.stderr)
        choose = None
    if choose is not None:  # a documented choice among the confirmed points
        best = confirmed[choose - 1]
    rounded = _rounded(params, best.point, f.significant_digits)
    return FitResult(
        seed=f.seed,
        parameters=[{"name": p.name, "low": p.low, "high": p.high, "why": p.why}
                    for p in params],
        points=scored, waves=diagnostics, tolerance=tolerance, chosen=best.point,
        chosen_rho=best.rho, rounded=rounded, runs=runs,
        wall_time_s=time.perf_counter() - start,
        settings={"waves": [list(w) for w in waves], "candidates": f.candidates,
                  "emulator": EMULATOR,
                  "cutoffs": list(f.cutoffs), "confirm_points": f.confirm_points,
                  "confirm_reps": f.confirm_reps,
                  "significant_digits": f.significant_digits, "variants": variants,
                  "fit_reps_factor": {v: spec.variants[v].fit_reps_factor for v in variants},
                  "closest": confirmed.index(closest) + 1,
                  "choose": choose, "choose_reason": f.choose_reason if choose else "",
                  "workers": workers, "weeks": reference.run.weeks},
        defaults_before=before)


def _rounded(params: Sequence[FitParameter], point: dict[str, float],
             digits: int) -> dict[str, float]:
    """A point with every non-integer parameter rounded to ``digits`` significant figures."""
    return {p.name: (point[p.name] if p.integer else round_significant(point[p.name], digits))
            for p in params}


def write_fit(result: FitResult, path: Path = FIT_FILE) -> Path:
    """Write the fit record as JSON, atomically (sorted keys, so reruns diff cleanly)."""
    from sim.files import write_text_atomically

    write_text_atomically(path, json.dumps(result.to_json(), indent=1, sort_keys=True) + "\n")
    return path


def read_fit(path: Path = FIT_FILE) -> dict[str, Any]:
    """The last fit record."""
    return json.loads(path.read_text())
