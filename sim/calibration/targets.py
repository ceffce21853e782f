"""Calibration targets, scenario variants and fitted parameters, declared as data.

The file ``scenarios/calibration/targets.toml`` holds three kinds of table:

- ``[variants.NAME]``: a scenario (bundled name or path) plus ``set`` overrides and the
  replications ``--check`` runs; every target is measured on one variant;
- ``[[targets]]``: a metric from :mod:`sim.metrics`, the published range ``low``..``high``,
  the population the figure comes from, the source (author, year, title), how sure the
  figure is, and whether ``--check`` enforces it (a target that cannot be met without
  distorting the model stays in the file, reported but not enforced, with the reason);
- ``[fit]``: the search settings (waves of design points and replications, seed), and
  ``[[fit.parameters]]``: the uncertain parameters it varies, with bounds (by default the
  parameter's documented plausible range).

Everything is validated when loaded: unknown metrics, variants or parameters are errors.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sim.errors import UserError
from sim.metrics import METRICS
from sim.params import SECTIONS

TARGETS_FILE = Path(__file__).resolve().parents[2] / "scenarios" / "calibration" / "targets.toml"


@dataclass(frozen=True)
class Variant:
    """A scenario the targets are measured on: a file plus overrides."""

    name: str
    scenario: str
    overrides: tuple[str, ...]
    reps: int
    why: str = ""
    fit_reps_factor: int = 1  # the search runs this variant this many times more often


@dataclass(frozen=True)
class Target:
    """One published figure the calibrated model must reproduce.

    Attributes:
        key: short identifier.
        metric: metric name in :data:`sim.metrics.METRICS`.
        variant: the variant it is measured on.
        low, high: the accepted range of the model's mean (inclusive).
        evidence: the published figure in words.
        population: who the figure describes.
        source: author(s), year, title.
        confidence: how sure the figure is (A read in a primary source, B secondary, or an
            assumption bridging a gap).
        enforce: whether ``calibrate --check`` fails when the target is missed.
        note: why the range is what it is, or why it is not enforced.
        observation_sd: how far the true value may lie from the published figure (the
            target's centre), one standard deviation, in the metric's unit: from the
            source, or an assumption said in ``uncertainty``.
        discrepancy_sd: how far the model at its best parameters may still lie from the
            true value (what it leaves out or defines differently), one standard deviation.
        uncertainty: the reasoning behind both standard deviations.
    """

    key: str
    metric: str
    variant: str
    low: float
    high: float
    evidence: str
    population: str
    source: str
    confidence: str
    enforce: bool = True
    note: str = ""
    observation_sd: float = 0.0
    discrepancy_sd: float = 0.0
    uncertainty: str = ""

    @property
    def centre(self) -> float:
        """Middle of the range."""
        return 0.5 * (self.low + self.high)

    @property
    def half_width(self) -> float:
        """Half the range (the unit in which the fit measures distance)."""
        return 0.5 * (self.high - self.low)

    def inside(self, value: float) -> bool:
        """Whether a model value lies in the range."""
        return self.low <= value <= self.high


@dataclass(frozen=True)
class FitParameter:
    """An uncertain parameter the search varies, between bounds."""

    name: str  # dotted, e.g. "effects.engagement_base"
    low: float
    high: float
    integer: bool = False
    why: str = ""

    @property
    def section(self) -> str:
        """The scenario table the parameter sits in."""
        return self.name.split(".")[0]

    @property
    def field(self) -> str:
        """The parameter's name inside its table."""
        return self.name.split(".")[1]


@dataclass(frozen=True)
class Adjustment:
    """A calibrated value set after the last search, with why: a parameter the search
    fitted whose value a later change of the model moved, or one calibrated on its own
    (``[[fit.adjusted]]``). The calibrated point is the search's rounded values with these
    applied (:meth:`CalibrationSpec.calibrated_point`)."""

    name: str
    value: float
    why: str


@dataclass(frozen=True)
class FitSettings:
    """How the search is run (see :mod:`sim.calibration.fit`)."""

    seed: int
    waves: tuple[tuple[int, int], ...]  # (points, replications) of each wave
    candidates: int  # emulator candidates screened per wave (a power of two)
    cutoffs: tuple[float, ...]  # per later wave: emulator sds a target may miss by
    confirm_points: int  # best points re-run before the choice
    confirm_reps: int  # their replications
    choose: int | None  # a confirmed point by position (1-based) instead of the closest
    choose_reason: str
    significant_digits: int
    parameters: tuple[FitParameter, ...]
    adjusted: tuple[Adjustment, ...] = ()


@dataclass(frozen=True)
class WorldSettings:
    """How the ensemble of plausible worlds is built (see :mod:`sim.calibration.ensemble`)."""

    seed: int
    waves: tuple[tuple[int, int], ...]  # (points, replications) of each history-matching wave
    candidates: int  # emulator candidates screened after each wave (a power of two)
    cutoff: float  # implausibility above which a point is ruled out
    draws: int  # candidate worlds simulated to confirm them
    confirm_reps: int  # their replications
    keep: int  # at most this many worlds are stored
    max_active: int = 24  # at most this many screened-in uncertainties are history-matched


# Used when the targets file has no [worlds] table; the bundled file states its own.
DEFAULT_WORLDS = WorldSettings(seed=2026, waves=((128, 2), (128, 4)), candidates=2 ** 16,
                               cutoff=3.0, draws=192, confirm_reps=8, keep=150)


@dataclass(frozen=True)
class CalibrationSpec:
    """Everything in the targets file."""

    variants: dict[str, Variant]
    targets: tuple[Target, ...]
    fit: FitSettings
    check_seed: int
    path: Path = field(default=TARGETS_FILE)
    worlds: WorldSettings = field(default_factory=lambda: DEFAULT_WORLDS)

    def calibrated_point(self, record: dict[str, Any]) -> dict[str, float]:
        """The calibrated values: the fit record's rounded point with the declared
        adjustments applied."""
        return {**record["rounded"], **{a.name: a.value for a in self.fit.adjusted}}

    def targets_on(self, variant: str, enforced_only: bool = False) -> list[Target]:
        """Targets measured on one variant."""
        return [t for t in self.targets
                if t.variant == variant and (t.enforce or not enforced_only)]

    @property
    def fitted_variants(self) -> list[str]:
        """Variants that carry at least one enforced target (the fit runs only these)."""
        return [v for v in self.variants if self.targets_on(v, enforced_only=True)]


def _require(table: dict[str, Any], key: str, where: str) -> Any:
    if key not in table:
        raise UserError(f"{where}: missing '{key}'")
    return table[key]


def _plausible(name: str) -> tuple[float, float] | None:
    section, _, field_name = name.partition(".")
    model = SECTIONS.get(section)
    info = model.model_fields.get(field_name) if model else None
    if info is None:
        raise UserError(f"fit parameter '{name}' is not a parameter (section.name)")
    extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
    bounds = extra.get("plausible")
    return (float(bounds[0]), float(bounds[1])) if bounds else None


def load_spec(path: Path | None = None) -> CalibrationSpec:
    """Read and validate the targets file.

    Args:
        path: the TOML file (default ``scenarios/calibration/targets.toml``).

    Returns:
        The validated specification.

    Raises:
        UserError: naming the file and the entry at fault.

    Example:
        >>> spec = load_spec()
        >>> spec.targets[0].metric in METRICS
        True
    """
    from sim.scenario import read_toml  # the same messages as for scenario files

    path = path or TARGETS_FILE
    data = read_toml(path, UserError, "calibration targets file")
    variants = {}
    for name, table in _require(data, "variants", str(path)).items():
        where = f"{path}: variants.{name}"
        variants[name] = Variant(name, str(_require(table, "scenario", where)),
                                 tuple(table.get("set", [])), int(_require(table, "reps", where)),
                                 table.get("why", ""), int(table.get("fit_reps_factor", 1)))
    targets = []
    for i, table in enumerate(_require(data, "targets", str(path))):
        where = f"{path}: targets[{i}] ({table.get('key', '?')})"
        target = Target(
            key=_require(table, "key", where), metric=_require(table, "metric", where),
            variant=_require(table, "variant", where), low=float(_require(table, "low", where)),
            high=float(_require(table, "high", where)),
            evidence=_require(table, "evidence", where),
            population=_require(table, "population", where),
            source=_require(table, "source", where),
            confidence=_require(table, "confidence", where),
            enforce=bool(table.get("enforce", True)), note=table.get("note", ""),
            observation_sd=float(_require(table, "observation_sd", where)),
            discrepancy_sd=float(_require(table, "discrepancy_sd", where)),
            uncertainty=str(_require(table, "uncertainty", where)))
        if target.metric not in METRICS:
            raise UserError(f"{where}: unknown metric '{target.metric}'")
        if target.variant not in variants:
            raise UserError(f"{where}: unknown variant '{target.variant}'")
        if not target.low < target.high:
            raise UserError(f"{where}: low must be below high")
        if target.observation_sd <= 0 or target.discrepancy_sd < 0:
            raise UserError(f"{where}: observation_sd must be above 0 and discrepancy_sd at "
                            f"least 0, got {target.observation_sd:g} and "
                            f"{target.discrepancy_sd:g}")
        if not target.enforce and not target.note:
            raise UserError(f"{where}: a target that is not enforced must say why (note)")
        targets.append(target)
    keys = [t.key for t in targets]
    if len(set(keys)) != len(keys):
        raise UserError(f"{path}: target keys must be unique")
    fit = _require(data, "fit", str(path))
    parameters = []
    for table in _require(fit, "parameters", f"{path}: fit"):
        name = _require(table, "name", f"{path}: fit.parameters")
        plausible = _plausible(name)
        low = float(table.get("low", plausible[0] if plausible else float("nan")))
        high = float(table.get("high", plausible[1] if plausible else float("nan")))
        if not low < high:
            raise UserError(f"{path}: fit parameter {name}: give low < high (no plausible "
                            "range is declared for it)")
        parameters.append(FitParameter(name, low, high, bool(table.get("integer", False)),
                                       table.get("why", "")))
    waves = tuple((int(w[0]), int(w[1])) for w in fit.get("waves", [[128, 2], [64, 4]]))
    if not waves or any(n < 1 or r < 1 for n, r in waves):
        raise UserError(f"{path}: fit.waves must be a list of [points, replications]")
    if "choose" in fit and not fit.get("choose_reason"):
        raise UserError(f"{path}: fit.choose overrides the closest point, so give "
                        "fit.choose_reason")
    cutoffs = tuple(float(c) for c in fit.get("cutoffs", [2.0] * (len(waves) - 1)))
    if len(cutoffs) != len(waves) - 1:
        raise UserError(f"{path}: fit.cutoffs needs one value per wave after the first")
    adjusted = []
    for table in fit.get("adjusted", []):
        name = _require(table, "name", f"{path}: fit.adjusted")
        _plausible(name)  # a real parameter
        why = str(table.get("why", ""))
        if not why:
            raise UserError(f"{path}: fit.adjusted {name}: say why the value was set after "
                            "the search (why)")
        adjusted.append(Adjustment(name, float(_require(table, "value",
                                                        f"{path}: fit.adjusted {name}")), why))
    settings = FitSettings(
        seed=int(fit.get("seed", 1)), waves=waves,
        candidates=int(fit.get("candidates", 2**16)), cutoffs=cutoffs,
        confirm_points=int(fit.get("confirm_points", 8)),
        confirm_reps=int(fit.get("confirm_reps", 16)),
        choose=int(fit["choose"]) if "choose" in fit else None,
        choose_reason=str(fit.get("choose_reason", "")),
        significant_digits=int(fit.get("significant_digits", 2)),
        parameters=tuple(parameters), adjusted=tuple(adjusted))
    check = data.get("check", {})
    return CalibrationSpec(variants, tuple(targets), settings,
                           int(check.get("seed", 20210626)), path,
                           _world_settings(data.get("worlds", {}), path))


def _world_settings(table: dict[str, Any], path: Path) -> WorldSettings:
    """The ``[worlds]`` table, checked."""
    default = DEFAULT_WORLDS
    waves = tuple((int(w[0]), int(w[1])) for w in table.get("waves", default.waves))
    settings = WorldSettings(
        seed=int(table.get("seed", default.seed)), waves=waves,
        candidates=int(table.get("candidates", default.candidates)),
        cutoff=float(table.get("cutoff", default.cutoff)),
        draws=int(table.get("draws", default.draws)),
        confirm_reps=int(table.get("confirm_reps", default.confirm_reps)),
        keep=int(table.get("keep", default.keep)),
        max_active=int(table.get("max_active", default.max_active)))
    if not waves or any(n < 2 or r < 1 for n, r in waves):
        raise UserError(f"{path}: worlds.waves must be a list of [points >= 2, replications]")
    if settings.cutoff <= 0 or min(settings.draws, settings.confirm_reps, settings.keep) < 2:
        raise UserError(f"{path}: worlds.cutoff must be above 0 and worlds.draws, "
                        "confirm_reps and keep at least 2")
    return settings


@functools.cache
def _settings(path: Path) -> tuple[frozenset[str], tuple[tuple[str, Target], ...]]:
    """The settings the enforced targets describe, and each unenforced target's setting."""
    from sim.calibration.evaluate import variant_params

    spec = load_spec(path)
    setting = {v: variant_params(spec.variants[v]).programme.setting for v in spec.variants}
    calibrated = frozenset(setting[v] for v in spec.fitted_variants)
    missed = tuple((setting[t.variant], t) for t in spec.targets if not t.enforce)
    return calibrated, missed


def not_calibrated(setting: str, path: Path = TARGETS_FILE) -> str | None:
    """Why results in ``setting`` are not calibrated (None when they are): no enforced
    target describes the setting, and where one is stated but not met, which.

    Example:
        >>> not_calibrated("adult_probation") is None
        True
        >>> "not calibrated" in not_calibrated("youth_justice")
        True
    """
    calibrated, missed = _settings(path)
    if setting in calibrated:
        return None
    own = [t for s, t in missed if s == setting]
    text = (f"the {setting} setting is not calibrated: no enforced calibration target "
            "describes it")
    if own:
        t = own[0]
        text += (f", and its own published figure is not met ({t.key}: {t.metric} should "
                 f"be {t.low:g} to {t.high:g}; see docs/calibration.md)")
    return text + "; read its results as illustrative"
