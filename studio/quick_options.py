"""Options a planner often compares, added with one click: named, with their changes filled
in (so they can be seen and edited like any other option).

Each is a change to declared levers (:mod:`sim.params`), said as a planner would name it;
a ``relative`` change is a multiple of the value the programme has after "make it ours"
(a 25% cut of *their* budget), written into the field as a plain number.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from studio.forms import choice_id, current_value, plain_value


@dataclass(frozen=True)
class QuickOption:
    """An option to add in one click.

    Attributes:
        name: its name, as every output will show it.
        changes: lever values by dotted key (a multiple of the current value when
            ``relative``).
        relative: the changes are multiples of the programme's own values.
    """

    name: str
    changes: Mapping[str, Any]
    relative: bool = False

    def fields(self, base: Any) -> dict[str, str]:
        """The option's field values as typed, on the programme ``base`` (validated
        parameters after "make it ours").

        Example:
            >>> from sim.params import ScenarioParams
            >>> QUICK_OPTIONS[2].fields(ScenarioParams())
            {'funding.annual_budget_gbp': '90000'}
        """
        out = {}
        for key, value in self.changes.items():
            if self.relative:
                value = round(float(current_value(base, key)) * value)
            out[key] = choice_id(value) if isinstance(value, bool | str) else plain_value(value)
        return out


QUICK_OPTIONS: tuple[QuickOption, ...] = (
    QuickOption("Five-year grant", {"funding.grant_term_years": 5}),
    QuickOption("Therapeutic supervision", {"supervision.style": "therapeutic"}),
    QuickOption("Budget cut 25%", {"funding.annual_budget_gbp": 0.75}, relative=True),
    QuickOption("Supervision twice a month", {"supervision.sessions_per_month": 2}),
    QuickOption("Work with families", {"support.family_engagement": True}),
    QuickOption("Training for staff and managers", {"training.staff_manager_training": True}),
)
