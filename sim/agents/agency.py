"""The agency: an organisation running a mentoring programme on grant money."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np
from mesa import Agent

from sim.agents import mentor as mentors
from sim.budget import Budget
from sim.commissioner import weekly_payment
from sim.formats import format_mix
from sim.matching import pair
from sim.params import weekly_rate

if TYPE_CHECKING:
    from sim.agents.mentee import Mentee
    from sim.agents.mentor import Mentor
    from sim.model import MentoringModel
    from sim.relationship import Match

RUNNING, SETUP, CLOSED, BRIDGING = "running", "setup", "closed", "bridging"
WEEKS_PER_MONTH = 52 / 12


class Agency(Agent):
    """Funds, staff, a training/supervision/support offer, a waiting list and mentors.

    Funding moves through ``running`` (grant paying) -> at the grant's end either renewed
    or, unrenewed, ``closed`` (relationships closed, mentors released, staff gone) or, with
    a skeleton reserves policy, ``bridging`` (running on reserves, no new referrals) -> after
    a gap a new grant starts in ``setup`` (hiring, recruiting, training; no referrals) when
    the programme had closed, or straight back to ``running`` from a bridge. A budget that
    runs short makes cuts (see ``sim.budget``), the last of which is closure.

    Random draws for funding are keyed by grant and gap number, not by week, so the k-th
    renewal decision is the same number in every scenario (common random numbers).
    """

    def __init__(self, model: MentoringModel, index: int, start_new: bool) -> None:
        super().__init__(model)
        p = model.p
        self.index = index
        self.term_weeks = max(1, round(p.funding.grant_term_years * 52))
        # The last week the current grant pays for (until the clock starts: see start_clock).
        self.grant_end_week = self.term_weeks
        self.grant_number = 0
        self.gap_number = 0
        self.setup_until = 0
        self.next_grant_week = 0
        self.balance_gbp = p.funding.initial_reserves_weeks * p.funding.annual_budget_gbp / 52
        self.income_rate_gbp = p.funding.annual_budget_gbp / 52
        self.received_gbp = 0.0
        self.budget = Budget(self)
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
        self.apply_cuts()
        if start_new:
            # A new programme: the grant starts now, with no staff in post, no mentors and
            # no know-how; set-up comes first.
            self.status = SETUP
            self.coordinators = self.supervisors = 0.0
            self.experience = 0.0
        else:
            self.status = RUNNING
            self.coordinators = p.staff.coordinators_fte
            self.supervisors = p.staff.supervisors_fte
            self.experience = 1.0  # staff know-how about this programme, 0-1

    # --- 1. funding -------------------------------------------------------------------
    @property
    def funded(self) -> bool:
        """A grant is paying (running or setting up)."""
        return self.status in (RUNNING, SETUP)

    @property
    def open_for_referrals(self) -> bool:
        """Taking new referrals (not in set-up, closed or on a skeleton service)."""
        return self.status == RUNNING

    @property
    def insecure(self) -> bool:
        """In the last weeks of a grant before anyone knows whether it will be renewed, or
        running on reserves between grants."""
        if self.status == BRIDGING:
            return True
        weeks_left = self.grant_end_week - self.model.week
        return self.status == RUNNING and 0 <= weeks_left < self.model.p.funding.insecurity_weeks

    @property
    def short_of_mentors(self) -> bool:
        """Below the target number of mentors (so recruiting)."""
        return len(self.mentors) < self.model.p.programme.target_mentors

    def start_clock(self) -> None:
        """Week 1 of the measured run: the first grant starts now. Grants are staggered
        across agencies so a national programme's grants do not all end in one week."""
        p = self.model.p
        self.grant_number = 1
        self.grant_end_week = round(self.term_weeks * (self.index + 1) / p.programme.agencies)
        if self.status == SETUP:
            self.setup_until = p.funding.setup_weeks
            self.grant_end_week = self.term_weeks
        self.balance_gbp = p.funding.initial_reserves_weeks * p.funding.annual_budget_gbp / 52
        self.received_gbp = 0.0
        self._set_income()
        self.model.log_event(self, "grant_started", amount_gbp=52 * self.income_rate_gbp)
        self.budget.log_in_force()

    def _set_income(self) -> None:
        """The grant's weekly payment (see ``sim.commissioner``): the base rate, or, with
        the pot spread over the horizon, the same rate for every grant so that the expected
        total is the pot."""
        p = self.model.p
        f = p.funding
        base = f.annual_budget_gbp / 52
        if f.gap_money == "withheld":
            self.income_rate_gbp = base
            return
        first = self.grant_end_week if self.status != SETUP else self.term_weeks
        self.income_rate_gbp = weekly_payment(base * p.run.weeks, p.run.weeks, self.term_weeks,
                                              f.renewal_probability, f.gap_weeks_mean, first)

    def update_funding(self) -> None:
        """Grants end, renew or start; budget reviews make cuts or restore them."""
        model = self.model
        week = model.week
        f = model.p.funding
        if week < 1:  # burn-in: the funding clock has not started
            self._review(week)
            return
        if self.status in (RUNNING, SETUP) and week > self.grant_end_week:
            renew = model.streams.generator("renewal", self.index, self.grant_number).random()
            if renew < f.renewal_probability:
                self.grant_number += 1
                self.grant_end_week = week + self.term_weeks - 1
                model.log_event(self, "grant_renewed", amount_gbp=52 * self.income_rate_gbp)
            else:
                model.log_event(self, "grant_ended")
                self.gap_number += 1
                gap = model.streams.generator("funding_gap", self.index, self.gap_number
                                              ).exponential(f.gap_weeks_mean) \
                    if f.gap_weeks_mean > 0 else 0.0
                self.next_grant_week = week + max(1, round(gap))
                if f.gap_policy == "skeleton" and self.status == RUNNING:
                    self.status = BRIDGING
                    model.log_event(self, "bridging_started")
                    self.budget.enter_gap()
                else:
                    self.close_programme("funding_ended")
        elif self.status in (CLOSED, BRIDGING) and week >= self.next_grant_week:
            self.grant_number += 1
            self.grant_end_week = week + self.term_weeks - 1
            if self.status == CLOSED:
                self.status = SETUP
                self.setup_until = week + f.setup_weeks
            else:
                self.status = RUNNING  # the skeleton service kept staff and mentors
            model.log_event(self, "grant_started", amount_gbp=52 * self.income_rate_gbp)
        if self.status == SETUP and week >= self.setup_until:
            self.status = RUNNING
        self._review(week)

    def _review(self, week: int) -> None:
        # Reviews fall on the same weeks in every scenario.
        if week % self.model.p.funding.review_weeks:
            return
        if self.status == BRIDGING:
            self.budget.review_gap()
        elif self.funded:
            self.budget.review()

    def close_programme(self, reason: str) -> None:
        """Close: relationships end, waiting mentees are released, mentors leave, staff go.

        Args:
            reason: ``funding_ended`` (a grant ended unrenewed) or ``budget`` (the money ran
                out, the last step of the cut order).
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
        self.apply_cuts()
        if reason == "budget" and was_funded:
            # The grant is handed back; the commissioner re-tenders after a gap.
            self.gap_number += 1
            f = model.p.funding
            gap = model.streams.generator("funding_gap", self.index, self.gap_number
                                          ).exponential(f.gap_weeks_mean) \
                if f.gap_weeks_mean > 0 else 0.0
            self.next_grant_week = model.week + max(1, round(gap))

    def apply_cuts(self) -> None:
        """Set the offer (formats, training, support, supervision, extra-role hours) from
        the cuts in force."""
        p = self.model.p
        cut = self.budget.cut
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
        self.coordinator_posts = p.staff.coordinators_fte * (
            1.0 - p.funding.cut_staff_share if cut("extra_role") else 1.0)
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
            sup_hired = max(0.0, p.staff.supervisors_fte - self.supervisors) * fill
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
        vacancy = 1.0 - (self.coordinators / p.staff.coordinators_fte
                         if p.staff.coordinators_fte else 1.0)
        # Programme chaos: reorganisation, a looming funding cliff, empty posts and staff
        # who do not yet know the programme.
        self.chaos = min(1.0, g.chaos_reorganisation * shock + g.chaos_insecurity * insecure
                         + max(0.0, vacancy) + g.chaos_inexperience * (1.0 - self.experience))
        # Supervision: offered to every trained mentor, delivered up to supervisor capacity.
        trained_mentors = int(self.model.trained_mentors[self.index])
        sup_capacity = self.supervisors * p.supervision.sessions_per_supervisor_fte_month \
            / WEEKS_PER_MONTH
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
    def refer(self) -> None:
        """This week's referrals. They arrive whatever the programme's state, so the k-th
        referral is the same person in every scenario; one that arrives while the
        programme cannot take it is recorded as lost, and a reorganisation diverts some
        before they are made."""
        model = self.model
        p = model.p
        rate = p.programme.referrals_per_year / 52
        count = model.streams.poisson("referrals", self.index, rate)
        for _ in range(count):
            model.refer_mentee(self)

    # --- 4. recruitment ----------------------------------------------------------------
    def recruit(self) -> None:
        """Recruit towards the target while funded and recruitment is not frozen; recruits
        train before matching."""
        if not self.funded or not self.recruiting:
            return
        p = self.model.p
        short = p.programme.target_mentors - len(self.mentors)
        if short <= 0:
            self.recruit_debt = 0.0
            return
        # Deterministic accrual keeps recruitment identical across scenarios that share it.
        self.recruit_debt += p.programme.recruits_per_month / WEEKS_PER_MONTH
        count = min(short, int(self.recruit_debt))
        self.recruit_debt -= count
        training_weeks = math.ceil(p.training.pre_match_hours / p.training.hours_per_week)
        for _ in range(count):
            self.model.recruit_mentor(self, self.model.week + training_weeks)
            self.spend_gbp += p.training.pre_match_hours * p.training.cost_per_hour_gbp

    # --- 5. matching -------------------------------------------------------------------
    @property
    def matching(self) -> bool:
        """Running or bridging, with mentees waiting: this week it pairs them."""
        return bool(self.waiting) and self.status in (RUNNING, BRIDGING)

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
                      + self.supervisors * p.staff.supervisor_salary_gbp) / 52,
            "mentors": paid * p.mentors.paid_hours_per_week * p.mentors.paid_hourly_wage_gbp
            + (on_books - paid) * p.mentors.expenses_per_week_gbp,
            "pre_match_training": self.spend_gbp,
            "ongoing_training": on_books * self.ongoing_hours
            * p.training.cost_per_hour_gbp / WEEKS_PER_MONTH,
            "supervision": self.sessions_delivered * p.supervision.cost_per_session_gbp,
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
        self.budget.observe(spend)
        self.budget.check_floor()
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
