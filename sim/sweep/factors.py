"""Factors: the parameters a sweep varies, with their levels or distributions.

A factor is a dotted parameter name (``funding.grant_term_years``) plus what the spec
says about it: a list of ``values``, or a ``range`` with ``levels`` (factorial designs) and
a ``distribution`` (sampled designs). When the spec gives neither, the parameter's own
``plausible`` range from :mod:`sim.params` is used; yes/no and category parameters take
all their choices.

Sampled designs (LHS, Sobol, Morris) work in the unit hypercube; :meth:`Factor.from_unit`
maps a column of unit values onto the factor's scale through the inverse CDF of its
distribution, so the same design code serves every distribution.
"""

from __future__ import annotations

import math
import typing
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Annotated, Any, Literal

import numpy as np
from pydantic import ConfigDict, TypeAdapter, ValidationError
from pydantic.fields import FieldInfo

from sim.params import SECTIONS, error_text

Role = Literal["lever", "uncertainty"]
DISTRIBUTIONS = ("uniform", "loguniform", "triangular", "truncnormal")


def parameter_names() -> list[str]:
    """Every dotted parameter name a sweep may vary (``run.*`` is set by the spec itself)."""
    return [f"{section}.{name}" for section, cls in SECTIONS.items() if section != "run"
            for name in cls.model_fields]


def field_info(name: str) -> FieldInfo:
    """The pydantic field behind a dotted parameter name (the caller checked it exists)."""
    section, fname = name.split(".", 1)
    return SECTIONS[section].model_fields[fname]


def _extra(info: FieldInfo) -> dict[str, Any]:
    return info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}


def dtype_of(info: FieldInfo) -> str:
    """``bool``, ``int``, ``float`` or ``category`` for a parameter's annotation."""
    annotation = info.annotation
    if annotation is bool:
        return "bool"
    if annotation is int:
        return "int"
    if annotation is float:
        return "float"
    return "category"


def choices_of(info: FieldInfo) -> list[Any] | None:
    """All values of a yes/no or category parameter; ``None`` for numbers."""
    if info.annotation is bool:
        return [False, True]
    if typing.get_origin(info.annotation) is Literal:
        return list(typing.get_args(info.annotation))
    return None


def describe_parameter(name: str) -> str:
    """``[meaning; unit: u]`` for error messages."""
    info = field_info(name)
    return f" [{info.description}; unit: {_extra(info).get('unit', '?')}]"


@cache
def _adapter(name: str) -> TypeAdapter[Any]:
    info = field_info(name)
    annotated = (Annotated[info.annotation, *info.metadata] if info.metadata
                 else info.annotation)
    return TypeAdapter(annotated, config=ConfigDict(strict=True, allow_inf_nan=False))


def check_value(name: str, value: Any) -> Any:
    """Validate one value against the parameter's type and bounds, strictly as a scenario
    file is (a whole number is fine for a decimal); return it (a whole number as a float
    for a decimal parameter).

    Raises:
        ValueError: with the message of :func:`sim.params.error_text`, e.g. "Input should
            be less than or equal to 20" or "should be a valid number, got text".
    """
    try:
        return _adapter(name).validate_python(value)
    except ValidationError as exc:
        raise ValueError("; ".join(error_text(e) for e in exc.errors())) from None


@dataclass(frozen=True)
class Factor:
    """One varied parameter, resolved against :mod:`sim.params`.

    Attributes:
        name: dotted parameter name.
        role: ``lever`` (a programme controls it) or ``uncertainty`` (it does not).
        dtype: ``float``, ``int``, ``bool`` or ``category``.
        unit: the parameter's unit.
        values: discrete choices (given in the spec, or all choices of a yes/no or category
            parameter); ``None`` for a continuous factor.
        low, high: the range of a continuous factor.
        levels: grid points across the range in factorial designs.
        distribution: how sampled designs draw a continuous factor.
        mode: peak of a triangular distribution.
        mean, sd: centre and spread of a truncated normal distribution.
    """

    name: str
    role: Role
    dtype: str
    unit: str
    values: tuple[Any, ...] | None = None
    low: float | None = None
    high: float | None = None
    levels: int = 3
    distribution: str = "uniform"
    mode: float | None = None
    mean: float | None = None
    sd: float | None = None
    origin: str = field(default="spec", compare=False)

    @property
    def discrete(self) -> bool:
        """True when the factor takes values from a list."""
        return self.values is not None

    def grid(self) -> list[Any]:
        """The factor's levels in a factorial design, low to high.

        Example:
            >>> Factor("funding.grant_term_years", "lever", "float", "years", low=1.0,
            ...        high=3.0, levels=3).grid()
            [1.0, 2.0, 3.0]
        """
        if self.values is not None:
            return list(self.values)
        assert self.low is not None and self.high is not None
        points = np.linspace(self.low, self.high, self.levels)
        if self.dtype == "int":
            return list(dict.fromkeys(int(round(v)) for v in points))
        return [float(v) for v in points]

    def from_unit(self, u: np.ndarray) -> list[Any]:
        """Map unit-interval values onto the factor (inverse CDF of its distribution).

        Args:
            u: values in [0, 1], one per design point.

        Returns:
            One parameter value per point (Python scalars of the parameter's type).

        Example:
            >>> Factor("x.y", "lever", "bool", "yes/no", values=(False, True)).from_unit(
            ...     np.array([0.1, 0.9]))
            [False, True]
        """
        u = np.clip(np.asarray(u, dtype=float), 0.0, 1.0)
        if self.values is not None:
            k = len(self.values)
            index = np.minimum((u * k).astype(int), k - 1)
            return [self.values[i] for i in index]
        # clip: inverse CDFs can land one rounding error outside the range (and a bound
        # may be the parameter's own limit, e.g. 0 for a share)
        x = np.clip(self._ppf(u), self.low, self.high)
        if self.dtype == "int":
            return [int(round(v)) for v in x]
        return [float(v) for v in x]

    def _ppf(self, u: np.ndarray) -> np.ndarray:
        from scipy import stats

        lo, hi = float(self.low), float(self.high)  # type: ignore[arg-type]
        if self.distribution == "uniform":
            return lo + u * (hi - lo)
        if self.distribution == "loguniform":
            return np.exp(np.log(lo) + u * (np.log(hi) - np.log(lo)))
        if self.distribution == "triangular":
            mode = self.mode if self.mode is not None else (lo + hi) / 2
            c = (mode - lo) / (hi - lo)
            return stats.triang(c, loc=lo, scale=hi - lo).ppf(u)
        mean = self.mean if self.mean is not None else (lo + hi) / 2
        sd = float(self.sd)  # type: ignore[arg-type]
        a, b = (lo - mean) / sd, (hi - mean) / sd
        return stats.truncnorm(a, b, loc=mean, scale=sd).ppf(u)

    def describe(self) -> dict[str, Any]:
        """A JSON-ready description for the manifest."""
        out: dict[str, Any] = {"name": self.name, "role": self.role, "dtype": self.dtype,
                               "unit": self.unit, "origin": self.origin}
        if self.values is not None:
            out["values"] = list(self.values)
        else:
            out.update(range=[self.low, self.high], levels=self.levels,
                       distribution=self.distribution)
            for key in ("mode", "mean", "sd"):
                if getattr(self, key) is not None:
                    out[key] = getattr(self, key)
        return out


