"""Analysis of a sweep folder: per-point summaries, convergence and sensitivity indices.

* ``point_summary.parquet`` (long): point_id, metric, mean, ci_low, ci_high, replications
  (a t-interval over replications; ``replications`` counts runs where the metric is
  defined). ``point_summary.csv`` is the same for the spec's outcomes with the point's
  parameters joined (factor columns ``section__key``, :mod:`sim.sweep.columns`).
* ``convergence.csv``: per point and metric, the replications, mean, CI half-width and,
  for adaptive sweeps, whether the target was met.
* ``sensitivity.csv`` / ``.parquet`` (long): method (morris|sobol), metric, parameter
  (dotted name; a composition's coordinate is ``name.1``, ``name.2``, ...), index
  (mu_star|sigma|S1|ST), value, conf (95% bootstrap half-width from SALib), flag,
  samples (trajectories or base samples used) and, for a design crossed with policies,
  policy (indices per policy).
* ``sensitivity_convergence.csv``: the same indices on the first n/8, n/4, n/2 and n
  samples, to see whether they have settled.
* ``noise.csv``: per outcome, how much of the variance between point means is
  replication noise (``noise_share``; needs 2 or more replications per point).

An outcome missing at some points (a run failed, or the metric is undefined there, such
as a cost per completed match where none completed) is analysed on the complete
trajectories (Morris) or base-sample blocks (Sobol) only, and a note says how many were
left out; it is never dropped silently.

A metric's name is in a column called ``metric`` in every file.

Flags: ``negative`` for a Sobol index below 0 (too few samples, or a true zero: SALib
#102); ``unstable`` when the CI half-width exceeds half the estimate and is not
negligible (above 0.05 for Sobol indices, above 5% of the largest mu* for Morris);
``s1_above_st`` when S1 exceeds ST by more than their CIs (too few samples). The
analyses use point means, so replications average the model's noise before the indices.
"""

from __future__ import annotations

import math
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
# the files add the samples each index rests on, and a crossed design's policy
TABLE_COLUMNS = [*SENSITIVITY_COLUMNS, "samples", "policy"]
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
    noise: pd.DataFrame | None = None
    convergence: pd.DataFrame | None = None


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
    result.noise = noise_table(runs, outcomes, manifest)
    write_atomically(folder.root / "noise.csv",
                     lambda tmp: result.noise.to_csv(tmp, index=False, float_format="%.6g"))
    result.notes += noise_notes(result.noise)
    if manifest["design"] not in ("morris", "sobol"):
        return result
    unit = pd.read_parquet(folder.unit).sort_values("point_id")
    columns = [c for c in unit.columns if c != "point_id"]
    names = [parameter_name(c) for c in columns]  # sensitivity rows name the parameter
    means = summary.pivot(index="point_id", columns="metric", values="mean").reindex(
        range(n_points))
    seed = int(manifest.get("design_seed", 0))
    policies = list(manifest.get("design_options", {}).get("policies") or [None])
    block = n_points // len(policies)  # a crossed design: each policy's points in turn
    method = Method(manifest["design"], len(names), resamples, confidence, seed,
                    int(manifest["design_options"].get("grid_levels", 4)))
    rows: list[dict[str, Any]] = []
    ladder: list[dict[str, Any]] = []
    for p, policy in enumerate(policies):
        where = slice(p * block, (p + 1) * block)
        x = unit[columns].to_numpy(float)[where]
        label = outcome_label(policy)
        for outcome in outcomes:
            y = (means[outcome].to_numpy(float) if outcome in means
                 else np.full(n_points, np.nan))[where]
            finite = y[np.isfinite(y)]
            if finite.size == 0 or float(np.ptp(finite)) == 0.0:
                result.notes.append(f"{outcome}{label}: skipped, no value varies (or none "
                                    "is defined)")
                continue
            found, steps, used, total = method.indices(x, y, names, outcome)
            if used < total:
                result.notes.append(
                    f"{outcome}{label}: {total - used} of {total} {method.unit_name} have a "
                    f"point without a value (unfinished or failed runs, or the metric is "
                    f"undefined there); the indices rest on the other {used}")
            if not found:
                result.notes.append(f"{outcome}{label}: skipped, too few complete "
                                    f"{method.unit_name} ({used})")
                continue
            for r in found + steps:
                r["policy"] = policy
            rows += found
            ladder += steps
    table = pd.DataFrame(rows, columns=TABLE_COLUMNS)
    if policies == [None]:
        table = table.drop(columns="policy")
    write_atomically(folder.sensitivity,
                     lambda tmp: table.to_csv(tmp, index=False, float_format="%.10g"))
    write_parquet_atomic(table, folder.sensitivity.with_suffix(".parquet"))
    steps_table = pd.DataFrame(ladder, columns=TABLE_COLUMNS)
    if policies == [None]:
        steps_table = steps_table.drop(columns="policy")
    write_atomically(folder.root / "sensitivity_convergence.csv",
                     lambda tmp: steps_table.to_csv(tmp, index=False, float_format="%.6g"))
    result.sensitivity = table
    result.convergence = steps_table
    return result


