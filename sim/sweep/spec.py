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
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from sim.composition import Composition
from sim.errors import ScenarioError, UserError
from sim.metrics import METRICS
from sim.params import ScenarioParams
from sim.sweep.factors import (
    Factor,
    check_value,
    describe_parameter,
    field_info,
    parameter_names,
    resolve_factor,
)
from sim.sweep.schema import ReplicationSpec, SweepSpec, flatten, format_errors, normalise
from sim.sweep.ties import Policy, Tie
from sim.sweep.variants import apply_overrides

SWEEPS_DIR = Path(__file__).resolve().parent.parent.parent / "scenarios" / "sweeps"
# --set run.KEY of `mentorsim sweep`: the spec key it sets
RUN_KEYS = {"run.weeks": "horizon_weeks", "run.seed": "seed", "run.replications": "replications"}
RUN_LIMITS = {"run.weeks": (1, 5200), "run.seed": (0, 2**63 - 1), "run.replications": (1, 100_000)}
# a sweep name becomes part of a folder name: a plain name, no folders, not hidden
NAME_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.+-]*")


@dataclass(frozen=True)
class Sweep:
    """A resolved sweep: the spec, its base parameters and its factors.

    Attributes:
        spec: the validated spec.
        name: spec name (``name`` key, or the file stem).
        source: the spec file.
        base: base parameters, with ``run.weeks`` and ``run.seed`` set from the spec.
        factors: levers first, then uncertainties, in spec order.
        spec_hash: SHA-256 of the normalised spec (with the command-line options applied)
            and the resolved base parameters.
        options: the command-line options that changed the spec, as given:
            ``{"reps": N or None, "set": {"section.key": value}}`` (kept in the manifest;
            ``--resume`` must repeat them).
    """

    spec: SweepSpec
    name: str
    source: str
    base: ScenarioParams
    factors: tuple[Factor, ...]
    spec_hash: str
    options: dict[str, Any] = field(default_factory=lambda: {"reps": None, "set": {}})
    ties: tuple[Tie, ...] = ()
    compositions: tuple[Composition, ...] = ()
    policies: tuple[Policy, ...] = ()

    def unit_names(self) -> list[str]:
        """The design's coordinates: one per factor, then each composition's."""
        return [f.name for f in self.factors] + [c for g in self.compositions
                                                 for c in g.coordinates()]

    def point_columns(self) -> list[str]:
        """The dotted parameters that are columns of the points table, in order: factors,
        composition parts, tied parameters, then the policies' parameters."""
        names = [f.name for f in self.factors] + [p for g in self.compositions
                                                  for p in g.parts]
        names += [t.name for t in self.ties]
        for policy in self.policies:
            names += [k for k, _ in policy.values if k not in names]
        return names

    @property
    def points_hash(self) -> str:
        """SHA-256 of everything but the replications: the same points, seeds and runs."""
        return spec_hash(self.spec, self.base, replications=False)

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
        """Factor names with the given role (a composition's parts with its role)."""
        return [f.name for f in self.factors if f.role == role] + [
            p for g in self.compositions if g.role == role for p in g.parts]


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
    at = f"{key}: " if key else ""
    raise UserError(f"{source}: {at}unknown {what} '{name}'{suggestion}; {where}")


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
        for name, value in flatten(point, set()).items():
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
        for name in flatten(point, set()):
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
    if not factors and not spec.compositions:
        raise UserError(f"{source}: nothing to vary: add [levers] or [uncertainties] "
                        "(or design.points for an explicit design, or [compositions])")
    return tuple(factors)


