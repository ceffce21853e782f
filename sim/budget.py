"""The budget: an agency plans to spend within its income plus reserves, and cuts when not.

At each review (every ``funding.review_weeks``) the agency projects its balance to the end
of the income it is sure of (the current grant, at most ``funding.planning_weeks`` ahead)
at its recent rate of spending. When the projection falls below the floor set by its
reserves policy (``funding.reserve_floor_weeks`` of budget) it makes the next cut in
``funding.cut_order``; when the projection would stay above the floor plus a margin after
undoing the most recent cut, it restores that one. At most one cut or restoration is made
per review, and each is logged with its estimated saving, so a reader of ``events.parquet``
can follow the money. The default order is the one voluntary-sector providers report
(Clinks State of the Sector 2023, 2024): activities first, then training, support and
supervision, then posts left empty, recruitment frozen, mentors asked to cover staff tasks
(Buck's 2021 "punitive dilution"), and closure last.

Between grants, a programme whose reserves policy is ``skeleton`` keeps its mentors and
open relationships on reserves with every cut short of closure in place, and closes only
when the reserves cannot pay for the next review period.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, get_args

from sim.params import CutStep, weekly_rate

if TYPE_CHECKING:
    from sim.agents.agency import Agency

STEPS: tuple[str, ...] = get_args(CutStep)


class Budget:
    """One agency's cuts in force and its smoothed rate of spending.

    Args:
        agency: the agency whose money this is.
    """

    __slots__ = ("agency", "savings", "spend_rate")

    def __init__(self, agency: Agency) -> None:
        self.agency = agency
        # Cuts in force, in the order made, with the weekly saving estimated when made (the
        # amount a restoration adds back to the spending projection).
        self.savings: dict[str, float] = {}
        self.spend_rate: float | None = None

    # --- what is in force ---------------------------------------------------------------
    def cut(self, step: str) -> bool:
        """Whether ``step`` is cut now."""
        return step in self.savings

    @property
    def depth(self) -> int:
        """How many cuts are in force."""
        return len(self.savings)

    def order(self) -> tuple[str, ...]:
        """The scenario's cut order; without ``extra_role`` when the mentor role is
        protected."""
        f = self.agency.model.p.funding
        return tuple(s for s in f.cut_order
                     if not (s == "extra_role" and f.protect_mentor_role))

    def next_step(self) -> str | None:
        """The next step of the order not yet cut."""
        return next((s for s in self.order() if s not in self.savings), None)

    # --- money --------------------------------------------------------------------------
    def observe(self, spend_gbp: float) -> None:
        """Fold this week's spending into the smoothed weekly rate (an exponential average
        over about one review period)."""
        if self.spend_rate is None:
            self.spend_rate = spend_gbp
            return
        weight = 1.0 / self.agency.model.p.funding.review_weeks
        self.spend_rate += (spend_gbp - self.spend_rate) * weight

    def floor_gbp(self) -> float:
        """The balance the reserves policy will not plan to go below."""
        f = self.agency.model.p.funding
        return f.reserve_floor_weeks * f.annual_budget_gbp / 52

    def projected_gbp(self, extra_weekly_spend: float = 0.0) -> float:
        """Balance at the end of the income the agency is sure of, at the current rate of
        spending (plus ``extra_weekly_spend``)."""
        agency = self.agency
        weeks = max(0, min(agency.model.p.funding.planning_weeks,
                           agency.grant_end_week - agency.model.week))
        rate = (self.spend_rate or 0.0) + extra_weekly_spend
        return agency.balance_gbp + (agency.income_rate_gbp - rate) * weeks

    def saving_gbp(self, step: str) -> float:
        """Estimated weekly saving of cutting ``step`` now, from the agency's spending."""
        agency = self.agency
        p = agency.model.p
        costs = agency.costs
        keep = p.funding.cut_keep_share
        if step == "leisure":
            return costs.get("leisure_premium", 0.0)
        if step == "ongoing_training":
            return costs.get("ongoing_training", 0.0)
        if step == "support_contacts":
            return costs.get("support", 0.0) * (1.0 - keep)
        if step == "supervision_sessions":
            return costs.get("supervision", 0.0) * (1.0 - keep)
        if step == "vacancies":
            # Posts stop being filled as people leave: over the projection the saving grows
            # from nothing to the leavers' salaries, so count half of it.
            leave = weekly_rate(p.staff.attrition_annual)
            weeks = p.funding.planning_weeks
            return costs.get("staff", 0.0) * (1.0 - (1.0 - leave) ** weeks) / 2
        if step == "recruitment":
            return (p.programme.recruits_per_month * 12 / 52 * p.training.pre_match_hours
                    * p.training.cost_per_hour_gbp) if agency.short_of_mentors else 0.0
        if step == "extra_role":
            return agency.coordinators * p.funding.cut_staff_share \
                * p.staff.coordinator_salary_gbp / 52
        return self.spend_rate or 0.0  # closure stops all spending

    # --- decisions ----------------------------------------------------------------------
    def review(self) -> None:
        """A budget review while a grant pays: one cut, one restoration, or nothing."""
        if self.spend_rate is None:
            return
        floor = self.floor_gbp()
        below = self.agency.balance_gbp < floor
        if below or self.projected_gbp() < floor:
            step = self.next_step()
            if step is not None:
                why = ("balance below the reserve floor" if below
                       else "projected balance below the reserve floor")
                self.apply(step, why)
            return
        f = self.agency.model.p.funding
        weeks_left = self.agency.grant_end_week - self.agency.model.week
        # Nobody restores a service while the grant's future is in doubt: the projection
        # would count on income that may not come.
        if self.savings and weeks_left >= max(f.review_weeks, f.insecurity_weeks):
            step = next(reversed(self.savings))
            margin = self.agency.model.p.funding.restore_margin_weeks \
                * self.agency.model.p.funding.annual_budget_gbp / 52
            if self.projected_gbp(self.savings[step]) >= floor + margin:
                self.restore(step)

    def check_floor(self) -> None:
        """After the week's accounts: a balance that has fallen below the floor with no cut
        in force is cut at once rather than at the next review, so no week runs below the
        floor unanswered; further cuts wait for the regular reviews."""
        if (not self.savings and self.agency.funded
                and self.agency.balance_gbp < self.floor_gbp()):
            self.review()

    def review_gap(self) -> None:
        """A review while a skeleton service runs on reserves between grants: close when
        the reserves cannot pay for the next review period."""
        weeks = self.agency.model.p.funding.review_weeks
        if self.agency.balance_gbp < (self.spend_rate or 0.0) * weeks:
            self.apply("closure", "reserves cannot pay for the skeleton service")

    def enter_gap(self) -> None:
        """Cut to the skeleton service: every step of the order short of closure."""
        for step in self.order():
            if step != "closure" and step not in self.savings:
                self.apply(step, "skeleton service between grants")

    def apply(self, step: str, why: str) -> None:
        """Make one cut and log it with its estimated yearly saving."""
        saving = self.saving_gbp(step)
        model = self.agency.model
        if step == "closure":
            model.log_event(self.agency, "cut", amount_gbp=52 * saving, detail=f"closure: {why}")
            self.agency.close_programme("budget")
            return
        self.savings[step] = saving
        if self.spend_rate is not None:
            self.spend_rate = max(0.0, self.spend_rate - saving)
        model.log_event(self.agency, "cut", amount_gbp=52 * saving, detail=f"{step}: {why}")
        self.agency.apply_cuts()

    def restore(self, step: str) -> None:
        """Undo one cut and log the yearly cost it adds back."""
        saving = self.savings.pop(step)
        if self.spend_rate is not None:
            self.spend_rate += saving
        self.agency.model.log_event(self.agency, "restored", amount_gbp=52 * saving,
                                    detail=step)
        self.agency.apply_cuts()

    def log_in_force(self) -> None:
        """Log the cuts in force when measurement begins (made during the burn-in)."""
        for step, saving in self.savings.items():
            self.agency.model.log_event(self.agency, "cut", amount_gbp=52 * saving,
                                        detail=f"{step}: in force when the run began")

    def clear(self) -> None:
        """Forget every cut (the programme has closed: a new grant starts afresh)."""
        self.savings.clear()
        self.spend_rate = None
