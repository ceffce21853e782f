"""The ensemble of plausible worlds: history matching in waves, then confirmation by
simulation.

The calibration search (:mod:`sim.calibration.fit`) picks one point, the defaults; this
module keeps every parameter set the targets cannot rule out, so that answers can be
reported across them (:mod:`sim.worlds`, :mod:`sim.across_worlds`):

1. **Wave 1, and screening.** A scrambled Sobol design over the fitted parameters' bounds
   (``[[fit.parameters]]``); every other declared numeric uncertainty
   (:func:`sim.worlds.uncertain_parameters`) is drawn for each point by Latin hypercube
   from its plausible range. Each point runs on every variant with an enforced target.
   The drawn uncertainties that move a target beyond chance (:func:`screen_active`) are
   constrained by the targets after all: they join the history-matched parameters. The
   others are *free*: no target constrains them, and every world draws them afresh.
2. **Emulate and rule out.** The emulators of :mod:`sim.calibration.emulator` are fitted
   on the history-matched parameters: the free uncertainties act on the targets as extra
   noise, which the emulator's white-noise term absorbs (inactive inputs, Vernon et al.
   2010, section 3.2), so what is left of their effect widens the emulator variance
   instead of being ignored. Candidates whose implausibility (:mod:`sim.calibration.implausibility`)
   exceeds the cutoff are ruled out: on the second-largest target after wave 1 (one
   poorly emulated target does not rule out a region alone), on the largest after later
   waves. The next wave simulates the first not-ruled-out candidates.
3. **Confirmation.** ``draws`` candidate worlds (history-matched parameters from the last
   not-ruled-out candidates, free uncertainties drawn afresh), plus world 0 (the
   defaults), run for ``confirm_reps`` replications on seeds no wave used. A world is kept
   when no enforced target's implausibility, with the replications' variance of its mean,
   exceeds the cutoff. The first ``keep`` kept worlds, in draw order, are stored.

Everything is reproducible from ``[worlds].seed``.
"""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from scipy.stats import qmc

from sim.calibration.emulator import Emulator
from sim.calibration.evaluate import Evaluation, evaluate, variant_params
from sim.calibration.fit import emulator_diagnostics, to_points, to_unit, unit_sobol
from sim.calibration.implausibility import implausibility, largest
from sim.calibration.targets import CalibrationSpec, FitParameter, Target
from sim.composition import Composition, declared_compositions
from sim.runner import Progress
from sim.worlds import (
    IMPLAUSIBILITY_PREFIX,
    MEAN_PREFIX,
    PARAMETER_PREFIX,
    WORLDS_FILE,
    Uncertain,
    held_keys,
    uncertain_parameters,
    value_of,
    write_table,
)

RECORD_FILE = WORLDS_FILE.with_name("worlds.json")
CONFIRM_SEED_OFFSET = 1000  # the confirmation's seeds: [worlds].seed + this, unused by waves
CLEAR_P = 0.05  # family-wise level at which a free uncertainty counts as moving a target


@dataclass(frozen=True)
class Free:
    """The uncertainties drawn for each world: single parameters, and compositions (shares
    that add up to 1, drawn together through their coordinates)."""

    singles: tuple[Uncertain, ...]
    compositions: tuple[Composition, ...]

    @property
    def names(self) -> list[str]:
        """Every drawn parameter's dotted name."""
        return [u.name for u in self.singles] + [p for c in self.compositions for p in c.parts]

    @property
    def dimensions(self) -> int:
        """Coordinates of one draw."""
        return len(self.singles) + sum(c.dimensions for c in self.compositions)


def free_uncertainties(spec: CalibrationSpec) -> Free:
    """Declared uncertainties the search does not fit and no variant sets itself: drawn
    for each world from their plausible ranges (compositions as a whole)."""
    fitted = {p.name for p in spec.fit.parameters}
    variants = [variant_params(spec.variants[v]) for v in spec.variants]
    names = [u.name for u in uncertain_parameters() if u.name not in fitted]
    return declared_free(fitted | set(held_keys(variants, names)))


def declared_free(excluded: set[str] | frozenset[str] = frozenset()) -> Free:
    """Every declared numeric uncertainty but ``excluded``: the single parameters, and
    the compositions of uncertainties none of whose shares is excluded."""
    compositions = tuple(c for c in declared_compositions() if c.role == "uncertainty"
                         and not set(c.parts) & excluded)
    parts = {p for c in declared_compositions() for p in c.parts}
    singles = tuple(u for u in uncertain_parameters() if u.name not in excluded | parts)
    return Free(singles, compositions)


