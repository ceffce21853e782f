"""Compositions: shares that must add up to 1, sampled together so every point is valid.

Some parameters are parts of a whole: the shares of mentees who mainly expect practical
help, emotional support or shared activities add up to 1 (the scenario validator refuses
anything else, ``sim/params.py``). Sampled one by one, as a sampler treats independent
factors, they almost never do. A :class:`Composition` declares such a group with each
part's range, and maps ``k - 1`` coordinates in the unit interval onto ``k`` shares that
add up to 1 and each stay in their range:

* part 1 is drawn across the range it can take given what the others can still fill;
* each next part likewise, from what is left;
* the last part is what remains.

Every point of the unit cube gives a valid composition and every valid composition is
reached (the map is continuous and onto); the parts are uniform within their conditional
ranges, which is not uniform over the set of valid compositions when ranges bind. The
coordinates are what designs sample (EMA's samplers, the sweep designs); the shares are
what the model gets, and what results report.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

TOLERANCE = 1e-9


@dataclass(frozen=True)
class Composition:
    """A group of shares that add up to 1.

    Attributes:
        name: the group's name, ``section.key`` (``mentees.expectation_shares``).
        parts: the dotted parameter names of its shares, in sampling order.
        low, high: each part's range.
        role: ``uncertainty`` or ``lever`` (how a sweep reports it).
    """

    name: str
    parts: tuple[str, ...]
    low: tuple[float, ...]
    high: tuple[float, ...]
    role: str = "uncertainty"

    def __post_init__(self) -> None:
        if len(self.parts) < 2 or not len(self.parts) == len(self.low) == len(self.high):
            raise ValueError(f"{self.name}: a composition needs two parts or more, each with "
                             "a range")
        for part, lo, hi in zip(self.parts, self.low, self.high, strict=True):
            if not 0 <= lo <= hi <= 1:
                raise ValueError(f"{part}: range [{lo:g}, {hi:g}] is not within [0, 1]")
        if sum(self.low) > 1 + TOLERANCE or sum(self.high) < 1 - TOLERANCE:
            raise ValueError(
                f"{self.name}: no shares in these ranges add up to 1 (the lows add up to "
                f"{sum(self.low):g}, the highs to {sum(self.high):g}): "
                + ", ".join(f"{p} in [{lo:g}, {hi:g}]"
                            for p, lo, hi in zip(self.parts, self.low, self.high, strict=True)))

    @property
    def dimensions(self) -> int:
        """Coordinates a design samples: one fewer than the parts."""
        return len(self.parts) - 1

    def coordinates(self, separator: str = ".") -> list[str]:
        """The coordinates' names: ``mentees.expectation_shares.1``, ``.2``, ..."""
        return [f"{self.name}{separator}{i + 1}" for i in range(self.dimensions)]

    def narrowed(self, ranges: Mapping[str, tuple[float, float]]) -> Composition:
        """The same group with some parts' ranges replaced."""
        low = tuple(float(ranges[p][0]) if p in ranges else lo
                    for p, lo in zip(self.parts, self.low, strict=True))
        high = tuple(float(ranges[p][1]) if p in ranges else hi
                     for p, hi in zip(self.parts, self.high, strict=True))
        return Composition(self.name, self.parts, low, high, self.role)

    def from_unit(self, u: np.ndarray) -> np.ndarray:
        """Shares (``n x k``) from coordinates in [0, 1] (``n x (k - 1)``).

        Example:
            >>> c = Composition("a.shares", ("a.x", "a.y", "a.z"), (0.3, 0.15, 0.1),
            ...                 (0.7, 0.5, 0.35))
            >>> shares = c.from_unit(np.array([[0.0, 0.0], [1.0, 1.0], [0.5, 0.5]]))
            >>> shares.round(4).tolist()
            [[0.3, 0.35, 0.35], [0.7, 0.2, 0.1], [0.5, 0.275, 0.225]]
            >>> bool(np.allclose(shares.sum(axis=1), 1.0))
            True
        """
        u = np.clip(np.atleast_2d(np.asarray(u, dtype=float)), 0.0, 1.0)
        if u.shape[1] != self.dimensions:
            raise ValueError(f"{self.name}: {self.dimensions} coordinates per point, got "
                             f"{u.shape[1]}")
        low, high = np.array(self.low), np.array(self.high)
        shares = np.empty((len(u), len(self.parts)))
        left = np.ones(len(u))
        for i in range(self.dimensions):
            below = max(float(low[i]), 0.0) * np.ones(len(u))
            lowest = np.maximum(below, left - high[i + 1:].sum())
            highest = np.minimum(high[i], left - low[i + 1:].sum())
            shares[:, i] = lowest + u[:, i] * np.maximum(highest - lowest, 0.0)
            left = left - shares[:, i]
        shares[:, -1] = np.clip(left, low[-1], high[-1])  # rounding only: left is in range
        return shares

    def describe(self) -> dict[str, object]:
        """For a sweep manifest."""
        return {"name": self.name, "role": self.role, "coordinates": self.coordinates(),
                "parts": {p: [lo, hi] for p, lo, hi in zip(self.parts, self.low, self.high,
                                                          strict=True)}}

    def values(self, u: np.ndarray) -> list[dict[str, float]]:
        """One ``{part: share}`` per row of coordinates."""
        return [{p: float(x) for p, x in zip(self.parts, row, strict=True)}
                for row in self.from_unit(u)]


def declared_compositions() -> list[Composition]:
    """The groups of shares the scenario validator requires to add up to 1, each part over
    its plausible range (else all of [0, 1])."""
    from sim.sweep.factors import field_info

    groups = {
        "mentees.expectation_shares": ("mentees.expectation_practical_share",
                                       "mentees.expectation_emotional_share",
                                       "mentees.expectation_activities_share"),
        "formats.shares": ("formats.one_to_one_share", "formats.group_share",
                           "formats.leisure_share"),
    }
    out = []
    for name, parts in groups.items():
        ranges = []
        for part in parts:
            extra = field_info(part).json_schema_extra
            plausible = extra.get("plausible") if isinstance(extra, dict) else None
            ranges.append(tuple(plausible) if plausible else (0.0, 1.0))
        out.append(Composition(name, parts, tuple(float(r[0]) for r in ranges),
                               tuple(float(r[1]) for r in ranges)))
    return out


def composition_of(part: str) -> Composition | None:
    """The declared group a parameter is a part of, if any."""
    return next((c for c in declared_compositions() if part in c.parts), None)
