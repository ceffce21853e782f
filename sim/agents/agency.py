"""The agency: an organisation running a mentoring programme on grant money."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np
from mesa import Agent

from sim import budget as money
from sim.agents import mentor as mentors
from sim.budget import Budget, Change, Policy, Position
from sim.capacity import (
    planned_annual_spend,
    supervision_capacity_per_fte,
    supervisor_cost,
    supervisor_training_cost,
)
from sim.commissioner import grant_weekly_rate, term_weeks
from sim.formats import format_mix
from sim.matching import pair
from sim.params import WEEKS_PER_MONTH, weekly_rate

if TYPE_CHECKING:
    from sim.agents.mentee import Mentee
    from sim.agents.mentor import Mentor
    from sim.model import MentoringModel
    from sim.relationship import Match

# Where an agency's programme stands: a grant paying (running, or setting up after a
# closure), between grants on reserves (the full service bridged, or a skeleton service),
# or closed.
RUNNING, SETUP, BRIDGING, SKELETON, CLOSED = "running", "setup", "bridging", "skeleton", "closed"


class Agency(Agent):
    """Funds, staff, a training/supervision/support offer, a waiting list and mentors.

    Funding moves through ``running`` (grant paying) -> at the grant's end either renewed
    or, unrenewed, what the reserves policy decides (``sim.budget.at_cliff``): ``bridging``
    (the full service on reserves, still taking referrals), ``skeleton`` (every cut short of
    closure, no new referrals) or ``closed`` (relationships closed, mentors released, staff
    gone) -> after a gap a new grant starts, in ``setup`` (hiring, recruiting, training; no
    referrals) when the programme had closed, or straight back to ``running``. Each grant
    is planned from its money (the programme's size, ``scale``, as a share of the
    scenario's design); budget reviews grow it, undo growth, cut or restore (``sim.budget``).

    Random draws for funding are keyed by grant and gap number, not by week, so the k-th
    renewal decision is the same number in every scenario (common random numbers).
    """

    def __init__(self, model: MentoringModel, index: int, start_new: bool) -> None:
        super().__init__(model)
        p = model.p
        self.index = index
        self.policy = Policy.of(p)
        self.term_weeks = term_weeks(p.funding.grant_term_years)
        # The last week the current grant pays for (until the clock starts: see start_clock).
        self.grant_end_week = self.term_weeks
        self.grant_number = 0
        self.gap_number = 0
        self.setup_until = 0
        self.next_grant_week = 0
        self.balance_gbp = money.starting_reserves(p)
        self.income_rate_gbp = p.funding.annual_budget_gbp / 52
        self.received_gbp = 0.0
        self.budget = Budget()
        self.waiting: dict[Mentee, None] = {}
        self.mentors: dict[Mentor, None] = {}
        self.matches: dict[Match, None] = {}
        pa = p.partners
        self.place_rates = {"housing": pa.housing_places_per_year / 52,
                            "substance": pa.substance_places_per_year / 52,
                            "employment": pa.employment_places_per_year / 52}
        self.places = {need: rate * p.growth.partner_stock_weeks
                       for need, rate in self.place_rates.items()}
        self.chaos = 0.0
        self.support_ratio = 1.0
        self.support_deficit = 0.0
        self.supervision_effect = 0.0
        self.spend_gbp = 0.0  # one-off spending this week (pre-match training)
        self.costs: dict[str, float] = {}
        self.recruit_debt = 0.0
        self.sessions_offered = self.sessions_delivered = 0.0
        self.contacts_offered = self.contacts_delivered = 0.0
        self.waiting_pressure = 0.0
        # The programme's size, as a share of its design. The first grant is planned from
        # what the design costs (nothing has been spent yet); an established programme
        # then runs its burn-in at that size.
        self.scale = money.planned_scale(self.income_rate_gbp, self.balance_gbp,
                                         self.term_weeks, planned_annual_spend(p) / 52, 1.0,
                                         self.policy)
        self.set_offer()
        if start_new:
            # A new programme: the grant starts now, with no staff in post, no mentors and
            # no know-how; set-up comes first.
            self.status = SETUP
            self.coordinators = self.supervisors = 0.0
            self.experience = 0.0
        else:
            self.status = RUNNING
            self.coordinators = self.coordinator_posts
            self.supervisors = self.supervisor_posts
            self.experience = 1.0  # staff know-how about this programme, 0-1

    # --- 1. funding -------------------------------------------------------------------
    @property
    def funded(self) -> bool:
        """A grant is paying (running or setting up)."""
        return self.status in (RUNNING, SETUP)

    @property
    def operating(self) -> bool:
        """The programme runs, on a grant or on reserves (not closed)."""
        return self.status != CLOSED

    @property
    def open_for_referrals(self) -> bool:
        """Taking new referrals: running, or bridging a gap on reserves (not in set-up,
        closed or on a skeleton service)."""
        return self.status in (RUNNING, BRIDGING)

    @property
    def insecure(self) -> bool:
        """In the last weeks of a grant before anyone knows whether it will be renewed, or
        running on reserves between grants."""
        if self.status in (BRIDGING, SKELETON):
            return True
        weeks_left = self.grant_end_week - self.model.week
        return self.status == RUNNING and 0 <= weeks_left < self.model.p.funding.insecurity_weeks

    @property
    def money_bound(self) -> bool:
        """Money holds the offer back now: a grant planned below its design, a cut in
        force, or, at the last review, too little money for what it offers or for the
        growth its waiting list called for."""
        return self.funded and (self.scale < 1.0 or bool(self.budget.cuts)
                                or self.budget.held_back)

    @property
    def short_of_mentors(self) -> bool:
        """Below the target number of mentors (so recruiting)."""
        return len(self.mentors) < self.target_mentors

    def start_clock(self) -> None:
        """Week 1 of the measured run: the first grant starts now. Grants are staggered
        across agencies so a national programme's grants do not all end in one week."""
        p = self.model.p
        self.grant_number = 1
        self.grant_end_week = round(self.term_weeks * (self.index + 1) / p.programme.agencies)
        if self.status == SETUP:
            self.setup_until = p.funding.setup_weeks
            self.grant_end_week = self.term_weeks
        self.balance_gbp = money.starting_reserves(p)
        self.received_gbp = 0.0
        self._set_income()
        self.model.log_event(self, "grant_started", amount_gbp=52 * self.income_rate_gbp)
        for step, record in self.budget.cuts.items():
            self.model.log_event(self, "cut", amount_gbp=52 * record.weekly_gbp,
                                 detail=f"{step}: in force when the run began")
        self._plan_grant()

    def _set_income(self) -> None:
        """The grant's weekly payment under the payment rule (``sim.commissioner``)."""
        p = self.model.p
        f = p.funding
        first = self.grant_end_week if self.status != SETUP else self.term_weeks
        self.income_rate_gbp = grant_weekly_rate(
            f.annual_budget_gbp, f.payment_rule, p.run.weeks, self.term_weeks,
            f.renewal_probability, f.gap_weeks_mean, first)

    def update_funding(self) -> None:
        """Grants end, renew or start (each new grant planned from its money); budget
        reviews change the offer; between grants the reserves policy decides."""
        model = self.model
        week = model.week
        f = model.p.funding
        if week < 1:  # burn-in: the funding clock has not started
            self._review(week)
            return
        if self.funded and week > self.grant_end_week:
            renew = model.streams.generator("renewal", self.index, self.grant_number).random()
            if renew < f.renewal_probability:
                self.grant_number += 1
                self.grant_end_week = week + self.term_weeks - 1
                model.log_event(self, "grant_renewed", amount_gbp=52 * self.income_rate_gbp)
                self._plan_grant()
            else:
                model.log_event(self, "grant_ended")
                self._draw_gap()
                self._at_cliff()
        elif self.status in (CLOSED, BRIDGING, SKELETON) and week >= self.next_grant_week:
            self.grant_number += 1
            self.grant_end_week = week + self.term_weeks - 1
            if self.status == CLOSED:
                self.status = SETUP
                self.setup_until = week + f.setup_weeks
            else:  # the service kept going on reserves: new money lifts the skeleton's cuts
                self.status = RUNNING
                for step in self.budget.lift_gap_cuts():
                    model.log_event(self, "restored", detail=f"{step}: new grant")
                self.set_offer()
            model.log_event(self, "grant_started", amount_gbp=52 * self.income_rate_gbp)
            self._plan_grant()
        if self.status == SETUP and week >= self.setup_until:
            self.status = RUNNING
        self._review(week)

    def _draw_gap(self) -> None:
        """The gap before the next grant: exponential, mean ``funding.gap_weeks_mean``,
        at least a week (keyed by agency and gap number)."""
        model = self.model
        f = model.p.funding
        self.gap_number += 1
        gap = model.streams.generator("funding_gap", self.index, self.gap_number
                                      ).exponential(f.gap_weeks_mean) \
            if f.gap_weeks_mean > 0 else 0.0
        self.next_grant_week = model.week + max(1, round(gap))

    def _at_cliff(self) -> None:
        """A grant has ended unrenewed: bridge, skeleton or close, by the reserves policy."""
        move = money.at_cliff(self.position(), self.policy, self.model.p.funding.gap_policy,
                              self.skeleton_spend())
        if move == "bridge" and self.status == RUNNING:
            self.status = BRIDGING
            self.model.log_event(self, "bridging_started",
                                 amount_gbp=52 * (self.budget.spend_rate or 0.0))
        elif move in ("bridge", "skeleton") and self.status == RUNNING:
            self._enter_skeleton()
        else:
            self.close_programme("funding_ended")

    def _enter_skeleton(self) -> None:
        """Cut to the skeleton service: every step of the order short of closure."""
        self.status = SKELETON
        self.model.log_event(self, "skeleton_started", amount_gbp=52 * self.skeleton_spend())
        for step in self.policy.order:
            if step != "closure" and not self.budget.cut(step):
                self._make(Change("cut", step, 0.0, 0.0, "skeleton service between grants"))

    def skeleton_spend(self) -> float:
        """Weekly spending once every cut short of closure is made, estimated from this
        week's costs."""
        rate = self.budget.spend_rate or 0.0
        saved = sum(self.saving_gbp(step) for step in self.policy.order
                    if step != "closure" and not self.budget.cut(step))
        return max(0.0, rate - saved)

    def _plan_grant(self) -> None:
        """A grant starts or is renewed: size the programme to what it can pay for (never
        larger than it is; growth waits for demand) and log the plan."""
        weeks = max(1, self.grant_end_week - self.model.week + 1)
        unit = self.unit_cost()
        scale = money.planned_scale(self.income_rate_gbp, self.balance_gbp, weeks, unit,
                                    self.scale, self.policy)
        if scale != self.scale:
            self.budget.growth.clear()  # the plan replaces earlier growth
            self.scale = scale
            self.set_offer()
        self.model.log_event(self, "offer_planned", amount_gbp=52 * unit * self.scale,
                             detail=f"size {self.scale:.2f} of the design")

    def unit_cost(self) -> float:
        """Weekly cost of one design's worth of programme: from the spending seen while it
        runs its full offer, or otherwise (nothing spent yet, setting up, cuts in force)
        the design's planned cost at full caseloads (``sim.capacity.planned_annual_spend``,
        an upper bound, so a plan from it errs small and growth makes up the rest)."""
        rate = self.budget.spend_rate
        if rate is None or self.scale <= 0 or self.status != RUNNING or self.budget.cuts:
            return planned_annual_spend(self.model.p) / 52
        return rate / self.scale

    def position(self) -> Position:
        """Where the money stands, for the budget's decisions."""
        week = self.model.week
        return Position(week, self.balance_gbp, self.income_rate_gbp if self.funded else 0.0,
                        self.budget.spend_rate or 0.0,
                        max(0, self.grant_end_week - week) if self.funded else 0,
                        self.demand(), self.unit_cost())

    def floor_gbp(self) -> float:
        """The balance the reserves policy will not plan to go below."""
        return money.reserve_gbp(self.policy.floor_months, self.budget.spend_rate or 0.0)

    def demand(self) -> float:
        """Growth the waiting list calls for, as a share of the design: the people waiting
        beyond the places free or soon free (trained mentors not burnt out, below their
        caseload cap; recruits still training, at their cap), in mentors at the agency's
        mean cap."""
        if not self.waiting or self.status != RUNNING:
            return 0.0
        c = self.model.mentors
        rows = np.fromiter((m.index for m in self.mentors), dtype=np.int64,
                           count=len(self.mentors))
        p = self.model.p
        if not len(rows):
            return len(self.waiting) / p.matching.caseload_cap_volunteer \
                / p.programme.target_mentors
        cap = c.cap[rows]
        training = self.model.week < c.trained_at_week[rows]
        ready = ~training & ~c.burnt_out[rows]
        free = int(np.maximum(0, cap - c.open_matches[rows])[ready].sum() + cap[training].sum())
        unmet = len(self.waiting) - free
        return max(0.0, unmet / float(cap.mean()) / p.programme.target_mentors)

    def _review(self, week: int) -> None:
        # Reviews fall on the same weeks in every scenario.
        if week % self.policy.review_weeks or self.budget.spend_rate is None:
            return
        if self.status in (BRIDGING, SKELETON):
            move = money.in_gap(self.position(), self.policy, self.status == BRIDGING,
                                self.skeleton_spend())
            if move == "skeleton" and self.status == BRIDGING:
                self._enter_skeleton()
            elif move == "close":
                # The grant ended and the reserves bridging the gap have run out.
                self.model.log_event(self, "cut", amount_gbp=52 * self.saving_gbp("closure"),
                                     detail="closure: reserves cannot pay for the service "
                                            "between grants")
                self.close_programme("funding_ended")
        elif self.funded:
            change = self.budget.review(self.position(), self.policy)
            if change is not None:
                self._make(change)

    def _make(self, change: Change) -> None:
        """Carry out a change of offer and log it with its yearly amount."""
        model = self.model
        if change.kind == "cut":
            assert change.step is not None
            saving = self.saving_gbp(change.step)
            model.log_event(self, "cut", amount_gbp=52 * saving,
                            detail=f"{change.step}: {change.why}")
            if change.step == "closure":
                self.close_programme("budget")
                return
            change = Change("cut", change.step, 0.0, -saving, change.why)
        elif change.kind == "restore":
            model.log_event(self, "restored", amount_gbp=52 * change.weekly_gbp,
                            detail=change.step or "")
        else:
            self.scale += change.share if change.kind == "grow" else -change.share
            model.log_event(self, "grown" if change.kind == "grow" else "shrunk",
                            amount_gbp=52 * abs(change.weekly_gbp),
                            detail=f"size {self.scale:.2f} of the design: {change.why}")
        self.budget.record(change, model.week)
        self.set_offer()

    def saving_gbp(self, step: str) -> float:
        """Estimated weekly saving of cutting ``step`` now, from this week's costs."""
        p = self.model.p
        costs = self.costs
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
            return money.vacancy_saving(costs.get("staff", 0.0), p.staff.attrition_annual,
                                        p.funding.planning_weeks)
        if step == "recruitment":
            return (p.programme.recruits_per_month * 12 / 52 * p.training.pre_match_hours
                    * p.training.cost_per_hour_gbp) if self.short_of_mentors else 0.0
        if step == "extra_role":
            return self.coordinators * p.funding.cut_staff_share \
                * p.staff.coordinator_salary_gbp / 52
        return self.budget.spend_rate or 0.0  # closure stops all spending

    def close_programme(self, reason: str) -> None:
        """Close: relationships end, waiting mentees are released, mentors leave, staff go;
        a new grant starts from the design's size.

        Args:
            reason: ``funding_ended`` (a grant ended unrenewed, or the reserves bridging the
                gap ran out) or ``budget`` (the money ran out, the last step of the cut
                order).
        """
        model = self.model
        was_funded = self.funded
        self.status = CLOSED
        model.log_event(self, "programme_closed", detail=reason)
        for match in list(self.matches):
            model.close_match(match, "programme_closed", reason)
        for mentee in list(self.waiting):
            model.mentee_gives_up(mentee)
        for mentor in list(self.mentors):
            model.mentor_leaves(mentor, "programme_closed")
        self.coordinators = 0.0
        self.supervisors = 0.0
        self.experience = 0.0
        self.budget.clear()
        self.scale = 1.0
        self.set_offer()
        if reason == "budget" and was_funded:
            # The grant is handed back; the commissioner re-tenders after a gap.
            self._draw_gap()

    def set_offer(self) -> None:
        """Set the offer from the programme's size and the cuts in force: mentors and posts
        (the design's, times ``scale``), formats, training, support, supervision and
        extra-role hours."""
        p = self.model.p
        cut = self.budget.cut
        self.target_mentors = max(1, round(p.programme.target_mentors * self.scale))
        self.planned_coordinators = p.staff.coordinators_fte * self.scale
        self.coordinator_posts = self.planned_coordinators * (
            1.0 - p.funding.cut_staff_share if cut("extra_role") else 1.0)
        self.supervisor_posts = p.staff.supervisors_fte * self.scale
        self.hours_per_mentee, self.bonding, self.cost_per_match_week = format_mix(
            p.formats, cut("leisure"))
        # What dropping leisure would save per match-week (0 once it is cut).
        self.leisure_premium_per_match_week = 0.0 if cut("leisure") else max(
            0.0, self.cost_per_match_week - format_mix(p.formats, True)[2])
        self.ongoing_hours = 0.0 if cut("ongoing_training") else p.training.ongoing_hours_per_month
        keep = p.funding.cut_keep_share
        self.contacts_per_month = p.support.contacts_per_month * (
            keep if cut("support_contacts") else 1.0)
        self.sessions_per_month = p.supervision.sessions_per_month * (
            keep if cut("supervision_sessions") else 1.0)
        self.hiring = not cut("vacancies")
        self.recruiting = not cut("recruitment")
        self.extra_role_hours = p.mentors.extra_role_hours_per_week + (
            p.funding.cut_extra_role_hours if cut("extra_role") else 0.0)

    # --- 2. staff, support and supervision capacity -----------------------------------
    def update_staff(self) -> None:
        """Staff leave (faster when the grant is ending) and vacancies fill unless frozen;
        from that, the support contacts and supervision actually delivered this week."""
        p = self.model.p
        g = p.growth
        insecure = self.insecure  # nothing below changes it; worked out once
        if self.status == CLOSED:
            self.coordinators = self.supervisors = 0.0
        else:
            leave = min(1.0, weekly_rate(p.staff.attrition_annual) * (
                p.staff.insecurity_attrition_multiplier if insecure else 1.0))
            fill = min(1.0, 1.0 / p.staff.hire_weeks) if self.hiring else 0.0
            self.coordinators = min(self.coordinators, self.coordinator_posts)  # redundancies
            hired = max(0.0, self.coordinator_posts - self.coordinators) * fill
            self.coordinators = max(0.0, self.coordinators * (1.0 - leave) + hired)
            # New staff arrive without know-how, which takes about a year to build (McKay
            # et al. 2018: every turnover event costs training and knowledge).
            if self.coordinators > 0:
                self.experience *= 1.0 - min(1.0, hired / self.coordinators)
            self.experience += (1.0 - self.experience) * min(1.0, 1.0 / g.know_how_weeks)
            self.supervisors = min(self.supervisors, self.supervisor_posts)  # redundancies
            sup_hired = max(0.0, self.supervisor_posts - self.supervisors) * fill
            self.supervisors = max(0.0, self.supervisors * (1.0 - leave) + sup_hired)
        shock = self.model.shock_active
        # Support contacts: offered to every match, delivered up to coordinator capacity.
        capacity = (self.coordinators * p.support.contacts_per_coordinator_fte_month
                    * (1.0 - p.shock.support_drop * shock)) / WEEKS_PER_MONTH
        self.contacts_offered = len(self.matches) * self.contacts_per_month / WEEKS_PER_MONTH
        self.contacts_delivered = min(self.contacts_offered, capacity)
        per_match = (self.contacts_per_month * self.contacts_delivered / self.contacts_offered
                     if self.contacts_offered else self.contacts_per_month)
        know_how = g.inexperienced_support_share + (1.0 - g.inexperienced_support_share) \
            * self.experience  # inexperienced staff give weaker support
        self.support_ratio = min(1.0, per_match * know_how / p.support.contacts_needed_per_month)
        trained = g.trained_manager_deficit if p.training.staff_manager_training else 1.0
        self.support_deficit = (1.0 - self.support_ratio) * trained
        # Posts the plan has but nobody fills (a post cut at the extra_role step is empty
        # too: its work falls on mentors and the staff who stay).
        vacancy = 1.0 - (self.coordinators / self.planned_coordinators
                         if self.planned_coordinators else 1.0)
        # Programme chaos: reorganisation, a looming funding cliff, empty posts and staff
        # who do not yet know the programme.
        self.chaos = min(1.0, g.chaos_reorganisation * shock + g.chaos_insecurity * insecure
                         + g.chaos_vacancy * max(0.0, vacancy)
                         + g.chaos_inexperience * (1.0 - self.experience))
        # Supervision: offered to every trained mentor, delivered up to supervisor capacity.
        trained_mentors = int(self.model.trained_mentors[self.index])
        sup_capacity = self.supervisors * supervision_capacity_per_fte(p) / WEEKS_PER_MONTH
        self.sessions_offered = trained_mentors * self.sessions_per_month / WEEKS_PER_MONTH
        self.sessions_delivered = min(self.sessions_offered, sup_capacity)
        per_mentor = (self.sessions_per_month * self.sessions_delivered / self.sessions_offered
                      if self.sessions_offered else self.sessions_per_month)
        weight = 1.0 if p.supervision.style == "therapeutic" else p.effects.managerial_weight
        self.supervision_effect = min(1.0, per_mentor / p.supervision.full_effect_sessions) \
            * weight
        mentors = len(self.mentors)
        self.waiting_pressure = min(1.0, len(self.waiting) / mentors) if mentors else 0.0
        for need, rate in self.place_rates.items():
            self.places[need] = min(rate * 52, self.places[need] + rate)

    # --- 3. referrals ------------------------------------------------------------------
    def referrals(self) -> int:
        """How many people are referred this week: a Poisson count of the yearly rate.
        They arrive whatever the programme's state, so the k-th referral is the same
        person in every scenario (the model adds them: ``MentoringModel.refer_mentees``)."""
        rate = self.model.p.programme.referrals_per_year / 52
        return self.model.streams.poisson("referrals", self.index, rate)

    # --- 4. recruitment ----------------------------------------------------------------
    def recruit(self) -> None:
        """Recruit towards the target while a grant pays or the full service is bridged, and
        recruitment is not frozen; recruits train before matching."""
        if self.status not in (RUNNING, SETUP, BRIDGING) or not self.recruiting:
            return
        p = self.model.p
        short = self.target_mentors - len(self.mentors)
        if short <= 0:
            self.recruit_debt = 0.0
            return
        # Deterministic accrual keeps recruitment identical across scenarios that share it.
        self.recruit_debt += p.programme.recruits_per_month / WEEKS_PER_MONTH
        count = min(short, int(self.recruit_debt))
        self.recruit_debt -= count
        training_weeks = math.ceil(p.training.pre_match_hours / p.training.hours_per_week)
        self.model.recruit_mentors(self, count, self.model.week + training_weeks)
        self.spend_gbp += count * p.training.pre_match_hours * p.training.cost_per_hour_gbp

    # --- 5. matching -------------------------------------------------------------------
    @property
    def matching(self) -> bool:
        """Running or between grants on reserves, with mentees waiting: this week it pairs
        them."""
        return bool(self.waiting) and self.status in (RUNNING, BRIDGING, SKELETON)

    def match(self, free: np.ndarray) -> None:
        """Match waiting mentees to ``free`` mentors (rows of this agency's mentors who
        could take a mentee now, in the order they joined; see ``sim.matching``)."""
        if not self.matching or not len(free):
            return
        model = self.model
        waiting = list(self.waiting)
        minority = model.mentees.minority[[mentee.index for mentee in waiting]]
        for position, row in pair(minority, model.mentors, free, model.p.matching):
            model.start_match(model.mentor_agents[row], waiting[position])

    def take_place(self, need: str) -> bool:
        """Use a partner-service place for ``need`` if one is free."""
        if self.places[need] >= 1.0:
            self.places[need] -= 1.0
            return True
        return False

    # --- 6. accounts -------------------------------------------------------------------
    def account(self) -> None:
        """This week's income and spending by category; charges follow what was
        delivered. The balance carries reserves across gaps."""
        p = self.model.p
        week = self.model.week
        on_books = int(self.model.trained_mentors[self.index])
        paid = int(self.model.paid_mentors[self.index])
        matches = len(self.matches)
        costs = {
            "staff": (self.coordinators * p.staff.coordinator_salary_gbp
                      + self.supervisors * supervisor_cost(p)) / 52,
            "mentors": paid * p.mentors.paid_hours_per_week * p.mentors.paid_hourly_wage_gbp
            + (on_books - paid) * p.mentors.expenses_per_week_gbp,
            "pre_match_training": self.spend_gbp,
            "ongoing_training": on_books * self.ongoing_hours
            * p.training.cost_per_hour_gbp / WEEKS_PER_MONTH,
            "supervision": self.sessions_delivered * p.supervision.cost_per_session_gbp
            + self.supervisors * supervisor_training_cost(p) / 52,
            "support": self.contacts_delivered * p.support.cost_per_contact_gbp,
            "activities": matches * self.cost_per_match_week,
            "family": (int(self.model.family_matches[self.index])
                       * p.support.family_contacts_per_month * p.support.family_contact_cost_gbp
                       / WEEKS_PER_MONTH if p.support.family_engagement else 0.0),
        }
        costs["leisure_premium"] = matches * self.leisure_premium_per_match_week
        spend = sum(v for k, v in costs.items() if k != "leisure_premium")
        income = self.income_rate_gbp if self.funded else 0.0
        self.costs = costs
        self.balance_gbp += income - spend
        if week >= 1:
            self.received_gbp += income
        self.budget.observe(spend, self.policy.review_weeks)
        # A balance fallen below the floor with nothing changed yet is answered at once
        # rather than at the next review; further changes wait for the regular reviews.
        if (self.funded and not self.budget.cuts
                and self.balance_gbp < self.floor_gbp()):
            change = self.budget.review(self.position(), self.policy)
            if change is not None:
                self._make(change)
        model = self.model
        model.spend_this_week += spend
        model.income_this_week += income
        self.spend_gbp = 0.0


def drop_waiting(model: MentoringModel) -> None:
    """Waiting mentees lose hope and give up (New Routes: engagement decays fast): each
    with chance ``1 / give_up_weeks_mean`` a week, on its own draw, in each agency's
    waiting-list order, agency by agency."""
    waiting = [mentee for agency in model.agency_list for mentee in agency.waiting]
    if not waiting:
        return
    give_up = 1.0 / model.p.mentees.give_up_weeks_mean
    draws = model.streams.uniforms("give_up", np.fromiter(
        (mentee.index for mentee in waiting), dtype=np.int64, count=len(waiting)))
    for i in np.flatnonzero(draws < give_up).tolist():
        model.mentee_gives_up(waiting[i])


def free_mentors(model: MentoringModel) -> list[np.ndarray]:
    """For each agency, the rows of its mentors who could take a mentee now, in the order
    they joined. A match only changes its own mentor, so each agency's list stays right
    while the agencies before it match."""
    live = model.mentors.live()
    free = live[mentors.available(model, live)]
    agency = model.mentors.agency[free]
    by_agency = free[np.argsort(agency, kind="stable")]  # each in the order they joined
    ends = np.cumsum(np.bincount(agency, minlength=len(model.agency_list))).tolist()
    return [by_agency[start:end] for start, end in zip([0, *ends[:-1]], ends, strict=True)]


def match_waiting(model: MentoringModel) -> None:
    """Phase 5: each agency that is matching (running or bridging, with mentees waiting)
    pairs them with its free mentors, agency by agency."""
    matching = [agency for agency in model.agency_list if agency.matching]
    if not matching:
        return
    free = free_mentors(model)
    for agency in matching:
        agency.match(free[agency.index])