def draw_free(free: Free, n: int, seed: int) -> list[dict[str, float]]:
    """``n`` Latin-hypercube draws of the free uncertainties over their plausible ranges.

    Example:
        >>> from sim.worlds import Uncertain
        >>> f = Free((Uncertain("effects.novice_strain", 0.0, 0.5, False),), ())
        >>> d = draw_free(f, 4, 1)
        >>> len(d), all(0 <= x["effects.novice_strain"] <= 0.5 for x in d)
        (4, True)
    """
    if not free.dimensions:
        return [{} for _ in range(n)]
    unit = qmc.LatinHypercube(d=free.dimensions, seed=seed).random(n)
    out: list[dict[str, float]] = [{} for _ in range(n)]
    for j, u in enumerate(free.singles):
        values = u.low + unit[:, j] * (u.high - u.low)
        for point, value in zip(out, values, strict=True):
            point[u.name] = round(value) if u.integer else float(value)
    column = len(free.singles)
    for c in free.compositions:
        shares = c.values(unit[:, column:column + c.dimensions])
        column += c.dimensions
        for point, values in zip(out, shares, strict=True):
            point.update(values)
    return out


@dataclass
class Simulated:
    """Points run on the variants: their target means and the variance of each mean."""

    fitted: list[dict[str, float]]  # the fitted parameters' values
    free: list[dict[str, float]]  # the drawn uncertainties' values
    means: np.ndarray  # points x targets
    mean_var: np.ndarray  # points x targets: s^2 / r
    reps: int


def _simulate(spec: CalibrationSpec, targets: Sequence[Target], fitted: list[dict[str, float]],
              free: list[dict[str, float]], reps: int, seed: int, workers: int,
              label: str, progress: bool) -> Simulated:
    variants = spec.fitted_variants
    counts = {v: reps * spec.variants[v].fit_reps_factor for v in variants}
    points = [{**f, **w} for f, w in zip(fitted, free, strict=True)]
    bar = Progress(len(points) * sum(counts.values()), label) if progress else None
    evaluation = evaluate(spec, points, reps, seed, variants, workers, reps_by_variant=counts,
                          on_done=bar)
    means, var = _moments(evaluation, targets, len(points))
    return Simulated(fitted, free, means, var, reps)


def _moments(evaluation: Evaluation, targets: Sequence[Target], n: int
             ) -> tuple[np.ndarray, np.ndarray]:
    means = np.full((n, len(targets)), np.nan)
    var = np.full((n, len(targets)), np.nan)
    for i in range(n):
        for j, t in enumerate(targets):
            column = evaluation.values[i][t.variant][t.metric]
            finite = column[np.isfinite(column)]
            if len(finite):
                means[i, j] = finite.mean()
                var[i, j] = finite.var(ddof=1) / len(finite) if len(finite) > 1 else 0.0
    return means, var


def screen_active(params: Sequence[FitParameter], free: Free, targets: Sequence[Target],
                  wave: Simulated, most: int) -> tuple[list[FitParameter], dict[str, Any]]:
    """The free uncertainties that move a target beyond chance in a screening wave.

    Each target's means are regressed on a quadratic in the fitted parameters; a free
    parameter is *active* when its rank correlation with a target's residuals is clear
    at the 5% family-wise level (Bonferroni over every free parameter and target), as in
    history matching's choice of active inputs (Vernon et al. 2010, section 3.2). At most
    ``most`` are kept, the strongest first.

    Returns:
        The active parameters (with their plausible ranges as bounds) and, for the record,
        each one's strongest target and correlation.
    """
    from scipy import stats

    from sim.calibration.emulator import features

    unit = to_unit(params, wave.fitted)
    design = features(unit)
    finite = np.isfinite(wave.means).all(axis=1)
    coef, *_ = np.linalg.lstsq(design[finite], wave.means[finite], rcond=None)
    residuals = wave.means[finite] - design[finite] @ coef
    tests = max(1, len(free.singles) * len(targets))
    found = []
    for u in free.singles:
        x = np.array([d[u.name] for d in wave.free], dtype=float)[finite]
        if np.ptp(x) == 0:
            continue
        best = (0.0, 1.0, "")
        for j, t in enumerate(targets):
            rho, p_value = stats.spearmanr(x, residuals[:, j])
            if np.isfinite(rho) and abs(rho) > abs(best[0]):
                best = (float(rho), float(p_value) * tests, t.key)
        if best[1] < CLEAR_P:
            found.append((abs(best[0]), u, best))
    found.sort(key=lambda item: (-item[0], item[1].name))
    active = [FitParameter(u.name, u.low, u.high, u.integer,
                           f"screened in: moves {b[2]} (rank correlation {b[0]:+.2f})")
              for _, u, b in found[:most]]
    record = {u.name: {"target": b[2], "rho": round(b[0], 3), "p": float(f"{min(b[1], 1):.2g}")}
              for _, u, b in found[:most]}
    return active, record