def resolve_factor(name: str, role: Role, given: dict[str, Any]) -> Factor:
    """Build a :class:`Factor` from a spec entry, filling gaps from :mod:`sim.params`.

    Args:
        name: dotted parameter name (already checked to exist).
        role: lever or uncertainty.
        given: the spec entry (keys ``values``, ``range``, ``levels``, ``distribution``,
            ``mode``, ``mean``, ``sd``); may be empty.

    Raises:
        ValueError: with a message naming the sub-key (``range[1]``, ``values[2]`` ...).
    """
    info = field_info(name)
    extra = _extra(info)
    dtype = dtype_of(info)
    unit = str(extra.get("unit", ""))
    common: dict[str, Any] = {"name": name, "role": role, "dtype": dtype, "unit": unit}
    values = given.get("values")
    bounds = given.get("range")
    origin = "spec"
    if values is None and bounds is None:
        choices = choices_of(info)
        if choices is not None:
            values, origin = choices, "all choices"
        elif "plausible" in extra:
            bounds, origin = list(extra["plausible"]), "plausible range in sim/params.py"
        else:
            raise ValueError("no values or range given and the parameter declares no "
                             "plausible range; add values = [...] or range = [low, high]")
    if values is not None:
        checked = []
        for i, value in enumerate(values):
            try:
                checked.append(check_value(name, value))
            except ValueError as exc:
                raise ValueError(f"values[{i}] = {value!r}: {exc}") from None
        if len(set(map(repr, checked))) != len(checked):
            raise ValueError(f"values = {values!r}: values repeat")
        return Factor(**common, values=tuple(checked), origin=origin)
    if choices_of(info) is not None:
        raise ValueError(f"range = {bounds!r}: {name} is a {dtype} parameter; "
                         f"give values = {choices_of(info)!r} or a subset")
    pair = _pair(bounds)
    checked_bounds = []
    for i, bound in enumerate(pair):
        if dtype == "int" and float(bound).is_integer():
            bound = int(bound)  # a range is read as decimals: [10, 100] is [10.0, 100.0]
        try:
            checked_bounds.append(float(check_value(name, bound)))
        except ValueError as exc:
            raise ValueError(f"range[{i}] = {bound!r}: {exc}") from None
    return _continuous(common, checked_bounds[0], checked_bounds[1], given, origin)


def _pair(bounds: Sequence[Any]) -> tuple[Any, Any]:
    if len(bounds) != 2:
        raise ValueError(f"range = {list(bounds)!r}: give exactly [low, high]")
    low, high = bounds
    for i, b in enumerate((low, high)):
        if isinstance(b, bool) or not isinstance(b, int | float) or not math.isfinite(b):
            raise ValueError(f"range[{i}] = {b!r}: must be a finite number")
    if not low < high:
        raise ValueError(f"range = [{low!r}, {high!r}]: low must be below high")
    return low, high


def _continuous(common: dict[str, Any], low: float, high: float, given: dict[str, Any],
                origin: str) -> Factor:
    distribution = given.get("distribution") or "uniform"
    mode, mean, sd = given.get("mode"), given.get("mean"), given.get("sd")
    if distribution == "loguniform" and low <= 0:
        raise ValueError(f"distribution = 'loguniform' needs range above 0, got low = {low:g}")
    if mode is not None and not low <= mode <= high:
        raise ValueError(f"mode = {mode!r}: must lie in the range [{low:g}, {high:g}]")
    if distribution == "truncnormal" and sd is None:
        raise ValueError("distribution = 'truncnormal' needs sd (and optionally mean)")
    if mean is not None and not low <= mean <= high:
        raise ValueError(f"mean = {mean!r}: must lie in the range [{low:g}, {high:g}]")
    levels = int(given.get("levels") or 3)
    if common["dtype"] == "int" and levels > high - low + 1:
        levels = int(high - low + 1)
    return Factor(**common, low=low, high=high, levels=levels, distribution=distribution,
                  mode=mode, mean=mean, sd=sd, origin=origin)
