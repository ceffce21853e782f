"""Sweep specs: TOML files in ``scenarios/sweeps/``, validated like scenarios.

A spec names a base scenario (``extends``), the **levers** and **uncertainties** to vary,
the **outcomes** of interest, a **design**, the horizon, the root seed and the
**replications** (a fixed count, or adaptive). See ``docs/sweeps.md`` for every key.

Every mistake becomes a :class:`sim.errors.UserError` whose message names the file, the
key path, the bad value and what is allowed, with "did you mean" for misspelt keys,
parameter names and metric names. :func:`load_spec` returns a :class:`Sweep`, the fully
resolved experiment that the engine runs and whose :attr:`Sweep.spec_hash` identifies it.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from sim.errors import ScenarioError, UserError
from sim.metrics import HEADLINE, METRICS
from sim.params import ScenarioParams
from sim.sweep.factors import (
    Factor,
    describe_parameter,
    field_info,
    parameter_names,
    resolve_factor,
)
from sim.sweep.variants import apply_overrides

SWEEPS_DIR = Path(__file__).resolve().parent.parent.parent / "scenarios" / "sweeps"
AGENT_TABLES = ("weekly", "matches", "mentors", "mentees", "events")
DesignKind = Literal["factorial", "explicit", "lhs", "sobol", "morris"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class FactorSpec(_Strict):
    """What the spec says about one factor (all keys optional)."""

    values: list[bool | int | float | str] | None = Field(None, min_length=1)
    range: list[float] | None = None
    levels: int | None = Field(None, ge=2, le=1000)
    distribution: Literal["uniform", "loguniform", "triangular", "truncnormal"] | None = None
    mode: float | None = None
    mean: float | None = None
    sd: float | None = Field(None, gt=0)

    @model_validator(mode="after")
    def _one_kind(self) -> FactorSpec:
        if self.values is not None and self.range is not None:
            raise ValueError("give either values or range, not both")
        if self.values is not None and (self.levels or self.distribution or self.mode
                                        or self.mean or self.sd):
            raise ValueError("levels, distribution, mode, mean and sd apply to a range, "
                             "not to a list of values")
        return self


class DesignSpec(_Strict):
    """How points are chosen."""

    kind: DesignKind
    samples: int | None = Field(None, ge=1, le=1_000_000, description=(
        "lhs: points; sobol: base sample N (a power of 2; N*(D+2) points); "
        "morris: trajectories r ((D+1)*r points)"))
    grid_levels: int = Field(4, ge=2, le=20, description="Morris grid levels (even)")
    seed: int | None = Field(None, ge=0, le=2**63 - 1)
    points: list[dict[str, Any]] | None = Field(None, min_length=1)

    @model_validator(mode="after")
    def _consistent(self) -> DesignSpec:
        if self.kind == "explicit" and not self.points:
            raise ValueError("design.kind = 'explicit' needs design.points = [{...}, ...]")
        if self.kind != "explicit" and self.points is not None:
            raise ValueError(f"design.points is only for kind = 'explicit', not {self.kind!r}")
        if self.kind in ("lhs", "sobol") and self.samples is None:
            raise ValueError(f"design.kind = {self.kind!r} needs design.samples")
        if self.kind == "sobol" and self.samples and self.samples & (self.samples - 1):
            lower = 1 << (self.samples.bit_length() - 1)
            raise ValueError(f"design.samples = {self.samples}: Sobol sampling needs a power "
                             f"of 2 (e.g. {lower} or {lower * 2})")
        if self.kind == "morris" and self.grid_levels % 2:
            raise ValueError(f"design.grid_levels = {self.grid_levels}: Morris needs an even "
                             "number of levels")
        return self


class ReplicationSpec(_Strict):
    """A fixed count, or adaptive (min, max and a target relative CI half-width)."""

    count: int | None = Field(None, ge=1, le=100_000)
    min: int | None = Field(None, ge=2, le=100_000)
    max: int | None = Field(None, ge=2, le=100_000)
    rel_half_width: float | None = Field(None, gt=0, le=10)
    outcomes: list[str] | None = Field(None, min_length=1)
    confidence: float = Field(0.95, gt=0.5, lt=1)
    step: int = Field(1, ge=1, le=1000)

    @model_validator(mode="after")
    def _mode(self) -> ReplicationSpec:
        adaptive = [self.min, self.max, self.rel_half_width]
        if self.count is not None and any(v is not None for v in adaptive):
            raise ValueError("give count (fixed) or min, max and rel_half_width (adaptive), "
                             "not both")
        if self.count is None and any(v is None for v in adaptive):
            raise ValueError("adaptive replications need min, max and rel_half_width "
                             "(or give count for a fixed number)")
        if self.min is not None and self.max is not None and self.max < self.min:
            raise ValueError(f"max = {self.max} is below min = {self.min}")
        return self

    @property
    def adaptive(self) -> bool:
        """True when replications are added until the CI target is met."""
        return self.count is None

    @property
    def initial(self) -> int:
        """Replications every point gets before any stopping decision."""
        return int(self.count if self.count is not None else self.min)  # type: ignore[arg-type]

    @property
    def maximum(self) -> int:
        """Most replications a point can get."""
        return int(self.count if self.count is not None else self.max)  # type: ignore[arg-type]


class OutputSpec(_Strict):
    """Opt-in agent-level tables (run-level metrics are always written)."""

    agent_tables: list[Literal["weekly", "matches", "mentors", "mentees", "events"]] = []


class SweepSpec(_Strict):
    """The whole spec file."""

    name: str | None = Field(None, min_length=1, max_length=80)
    question: str = ""
    description: str = ""
    extends: str = "baseline"
    set: dict[str, Any] = {}
    horizon_weeks: int | None = Field(None, ge=1, le=5200)
    seed: int | None = Field(None, ge=0, le=2**63 - 1)
    outcomes: list[str] = Field(default_factory=lambda: list(HEADLINE), min_length=1)
    levers: dict[str, FactorSpec] = {}
    uncertainties: dict[str, FactorSpec] = {}
    design: DesignSpec
    replications: ReplicationSpec = ReplicationSpec(count=10)
    output: OutputSpec = OutputSpec()


_PARAMETERS = frozenset(parameter_names())
ALLOWED = {(): SweepSpec, ("design",): DesignSpec, ("replications",): ReplicationSpec,
           ("output",): OutputSpec, ("levers", "*"): FactorSpec,
           ("uncertainties", "*"): FactorSpec}


@dataclass(frozen=True)
class Sweep:
    """A resolved sweep: the spec, its base parameters and its factors.

    Attributes:
        spec: the validated spec.
        name: spec name (``name`` key, or the file stem).
        source: the spec file.
        base: base parameters, with ``run.weeks`` and ``run.seed`` set from the spec.
        factors: levers first, then uncertainties, in spec order.
        spec_hash: SHA-256 of the normalised spec and the resolved base parameters.
    """

    spec: SweepSpec
    name: str
    source: str
    base: ScenarioParams
    factors: tuple[Factor, ...]
    spec_hash: str

    @property
    def horizon(self) -> int:
        """Weeks per run."""
        return self.base.run.weeks

    @property
    def root_seed(self) -> int:
        """Root of every replication's seed."""
        return self.base.run.seed

    @property
    def design_seed(self) -> int:
        """Seed of the sampling design (``design.seed``, else the root seed)."""
        seed = self.spec.design.seed
        return self.root_seed if seed is None else seed

    @property
    def outcomes(self) -> list[str]:
        """Metric names of interest."""
        return list(self.spec.outcomes)

    @property
    def replications(self) -> ReplicationSpec:
        """The replication rule."""
        return self.spec.replications

    @property
    def adaptive_outcomes(self) -> list[str]:
        """Outcomes whose CI decides adaptive stopping."""
        return list(self.spec.replications.outcomes or self.spec.outcomes)

    def names(self, role: str) -> list[str]:
        """Factor names with the given role."""
        return [f.name for f in self.factors if f.role == role]


