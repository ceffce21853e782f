"""Ties and policies: parameters a sweep sets from its design rather than samples.

* A **tie** sets a parameter from a varied one, so two factors that only make sense
  together move together (the budget a programme needs for the paid peer mentors it
  employs): ``[tied] "funding.annual_budget_gbp" = { follows = "mentors.paid_peer_share",
  points = [[0, 150000], [1, 250000]] }``, linear between the points and flat beyond them.
  The tied parameter is a column of the folder's tables, not a factor of the analysis: its
  effect is its driver's.
* A **policy** is a named set of parameter values; a spec's ``[[policies]]`` cross the
  design with them (every point runs under every policy), and ``policy`` is a column of
  every table, so uncertainties and policies are compared on the same points and seeds.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

POLICY = "policy"  # the column naming a crossed design's policy


@dataclass(frozen=True)
class Tie:
    """A parameter set from a varied one.

    Attributes:
        name: the tied parameter (dotted).
        follows: the varied parameter it is set from.
        xs, ys: the interpolation points (driver values increasing).
        whole: the tied parameter takes whole numbers (values are rounded).
    """

    name: str
    follows: str
    xs: tuple[float, ...]
    ys: tuple[float, ...]
    whole: bool = False

    def values(self, driver: Sequence[float]) -> list[Any]:
        """The tied parameter's value at each driver value.

        Example:
            >>> Tie("a.b", "a.c", (0.0, 1.0), (100.0, 200.0)).values([0.0, 0.25, 2.0])
            [100.0, 125.0, 200.0]
        """
        y = np.interp(np.asarray(driver, dtype=float), self.xs, self.ys)
        return [int(round(v)) for v in y] if self.whole else [float(v) for v in y]

    def describe(self) -> dict[str, Any]:
        """For the manifest."""
        return {"name": self.name, "follows": self.follows,
                "points": [[x, y] for x, y in zip(self.xs, self.ys, strict=True)]}


@dataclass(frozen=True)
class Policy:
    """A named set of parameter values (dotted name -> value)."""

    name: str
    values: tuple[tuple[str, Any], ...]

    def describe(self) -> dict[str, Any]:
        """For the manifest."""
        return {"name": self.name, "values": dict(self.values)}