def _resolve_compositions(spec: SweepSpec, source: str, taken: set[str]
                          ) -> tuple[Composition, ...]:
    from sim.composition import declared_compositions

    declared = {c.name: c for c in declared_compositions()}
    out = []
    for name, given in spec.compositions.items():
        key = f"compositions.{name}"
        if name not in declared:
            raise UserError(f"{source}: {key}: not a composition; declared ones: "
                            f"{', '.join(sorted(declared))}")
        if spec.design.kind not in ("lhs", "sobol", "morris"):
            raise UserError(f"{source}: {key}: compositions need a sampled design (lhs, "
                            f"sobol or morris), not {spec.design.kind!r}")
        group = declared[name]
        for part, bounds in given.ranges.items():
            if part not in group.parts:
                raise UserError(f"{source}: {key}.ranges.{part}: not a part of {name} "
                                f"(its parts: {', '.join(group.parts)})")
            if len(bounds) != 2 or not 0 <= bounds[0] < bounds[1] <= 1:
                raise UserError(f"{source}: {key}.ranges.{part} = {bounds!r}: give "
                                "[low, high] with 0 <= low < high <= 1")
        clash = sorted(set(group.parts) & taken)
        if clash:
            raise UserError(f"{source}: {key}: {', '.join(clash)} is also varied or set "
                            "elsewhere in the spec; a composition sets its parts itself")
        try:
            narrowed = group.narrowed({k: (v[0], v[1]) for k, v in given.ranges.items()})
        except ValueError as exc:
            raise UserError(f"{source}: {key}: {exc}") from None
        out.append(replace(narrowed, role=given.role))
        taken |= set(group.parts)
    return tuple(out)


def _resolve_ties(spec: SweepSpec, source: str, factors: tuple[Factor, ...],
                  taken: set[str]) -> tuple[Tie, ...]:
    numeric = {f.name for f in factors if f.dtype in ("int", "float")}
    out = []
    for name, given in spec.tied.items():
        key = f"tied.{name}"
        _check_name(source, key, name, parameter_names(), "parameter")
        if name in taken:
            raise UserError(f"{source}: {key}: {name} is also varied or set elsewhere in the "
                            "spec; a tied parameter is set from its driver only")
        if given.follows not in numeric:
            raise UserError(f"{source}: {key}.follows = {given.follows!r}: must be a numeric "
                            f"factor of this spec (one of: {', '.join(sorted(numeric)) or '-'})")
        whole = field_info(name).annotation is int
        for i, (_, y) in enumerate(given.points):
            value = int(y) if whole and float(y).is_integer() else y
            try:
                check_value(name, value)
            except ValueError as exc:
                raise UserError(f"{source}: {key}.points[{i}] = {y!r}: {exc}"
                                f"{describe_parameter(name)}") from None
        out.append(Tie(name, given.follows, tuple(float(p[0]) for p in given.points),
                       tuple(float(p[1]) for p in given.points), whole))
        taken.add(name)
    return tuple(out)


def _resolve_policies(spec: SweepSpec, source: str, taken: set[str]) -> tuple[Policy, ...]:
    out: list[Policy] = []
    for i, table in enumerate(spec.policies or []):
        key = f"policies[{i}]"
        name = table.get("name")
        if not isinstance(name, str) or not NAME_RE.fullmatch(name):
            raise UserError(f"{source}: {key}.name = {name!r}: each policy needs a plain name "
                            "(letters, digits and _ . + -)")
        if any(p.name == name for p in out):
            raise UserError(f"{source}: {key}.name = {name!r}: policy names must differ")
        values = []
        for param, value in table.items():
            if param == "name":
                continue
            _check_name(source, f"{key}.{param}", param, parameter_names(), "parameter")
            if param in taken:
                raise UserError(f"{source}: {key}.{param}: also varied, tied or set by a "
                                "composition; a policy sets parameters the design does not")
            try:
                values.append((param, check_value(param, value)))
            except ValueError as exc:
                raise UserError(f"{source}: {key}.{param} = {value!r}: {exc}"
                                f"{describe_parameter(param)}") from None
        out.append(Policy(name, tuple(values)))
    return tuple(out)


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
    from sim.bundled import find_file

    return find_file(ref, SWEEPS_DIR, "sweep spec")


