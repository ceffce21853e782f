"""A candidate allocation projected onto the budget with the model's own unit costs.

A candidate is a value for each lever (how each mentor is trained, supervised and
supported, the grant's shape, the paid share ...). What the money then buys is the
programme's size: the most mentors whose planned yearly spending at full caseloads
(:func:`sim.capacity.planned_annual_spend`, the cost the agency itself plans with) fits the
budget, with the staff posts the offer needs. So every candidate is affordable, and a
richer offer per mentor is paid for with fewer mentors (Atomica's total-spend constraint,
with the model's costs instead of cost curves).

Staff posts that are not levers are sized with the programme (:func:`staff_for`):
supervisors to deliver the sessions offered at the style's sessions per post, coordinators
at today's posts per mentor or, when the support offered needs more, the posts that deliver
it. Posts are rounded up to a twentieth of a post.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sim.capacity import full_caseloads, planned_annual_spend, supervision_capacity_per_fte
from sim.decide.spec import SIZED_STAFF
from sim.errors import ScenarioError
from sim.params import ScenarioParams

MAX_MENTORS = 2_000  # the search for the programme's size stops here (a national budget)
PROBE_BUDGET_GBP = 1e9  # the largest budget a scenario may declare
POST_STEP = 0.05  # staff posts are whole twentieths of a full-time post


@dataclass(frozen=True)
class Allocation:
    """A candidate on the budget: its parameters and what the money buys."""

    params: ScenarioParams | None  # None: not affordable (the staff alone cost too much)
    levers: dict[str, Any]
    annual_gbp: float
    mentors: int
    coordinators_fte: float
    supervisors_fte: float
    planned_gbp: float  # planned yearly spending at full caseloads

    @property
    def feasible(self) -> bool:
        """The budget pays for at least one mentor and the posts the offer needs."""
        return self.params is not None

    def changes(self) -> dict[str, Any]:
        """Every parameter the allocation sets (its levers and what the budget buys)."""
        return {**self.levers, "programme.target_mentors": self.mentors,
                "funding.annual_budget_gbp": self.annual_gbp,
                "staff.coordinators_fte": self.coordinators_fte,
                "staff.supervisors_fte": self.supervisors_fte}


def _posts(x: float) -> float:
    return round(math.ceil(x / POST_STEP - 1e-9) * POST_STEP, 2)


def staff_for(p: ScenarioParams, mentors: int, today: ScenarioParams,
              sized: tuple[str, ...] = SIZED_STAFF) -> dict[str, float]:
    """Staff posts for ``mentors`` under ``p``'s offer (only those in ``sized``).

    Example:
        >>> from sim.params import ScenarioParams
        >>> today = ScenarioParams()
        >>> staff_for(today, today.programme.target_mentors, today)
        {'staff.coordinators_fte': 1.5, 'staff.supervisors_fte': 0.45}
    """
    out: dict[str, float] = {}
    probe = p.with_changes({"programme.target_mentors": mentors})
    if "staff.coordinators_fte" in sized:
        ratio = today.staff.coordinators_fte / max(1, today.programme.target_mentors)
        _, matches = full_caseloads(probe)
        needed = matches * p.support.contacts_per_month / max(
            p.support.contacts_per_coordinator_fte_month, 1e-9)
        out["staff.coordinators_fte"] = _posts(max(ratio * mentors, needed))
    if "staff.supervisors_fte" in sized:
        needed = mentors * p.supervision.sessions_per_month / supervision_capacity_per_fte(p)
        out["staff.supervisors_fte"] = _posts(needed)
    return out


def _spend(p: ScenarioParams, mentors: int, today: ScenarioParams, sized: tuple[str, ...]
           ) -> float:
    """Planned yearly spending of ``p`` (its budget set out of the way) at ``mentors``."""
    changes = {"programme.target_mentors": mentors, **staff_for(p, mentors, today, sized)}
    return planned_annual_spend(p.with_changes(changes))


def project(today: ScenarioParams, levers: Mapping[str, Any], annual_gbp: float
            ) -> Allocation:
    """``levers`` applied to today's programme, sized to spend ``annual_gbp`` a year.

    The size is the most mentors (with the posts they need) whose planned yearly
    spending is at most the budget; none fits (e.g. levers fixing more staff posts than
    the budget pays for): not feasible.

    Example:
        >>> from sim.params import ScenarioParams
        >>> a = project(ScenarioParams(), {"supervision.sessions_per_month": 2.0}, 120_000)
        >>> a.feasible, a.planned_gbp <= 120_000, a.supervisors_fte > 0.45
        (True, True, True)
    """
    sized = tuple(s for s in SIZED_STAFF if s not in levers)
    try:  # sizes are costed on a copy any staff can afford (the budget is checked below)
        p = today.with_changes({**levers, "funding.annual_budget_gbp": PROBE_BUDGET_GBP})
    except ScenarioError:  # a combination the model refuses
        return Allocation(None, dict(levers), annual_gbp, 0, 0.0, 0.0, math.nan)
    if (least := _spend(p, 1, today, sized)) > annual_gbp:
        return Allocation(None, dict(levers), annual_gbp, 0, 0.0, 0.0, least)
    low, high = 1, MAX_MENTORS  # spending rises with the mentors: bisect on them
    if _spend(p, high, today, sized) <= annual_gbp:
        low = high
    while high - low > 1:
        mid = (low + high) // 2
        if _spend(p, mid, today, sized) <= annual_gbp:
            low = mid
        else:
            high = mid
    staff = staff_for(p, low, today, sized)
    try:
        params = today.with_changes({**levers, "programme.target_mentors": low,
                                 "funding.annual_budget_gbp": annual_gbp, **staff})
    except ScenarioError:  # e.g. posts fixed by levers costing more than the budget
        params = None
    return Allocation(params, dict(levers), annual_gbp, low,
                      staff.get("staff.coordinators_fte", p.staff.coordinators_fte),
                      staff.get("staff.supervisors_fte", p.staff.supervisors_fte),
                      _spend(p, low, today, sized))