def _flatten(table: dict[str, Any], leaf_keys: set[str], prefix: str = "") -> dict[str, Any]:
    """Turn nested tables ``{funding: {grant_term_years: {...}}}`` into dotted keys.

    Recursion stops at a parameter name, or at a table holding any of ``leaf_keys``.
    """
    out: dict[str, Any] = {}
    for key, value in table.items():
        path = f"{prefix}{key}"
        if (isinstance(value, dict) and value and not (set(value) & leaf_keys)
                and path not in _PARAMETERS):
            out.update(_flatten(value, leaf_keys, f"{path}."))
        else:
            out[path] = value
    return out


def _normalise(data: dict[str, Any]) -> dict[str, Any]:
    data = dict(data)
    factor_keys = set(FactorSpec.model_fields)
    for role in ("levers", "uncertainties"):
        if isinstance(data.get(role), dict):
            flat = _flatten(data[role], factor_keys)
            data[role] = {k: ({"values": v} if isinstance(v, list) else v)
                          for k, v in flat.items()}
    if isinstance(data.get("set"), dict):
        data["set"] = _flatten(data["set"], set())
    if isinstance(data.get("replications"), int) and not isinstance(data["replications"], bool):
        data["replications"] = {"count": data["replications"]}
    if isinstance(data.get("design"), str):
        data["design"] = {"kind": data["design"]}
    return data