@dataclass
class Ensemble:
    """What :func:`build` did: the kept worlds and every wave's diagnostics."""

    rows: list[dict[str, float]]  # the kept worlds, as written to worlds.csv
    record: dict[str, Any] = field(default_factory=dict)


def build(spec: CalibrationSpec, workers: int = 1, progress: bool = True, skip: int = 0
          ) -> Ensemble:
    """History-match in waves, confirm candidate worlds by simulation, keep the plausible.

    Args:
        spec: targets (with their observation and discrepancy sds), variants, the fitted
            parameters and the ``[worlds]`` settings.
        workers: processes.
        progress: show progress bars on a terminal.
        skip: candidate worlds an earlier build already confirmed (a top-up: the waves are
            reproduced exactly from the seed, and the next ``draws`` candidates confirmed,
            their free uncertainties drawn from a seed of their own).

    Returns:
        The kept worlds (world 0, the defaults, first when it is kept) and a record of
        every wave.
    """
    s = spec.worlds
    start = time.perf_counter()
    params: list[FitParameter] = list(spec.fit.parameters)
    targets = [t for t in spec.targets if t.enforce]
    free = free_uncertainties(spec)
    per_rep = sum(spec.variants[v].fit_reps_factor for v in spec.fitted_variants)

    # Wave 1 screens as well: every free uncertainty is drawn, and those that move a
    # target beyond chance join the history-matched parameters (they are constrained)
    n, reps = s.waves[0]
    fitted = to_points(params, unit_sobol(len(params), n, s.seed))
    wave = _simulate(spec, targets, fitted, draw_free(free, n, s.seed + 1), reps, s.seed + 1,
                     workers, "worlds wave 1", progress)
    runs = n * reps * per_rep
    active, screening = screen_active(params, free, targets, wave, s.max_active)
    matched = params + active
    names = {a.name for a in active}
    rest = Free(tuple(u for u in free.singles if u.name not in names), free.compositions)
    wave.fitted = [{**f, **{a: d[a] for a in names}} for f, d in zip(wave.fitted, wave.free,
                                                                     strict=True)]
    wave.free = [{k: v for k, v in d.items() if k not in names} for d in wave.free]
    simulated = [wave]
    waves: list[dict[str, Any]] = []
    survivors = np.empty((0, len(matched)))
    for k in range(1, len(s.waves) + 1):
        if k > 1:
            n, reps = s.waves[k - 1]
            wave = _simulate(spec, targets, to_points(matched, survivors[:n]),
                             draw_free(rest, min(n, len(survivors)), s.seed + k), reps,
                             s.seed + k, workers, f"worlds wave {k}", progress)
            runs += len(wave.fitted) * reps * per_rep
            simulated.append(wave)
        imp = implausibility(targets, wave.means, wave.mean_var)
        info: dict[str, Any] = {"wave": k, "points": len(wave.fitted), "reps": wave.reps,
                                "simulated_not_ruled_out": int((largest(imp) <= s.cutoff).sum())}
        emulator = _emulate(matched, targets, simulated)
        candidates = unit_sobol(len(matched), s.candidates, s.seed + 100 + k)
        rank = 2 if k == 1 else 1
        keep = _screen(emulator, targets, candidates, s.cutoff, rank)
        info.update(rule=f"{'second-' if rank == 2 else ''}largest I <= {s.cutoff:g}",
                    not_ruled_out_share=float(keep.mean()),
                    **emulator_diagnostics(emulator, targets, matched))
        waves.append(info)
        survivors = candidates[keep]
        if len(survivors) == 0:  # nothing survives: say so, and confirm the closest
            emulated = emulator.predict(candidates)
            closest = largest(implausibility(targets, emulated, np.zeros_like(emulated)))
            survivors = candidates[np.argsort(closest, kind="stable")]
            info["note"] = "no candidate survived; the least implausible were taken"

    # Confirmation: world 0 is the defaults; then the draws
    defaults = variant_params(spec.variants[spec.fitted_variants[0]])
    central_fitted = {p.name: value_of(defaults, p.name) for p in matched}
    central_free = {name: value_of(defaults, name) for name in rest.names}
    fitted = [central_fitted, *to_points(matched, survivors[skip:skip + s.draws])]
    drawn = [central_free, *draw_free(rest, len(fitted) - 1,
                                      s.seed + CONFIRM_SEED_OFFSET + 1 + skip)]
    confirmed = _simulate(spec, targets, fitted, drawn, s.confirm_reps,
                          s.seed + CONFIRM_SEED_OFFSET, workers, "worlds confirmation",
                          progress)
    runs += len(fitted) * s.confirm_reps * per_rep
    imp = implausibility(targets, confirmed.means, confirmed.mean_var)
    plausible = largest(imp) <= s.cutoff
    rows = []
    for i in np.flatnonzero(plausible)[:s.keep]:
        if skip and i == 0:
            continue  # the defaults are world 0 of the first build
        row: dict[str, float] = {"world": int(i + skip if i else 0)}
        row.update({PARAMETER_PREFIX + k: v for k, v in {**fitted[i], **drawn[i]}.items()})
        row.update({MEAN_PREFIX + t.key: float(confirmed.means[i, j])
                    for j, t in enumerate(targets)})
        row.update({IMPLAUSIBILITY_PREFIX + t.key: float(imp[i, j])
                    for j, t in enumerate(targets)})
        row["I_max"] = float(largest(imp[i:i + 1])[0])
        rows.append(row)
    record = {
        "seed": s.seed, "cutoff": s.cutoff, "waves": waves, "draws": s.draws,
        "confirm_reps": s.confirm_reps, "confirm_seed": s.seed + CONFIRM_SEED_OFFSET,
        "confirmed_plausible": int(plausible[1:].sum()), "kept": len(rows),
        "draws_run": len(fitted) - 1, "skipped": skip,
        "defaults_plausible": bool(plausible[0]),
        "defaults_implausibility": {t.key: round(float(imp[0, j]), 3)
                                    for j, t in enumerate(targets)},
        "ruled_out_by": {t.key: int((imp[1:, j] > s.cutoff).sum())
                         for j, t in enumerate(targets)},
        "fitted_parameters": [p.name for p in params],
        "screened_in": screening,
        "history_matched": [p.name for p in matched],
        "free_parameters": rest.names,
        "targets": [t.key for t in targets],
        "runs": runs, "wall_time_s": round(time.perf_counter() - start, 1), "workers": workers,
    }
    return Ensemble(rows, record)


