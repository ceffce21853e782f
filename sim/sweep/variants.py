"""Point parameters: the base scenario with a design point's values, fully re-validated.

Variants are built by re-validating a dumped copy of the base parameters, so the
cross-field checks of :class:`sim.params.ScenarioParams` (format shares add up to 1,
staff cost within budget, ...) run for every point; the base is never changed in place.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd
from pydantic import ValidationError

from sim.errors import UserError
from sim.params import ScenarioParams, error_text
from sim.sweep.ties import POLICY

MAX_REPORTED = 5


def _message(exc: ValidationError) -> str:
    parts = []
    for err in exc.errors():
        loc = ".".join(str(p) for p in err["loc"])
        msg = error_text(err)
        parts.append(f"{loc} = {err.get('input')!r}: {msg}" if loc else msg)
    return "; ".join(parts)


def apply_overrides(base: ScenarioParams, overrides: Mapping[str, Any],
                    base_dump: dict[str, Any] | None = None) -> ScenarioParams:
    """Return ``base`` with dotted-name overrides, validated as a whole.

    Args:
        base: the base parameters (not modified).
        overrides: ``{"section.name": value}``.
        base_dump: ``base.model_dump()``, when the caller already has it (saves time).

    Raises:
        ValueError: naming the key, the value and the rule broken.

    Example:
        >>> p = apply_overrides(ScenarioParams(), {"funding.grant_term_years": 3})
        >>> p.funding.grant_term_years
        3.0
    """
    data = dict(base_dump if base_dump is not None else base.model_dump())
    for key, value in overrides.items():
        section, name = key.split(".", 1)
        data[section] = {**data[section], name: value}
    try:
        return ScenarioParams.model_validate(data)
    except ValidationError as exc:
        raise ValueError(_message(exc)) from None


def point_overrides(points: pd.DataFrame, point_id: int) -> dict[str, Any]:
    """The parameter values of one point as Python scalars of each column's type (a row
    of mixed columns would turn whole numbers into decimals, which strict validation
    refuses for an integer parameter)."""
    values = {name: points.at[point_id, name] for name in points.columns
              if name != POLICY}  # a crossed design's policy names its values
    return {name: (value.item() if hasattr(value, "item") else value)
            for name, value in values.items()}


def check_points(base: ScenarioParams, points: pd.DataFrame, source: str) -> None:
    """Validate every point before any run; raise one error listing the invalid ones.

    Args:
        base: base parameters.
        points: one row per point (index ``point_id``), one column per factor.
        source: the spec file, for the message.

    Raises:
        UserError: naming up to five invalid points, their values and the rule broken.
    """
    dump = base.model_dump()
    bad: list[str] = []
    count = 0
    for point_id in points.index:
        overrides = point_overrides(points, int(point_id))
        try:
            apply_overrides(base, overrides, dump)
        except ValueError as exc:
            count += 1
            if len(bad) < MAX_REPORTED:
                shown = ", ".join(f"{k}={v!r}" for k, v in overrides.items())
                bad.append(f"  point {point_id} ({shown}): {exc}")
    if count:
        more = f"\n  ... and {count - len(bad)} more" if count > len(bad) else ""
        raise UserError(f"{source}: {count} of {len(points)} design points have invalid "
                        "parameters; narrow the ranges or change the base scenario:\n"
                        + "\n".join(bad) + more)
