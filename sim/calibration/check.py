"""``calibrate --check``: run the calibrated defaults and judge every target.

Each variant runs for its ``reps`` replications on seeds from the targets file's
``[check].seed`` (not the seeds the search used, so the check is out of sample). Each
target shows the model's mean with its 95% t-interval beside the published range, and:

- the **implausibility** of the defaults (:mod:`sim.calibration.implausibility`: the
  distance from the published figure in standard deviations of observation error, model
  discrepancy and the replications' noise); the defaults pass a target when ``I`` is at
  most the cutoff (3);
- when an ensemble of plausible worlds sits beside the targets file (``worlds.csv``), its
  5-95% range of the target across worlds and its 95% **predictive interval** (the
  worlds' means, each widened by the target's observation and discrepancy sds: a mixture
  of normals), which must cover the published figure.

The check fails when the defaults are implausible against an enforced target, or the
ensemble's predictive interval misses one. Whether the mean lies inside the published
range is still shown: the range is how the figure was published, not a wall.
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from scipy import optimize, stats

from sim.calibration.evaluate import evaluate
from sim.calibration.implausibility import implausibility
from sim.calibration.targets import CalibrationSpec, Target
from sim.metrics import METRICS
from sim.runner import Progress
from sim.summary import mean_ci


@dataclass(frozen=True)
class TargetResult:
    """A target with the model's mean and 95% interval."""

    target: Target
    mean: float
    ci_low: float
    ci_high: float
    reps: int
    implausibility: float = math.nan  # of the defaults
    cutoff: float = 3.0
    ensemble: tuple[float, float] | None = None  # 5-95% of the worlds' means
    predictive: tuple[float, float] | None = None  # the ensemble's 95% predictive interval

    @property
    def inside(self) -> bool:
        """The model's mean lies inside the published range."""
        return math.isfinite(self.mean) and self.target.inside(self.mean)

    @property
    def plausible(self) -> bool:
        """The defaults are not ruled out by this target."""
        return self.implausibility <= self.cutoff

    @property
    def covered(self) -> bool:
        """The ensemble's predictive interval covers the published figure (True when there
        is no ensemble to judge)."""
        return self.predictive is None or (
            self.predictive[0] <= self.target.centre <= self.predictive[1])

    @property
    def met(self) -> bool:
        """Plausible at the defaults and covered by the ensemble."""
        return self.plausible and self.covered

    @property
    def verdict(self) -> str:
        """``plausible``, ``IMPLAUSIBLE`` or ``NOT COVERED`` (lower case and "not
        enforced" for a target the check does not enforce)."""
        word = ("plausible" if self.met else "IMPLAUSIBLE" if not self.plausible
                else "NOT COVERED")
        return word if self.target.enforce else f"{word.lower()} (not enforced)"


@dataclass(frozen=True)
class CheckResult:
    """All targets' results and the time the check took."""

    results: tuple[TargetResult, ...]
    wall_time_s: float
    counts: dict[str, int]  # replications per variant
    seed: int

    @property
    def runs(self) -> int:
        """Simulations run."""
        return sum(self.counts.values())

    @property
    def passed(self) -> bool:
        """The defaults are plausible against every enforced target, and the ensemble (if
        any) covers each."""
        return all(r.met for r in self.results if r.target.enforce)

    @property
    def with_ensemble(self) -> bool:
        """Whether an ensemble of plausible worlds was judged."""
        return any(r.predictive is not None for r in self.results)


def run_check(spec: CalibrationSpec, workers: int = 1, reps: int | None = None,
              point: Mapping[str, float] | None = None, progress: bool = True) -> CheckResult:
    """Run every variant with the current defaults (plus ``point``) and judge the targets.

    Args:
        spec: targets and variants.
        workers: processes.
        reps: replications for every variant (default: each variant's ``reps``).
        point: parameter values to apply on top of the defaults (e.g. a fitted point).
        progress: show a progress bar on a terminal.

    Returns:
        One result per target, in file order.
    """
    start = time.perf_counter()
    counts = {v: reps or variant.reps for v, variant in spec.variants.items()}
    bar = Progress(sum(counts.values()), "check runs") if progress else None
    evaluation = evaluate(spec, [dict(point or {})], max(counts.values()), spec.check_seed,
                          list(spec.variants), workers, reps_by_variant=counts, on_done=bar)
    worlds = _ensemble(spec)
    results = []
    for target in spec.targets:
        values = evaluation.values[0][target.variant][target.metric]
        mean, low, high, n = mean_ci(values)
        finite = values[np.isfinite(values)]
        var = float(finite.var(ddof=1) / len(finite)) if len(finite) > 1 else 0.0
        imp = float(implausibility([target], np.array([[mean]]), np.array([[var]]))[0, 0])
        spread = predictive = None
        means = worlds.get(target.key)
        if means is not None and len(means):
            spread = (float(np.quantile(means, 0.05)), float(np.quantile(means, 0.95)))
            predictive = predictive_interval(
                means, math.hypot(target.observation_sd, target.discrepancy_sd))
        results.append(TargetResult(target, mean, low, high, n, imp, spec.worlds.cutoff,
                                    spread, predictive))
    return CheckResult(tuple(results), time.perf_counter() - start, counts, spec.check_seed)


