"""Across-replication summaries: means with 95% intervals, and paired differences.

What the terminal prints from them is in :mod:`sim.terminal` (and the key findings in
:mod:`sim.findings`).

Intervals are Student-t intervals across replications. Differences are taken replication
by replication against the reference scenario (same seeds), which removes the noise the
two scenarios share (common random numbers).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

# Student-t quantiles: special.stdtrit(df, q) is what stats.t.ppf(q, df) computes, without
# importing scipy.stats (about half a second of start-up for every `mentorsim run`).
from scipy.special import stdtrit

from sim.metrics import METRICS


def mean_ci(values: np.ndarray, level: float = 0.95) -> tuple[float, float, float, int]:
    """Mean and two-sided t interval of the finite values; (nan, nan, nan, 0) if none.

    Example:
        >>> mean_ci(np.array([1.0, 2.0, 3.0]))[0]
        2.0
    """
    finite = values[np.isfinite(values)]
    n = len(finite)
    if n == 0:
        return math.nan, math.nan, math.nan, 0
    mean = float(finite.mean())
    if n == 1:
        return mean, math.nan, math.nan, 1
    sem = float(finite.std(ddof=1)) / math.sqrt(n)
    half = float(stdtrit(n - 1, 0.5 + level / 2)) * sem
    return mean, mean - half, mean + half, n


# A measure of the replications, not of a run: declared here, once, beside its function.
DETECTABLE = "reoffending_detectable_difference"
DETECTABLE_DEFINITION = (
    "Smallest difference in the programme's reoffending effect (reoffending_itt_difference) "
    "that these replications would detect with 80% power in a two-sided test at the 5% "
    "level: (t[0.975] + t[0.80]) x sd / sqrt(n). In a scenario's own row, sd is its spread "
    "across replications times sqrt(2) (another option varying as much, independently; "
    "common random numbers usually make the real figure smaller); in a paired-difference "
    "row it is the sd of the paired differences. A difference smaller than this cannot "
    "separate two options")
POWER = 0.80  # the conventional power of a detectable-difference statement
SIGNIFICANCE = 0.05


def detectable_difference(values: np.ndarray, paired: bool) -> float:
    """:data:`DETECTABLE_DEFINITION` for per-replication ITT effects (or their paired
    differences); NaN with fewer than two finite values.

    Example:
        >>> round(detectable_difference(np.array([0.0, 0.01, -0.01, 0.0]), paired=True), 4)
        0.017
    """
    finite = values[np.isfinite(values)]
    n = len(finite)
    if n < 2:
        return math.nan
    sd = float(finite.std(ddof=1)) * (1.0 if paired else math.sqrt(2.0))
    t = float(stdtrit(n - 1, 1 - SIGNIFICANCE / 2) + stdtrit(n - 1, POWER))
    return t * sd / math.sqrt(n)


def summarise(metrics: pd.DataFrame, scenario_order: list[str]) -> pd.DataFrame:
    """Long summary table: each scenario's metrics, then paired differences vs the first.

    Args:
        metrics: one row per scenario x replication with a column per metric.
        scenario_order: scenario names; the first is the reference.

    Returns:
        Columns ``scenario, metric, mean, ci_low, ci_high, replications, statistic,
        reference``.
    """
    rows = []
    names = [m for m in METRICS if m in metrics.columns]
    by_scenario = {s: metrics[metrics["scenario"] == s].set_index("replication").sort_index()
                   for s in scenario_order}
    for scenario in scenario_order:
        frame = by_scenario[scenario]
        for metric in names:
            mean, low, high, n = mean_ci(frame[metric].to_numpy(dtype=float))
            rows.append((scenario, metric, mean, low, high, n, "value", ""))
        if "reoffending_itt_difference" in frame:
            effect = frame["reoffending_itt_difference"].to_numpy(dtype=float)
            rows.append((scenario, DETECTABLE, detectable_difference(effect, paired=False),
                         math.nan, math.nan, int(np.isfinite(effect).sum()), "value", ""))
    reference = scenario_order[0]
    base = by_scenario[reference]
    for scenario in scenario_order[1:]:
        frame = by_scenario[scenario]
        common = frame.index.intersection(base.index)
        for metric in names:
            diff = (frame.loc[common, metric].to_numpy(dtype=float)
                    - base.loc[common, metric].to_numpy(dtype=float))
            mean, low, high, n = mean_ci(diff)
            rows.append((scenario, metric, mean, low, high, n, "paired_difference", reference))
        if "reoffending_itt_difference" in frame:
            metric = "reoffending_itt_difference"
            diff = (frame.loc[common, metric].to_numpy(dtype=float)
                    - base.loc[common, metric].to_numpy(dtype=float))
            rows.append((scenario, DETECTABLE, detectable_difference(diff, paired=True),
                         math.nan, math.nan, int(np.isfinite(diff).sum()), "paired_difference",
                         reference))
    return pd.DataFrame(rows, columns=["scenario", "metric", "mean", "ci_low", "ci_high",
                                       "replications", "statistic", "reference"])
