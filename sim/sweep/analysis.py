"""Analysis of a sweep folder: per-point summaries, convergence and sensitivity indices.

* ``point_summary.parquet`` (long): point_id, metric, mean, ci_low, ci_high, replications
  (a t-interval over replications; ``replications`` counts runs where the metric is
  defined). ``point_summary.csv`` is the same for the spec's outcomes with the point's
  parameters joined (factor columns ``section__key``, :mod:`sim.sweep.columns`).
* ``convergence.csv``: per point and metric, the replications, mean, CI half-width and,
  for adaptive sweeps, whether the target was met.
* ``sensitivity.csv`` / ``.parquet`` (long): method (morris|sobol), metric, parameter
  (dotted name), index (mu_star|sigma|S1|ST), value, conf (95% bootstrap half-width from
  SALib), flag.

A metric's name is in a column called ``metric`` in every file.

Flags: ``negative`` for a Sobol index below 0 (too few samples, or a true zero: SALib
#102); ``unstable`` when the CI half-width exceeds half the estimate and is not
negligible (above 0.05 for Sobol indices, above 5% of the largest mu* for Morris);
``s1_above_st`` when S1 exceeds ST by more than their CIs (too few samples). The
analyses use point means, so replications average the model's noise before the indices.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from sim.files import replacing, write_atomically
from sim.metrics import METRICS
from sim.sweep.adaptive import check
from sim.sweep.columns import parameter_name, read_points
from sim.sweep.ledger import LedgerState, read_ledger
from sim.sweep.manifest import read_manifest
from sim.sweep.seeds import RunKey
from sim.sweep.storage import (
    SweepFolder,
    read_runs,
    write_parquet_atomic,
    write_parquet_frames_atomic,
)

SOBOL_FLOOR = 0.05
MORRIS_FLOOR_SHARE = 0.05
SENSITIVITY_COLUMNS = ["method", "metric", "parameter", "index", "value", "conf", "flag"]
SUMMARY_BLOCK_RUNS = 500  # runs summarised at a time at the end of a sweep (flat memory)


def point_summary(runs: pd.DataFrame, metrics: list[str], confidence: float = 0.95
                  ) -> pd.DataFrame:
    """Mean and t-interval of each metric at each point (long format).

    Example:
        >>> runs = pd.DataFrame({"point_id": [0, 0, 0], "replication": [0, 1, 2],
        ...                      "m": [1.0, 2.0, 3.0]})
        >>> point_summary(runs, ["m"])[["mean", "replications"]].values.tolist()
        [[2.0, 3.0]]
    """
    columns = ["point_id", "metric", "mean", "ci_low", "ci_high", "replications"]
    if runs.empty:
        return pd.DataFrame(columns=columns)
    grouped = runs.groupby("point_id", sort=True)[metrics]
    n, mean, sd = grouped.count(), grouped.mean(), grouped.std(ddof=1)
    with np.errstate(invalid="ignore"):
        t = stats.t.ppf(0.5 + confidence / 2, (n - 1).where(n > 1))
        half = pd.DataFrame(t, index=n.index, columns=n.columns) * sd / np.sqrt(n)
    long = pd.DataFrame({
        "mean": mean.stack(future_stack=True), "half": half.stack(future_stack=True),
        "replications": n.stack(future_stack=True)})
    long.index.names = ["point_id", "metric"]
    long = long.reset_index()
    long["ci_low"] = long["mean"] - long["half"]
    long["ci_high"] = long["mean"] + long["half"]
    long["replications"] = long["replications"].astype("int64")
    return long[columns]


def convergence_table(runs: pd.DataFrame, outcomes: list[str], target: float | None,
                      maximum: int | None, confidence: float = 0.95,
                      failed: dict[int, int] | None = None) -> pd.DataFrame:
    """Replications, CI half-width and (adaptive) whether the target was met, per point.

    ``failed`` counts runs per point that failed for good: they used up replications.
    """
    rows: list[dict[str, Any]] = []
    failed = failed or {}
    for point_id, group in runs.groupby("point_id", sort=True):
        used = len(group) + failed.get(int(point_id), 0)
        checks = {o: check(group[o].to_numpy(float), target or np.inf, confidence)
                  for o in outcomes}
        if target is None:
            status = "fixed"
        elif all(c.met for c in checks.values()):
            status = "converged"
        else:
            status = "max_reached" if maximum and used >= maximum else "incomplete"
        for outcome, c in checks.items():
            rows.append({"point_id": int(point_id), "metric": outcome,
                         "replications": len(group), "defined": c.n, "mean": c.mean,
                         "half_width": c.half_width, "rel_half_width": c.rel_half_width,
                         "target_rel_half_width": np.nan if target is None else target,
                         "met": None if target is None else c.met, "point_status": status})
    return pd.DataFrame(rows)


def failures_table(root: Path, state: LedgerState | None = None) -> pd.DataFrame:
    """Runs that failed for good: point, replication, attempts and the last error."""
    state = state or read_ledger(SweepFolder(root).ledger)
    rows = [{"point_id": p, "replication": r, "attempts": state.attempts.get((p, r), 0),
             "error": state.last_error.get((p, r), ("", ""))[0]}
            for p, r in sorted(state.final_failed)]
    return pd.DataFrame(rows, columns=["point_id", "replication", "attempts", "error"])


def _write_summary_files(root: Path, manifest: dict[str, Any],
                         run_blocks: Iterable[pd.DataFrame], failures: pd.DataFrame,
                         keep: bool) -> pd.DataFrame | None:
    """Write point_summary.parquet/.csv, convergence.csv and failures.csv from the runs,
    given as blocks that each hold whole points (in point order); return the summary when
    ``keep`` (otherwise only one block's runs and summary are held at a time)."""
    folder = SweepFolder(root)
    reps = manifest.get("replications", {})
    confidence = float(reps.get("confidence", 0.95))
    adaptive = reps.get("mode") == "adaptive"
    outcomes = (list(reps.get("outcomes") or manifest["outcomes"]) if adaptive
                else manifest["outcomes"])
    failed = failures.groupby("point_id").size().to_dict()
    points = read_points(root)
    csv = {"index": False, "float_format": "%.10g"}
    kept: list[pd.DataFrame] = []
    with (replacing(root / "point_summary.csv") as joined_tmp,
          replacing(folder.convergence) as convergence_tmp,
          open(joined_tmp, "w", encoding="utf-8", newline="") as joined,
          open(convergence_tmp, "w", encoding="utf-8", newline="") as convergence):

        def summaries() -> Iterator[pd.DataFrame]:
            for i, runs in enumerate(run_blocks):
                summary = point_summary(runs, [m for m in METRICS if m in runs.columns],
                                        confidence)
                points.merge(summary[summary["metric"].isin(manifest["outcomes"])],
                             on="point_id").to_csv(joined, header=i == 0, **csv)
                convergence_table(runs, outcomes, reps.get("rel_half_width") if adaptive
                                  else None, reps.get("max") if adaptive else None,
                                  confidence, failed).to_csv(convergence, header=i == 0, **csv)
                if keep:
                    kept.append(summary)
                yield summary

        write_parquet_frames_atomic(summaries(), folder.point_summary)
    write_atomically(folder.failures, lambda tmp: failures.to_csv(tmp, index=False))
    return pd.concat(kept, ignore_index=True) if keep else None


def write_summaries(root: Path, manifest: dict[str, Any], runs: pd.DataFrame | None = None
                    ) -> pd.DataFrame:
    """Write point_summary.parquet/.csv, convergence.csv and failures.csv; return the
    summary."""
    runs = read_runs(root) if runs is None else runs
    summary = _write_summary_files(root, manifest, [runs], failures_table(root), keep=True)
    assert summary is not None
    return summary


def point_blocks(done: Iterable[RunKey], max_runs: int) -> list[tuple[int, int]]:
    """Consecutive point ranges ``(low, high)`` covering the points of ``done`` runs, each
    with at most ``max_runs`` runs (a point with more is a block of its own).

    Example:
        >>> point_blocks([(0, 0), (0, 1), (1, 0), (1, 1), (3, 0)], 3)
        [(0, 1), (1, 4)]
    """
    counts = Counter(p for p, _ in done)
    blocks: list[tuple[int, int]] = []
    low, runs = None, 0
    for point in sorted(counts):
        if low is not None and runs + counts[point] > max_runs:
            blocks.append((low, point))
            low, runs = None, 0
        low = point if low is None else low
        runs += counts[point]
    if low is not None:
        blocks.append((low, max(counts) + 1))
    return blocks


def stream_summaries(root: Path, manifest: dict[str, Any],
                     block_runs: int = SUMMARY_BLOCK_RUNS) -> None:
    """Write what :func:`write_summaries` writes, reading and summarising the runs a block
    of points at a time (at most ``block_runs`` runs each, see :func:`point_blocks`), so
    that memory does not grow with the sweep (the sweep driver calls this). Every point's
    figures are computed as there, and the files hold the same rows."""
    state = read_ledger(SweepFolder(root).ledger)
    blocks = ((read_runs(root, state=state, points=block)
               for block in point_blocks(state.done, block_runs))
              if state.done else [read_runs(root, state=state)])
    _write_summary_files(root, manifest, blocks, failures_table(root, state), keep=False)


def _flag(index: str, value: float, conf: float, floor: float, st: float | None = None,
          st_conf: float | None = None) -> str:
    flags = []
    if index in ("S1", "ST") and value < 0:
        flags.append("negative")
    if np.isfinite(conf) and conf > max(0.5 * abs(value), floor):
        flags.append("unstable")
    if index == "S1" and st is not None and value - conf > st + (st_conf or 0):
        flags.append("s1_above_st")
    return ";".join(flags)


def morris_rows(unit: np.ndarray, y: np.ndarray, names: list[str], outcome: str,
                grid_levels: int, resamples: int, confidence: float, seed: int
                ) -> list[dict[str, Any]]:
    """Morris mu* (with bootstrap CI) and sigma for one outcome."""
    from SALib.analyze import morris

    from sim.sweep.designs import problem_for

    res = morris.analyze(problem_for(names), unit, y, num_resamples=resamples,
                         conf_level=confidence, num_levels=grid_levels, seed=seed)
    mu_star = np.asarray(res["mu_star"], dtype=float)
    floor = MORRIS_FLOOR_SHARE * float(np.nanmax(mu_star)) if len(mu_star) else 0.0
    rows = []
    for i, name in enumerate(names):
        conf = float(res["mu_star_conf"][i])
        rows.append({"method": "morris", "metric": outcome, "parameter": name,
                     "index": "mu_star", "value": mu_star[i], "conf": conf,
                     "flag": _flag("mu_star", mu_star[i], conf, floor)})
        rows.append({"method": "morris", "metric": outcome, "parameter": name,
                     "index": "sigma", "value": float(res["sigma"][i]), "conf": np.nan,
                     "flag": ""})
    return rows


def sobol_rows(y: np.ndarray, names: list[str], outcome: str, resamples: int,
               confidence: float, seed: int) -> list[dict[str, Any]]:
    """Sobol first-order (S1) and total (ST) indices with bootstrap CIs for one outcome."""
    from SALib.analyze import sobol

    from sim.sweep.designs import problem_for

    res = sobol.analyze(problem_for(names), y, calc_second_order=False,
                        num_resamples=resamples, conf_level=confidence, seed=seed)
    rows = []
    for i, name in enumerate(names):
        s1, s1c = float(res["S1"][i]), float(res["S1_conf"][i])
        st, stc = float(res["ST"][i]), float(res["ST_conf"][i])
        rows.append({"method": "sobol", "metric": outcome, "parameter": name, "index": "S1",
                     "value": s1, "conf": s1c,
                     "flag": _flag("S1", s1, s1c, SOBOL_FLOOR, st, stc)})
        rows.append({"method": "sobol", "metric": outcome, "parameter": name, "index": "ST",
                     "value": st, "conf": stc, "flag": _flag("ST", st, stc, SOBOL_FLOOR)})
    return rows


@dataclass
class Analysis:
    """What :func:`analyse` wrote and noticed."""

    design: str
    complete: bool
    summary: pd.DataFrame
    points: pd.DataFrame
    outcomes: list[str]
    sensitivity: pd.DataFrame | None = None
    notes: list[str] = field(default_factory=list)


def analyse(root: Path, outcomes: list[str] | None = None, resamples: int = 1000,
            confidence: float = 0.95) -> Analysis:
    """Summaries for every design, and Morris or Sobol indices for those designs.

    Args:
        root: the sweep folder.
        outcomes: metrics to analyse (default: the spec's outcomes).
        resamples: bootstrap resamples for the index CIs.
        confidence: CI level of the indices.
    """
    folder = SweepFolder(root)
    manifest = read_manifest(folder.manifest)
    runs = read_runs(root)
    state = read_ledger(folder.ledger)
    outcomes = outcomes or list(manifest["outcomes"])
    summary = write_summaries(root, manifest, runs)
    n_points = int(manifest["points"])
    covered = runs["point_id"].nunique() if len(runs) else 0
    result = Analysis(manifest["design"], covered == n_points and not state.final_failed,
                      summary, read_points(root), outcomes)
    if covered < n_points:
        result.notes.append(f"{n_points - covered} of {n_points} points have no finished "
                            "run yet; summaries cover the rest")
    if manifest["design"] not in ("morris", "sobol"):
        return result
    unit = pd.read_parquet(folder.unit).sort_values("point_id")
    columns = [c for c in unit.columns if c != "point_id"]
    names = [parameter_name(c) for c in columns]  # sensitivity rows name the parameter
    means = summary.pivot(index="point_id", columns="metric", values="mean").reindex(
        range(n_points))
    seed = int(manifest.get("design_seed", 0))
    rows: list[dict[str, Any]] = []
    for outcome in outcomes:
        y = means[outcome].to_numpy(float) if outcome in means else np.full(n_points, np.nan)
        missing = int((~np.isfinite(y)).sum())
        if missing:
            result.notes.append(f"{outcome}: skipped, {missing} points have no value "
                                "(unfinished or failed runs, or the metric is undefined)")
            continue
        if float(np.ptp(y)) == 0.0:
            result.notes.append(f"{outcome}: skipped, the same value at every point")
            continue
        if manifest["design"] == "morris":
            rows += morris_rows(unit[columns].to_numpy(float), y, names, outcome,
                                int(manifest["design_options"]["grid_levels"]), resamples,
                                confidence, seed)
        else:
            rows += sobol_rows(y, names, outcome, resamples, confidence, seed)
    table = pd.DataFrame(rows, columns=SENSITIVITY_COLUMNS)
    write_atomically(folder.sensitivity,
                     lambda tmp: table.to_csv(tmp, index=False, float_format="%.10g"))
    write_parquet_atomic(table, folder.sensitivity.with_suffix(".parquet"))
    result.sensitivity = table
    return result
