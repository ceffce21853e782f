"""The schema of a sweep spec file: pydantic models, shorthand expansion, messages.

The TOML is first normalised (nested factor tables become dotted names, a list is short
for ``{ values = [...] }``, ``replications = 10`` for ``{ count = 10 }``, ``design =
"factorial"`` for ``{ kind = "factorial" }``), then validated by :class:`SweepSpec`;
pydantic errors become one line each naming the file, key path, value and what is allowed.
What the names refer to (parameters, metrics, the base scenario) is checked afterwards in
:mod:`sim.sweep.spec`.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from sim.metrics import HEADLINE
from sim.params import error_text
from sim.sweep.factors import parameter_names

AGENT_TABLES = ("weekly", "matches", "mentors", "mentees", "events")
DesignKind = Literal["factorial", "explicit", "lhs", "sobol", "morris"]


class _Strict(BaseModel):
    # typed as TOML is: "10" is not a number and 1 is not true (a whole number is fine
    # where a decimal belongs); nan and inf are not numbers either
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, allow_inf_nan=False)


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
        given = [k for k in ("levels", "distribution", "mode", "mean", "sd")
                 if getattr(self, k) is not None]  # 0 is a value given, not an absence
        if self.values is not None and given:
            raise ValueError(f"{', '.join(given)}: levels, distribution, mode, mean and sd "
                             "apply to a range, not to a list of values")
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


class TieSpec(_Strict):
    """A parameter set from a varied one (``follows``), by linear interpolation between
    ``points`` ``[[driver value, value], ...]`` (held flat beyond the first and last)."""

    follows: str
    points: list[list[float]] = Field(min_length=2)

    @model_validator(mode="after")
    def _increasing(self) -> TieSpec:
        if any(len(p) != 2 for p in self.points):
            raise ValueError("points: each is [driver value, value]")
        xs = [p[0] for p in self.points]
        if any(b <= a for a, b in zip(xs, xs[1:], strict=False)):
            raise ValueError(f"points: the driver values {xs} must increase")
        return self


class CompositionSpec(_Strict):
    """Shares sampled together so they add up to 1 (:mod:`sim.composition`): a declared
    group, with narrower ranges for some of its parts if wanted."""

    role: Literal["lever", "uncertainty"] = "uncertainty"
    ranges: dict[str, list[float]] = {}


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
    tied: dict[str, TieSpec] = {}
    compositions: dict[str, CompositionSpec] = {}
    policies: list[dict[str, Any]] | None = Field(None, min_length=1, max_length=1000)


_PARAMETERS = frozenset(parameter_names())
ALLOWED = {(): SweepSpec, ("design",): DesignSpec, ("replications",): ReplicationSpec,
           ("output",): OutputSpec, ("levers", "*"): FactorSpec,
           ("uncertainties", "*"): FactorSpec, ("tied", "*"): TieSpec,
           ("compositions", "*"): CompositionSpec}


def flatten(table: dict[str, Any], leaf_keys: set[str], prefix: str = "") -> dict[str, Any]:
    """Turn nested tables ``{funding: {grant_term_years: {...}}}`` into dotted keys.

    Recursion stops at a parameter name, or at a table holding any of ``leaf_keys``.
    """
    out: dict[str, Any] = {}
    for key, value in table.items():
        path = f"{prefix}{key}"
        if (isinstance(value, dict) and value and not (set(value) & leaf_keys)
                and path not in _PARAMETERS):
            out.update(flatten(value, leaf_keys, f"{path}."))
        else:
            out[path] = value
    return out


def normalise(data: dict[str, Any]) -> dict[str, Any]:
    """Expand the shorthands (see the module docstring)."""
    data = dict(data)
    factor_keys = set(FactorSpec.model_fields)
    for role in ("levers", "uncertainties"):
        if isinstance(data.get(role), dict):
            flat = flatten(data[role], factor_keys)
            data[role] = {k: ({"values": v} if isinstance(v, list) else v)
                          for k, v in flat.items()}
    if isinstance(data.get("set"), dict):
        data["set"] = flatten(data["set"], set())
    for key, model in (("tied", TieSpec), ("compositions", CompositionSpec)):
        if isinstance(data.get(key), dict):
            data[key] = flatten(data[key], set(model.model_fields))
    if isinstance(data.get("policies"), list):
        data["policies"] = [flatten(p, set()) if isinstance(p, dict) else p
                            for p in data["policies"]]
    if isinstance(data.get("replications"), int) and not isinstance(data["replications"], bool):
        data["replications"] = {"count": data["replications"]}
    if isinstance(data.get("design"), str):
        data["design"] = {"kind": data["design"]}
    return data


def _allowed(loc: tuple[Any, ...], allowed: Mapping[tuple[str, ...], type[BaseModel]]
             ) -> list[str]:
    parent = tuple(loc[:-1])
    for pattern, model in allowed.items():
        if len(pattern) == len(parent) and all(p in ("*", q) for p, q in zip(pattern, parent,
                                                                           strict=True)):
            return list(model.model_fields)
    return []


def format_errors(exc: ValidationError, source: str,
                  allowed: Mapping[tuple[str, ...], type[BaseModel]] | None = None) -> str:
    """One line per pydantic error: file, key path, value, what is allowed (``allowed``:
    which model's keys are allowed under which table, ``*`` for any key; default the
    sweep spec's)."""
    lines = []
    for err in exc.errors():
        loc = tuple(err["loc"])
        path = ".".join(f"[{p}]" if isinstance(p, int) else str(p) for p in loc).replace(".[",
                                                                                        "[")
        if err["type"] == "extra_forbidden":
            keys = _allowed(loc, ALLOWED if allowed is None else allowed)
            hint = difflib.get_close_matches(str(loc[-1]), keys, n=1, cutoff=0.5)
            where = ".".join(str(p) for p in loc[:-1]) or "the top level"
            msg = f"unknown key '{path}'"
            if hint:
                msg += f" (did you mean '{hint[0]}'?)"
            lines.append(f"{source}: {msg}; allowed in {where}: {', '.join(keys)}")
        elif len(loc) == 2 and loc[0] in ("levers", "uncertainties") and err["type"] in (
                "model_type", "model_attributes_type", "dict_type"):
            lines.append(f"{source}: {path} = {err.get('input')!r}: must be a list of values "
                         "or a table such as { range = [low, high] } (fix a value in [set])")
        elif err["type"] == "missing":
            lines.append(f"{source}: {path}: missing (required)")
        else:
            value = err.get("input")
            shown = "a table" if isinstance(value, dict) else repr(value)
            msg = error_text(err)
            lines.append(f"{source}: {path + ' = ' + shown + ': ' if path else ''}{msg}")
    return "\n".join(lines)