def _allowed(loc: tuple[Any, ...]) -> list[str]:
    parent = tuple(loc[:-1])
    for pattern, model in ALLOWED.items():
        if len(pattern) == len(parent) and all(p in ("*", q) for p, q in zip(pattern, parent,
                                                                           strict=True)):
            return list(model.model_fields)
    return []


def _format(exc: ValidationError, source: str) -> str:
    lines = []
    for err in exc.errors():
        loc = tuple(err["loc"])
        path = ".".join(f"[{p}]" if isinstance(p, int) else str(p) for p in loc).replace(".[",
                                                                                        "[")
        if err["type"] == "extra_forbidden":
            allowed = _allowed(loc)
            hint = difflib.get_close_matches(str(loc[-1]), allowed, n=1, cutoff=0.5)
            where = ".".join(str(p) for p in loc[:-1]) or "the top level"
            msg = f"unknown key '{path}'"
            if hint:
                msg += f" (did you mean '{hint[0]}'?)"
            lines.append(f"{source}: {msg}; allowed in {where}: {', '.join(allowed)}")
        elif len(loc) == 2 and loc[0] in ("levers", "uncertainties") and err["type"] in (
                "model_type", "model_attributes_type", "dict_type"):
            lines.append(f"{source}: {path} = {err.get('input')!r}: must be a list of values "
                         "or a table such as { range = [low, high] } (fix a value in [set])")
        elif err["type"] == "missing":
            lines.append(f"{source}: {path}: missing (required)")
        else:
            value = err.get("input")
            shown = "a table" if isinstance(value, dict) else repr(value)
            msg = err["msg"].removeprefix("Value error, ")
            lines.append(f"{source}: {path + ' = ' + shown + ': ' if path else ''}{msg}")
    return "\n".join(lines)


def _check_name(source: str, key: str, name: str, known: list[str], what: str) -> None:
    """Raise a did-you-mean error unless ``name`` is a known parameter or metric."""
    if name in known:
        return
    if name.startswith("run."):
        raise UserError(f"{source}: {key}: '{name}' cannot be varied: set the horizon with "
                        "horizon_weeks, the seed with seed, and [replications]")
    hint = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
    suggestion = f" (did you mean '{hint[0]}'?)" if hint else ""
    where = ("list them with `mentorsim metrics`" if what == "metric" else
             "parameters are section.name as in sim/params.py and scenario files")
    raise UserError(f"{source}: {key}: unknown {what} '{name}'{suggestion}; {where}")


def _resolve_base(spec: SweepSpec, path: Path) -> ScenarioParams:
    from sim.scenario import load_scenario

    ref = spec.extends
    local = path.parent / ref
    if not local.suffix and (path.parent / f"{ref}.toml").is_file():
        local = path.parent / f"{ref}.toml"
    try:
        scenario = load_scenario(str(local) if local.is_file() else ref)
    except ScenarioError as exc:
        raise UserError(f"{path}: extends = {ref!r}: {exc}") from None
    names = parameter_names() + ["run.weeks", "run.seed"]
    for key in spec.set:
        _check_name(str(path), f"set.{key}", key, names, "parameter")
    run = {"weeks": spec.horizon_weeks or scenario.params.run.weeks,
           "seed": scenario.params.run.seed if spec.seed is None else spec.seed}
    overrides = {**spec.set, **{f"run.{k}": v for k, v in run.items()}}
    try:
        return apply_overrides(scenario.params, overrides)
    except ValueError as exc:
        raise UserError(f"{path}: set: {exc}") from None


def _point_values(spec: SweepSpec) -> dict[str, list[Any]]:
    """Values each parameter takes across explicit points (first appearance order)."""
    out: dict[str, list[Any]] = {}
    for point in spec.design.points or []:
        for name, value in _flatten(point, set()).items():
            seen = out.setdefault(name, [])
            if all(repr(value) != repr(v) for v in seen):
                seen.append(value)
    return out


