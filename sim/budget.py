"""The budget: an agency plans its offer from the money it expects, and changes it when the
money says so.

An agency runs its programme as voluntary-sector providers do (Clinks State of the Sector
2023, 2024; Charity Commission (2016) CC19 on reserves):

- **A plan per grant.** When a grant starts or is renewed, the agency sizes its programme
  (mentors, coordinator and supervisor posts together, as a share of the scenario's
  design) to what it can pay for: the grant's income plus any reserves above its target,
  spread over the grant (:func:`planned_scale`). It plans smaller than its design when the
  money is short (never below ``funding.min_scale``) and never plans larger: growth waits
  for demand.
- **Reviews.** Every ``funding.review_weeks`` it projects its balance. Short of money (the
  balance, or the projection over at most ``funding.planning_weeks`` to the end of the
  grant, below the floor) it first undoes its most recent growth, then cuts the next step
  of ``funding.cut_order``. With money to spare it restores the most recent cut, or, with
  no cut in force and people waiting beyond its free places, grows by at most
  ``funding.growth_step_share`` of the design; either only while the projection *to the
  end of the grant*, with the added cost, keeps the reserves target (the income it is sure
  of must sustain what it adds). A change is not reversed within
  ``funding.change_hold_weeks`` unless the balance itself is below the floor, so nothing
  thrashes. One change per review; each is an event with its week and amount.
- **Cliffs.** When a grant ends unrenewed the reserves policy decides (:func:`at_cliff`):
  bridge the full service while the reserves above the floor cover the expected gap, run a
  skeleton service while the reserves pay for it, or close.

Everything here is a pure function of :class:`Position` (plain numbers the agency reports)
and the budget's own record of what it changed, so it is tested without a model: the
agency asks, then carries out the decision.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, get_args

from sim.params import WEEKS_PER_MONTH, CutStep, ScenarioParams, weekly_rate

STEPS: tuple[str, ...] = get_args(CutStep)
ChangeKind = Literal["cut", "restore", "grow", "shrink"]
GapMove = Literal["bridge", "skeleton", "close"]


@dataclass(frozen=True)
class Policy:
    """The reserves policy and planning rules of ``params.funding`` a decision uses."""

    target_months: float
    floor_months: float
    planning_weeks: int
    review_weeks: int
    insecurity_weeks: int
    hold_weeks: int
    growth_step: float
    min_scale: float
    gap_weeks_mean: float
    order: tuple[str, ...]

    @classmethod
    def of(cls, p: ScenarioParams) -> Policy:
        """The policy of a scenario (``extra_role`` left out when the mentor role is
        protected)."""
        f = p.funding
        return cls(f.reserves_target_months, f.reserve_floor_months, f.planning_weeks,
                   f.review_weeks, f.insecurity_weeks, f.change_hold_weeks,
                   f.growth_step_share, f.min_scale, f.gap_weeks_mean,
                   tuple(s for s in f.cut_order
                         if not (s == "extra_role" and f.protect_mentor_role)))


@dataclass(frozen=True)
class Position:
    """Where an agency's money stands at a review (weekly amounts in GBP).

    Attributes:
        week: this week.
        balance: reserves now.
        income: what the grant pays a week (0 between grants).
        spend: running costs, the smoothed weekly spending.
        weeks_left: weeks of the current grant still to be paid (the income it is sure of).
        demand: growth the waiting list calls for, as a share of the design (0: none).
        unit_cost: weekly cost of one design's worth of programme at today's service
            levels (what growth adds per unit).
    """

    week: int
    balance: float
    income: float
    spend: float
    weeks_left: int
    demand: float = 0.0
    unit_cost: float = 0.0


@dataclass(frozen=True)
class Change:
    """A change of offer: ``cut`` or ``restore`` a step, ``grow`` or ``shrink`` the size.

    Attributes:
        kind: what changes.
        step: the cut step (cut, restore), or None.
        share: the change in size as a share of the design (grow, shrink), else 0.
        weekly_gbp: the estimated change in weekly spending (positive adds, negative saves).
        why: the reason, in words (logged with the event).
    """

    kind: ChangeKind
    step: str | None
    share: float
    weekly_gbp: float
    why: str


def starting_reserves(p: ScenarioParams) -> float:
    """The reserves an agency holds when the run begins: ``funding.initial_reserves_weeks``
    weeks of the annual budget (GBP)."""
    return p.funding.initial_reserves_weeks * p.funding.annual_budget_gbp / 52


def reserve_gbp(months: float, spend: float) -> float:
    """A reserve of ``months`` of running costs at ``spend`` a week."""
    return months * spend * WEEKS_PER_MONTH


def projected(pos: Position, weeks: int, extra: float = 0.0) -> float:
    """The balance after ``weeks`` at the current income and spending plus ``extra`` a
    week: ``balance + (income - spend - extra) x weeks``."""
    return pos.balance + (pos.income - pos.spend - extra) * max(0, weeks)


def planned_scale(income: float, balance: float, weeks: int, unit_cost: float,
                  current: float, policy: Policy) -> float:
    """The size (share of the design) a grant is planned at: what the money pays for,
    ``(income + (balance - target reserves) / weeks) / unit_cost``, at most ``current``
    (growth waits for demand) and at least ``policy.min_scale``.

    Example:
        >>> p = Policy(3, 1, 52, 4, 13, 26, 0.1, 0.5, 26, ("closure",))
        >>> round(planned_scale(2250, 0, 104, 2000, 1.0, p), 3)  # pays the design, builds reserves
        1.0
        >>> round(planned_scale(1800, 0, 104, 2000, 1.0, p), 3)  # 20% short of it
        0.8
    """
    if unit_cost <= 0:
        return current
    # The target is the reserve at the planned size; solve s = (I + (B - t s u)/w) / u.
    hold = policy.target_months * WEEKS_PER_MONTH / max(1, weeks)
    affordable = (income + balance / max(1, weeks)) / (unit_cost * (1.0 + hold))
    return max(policy.min_scale, min(current, affordable))


@dataclass
class Record:
    """A change in force and the week it was made (so it is not reversed too soon)."""

    weekly_gbp: float
    week: int
    share: float = 0.0


class Budget:
    """One agency's record of the changes in force and its smoothed rate of spending.

    ``cuts`` maps each cut step in force (in the order made) to its estimated weekly saving
    and week; ``growth`` lists the growth steps in force (most recent last); ``restored``
    remembers when each step was last restored.
    """

    __slots__ = ("cuts", "growth", "held_back", "restored", "spend_rate")

    def __init__(self) -> None:
        self.cuts: dict[str, Record] = {}
        self.growth: list[Record] = []
        self.restored: dict[str, int] = {}
        self.spend_rate: float | None = None
        # Whether the last review found money holding the offer back: short of it, or
        # unable to sustain growth the waiting list called for.
        self.held_back = False

    # --- what is in force ---------------------------------------------------------------
    def cut(self, step: str) -> bool:
        """Whether ``step`` is cut now."""
        return step in self.cuts

    @property
    def depth(self) -> int:
        """How many cuts are in force."""
        return len(self.cuts)

    @property
    def grown(self) -> float:
        """Growth in force, as a share of the design."""
        return sum(g.share for g in self.growth)

    def next_step(self, policy: Policy) -> str | None:
        """The next step of the order not yet cut."""
        return next((s for s in policy.order if s not in self.cuts), None)

    # --- money --------------------------------------------------------------------------
    def observe(self, spend_gbp: float, review_weeks: int) -> None:
        """Fold this week's spending into the smoothed weekly rate (an exponential average
        over about one review period)."""
        if self.spend_rate is None:
            self.spend_rate = spend_gbp
            return
        self.spend_rate += (spend_gbp - self.spend_rate) / review_weeks

    # --- decisions ----------------------------------------------------------------------
    def review(self, pos: Position, policy: Policy) -> Change | None:
        """A review while a grant pays: one change of offer, or none (see the module)."""
        floor = reserve_gbp(policy.floor_months, pos.spend)
        short = projected(pos, min(policy.planning_weeks, pos.weeks_left))
        emergency = pos.balance < floor
        self.held_back = emergency or short < floor
        if self.held_back:
            why = ("balance below the reserve floor" if emergency
                   else "projected balance below the reserve floor")
            return self._reduce(pos, policy, why, emergency)
        # Nobody adds to a service while the grant's future is in doubt: the projection
        # would count on income that may not come.
        if pos.weeks_left < max(policy.review_weeks, policy.insecurity_weeks):
            return None
        if self.cuts:
            step, record = next(reversed(self.cuts.items()))
            if (pos.week - record.week >= policy.hold_weeks
                    and self._sustains(pos, policy, record.weekly_gbp)):
                return Change("restore", step, 0.0, record.weekly_gbp,
                              "the grant sustains it to its end")
            return None
        if pos.demand > 0 and policy.growth_step > 0 and pos.unit_cost > 0:
            share = min(policy.growth_step, pos.demand)
            cost = share * pos.unit_cost
            # Recent growth may not show in the spending yet (recruits train, posts take
            # weeks to fill): count it as if it did.
            pending = sum(g.weekly_gbp for g in self.growth
                          if pos.week - g.week < policy.hold_weeks)
            if self._sustains(pos, policy, cost + pending):
                return Change("grow", None, share, cost,
                              "people waiting beyond the free places, and the grant "
                              "sustains it to its end")
            self.held_back = True
        return None

    def _sustains(self, pos: Position, policy: Policy, extra: float) -> bool:
        """The projection to the end of the grant, with ``extra`` a week added, keeps the
        reserves target (at the running costs it would then have)."""
        target = reserve_gbp(policy.target_months, pos.spend + extra)
        return projected(pos, pos.weeks_left, extra) >= target

    def _reduce(self, pos: Position, policy: Policy, why: str,
                emergency: bool) -> Change | None:
        """Short of money: undo the most recent growth, else cut the next step (a change
        made within the hold is kept unless the balance is below the floor)."""
        if self.growth:
            last = self.growth[-1]
            if emergency or pos.week - last.week >= policy.hold_weeks:
                return Change("shrink", None, last.share, -last.weekly_gbp, why)
            return None
        step = self.next_step(policy)
        if step is None:
            return None
        restored = self.restored.get(step)
        if not emergency and restored is not None and pos.week - restored < policy.hold_weeks:
            return None
        return Change("cut", step, 0.0, 0.0, why)  # the agency estimates the saving

    # --- carrying a change out ----------------------------------------------------------
    def record(self, change: Change, week: int) -> None:
        """Note a change as made (the spending rate moves by its estimate at once)."""
        if change.kind == "cut":
            assert change.step is not None
            self.cuts[change.step] = Record(-change.weekly_gbp, week)
        elif change.kind == "restore":
            assert change.step is not None
            del self.cuts[change.step]
            self.restored[change.step] = week
        elif change.kind == "grow":
            self.growth.append(Record(change.weekly_gbp, week, change.share))
        else:
            self.growth.pop()
        if self.spend_rate is not None:
            self.spend_rate = max(0.0, self.spend_rate + change.weekly_gbp)

    def lift_gap_cuts(self) -> list[str]:
        """New money after a skeleton service: every cut is lifted at once (the new grant
        is planned afresh). Returns the steps lifted, most recent first."""
        steps = list(reversed(self.cuts))
        self.cuts.clear()
        return steps

    def clear(self) -> None:
        """Forget every change (the programme has closed: a new grant starts afresh)."""
        self.cuts.clear()
        self.growth.clear()
        self.restored.clear()
        self.spend_rate = None


def at_cliff(pos: Position, policy: Policy, gap_policy: str, skeleton_spend: float
             ) -> GapMove:
    """What an agency does when its grant ends unrenewed, by its reserves policy.

    ``reserves``: bridge the full service if the reserves above the floor cover the
    expected gap (``funding.gap_weeks_mean`` weeks at today's running costs), else run a
    skeleton service if the reserves pay for one review period of it, else close.
    ``skeleton``: the skeleton service if the reserves pay for it, else close. ``close``:
    close.

    Example:
        >>> p = Policy(3, 1, 52, 4, 13, 26, 0.1, 0.5, 26, ("closure",))
        >>> at_cliff(Position(100, 80_000, 0, 2000, 0), p, "reserves", 1200)
        'bridge'
        >>> at_cliff(Position(100, 30_000, 0, 2000, 0), p, "reserves", 1200)
        'skeleton'
    """
    if gap_policy == "close":
        return "close"
    floor = reserve_gbp(policy.floor_months, pos.spend)
    if gap_policy == "reserves" and pos.balance - floor >= pos.spend * policy.gap_weeks_mean:
        return "bridge"
    if pos.balance >= skeleton_spend * policy.review_weeks:
        return "skeleton"
    return "close"


def in_gap(pos: Position, policy: Policy, bridging: bool, skeleton_spend: float) -> GapMove:
    """A review between grants: a bridged service carries on while the reserves above the
    floor still cover the expected gap (gaps are memoryless, so the expected rest is the
    mean), else falls back to a skeleton service; a skeleton service carries on while the
    reserves pay for the next review period, else closes."""
    if bridging:
        return at_cliff(pos, policy, "reserves", skeleton_spend)
    return "skeleton" if pos.balance >= pos.spend * policy.review_weeks else "close"


def vacancy_saving(staff_gbp: float, attrition_annual: float, weeks: int) -> float:
    """Weekly saving of leaving vacancies empty: over ``weeks`` the saving grows from
    nothing to the leavers' salaries, so count half of it."""
    half = 0.5  # literal-ok: the mean of a saving growing linearly from nothing
    return staff_gbp * (1.0 - (1.0 - weekly_rate(attrition_annual)) ** weeks) * half
