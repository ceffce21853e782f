"""``calibrate --check``: run the calibrated defaults and judge every target.

Each variant runs for its ``reps`` replications on seeds from the targets file's
``[check].seed`` (not the seeds the search used, so the check is out of sample). A target
is met when the model's mean lies inside the published range; the 95% t-interval shows how
sure that mean is. The check fails when any enforced target is missed.
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping
from dataclasses import dataclass

from sim.calibration.evaluate import evaluate
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

    @property
    def inside(self) -> bool:
        """The model's mean lies inside the published range."""
        return math.isfinite(self.mean) and self.target.inside(self.mean)

    @property
    def verdict(self) -> str:
        """``inside``, ``OUTSIDE``, or ``outside (not enforced)``."""
        if self.inside:
            return "inside"
        return "OUTSIDE" if self.target.enforce else "outside (not enforced)"


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
        """Every enforced target is inside its range."""
        return all(r.inside for r in self.results if r.target.enforce)


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
    results = []
    for target in spec.targets:
        values = evaluation.values[0][target.variant][target.metric]
        mean, low, high, n = mean_ci(values)
        results.append(TargetResult(target, mean, low, high, n))
    return CheckResult(tuple(results), time.perf_counter() - start, counts, spec.check_seed)


def _fmt(value: float, unit: str) -> str:
    if not math.isfinite(value):
        return "n/a"
    if unit == "GBP":
        return f"{value:,.0f}"
    if unit == "weeks" or abs(value) >= 10:
        return f"{value:.1f}"
    return f"{value:.3f}"


def rows(check: CheckResult) -> list[tuple[str, str, str, str, str]]:
    """Table rows: target, metric (variant), range, model mean [95% CI], verdict."""
    out = []
    for r in check.results:
        t = r.target
        unit = METRICS[t.metric].unit
        out.append((t.key, f"{t.metric} ({t.variant})",
                    f"{_fmt(t.low, unit)}-{_fmt(t.high, unit)}",
                    f"{_fmt(r.mean, unit)} [{_fmt(r.ci_low, unit)}, {_fmt(r.ci_high, unit)}]",
                    r.verdict))
    return out


HEADER = ("target", "metric (variant)", "range", "model mean [95% CI]", "verdict")


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
    met = sum(r.inside for r in enforced)
    state = "PASSED" if check.passed else "FAILED"
    return (f"calibration check {state}: {met}/{len(enforced)} enforced targets inside their "
            f"ranges ({check.runs} runs on {workers} worker(s), seed {check.seed}, "
            f"{check.wall_time_s:.0f} s)")