def spec_hash(spec: SweepSpec, base: ScenarioParams, replications: bool = True) -> str:
    """SHA-256 of the normalised spec and the resolved base parameters (without its
    replications: what must match for replications to be added to a sweep folder)."""
    dumped = spec.model_dump(mode="json", exclude=None if replications else {"replications"})
    payload = {"spec": dumped, "base": base.model_dump(mode="json")}
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def parse_spec(data: dict[str, Any], source: str, path: Path | None = None) -> Sweep:
    """Validate an already-parsed spec table (``path`` locates a relative ``extends``)."""
    try:
        spec = SweepSpec.model_validate(normalise(data))
    except ValidationError as exc:
        raise UserError(format_errors(exc, source)) from None
    _check_outcomes(spec, source)
    base = _resolve_base(spec, path or Path(source))
    factors = _resolve_factors(spec, source)
    taken = {f.name for f in factors}
    compositions = _resolve_compositions(spec, source, taken)
    ties = _resolve_ties(spec, source, factors, taken)
    policies = _resolve_policies(spec, source, taken)
    name = spec.name or Path(source).stem
    if spec.name is not None and (not NAME_RE.fullmatch(name) or ".." in name):
        raise UserError(f"{source}: name = {name!r}: a sweep name is part of its folder's name, "
                        "so it must be a plain name: letters, digits and _ . + - (no folders, "
                        "no '..', not starting with a dot)")
    return Sweep(spec=spec, name=name, source=source, base=base, factors=factors,
                 spec_hash=spec_hash(spec, base), ties=ties, compositions=compositions,
                 policies=policies)


def load_spec(ref: str | Path, overrides: Sequence[str] = (), reps: int | None = None
              ) -> Sweep:
    """Load and validate a sweep spec.

    Args:
        ref: a path to a TOML file, or the name of a spec in ``scenarios/sweeps/``.
        overrides: ``KEY=VALUE`` texts of ``mentorsim sweep --set``: a parameter the spec
            does not vary (as in its ``[set]``), or ``run.weeks`` / ``run.seed`` /
            ``run.replications`` (its horizon, seed, replications).
        reps: ``--reps N``: a fixed number of replications per point instead of the spec's.

    Returns:
        The resolved :class:`Sweep`.

    Raises:
        UserError: naming the file, key path, bad value and what is allowed.

    Example:
        >>> load_spec("funding_x_supervision").spec.design.kind
        'factorial'
    """
    from sim.scenario import read_toml  # the same messages as for scenario files

    path = find_spec(str(ref))
    data = read_toml(path, UserError, "sweep spec")
    options = {"reps": reps, "set": {}}
    for text in overrides:
        key, value = command_line_value(text)
        options["set"][key] = value
    sweep = parse_spec(with_options(data, reps, options["set"]), str(path), path)
    names = {f.name for f in sweep.factors}
    for text in overrides:
        if text.split("=", 1)[0].strip() in names:
            raise UserError(f"--set {text}: the sweep varies this parameter; --set can only "
                            "fix parameters the spec does not vary")
    return replace(sweep, options=options)


def command_line_value(text: str) -> tuple[str, Any]:
    """``--set KEY=VALUE`` of ``mentorsim sweep``, parsed and checked (a parameter, or
    ``run.weeks`` / ``run.seed`` / ``run.replications`` for the spec's horizon, seed and
    replications).

    Raises:
        UserError: naming the option, the value and what is allowed.
    """
    from sim.scenario import parse_override

    key, value = parse_override(text)
    if key in RUN_KEYS:
        low, high = RUN_LIMITS[key]
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise UserError(f"--set {text}: {key} = {value!r}: should be a whole number from "
                            f"{low} to {high:,}")
        return key, value
    _check_name(f"--set {text}", "", key, parameter_names(), "parameter")
    try:
        check_value(key, value)
    except ValueError as exc:
        raise UserError(f"--set {text}: {key} = {value!r}: {exc}{describe_parameter(key)}"
                        ) from None
    return key, value


def with_options(data: dict[str, Any], reps: int | None, changes: dict[str, Any]
                 ) -> dict[str, Any]:
    """The spec table with ``--reps`` and ``--set`` applied (a fixed count of
    replications; ``run.weeks``, ``run.seed`` and ``run.replications`` set the spec's
    horizon, seed and replications, other keys are added to its ``[set]``)."""
    data = dict(data)
    table = dict(data["set"]) if isinstance(data.get("set"), dict) else data.get("set", {})
    for key, value in changes.items():
        if key in RUN_KEYS:
            data[RUN_KEYS[key]] = value
        elif isinstance(table, dict):
            table[key] = value
    if changes and isinstance(table, dict):
        data["set"] = table
    if reps is not None:
        data["replications"] = {"count": reps}
    return data
