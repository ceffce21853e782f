"""Comparisons across plausible worlds: each option against the reference in every world,
and what the answer depends on.

Every option runs in every world (:mod:`sim.worlds`) on the same replication seeds (common
random numbers within and across worlds), so option minus reference in world ``w`` and
replication ``k`` is a paired difference. For each outcome and option:

- **effect**: the mean over worlds of the world's mean paired difference; its **interval
  over worlds** is the 2.5-97.5% range of the worlds' effects (what a plausible world may
  show: parameter uncertainty, with each world's Monte Carlo noise in it), and its
  **Monte Carlo interval** the 95% interval the replications alone would give the mean
  (``1.96 * sqrt(mean(se_w^2) / W)``), reported separately;
- **shares of worlds** in which the option is better, worse, or not clearly different (a
  world's 95% interval of its mean paired difference on one side of zero, by the metric's
  declared direction, with the replications' variance pooled over worlds: with a few
  replications a world's own variance is too unsure to judge by, and the chance
  variation between replications differs little between worlds); they add up to one;
- **drivers**: the uncertain parameters the worlds' effects depend on most, by forward
  selection on ranks (Spearman's correlation, then partial rank correlations given the
  drivers already chosen): with tens of worlds and over a hundred varied parameters a
  joint regression is not identified, one parameter at a time is; a Bonferroni-corrected
  p-value says whether each dependence is clear; each with the evidence grade of its
  declared source;
- **switching value** of the first driver (HM Treasury Green Book 2022, 5.59-5.61): the
  value inside its plausible range at which a straight line fitted to the worlds' effects
  crosses zero, when it does;
- a **scenario-discovery box** (PRIM, :func:`discovery_box`) for the worlds whose verdict
  is not the most common one, in words with its coverage and density, when one is clear.

The table goes into a results folder as ``across_worlds.csv`` (:data:`FILE`; its columns,
with their plain-English names, units and meanings, are :data:`COLUMN_INFO`). Every output
that shows it (the terminal, the dashboard and its printout, the spreadsheet's "Across
worlds" sheet, the planners' web page) reads it with :func:`read` and says it in the words
of :func:`sentences`, under :func:`heading` and :data:`HOW_TO_READ`, right after the key
findings.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from sim.metrics import METRICS
from sim.params import CALIBRATED, SECTIONS
from sim.progress import Progress
from sim.scenario import Scenario
from sim.worlds import (
    DEFAULT_WORLD_REPS,
    DEFAULT_WORLDS,
    World,
    apply_world,
    held_keys,
    uncertain_parameters,
)

PER_100 = 100  # a share is spoken of per 100
WORLD_SEPARATOR = " @ world "  # the name a (scenario, world) run carries while it runs
DRIVERS = 3  # drivers reported per outcome
CLEAR_P = 0.05  # family-wise level of a driver's dependence (Bonferroni over parameters)
INTERVAL = (2.5, 97.5)  # percentiles of the worlds' effects
# Fewer worlds than this leave a rank correlation with too few degrees of freedom to
# single out a driver (and a partial one fewer still), so none is reported.
MIN_DRIVER_WORLDS = 5
FILE = "across_worlds.csv"  # in a results folder run across worlds

# across_worlds.csv's columns, in order: (column, plain-English header, unit, meaning).
# The spreadsheet's "Across worlds" sheet and docs/outputs.md say them in these words.
_BASE_COLUMNS: tuple[tuple[str, str, str, str], ...] = (
    ("scenario", "Option", "name", "The option compared with the reference"),
    ("reference", "Compared with", "name", "The reference option (the first given)"),
    ("metric", "Outcome", "name", "The outcome metric (sim.metrics), one of the key outcomes"),
    ("worlds", "Plausible worlds", "worlds", "Worlds in which the outcome could be compared"),
    ("replications", "Replications in each world", "replications",
     "Replications of each option in each world (the fewest any world had)"),
    ("effect", "Difference (mean over worlds)", "the metric's unit",
     "Option minus reference, replication by replication on the same seeds, averaged in "
     "each world, then over worlds"),
    ("worlds_low", "95% of worlds: from", "the metric's unit",
     "2.5th percentile of the worlds' differences: what a plausible world may show "
     "(parameter uncertainty, each world's chance variation in it)"),
    ("worlds_high", "95% of worlds: to", "the metric's unit",
     "97.5th percentile of the worlds' differences"),
    ("mc_low", "Replications alone (95%): from", "the metric's unit",
     "Lower end of the 95% interval that the replications' chance variation alone gives "
     "the mean difference (the Monte Carlo part, reported apart)"),
    ("mc_high", "Replications alone (95%): to", "the metric's unit",
     "Upper end of that interval"),
    ("better_share", "Better in (share of worlds)", "share",
     "Share of worlds whose 95% interval of the mean paired difference (replication "
     "variance pooled over worlds) lies wholly on the better "
     "side of zero (the metric's declared direction)"),
    ("worse_share", "Worse in (share of worlds)", "share",
     "Share of worlds whose interval lies wholly on the worse side"),
    ("unclear_share", "No clear difference in (share of worlds)", "share",
     "Share of worlds whose interval includes zero; the three shares add up to one"),
    ("switching_parameter", "Reverses along", "parameter",
     "The first driver, when a straight line through the worlds' differences against it "
     "crosses zero inside its plausible range (empty otherwise)"),
    ("switching_value", "Reverses at (switching value)", "the parameter's unit",
     "The value of that parameter at which the line crosses zero"),
    ("box", "Scenario discovery", "words",
     "Where the worlds whose verdict is not the most common one mainly lie: a PRIM box "
     "in a few parameters, when one is clear (empty otherwise)"),
    ("box_coverage", "Scenario discovery: coverage", "share",
     "Share of those worlds inside the box"),
    ("box_density", "Scenario discovery: density", "share",
     "Share of the worlds inside the box that are among those worlds"),
)
_DRIVER_COLUMNS: tuple[tuple[str, str, str, str], ...] = (
    ("", "depends on", "parameter",
     "The uncertain parameter the worlds' differences depend on most{after} (dotted name)"),
    ("_rho", "rank correlation", "-1 to 1",
     "Its {partial}rank correlation with the worlds' differences"),
    ("_p", "p-value", "probability",
     "Bonferroni-corrected p-value of that correlation (clear below 0.05)"),
    ("_grade", "evidence grade", "grade",
     "The parameter's evidence grade from its declared source: \u201cassumption\u201d, "
     "\u201cdirection published, size assumed\u201d, \u201ccalibrated\u201d or "
     "\u201cpublished\u201d"),
)
ORDINALS = ("Most", "Second most", "Third most")  # driver k in words


def _driver_columns() -> list[tuple[str, str, str, str]]:
    out = []
    for i in range(DRIVERS):
        said = ORDINALS[i] if i < len(ORDINALS) else f"Driver {i + 1}"
        before = "driver 1" if i == 1 else "drivers 1 and 2" if i == 2 else f"drivers 1 to {i}"
        words = {"after": f" once {before} {'is' if i == 1 else 'are'} allowed for" if i else "",
                 "partial": f"partial (given {before}) " if i else ""}
        for suffix, header, unit, meaning in _DRIVER_COLUMNS:
            out.append((f"driver_{i + 1}{suffix}", f"{said}: {header}", unit,
                        meaning.format(**words)))
    return out


COLUMN_INFO: tuple[tuple[str, str, str, str], ...] = (*_BASE_COLUMNS, *_driver_columns())
COLUMNS: tuple[str, ...] = tuple(c for c, *_ in COLUMN_INFO)
TEXT_COLUMNS = ("scenario", "reference", "metric", "switching_parameter", "box",
                *(f"driver_{i + 1}{s}" for i in range(DRIVERS) for s in ("", "_grade")))


def evidence_grade(name: str) -> str:
    """A parameter's evidence grade, from its declared source: ``assumption`` (no
    published figure), ``direction published, size assumed`` (a source for the direction,
    the size an assumption), ``calibrated`` (fitted to published figures) or ``published``.

    Example:
        >>> evidence_grade("effects.stress_insecurity")
        'direction published, size assumed'
    """
    section, _, field = name.partition(".")
    info = SECTIONS[section].model_fields[field]
    extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
    source = str(extra.get("source", "")).strip().lower()
    if source.startswith("assumption"):
        return "assumption"
    if source.startswith(CALIBRATED.split(" ")[0]):
        return "calibrated"
    return "direction published, size assumed" if "assumption" in source else "published"


def world_scenarios(scenarios: Sequence[Scenario], worlds: Sequence[World]
                    ) -> tuple[list[Scenario], list[str]]:
    """Every option in every world (named ``option @ world w``), and the uncertainties the
    options hold at their own values (the comparison's levers)."""
    keys = list(worlds[0].values) if worlds else []
    held = held_keys([s.params for s in scenarios], keys)
    out = []
    for world in worlds:
        for s in scenarios:
            out.append(Scenario(name=f"{s.name}{WORLD_SEPARATOR}{world.index}",
                                question=s.question, source=s.source,
                                params=apply_world(s.params, world, held),
                                overrides=s.overrides))
    return out, held


def split_world(metrics: pd.DataFrame) -> pd.DataFrame:
    """Per-run metrics of world runs with ``scenario`` and ``world`` columns apart."""
    parts = metrics["scenario"].str.rsplit(WORLD_SEPARATOR, n=1, expand=True)
    out = metrics.copy()
    out["scenario"] = parts[0]
    out.insert(1, "world", parts[1].astype(int))
    return out


@dataclass(frozen=True)
class Driver:
    """An uncertain parameter an effect depends on."""

    name: str
    rho: float  # (partial) rank correlation with the worlds' effects
    p_value: float  # Bonferroni-corrected
    grade: str

    @property
    def clear(self) -> bool:
        """The dependence is clear at the family-wise level."""
        return self.p_value < CLEAR_P


def drivers(effects: np.ndarray, values: pd.DataFrame, count: int = DRIVERS) -> list[Driver]:
    """The ``count`` parameters (columns of ``values``, one row per world) the effects
    depend on most, chosen one at a time (forward selection on ranks): first the
    parameter with the largest rank correlation with the effects, then the one with the
    largest partial rank correlation given those already chosen, and so on. A parameter
    whose effect is hidden behind a stronger one is still found.

    Example:
        >>> rng = np.random.default_rng(1)
        >>> x = pd.DataFrame(rng.random((40, 5)), columns=[f"effects.p{i}" for i in range(5)])
        >>> [d.name for d in drivers(2 * x["effects.p3"].to_numpy(), x, 1)]
        ['effects.p3']
    """
    varied = [c for c in values.columns if values[c].nunique() > 2]
    n = len(effects)
    if n < MIN_DRIVER_WORLDS or not varied or np.ptp(effects) == 0:
        return []
    from scipy import stats  # here: reading a results folder's table needs none of it

    ranks = {c: stats.rankdata(values[c].to_numpy()) for c in varied}
    y = stats.rankdata(effects)
    chosen: list[str] = []
    found = []
    for _ in range(min(count, len(varied), n - 3)):
        base = np.column_stack([np.ones(n)] + [ranks[c] for c in chosen])

        def residual(v: np.ndarray, base: np.ndarray = base) -> np.ndarray:
            return v - base @ np.linalg.lstsq(base, v, rcond=None)[0]

        ry = residual(y)
        best: tuple[float, str, float] | None = None
        for name in varied:
            if name in chosen:
                continue
            rx = residual(ranks[name])
            denominator = math.sqrt(float(rx @ rx) * float(ry @ ry))
            r = float(rx @ ry) / denominator if denominator > 0 else 0.0
            if best is None or abs(r) > abs(best[0]) or (abs(r) == abs(best[0])
                                                         and name < best[1]):
                best = (r, name, 0.0)
        if best is None:
            break
        r, name, _ = best
        df = n - 2 - len(chosen)
        t = r * math.sqrt(df / max(1e-12, 1 - r * r))
        p = min(1.0, 2 * float(stats.t.sf(abs(t), df)) * len(varied))
        found.append(Driver(name, r, p, _grade_or_none(name)))
        chosen.append(name)
    return found


def _grade_or_none(name: str) -> str:
    section, _, field = name.partition(".")
    known = section in SECTIONS and field in SECTIONS[section].model_fields
    return evidence_grade(name) if known else "unknown"


def switching_value(x: np.ndarray, effects: np.ndarray, low: float, high: float
                    ) -> float | None:
    """Where a straight line fitted to ``effects`` on ``x`` crosses zero, when that lies
    inside ``[low, high]`` (None otherwise).

    Example:
        >>> xs = np.linspace(0, 1, 11)
        >>> round(switching_value(xs, 2 * xs - 0.6, 0, 1), 3)
        0.3
    """
    if np.ptp(x) == 0:
        return None
    slope, intercept = np.polyfit(x, effects, 1)
    if slope == 0:
        return None
    root = -intercept / slope
    return float(root) if low <= root <= high else None


BOX_DENSITY, BOX_COVERAGE = 0.8, 0.6  # a box is "clear" with at least these (Bryant &
# Lempert 2010 report boxes of density ~0.8 and coverage ~0.6 or more as useful)
BOX_MIN_CASES = 10  # fewer worlds of interest than this, or of the rest: no box is sought
# (PRIM on a handful of cases peels on chance: with 7 of 123 worlds it kept a parameter of
# a mechanism switched off)
# A box in more parameters than this is not "clear": with a hundred-odd worlds and as many
# varied parameters PRIM can always peel a dense box in a dozen of them (overfitting)
BOX_MAX_PARAMETERS = 3
VERDICT_WORDS = {"better": "better", "worse": "worse",
                 "no_clear_difference": "not clearly different"}


@dataclass(frozen=True)
class Box:
    """A scenario-discovery box: where (in a few parameters) the worlds of interest lie."""

    text: str  # e.g. "effects.stress_insecurity < 0.12"
    coverage: float  # share of the worlds of interest inside the box
    density: float  # share of the worlds inside the box that are of interest


def discovery_box(values: pd.DataFrame, cases: np.ndarray) -> Box | None:
    """PRIM (Friedman & Fisher 1999; Bryant & Lempert 2010, with the EMA Workbench's
    implementation) on the worlds' parameter values: among the boxes on the peeling
    trajectory with density at least :data:`BOX_DENSITY` and coverage at least
    :data:`BOX_COVERAGE`, the one restricting the fewest parameters, then of highest
    coverage; restrictions the box stays clear without are dropped, and a box still in
    more than :data:`BOX_MAX_PARAMETERS` parameters is not clear (None then, when there is
    no box, or without the EMA Workbench, the ``ema`` extra).

    Example:
        >>> rng = np.random.default_rng(1)
        >>> x = pd.DataFrame(rng.random((60, 4)), columns=[f"effects.p{i}" for i in range(4)])
        >>> discovery_box(x, (x["effects.p2"] < 0.3).to_numpy()).text  # doctest: +SKIP
        'effects.p2 < 0.3'
    """
    cases = np.asarray(cases, bool)
    if min(cases.sum(), (~cases).sum()) < BOX_MIN_CASES:
        return None
    try:
        import logging
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            from ema_workbench.analysis import prim
        logging.getLogger("EMA").setLevel(logging.ERROR)
    except ImportError:
        return None
    varied = values.loc[:, values.nunique() > 2].reset_index(drop=True)
    if varied.empty:
        return None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        box = prim.Prim(varied, cases).find_box()
    trajectory = box.peeling_trajectory
    clear = trajectory[(trajectory["density"] >= BOX_DENSITY)
                       & (trajectory["coverage"] >= BOX_COVERAGE)]
    if clear.empty:
        return None
    # the fewest parameters first (a box a reader can hold), then the most coverage
    best = clear.sort_values(["res_dim", "coverage", "density"],
                             ascending=[True, False, False]).iloc[0]
    box.select(int(best["id"]))
    limits = {name: (float(box.box_lim[name][0]), float(box.box_lim[name][1]))
              for name in varied.columns}
    restricted = [n for n in varied.columns if limits[n][0] > varied[n].min()
                  or limits[n][1] < varied[n].max()]

    def stats_of(names: Sequence[str]) -> tuple[float, float]:
        inside = np.ones(len(varied), bool)
        for n in names:
            inside &= (varied[n] >= limits[n][0]).to_numpy() & (varied[n] <= limits[n][1]
                                                                   ).to_numpy()
        hits = (inside & cases).sum()
        return hits / cases.sum(), hits / max(inside.sum(), 1)

    # PRIM's small peels of a parameter that does not matter (common with tens of worlds)
    # are dropped when the box stays clear without them; the figures are the final box's
    for name in list(restricted):
        coverage, density = stats_of([n for n in restricted if n != name])
        if len(restricted) > 1 and coverage >= BOX_COVERAGE and density >= BOX_DENSITY:
            restricted.remove(name)
    if len(restricted) > BOX_MAX_PARAMETERS:
        return None
    coverage, density = stats_of(restricted)
    parts = []
    for name in restricted:
        (low, high), lo_edge, hi_edge = limits[name], varied[name].min(), varied[name].max()
        if low > lo_edge and high < hi_edge:
            parts.append(f"{low:.3g} <= {name} <= {high:.3g}")
        elif low > lo_edge:
            parts.append(f"{name} >= {low:.3g}")
        else:
            parts.append(f"{name} <= {high:.3g}")
    if not parts:
        return None
    return Box(" and ".join(parts), float(coverage), float(density))


def world_verdicts(diffs: Sequence[np.ndarray], better: str) -> list[str]:
    """Each world's verdict from its replications' paired differences: its mean's 95%
    interval, with the within-world variance pooled over worlds (degrees of freedom: the
    replications less one, summed over worlds), on one side of zero or not.

    Example:
        >>> world_verdicts([np.array([-1.0, -1.2]), np.array([0.1, -0.1]),
        ...                 np.array([1.0, 1.1])], "lower")
        ['better', 'no_clear_difference', 'worse']
    """
    df = sum(len(d) - 1 for d in diffs)
    if df < 1 or better == "neither":
        return ["no_clear_difference"] * len(diffs)
    from scipy import stats

    pooled = sum(float(((d - d.mean()) ** 2).sum()) for d in diffs) / df
    t = float(stats.t.ppf(0.975, df))
    out = []
    for d in diffs:
        half = t * math.sqrt(pooled / len(d))
        low, high = d.mean() - half, d.mean() + half
        if high < 0 or low > 0:
            out.append("better" if (high < 0) == (better == "lower") else "worse")
        else:
            out.append("no_clear_difference")
    return out


def world_effects(paired: pd.Series) -> tuple[pd.Series, float]:
    """Paired differences (indexed by ``world`` and replication) averaged in each world,
    and the half-width of the Monte Carlo 95% interval of their mean over worlds (the
    replication variance pooled over worlds; NaN with no world).

    Example:
        >>> index = pd.MultiIndex.from_product([[0, 1], [0, 1]], names=["world", "rep"])
        >>> effect, half = world_effects(pd.Series([1.0, 3.0, 2.0, 2.0], index=index))
        >>> effect.tolist(), round(half, 3)
        ([2.0, 2.0], 0.98)
    """
    by_world = paired.groupby(level="world")
    effect = by_world.mean()
    se2 = by_world.var(ddof=1) / by_world.count()
    half = 1.959964 * math.sqrt(float(se2.mean()) / len(effect)) if len(effect) else math.nan
    return effect, half


def summarise(metrics: pd.DataFrame, reference: str, outcomes: Sequence[str],
              worlds: Sequence[World], held: Sequence[str] = ()) -> pd.DataFrame:
    """One row per option (other than ``reference``) and outcome, across worlds.

    Args:
        metrics: per-run metrics with ``scenario``, ``world``, ``replication`` columns.
        reference: the scenario the others are compared with.
        outcomes: metric names.
        worlds: the worlds run (their values are the drivers' candidates).
        held: uncertainties held at each option's own value (not drivers).
    """
    ranges = {u.name: (u.low, u.high) for u in uncertain_parameters()}
    kept = set(held)
    values = pd.DataFrame([{k: v for k, v in w.values.items() if k not in kept}
                           for w in worlds], index=[w.index for w in worlds])
    rows = []
    ref = metrics[metrics["scenario"] == reference].set_index(["world", "replication"])
    for option in dict.fromkeys(metrics["scenario"]):
        if option == reference:
            continue
        own = metrics[metrics["scenario"] == option].set_index(["world", "replication"])
        for metric in outcomes:
            if metric not in own.columns:
                continue
            paired = (own[metric] - ref[metric]).dropna()
            if paired.empty:
                continue
            better = METRICS[metric].better
            by_world = paired.groupby(level="world")
            effect, mc = world_effects(paired)
            verdicts = world_verdicts([g.to_numpy() for _, g in by_world], better)
            found = drivers(effect.to_numpy(), values.loc[effect.index])
            first = found[0] if found else None
            switch = (switching_value(values.loc[effect.index, first.name].to_numpy(),
                                      effect.to_numpy(), *ranges[first.name])
                      if first and first.name in ranges else None)
            row = {
                "scenario": option, "reference": reference, "metric": metric,
                "worlds": len(effect), "replications": int(by_world.count().min()),
                "effect": float(effect.mean()),
                "worlds_low": float(np.percentile(effect, INTERVAL[0])),
                "worlds_high": float(np.percentile(effect, INTERVAL[1])),
                "mc_low": float(effect.mean()) - mc, "mc_high": float(effect.mean()) + mc,
                "better_share": verdicts.count("better") / len(verdicts),
                "worse_share": verdicts.count("worse") / len(verdicts),
                "unclear_share": verdicts.count("no_clear_difference") / len(verdicts),
                "switching_parameter": first.name if switch is not None and first else "",
                "switching_value": switch if switch is not None else math.nan,
            }
            common = max(set(verdicts), key=lambda v: (verdicts.count(v), v))
            rare = np.array([v != common for v in verdicts])
            box = discovery_box(values.loc[effect.index], rare)
            row["box"] = (f"{VERDICT_WORDS.get(common, common)} except mainly where "
                          f"{box.text}" if box else "")
            row["box_coverage"] = box.coverage if box else math.nan
            row["box_density"] = box.density if box else math.nan
            for i in range(DRIVERS):
                d = found[i] if i < len(found) else None
                row[f"driver_{i + 1}"] = d.name if d else ""
                row[f"driver_{i + 1}_rho"] = d.rho if d else math.nan
                row[f"driver_{i + 1}_p"] = d.p_value if d else math.nan
                row[f"driver_{i + 1}_grade"] = d.grade if d else ""
            rows.append(row)
    return pd.DataFrame(rows, columns=list(COLUMNS))  # the columns even with no rows


def compare(scenarios: Sequence[Scenario], worlds: int = DEFAULT_WORLDS,
            replications: int = DEFAULT_WORLD_REPS, root_seed: int | None = None,
            workers: int = 1, progress: bool = False,
            outcomes: Sequence[str] | None = None,
            worlds_file: Path | None = None, bar: Progress | None = None) -> pd.DataFrame:
    """Run every option in the first ``worlds`` plausible worlds and summarise against the
    first option (the Python API of ``mentorsim run --worlds``).

    Example:
        >>> from sim.scenario import load_scenario  # doctest: +SKIP
        >>> compare([load_scenario("stop_start_grants"), load_scenario("long_term_investment")],
        ...         worlds=30)  # doctest: +SKIP
    """
    from sim.findings import KEY_OUTCOMES
    from sim.runner import run_scenarios
    from sim.worlds import load_worlds

    chosen = load_worlds(worlds, worlds_file)
    runs, held = world_scenarios(scenarios, chosen)
    seed = scenarios[0].params.run.seed if root_seed is None else root_seed
    if bar is None and progress:
        bar = Progress(len(runs) * replications, "runs in plausible worlds", workers=workers)
    results = run_scenarios(runs, replications, seed, workers, progress, bar)
    return summarise(split_world(results.metrics), scenarios[0].name,
                     outcomes or [k.metric for k in KEY_OUTCOMES], chosen, held)


def _number(value: float, scale: float, money: bool = False) -> str:
    """A figure in words' company: a true minus sign, pounds for money, digits by size."""
    v = value * scale
    if not math.isfinite(v):
        return "n/a"
    digits = 0 if abs(v) >= 100 else 1 if abs(v) >= 1 else 2
    text = f"{abs(v):,.{digits}f}"
    sign = "\u2212" if v < 0 and float(text.replace(",", "")) != 0 else ""
    return f"{sign}{'£' if money else ''}{text}"


def sentences(table: pd.DataFrame, outcomes: Sequence[str] | None = None,
              titles: Mapping[str, str] | None = None) -> list[str]:
    """Plain-English lines: per option and outcome, in how many worlds it is better, worse
    or not clearly different, the effect with its interval over worlds and the Monte Carlo
    part apart, what it depends on most (with its evidence grade) and where it would
    reverse. ``titles``: display names by scenario name (default the names)."""
    from sim.findings import KEY_OUTCOMES

    spoken = {k.metric: k for k in KEY_OUTCOMES}
    names = dict(titles or {})
    out = []
    for row in table.itertuples(index=False):
        if outcomes is not None and row.metric not in outcomes:
            continue
        key = spoken.get(row.metric)
        declared = METRICS.get(row.metric)
        label = declared.label if declared else row.metric
        topic = key.topic if key else label[:1].lower() + label[1:]
        share = key is None and declared is not None and declared.unit == "share"
        scale = key.scale if key else PER_100 if share else 1
        unit = (f" {key.unit_text}" if key and key.unit_text
                else " points per 100" if share else "")
        money = bool(declared and declared.unit.startswith("GBP"))

        def said(value: float, scale: float = scale, money: bool = money) -> str:
            return _number(value, scale, money)

        n = int(row.worlds)
        better, worse = round(row.better_share * n), round(row.worse_share * n)
        option = names.get(row.scenario, row.scenario)
        reference = names.get(row.reference, row.reference)
        text = (f"{option} vs {reference}, {topic}: better in {better} of {n} "
                f"plausible world{'' if n == 1 else 's'}, worse in {worse}, no clear "
                "difference in "
                f"{n - better - worse} (difference {said(row.effect)}{unit}; "
                f"95% of worlds {said(row.worlds_low)} to "
                f"{said(row.worlds_high)}; replications alone "
                f"\u00b1{said((row.mc_high - row.mc_low) / 2)})")
        if row.driver_1:
            clear = "clear" if row.driver_1_p < CLEAR_P else "not clear beyond chance"
            text += (f"; depends most on {row.driver_1} ({row.driver_1_grade}; rank "
                     f"correlation {row.driver_1_rho:+.2f}, {clear})")
            if row.switching_parameter:
                text += f", and reverses at {row.switching_parameter} = {row.switching_value:.3g}"
            else:
                text += ", and does not reverse within its plausible range"
        elif n < MIN_DRIVER_WORLDS:
            text += (f"; too few worlds to say what it depends on (at least "
                     f"{MIN_DRIVER_WORLDS} are needed)")
        else:
            text += "; no uncertain parameter stands out as what it depends on"
        if isinstance(getattr(row, "box", ""), str) and row.box:
            text += (f"; {row.box} (scenario discovery: coverage {row.box_coverage:.2f}, "
                     f"density {row.box_density:.2f})")
        out.append(text + ".")
    return out


# How to read the across-worlds lines: said under their heading in every output.
HOW_TO_READ = (
    "Each option against the reference in every plausible world, on the same random "
    "numbers. A world counts as better or worse when the 95% interval of its mean paired "
    "difference (with the chance variation between replications pooled over worlds) lies "
    "wholly on that side of zero. \u201c95% of worlds\u201d is the range of "
    "the worlds' differences: what a plausible world may show, uncertainty in the model's "
    "parameters included. \u201cReplications alone\u201d is the 95% margin that chance "
    "variation between replications puts on the mean difference (the Monte Carlo part, "
    "reported apart). What a difference depends on most is the uncertain parameter it "
    "follows most closely across the worlds, with the evidence grade of that parameter's "
    "source; it reverses where a straight line through the worlds' differences against "
    "that parameter crosses zero (its switching value).")


# Said in place of the lines when a table has no rows (no key outcome had a value in both).
NO_LINES = "No key outcome could be compared across the worlds."


def heading(table: pd.DataFrame) -> str:
    """The across-worlds block's heading: how many worlds, and replications in each, as
    run (an outcome missing in some runs has fewer in its own row).

    Example:
        >>> heading(pd.DataFrame({"worlds": [30, 30], "replications": [5, 5]}))
        'Across 30 plausible worlds (5 replications of each option in each)'
    """
    if not len(table):  # no key outcome could be compared: no counts to give
        return "Across plausible worlds"
    worlds, reps = int(table["worlds"].max()), int(table["replications"].max())
    return (f"Across {worlds:,} plausible world{'' if worlds == 1 else 's'} ({reps} "
            f"replication{'' if reps == 1 else 's'} of each option in each)")


def read(folder: Path) -> pd.DataFrame | None:
    """A results folder's ``across_worlds.csv`` as written (a scenario named "NA" stays a
    name; an empty text cell is ""; an empty number NaN), or None when the folder has
    none (a run on one set of parameter values). Every output that shows it reads it here.

    Raises:
        UserError: the file is not CSV or lacks one of :data:`COLUMNS`.
    """
    from sim.errors import UserError

    path = Path(folder) / FILE
    if not path.is_file():
        return None
    try:
        table = pd.read_csv(path, keep_default_na=False, na_values=[""],
                            dtype=dict.fromkeys(TEXT_COLUMNS, str))
    except (OSError, ValueError) as exc:  # pandas' parser errors and bad text are ValueErrors
        raise UserError(f"{path}: not an across-worlds table ({exc})") from None
    missing = [c for c in COLUMNS if c not in table.columns]
    if missing:
        raise UserError(f"{path}: not an across-worlds table (no {', '.join(missing)} "
                        "column)")
    for column in TEXT_COLUMNS:
        table[column] = table[column].fillna("").astype(str)
    return table