def _resolve_factors(spec: SweepSpec, source: str) -> tuple[Factor, ...]:
    names = parameter_names()
    from_points = _point_values(spec)
    factors: list[Factor] = []
    seen: dict[str, str] = {}
    for role, table in (("lever", spec.levers), ("uncertainty", spec.uncertainties)):
        key = "levers" if role == "lever" else "uncertainties"
        for name, given in table.items():
            _check_name(source, f"{key}.{name}", name, names, "parameter")
            if name in seen:
                raise UserError(f"{source}: {key}.{name}: already listed under {seen[name]}")
            seen[name] = key
            entry = given.model_dump(exclude_none=True)
            if not entry and name in from_points:  # explicit design: values from the points
                entry = {"values": from_points[name]}
            try:
                factors.append(resolve_factor(name, role, entry))
            except ValueError as exc:
                raise UserError(f"{source}: {key}.{name}: {exc}{describe_parameter(name)}"
                                ) from None
    for i, point in enumerate(spec.design.points or []):
        for name in _flatten(point, set()):
            if name in seen:
                continue
            _check_name(source, f"design.points[{i}].{name}", name, names, "parameter")
            seen[name] = "design.points"
            kind = field_info(name).json_schema_extra.get("kind")  # type: ignore[union-attr]
            role = "uncertainty" if kind == "uncertainty" else "lever"
            try:
                factors.append(resolve_factor(name, role, {"values": from_points[name]}))
            except ValueError as exc:
                raise UserError(f"{source}: design.points: {name}: {exc}"
                                f"{describe_parameter(name)}") from None
    if not factors:
        raise UserError(f"{source}: nothing to vary: add [levers] or [uncertainties] "
                        "(or design.points for an explicit design)")
    return tuple(factors)


def _check_outcomes(spec: SweepSpec, source: str) -> None:
    known = list(METRICS)
    for i, name in enumerate(spec.outcomes):
        _check_name(source, f"outcomes[{i}]", name, known, "metric")
    for i, name in enumerate(spec.replications.outcomes or []):
        _check_name(source, f"replications.outcomes[{i}]", name, known, "metric")
        if name not in spec.outcomes:
            raise UserError(f"{source}: replications.outcomes[{i}] = {name!r}: not one of "
                            f"outcomes ({', '.join(spec.outcomes)})")


def find_spec(ref: str) -> Path:
    """A spec path, or a bundled spec name (``funding_x_supervision``)."""
    path = Path(ref)
    if path.is_file():
        return path
    for folder in (Path.cwd() / "scenarios" / "sweeps", SWEEPS_DIR):
        candidate = folder / f"{ref}.toml"
        if candidate.is_file():
            return candidate
    bundled = sorted(p.stem for p in SWEEPS_DIR.glob("*.toml"))
    hint = difflib.get_close_matches(path.stem, bundled, n=1)
    suggestion = f" (did you mean '{hint[0]}'?)" if hint else ""
    raise UserError(f"{ref}: no such sweep spec{suggestion}; bundled specs: "
                    f"{', '.join(bundled) or 'none'}")


def spec_hash(spec: SweepSpec, base: ScenarioParams) -> str:
    """SHA-256 of the normalised spec and the resolved base parameters."""
    payload = {"spec": spec.model_dump(mode="json"), "base": base.model_dump(mode="json")}
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def parse_spec(data: dict[str, Any], source: str, path: Path | None = None) -> Sweep:
    """Validate an already-parsed spec table (``path`` locates a relative ``extends``)."""
    try:
        spec = SweepSpec.model_validate(_normalise(data))
    except ValidationError as exc:
        raise UserError(_format(exc, source)) from None
    _check_outcomes(spec, source)
    base = _resolve_base(spec, path or Path(source))
    factors = _resolve_factors(spec, source)
    name = spec.name or Path(source).stem
    return Sweep(spec=spec, name=name, source=source, base=base, factors=factors,
                 spec_hash=spec_hash(spec, base))


def load_spec(ref: str | Path) -> Sweep:
    """Load and validate a sweep spec.

    Args:
        ref: a path to a TOML file, or the name of a spec in ``scenarios/sweeps/``.

    Returns:
        The resolved :class:`Sweep`.

    Raises:
        UserError: naming the file, key path, bad value and what is allowed.

    Example:
        >>> load_spec("funding_x_supervision").spec.design.kind
        'factorial'
    """
    path = find_spec(str(ref))
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise UserError(f"{path}: not valid TOML: {exc}") from None
    except OSError as exc:
        raise UserError(f"{path}: cannot read: {exc.strerror}") from None
    return parse_spec(data, str(path), path)