def _emulate(params: Sequence[FitParameter], targets: Sequence[Target],
             waves: Sequence[Simulated]) -> Emulator:
    unit = np.vstack([to_unit(params, w.fitted) for w in waves])
    values = np.vstack([w.means for w in waves])
    reps = np.concatenate([np.full(len(w.fitted), float(w.reps)) for w in waves])
    return Emulator.fit(unit, values, reps)


def _screen(emulator: Emulator, targets: Sequence[Target], unit: np.ndarray, cutoff: float,
            rank: int) -> np.ndarray:
    """Which candidates are not ruled out."""
    mean, sd = emulator.predict(unit, return_sd=True)
    return largest(implausibility(targets, mean, sd ** 2), rank) <= cutoff


def top_up(before: Ensemble, more: Ensemble, keep: int) -> Ensemble:
    """An earlier build's worlds with a top-up's appended (at most ``keep``), and the
    record's counts summed."""
    a, b = before.record, more.record
    record = {**a, "draws_run": a["draws_run"] + b["draws_run"],
              "confirmed_plausible": a["confirmed_plausible"] + b["confirmed_plausible"],
              "ruled_out_by": {k: v + b["ruled_out_by"].get(k, 0)
                               for k, v in a["ruled_out_by"].items()},
              "runs": a["runs"] + b["runs"],
              "wall_time_s": round(a["wall_time_s"] + b["wall_time_s"], 1),
              "top_ups": [*a.get("top_ups", []), {"draws": b["draws_run"],
                                                   "confirmed": b["confirmed_plausible"],
                                                   "runs": b["runs"]}]}
    rows = [*before.rows, *more.rows][:keep]
    record["kept"] = len(rows)
    return Ensemble(rows, record)


def write(ensemble: Ensemble, path: Path = WORLDS_FILE, record: Path = RECORD_FILE) -> None:
    """Write worlds.csv and its record worlds.json, atomically."""
    from sim.files import write_text_atomically

    if not ensemble.rows:
        raise ValueError("no world survived confirmation; nothing to write")
    write_table(ensemble.rows, path)
    write_text_atomically(record, json.dumps(ensemble.record, indent=1, sort_keys=True) + "\n")