def _ensemble(spec: CalibrationSpec) -> dict[str, np.ndarray]:
    """Each target's mean in every stored world beside the targets file (none: {})."""
    from sim.worlds import MEAN_PREFIX, read_table

    path = spec.path.with_name("worlds.csv")
    if not path.exists():
        return {}
    rows = read_table(path)
    keys = {k[len(MEAN_PREFIX):] for k in rows[0] if k.startswith(MEAN_PREFIX)} if rows else set()
    return {key: np.array([row[MEAN_PREFIX + key] for row in rows]) for key in keys}


def predictive_interval(means: np.ndarray, sd: float, level: float = 0.95
                        ) -> tuple[float, float]:
    """The central ``level`` interval of an equal mixture of normals N(mean_w, sd^2).

    Example:
        >>> low, high = predictive_interval(np.array([0.0]), 1.0)
        >>> round(low, 2), round(high, 2)
        (-1.96, 1.96)
    """
    means = np.asarray(means, float)

    def cdf(x: float) -> float:
        return float(stats.norm.cdf((x - means) / sd).mean())

    tail = (1.0 - level) / 2.0
    lo, hi = float(means.min()) - 10 * sd, float(means.max()) + 10 * sd
    return (optimize.brentq(lambda x: cdf(x) - tail, lo, hi),
            optimize.brentq(lambda x: cdf(x) - (1.0 - tail), lo, hi))


def _fmt(value: float, unit: str) -> str:
    if not math.isfinite(value):
        return "n/a"
    if unit == "GBP":
        return f"{value:,.0f}"
    if unit == "weeks" or abs(value) >= 10:
        return f"{value:.1f}"
    return f"{value:.3f}"


def rows(check: CheckResult) -> list[tuple[str, ...]]:
    """Table rows: target, metric (variant), published range, model mean [95% CI], I at
    the defaults, the ensemble's 5-95% range, verdict."""
    out = []
    for r in check.results:
        t = r.target
        unit = METRICS[t.metric].unit
        spread = (f"{_fmt(r.ensemble[0], unit)}-{_fmt(r.ensemble[1], unit)}"
                  if r.ensemble else "n/a")
        out.append((t.key, f"{t.metric} ({t.variant})",
                    f"{_fmt(t.low, unit)}-{_fmt(t.high, unit)}",
                    f"{_fmt(r.mean, unit)} [{_fmt(r.ci_low, unit)}, {_fmt(r.ci_high, unit)}]",
                    f"{r.implausibility:.2f}", spread, r.verdict))
    return out


HEADER = ("target", "metric (variant)", "range", "model mean [95% CI]", "I", "worlds 5-95%",
          "verdict")


def text_table(check: CheckResult) -> str:
    """The check as a fixed-width table for the terminal."""
    body = rows(check)
    widths = [max(len(row[i]) for row in [HEADER, *body]) for i in range(len(HEADER))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(HEADER, widths, strict=True)).rstrip(),
             "  ".join("-" * w for w in widths)]
    lines += ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
              for row in body]
    return "\n".join(lines)


def markdown_table(check: CheckResult) -> str:
    """The check as a Markdown table (for docs/calibration.md)."""
    lines = ["| " + " | ".join(HEADER) + " |", "|" + "---|" * len(HEADER)]
    lines += ["| " + " | ".join(row) + " |" for row in rows(check)]
    return "\n".join(lines) + "\n"


def summary_line(check: CheckResult, workers: int) -> str:
    """One line: passed or failed, how many runs, how long."""
    enforced = [r for r in check.results if r.target.enforce]
    plausible = sum(r.plausible for r in enforced)
    inside = sum(r.inside for r in enforced)
    state = "PASSED" if check.passed else "FAILED"
    ensemble = (f"the ensemble's 95% predictive interval covers {sum(r.covered for r in enforced)}"
                if check.with_ensemble else "no ensemble of worlds to check (build it with "
                "`mentorsim calibrate --worlds`), covering")
    return (f"calibration check {state}: the defaults are plausible (I <= "
            f"{enforced[0].cutoff:g}) against {plausible}/{len(enforced)} enforced targets; "
            f"{ensemble}/{len(enforced)}; {inside}/{len(enforced)} means inside the published "
            f"ranges ({check.runs} runs on {workers} worker(s), seed {check.seed}, "
            f"{check.wall_time_s:.0f} s)")
