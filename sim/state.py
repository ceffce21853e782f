"""Column state: the struct-of-arrays store behind the Mesa agents.

Mentors, mentees and relationships keep their state in numpy columns owned by the model,
one row per entity (the row is the entity's per-kind index, so it never moves). The Mesa
agents are thin views: each attribute declared with :class:`column` reads and writes its
row, so ``mentor.exhaustion = 0.5`` is seen at once in ``model.mentors.exhaustion`` and the
weekly mechanisms can work on whole columns at a time (the approach of Starsim's people
arrays, behind Mesa's agent interface).

Rows are never reused, so a row's index is also the entity's index in the random streams
(see ``sim.rng``); the ``alive`` column says which rows are still in the model.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

# The value of an integer column that holds nothing (no reoffence week yet, no current
# relationship). Weeks of an established programme's burn-in are negative, so the marker
# must lie far below them.
UNSET = np.iinfo(np.int64).min


class Columns:
    """Named, equally long numpy columns with room to grow.

    Args:
        dtypes: column name -> numpy dtype. An ``alive`` column (bool) is always added.
        capacity: rows allocated at first; the store doubles when full.

    Example:
        >>> c = Columns({"x": np.float64})
        >>> row = c.add(x=2.5)
        >>> float(c.x[row]), bool(c.alive[row]), c.size
        (2.5, True, 1)
        >>> c.remove(row)
        >>> c.live().tolist()
        []
    """

    def __init__(self, dtypes: Mapping[str, Any], capacity: int = 256) -> None:
        self.dtypes = {"alive": np.bool_, **dtypes}
        self.size = 0
        self.capacity = capacity
        # The live rows, kept up to date from the last list and the changes since: the
        # rows that were live, less those that left, then the rows added (always the
        # newest, so creation order holds). Its cost follows the entities alive, not all
        # those ever created (one long-serving mentor would otherwise hold a scan of
        # every row since theirs).
        self._live = np.zeros(0, dtype=np.int64)
        self._removed = False
        self._added_from = 0  # rows from here on were added since the last list
        self._arrays: dict[str, np.ndarray] | None = None  # name -> array, for add()
        for name, dtype in self.dtypes.items():
            setattr(self, name, np.zeros(capacity, dtype=dtype))

    def add(self, **values: Any) -> int:
        """A new row (alive), with the given values; other columns start at zero."""
        row = self.size
        # Every entity created goes through here, so the arrays are looked up in a dict
        # (name -> array, built on first use) rather than by getattr per value. The dict
        # is rebuilt whenever the store grows; the arrays are otherwise only ever written
        # in place (never rebound), so it cannot go stale.
        if row == self.capacity:
            self._grow(row + 1)
        arrays = self._arrays
        if arrays is None:
            arrays = self._arrays = {name: getattr(self, name) for name in self.dtypes}
        self.size = row + 1
        arrays["alive"][row] = True
        for name, value in values.items():
            arrays[name][row] = value
        return row

    def add_many(self, count: int, **values: Any) -> range:
        """``count`` new rows (alive), with the given values (a scalar for all of them or
        an array of ``count``); other columns start at zero.

        Example:
            >>> c = Columns({"x": np.float64, "y": np.int64})
            >>> rows = c.add_many(2, x=np.array([0.5, 1.5]), y=7)
            >>> list(rows), c.x[:2].tolist(), c.y[:2].tolist()
            ([0, 1], [0.5, 1.5], [7, 7])
        """
        first = self.size
        self._grow(first + count)
        end = first + count
        self.size = end
        self.alive[first:end] = True
        for name, value in values.items():
            getattr(self, name)[first:end] = value
        return range(first, end)

    def _grow(self, rows: int) -> None:
        """Double the store until it holds ``rows`` rows (the rows in use are copied)."""
        if rows <= self.capacity:
            return
        while self.capacity < rows:
            self.capacity *= 2
        used = self.size
        for name in self.dtypes:
            old = getattr(self, name)
            new = np.zeros(self.capacity, dtype=old.dtype)
            new[:used] = old[:used]
            setattr(self, name, new)
        self._arrays = None  # rebound: add() rebuilds its name -> array dict

    def remove(self, row: int) -> None:
        """The entity in ``row`` has left the model (its row keeps its last state)."""
        self.alive[row] = False
        self._removed = True

    def live(self) -> np.ndarray:
        """Rows still in the model, in creation order (the order agents are stepped in)."""
        live = self._live
        if self._removed:
            live = live[self.alive[live]]
            self._removed = False
        if self._added_from < self.size:
            added = np.arange(self._added_from, self.size, dtype=np.int64)
            live = np.concatenate((live, added[self.alive[added]]))
            self._added_from = self.size
        self._live = live
        return live


class column:  # noqa: N801 - used like ``property``
    """An agent attribute stored in a :class:`Columns` row (the agent's ``index``).

    The owning class sets ``_columns`` (the model's store) on each instance. ``codes``
    makes the column categorical: the array holds an index into ``codes`` and the agent
    sees the label. ``optional`` makes an integer column read ``None`` for :data:`UNSET`.
    """

    def __init__(self, codes: Sequence[str] | None = None, optional: bool = False) -> None:
        self.codes = tuple(codes) if codes is not None else None
        self.optional = optional
        self.name = ""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, obj: Any, owner: type | None = None) -> Any:
        if obj is None:
            return self
        value = getattr(obj._columns, self.name).item(obj.index)
        if self.codes is not None:
            return self.codes[value]
        if self.optional and value == UNSET:
            return None
        return value

    def __set__(self, obj: Any, value: Any) -> None:
        if self.codes is not None:
            value = self.codes.index(value)
        elif self.optional and value is None:
            value = UNSET
        getattr(obj._columns, self.name)[obj.index] = value