def outcome_label(policy: str | None) -> str:
    """`` under POLICY`` for a crossed design's notes."""
    return "" if policy is None else f" under {policy}"


@dataclass(frozen=True)
class Method:
    """Morris or Sobol indices of one design, on the complete trajectories (Morris) or
    base-sample blocks (Sobol) of an outcome, and at growing numbers of them."""

    kind: str
    factors: int
    resamples: int
    confidence: float
    seed: int
    grid_levels: int

    @property
    def width(self) -> int:
        """Rows per trajectory (D + 1) or per Saltelli block (D + 2)."""
        return self.factors + (1 if self.kind == "morris" else 2)

    @property
    def unit_name(self) -> str:
        """What a sample of the design is called."""
        return "trajectories" if self.kind == "morris" else "base samples"

    def ladder(self, n: int) -> list[int]:
        """Sample sizes of the convergence view: n, n/2, n/4, ... down to 4 (Sobol) or 2
        (Morris), smallest first."""
        smallest = 2 if self.kind == "morris" else 4
        sizes = [n]
        while sizes[-1] // 2 >= smallest:
            sizes.append(sizes[-1] // 2)
        return sorted(sizes)

    def _rows(self, x: np.ndarray, y: np.ndarray, names: list[str], outcome: str
              ) -> list[dict[str, Any]]:
        if self.kind == "morris":
            return morris_rows(x, y, names, outcome, self.grid_levels, self.resamples,
                               self.confidence, self.seed)
        return sobol_rows(y, names, outcome, self.resamples, self.confidence, self.seed)

    def indices(self, x: np.ndarray, y: np.ndarray, names: list[str], outcome: str
                ) -> tuple[list[dict[str, Any]], list[dict[str, Any]], int, int]:
        """(index rows, index rows at each size of the ladder, samples used, samples in
        the design). A sample with any point lacking a value is left out whole, so the
        indices rest on complete trajectories or blocks only."""
        blocks = y.reshape(-1, self.width)
        complete = np.isfinite(blocks).all(axis=1)
        used, total = int(complete.sum()), len(complete)
        if used < (2 if self.kind == "morris" else 4):
            return [], [], used, total
        xs = x.reshape(-1, self.width, x.shape[1])[complete]
        ys = blocks[complete]
        steps: list[dict[str, Any]] = []
        found: list[dict[str, Any]] = []
        for size in self.ladder(used):
            rows = self._rows(xs[:size].reshape(-1, x.shape[1]), ys[:size].ravel(), names,
                              outcome)
            for r in rows:
                r["samples"] = size
            steps += rows
            found = rows  # the last size is all of them
        return found, steps, used, total


def noise_table(runs: pd.DataFrame, outcomes: list[str], manifest: dict[str, Any]
                ) -> pd.DataFrame:
    """How much of the variation between point means is replication noise, per outcome.

    ``noise_share`` = mean over points of (variance between replications / replications)
    over the variance of the point means across points: the share of what sensitivity
    indices decompose that is noise in the means, not the factors. NaN with one
    replication per point (then it cannot be told; run two or more).
    """
    columns = ["metric", "points", "replications", "noise_variance", "point_mean_variance",
               "noise_share"]
    rows = []
    for outcome in outcomes:
        if outcome not in runs:
            continue
        grouped = runs.groupby("point_id")[outcome]
        n, mean, var = grouped.count(), grouped.mean(), grouped.var(ddof=1)
        ok = n >= 2
        noise = float((var[ok] / n[ok]).mean()) if ok.any() else math.nan
        spread = float(mean.var(ddof=1)) if mean.notna().sum() > 1 else math.nan
        rows.append({"metric": outcome, "points": int(mean.notna().sum()),
                     "replications": float(n.median()) if len(n) else math.nan,
                     "noise_variance": noise, "point_mean_variance": spread,
                     "noise_share": noise / spread if spread and spread > 0 else math.nan})
    return pd.DataFrame(rows, columns=columns)


def noise_notes(noise: pd.DataFrame) -> list[str]:
    """One line per outcome on replication noise in the point means."""
    notes = []
    for row in noise.itertuples(index=False):
        if math.isnan(row.noise_share):
            notes.append(f"{row.metric}: replication noise cannot be told with "
                         f"{row.replications:g} replication(s) per point; run 2 or more")
        else:
            notes.append(f"{row.metric}: replication noise is {100 * row.noise_share:.4g}% of the "
                         f"variance between point means ({row.replications:g} replications "
                         "per point)")
    return notes
