"""The agency: an organisation running a mentoring programme on grant money."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from mesa import Agent

from sim.matching import pair
from sim.params import weekly_rate

if TYPE_CHECKING:
    from sim.agents.mentee import Mentee
    from sim.agents.mentor import Mentor
    from sim.model import MentoringModel
    from sim.relationship import Match

RUNNING, SETUP, CLOSED = "running", "setup", "closed"
WEEKS_PER_MONTH = 52 / 12
KNOW_HOW_WEEKS = 52.0  # time constant for new staff to learn the programme (assumption)


class Agency(Agent):
    """Funds, staff, a training/supervision/support offer, a waiting list and mentors.

    Funding moves through ``running`` (grant paying) -> at the grant's end either renewed
    or ``closed`` (relationships closed, mentors released, staff gone) -> after a gap a new
    grant starts in ``setup`` (hiring, recruiting, training; no referrals) -> ``running``.
    """

    def __init__(self, model: MentoringModel, index: int) -> None:
        super().__init__(model)
        p = model.p
        self.index = index
        self.status = RUNNING
        self.term_weeks = max(1, round(p.funding.grant_term_years * 52))
        # Stagger first grants across agencies so a national programme's grants do not all
        # end in the same week.
        self.grant_end_week = round(self.term_weeks * (index + 1) / p.programme.agencies)
        self.setup_until = 0
        self.next_grant_week = 0
        self.balance_gbp = p.funding.initial_reserves_weeks * p.funding.annual_budget_gbp / 52
        self.coordinators = p.staff.coordinators_fte
        self.supervisors = p.staff.supervisors_fte
        self.waiting: dict[Mentee, None] = {}
        self.mentors: dict[Mentor, None] = {}
        self.matches: dict[Match, None] = {}
        f = p.formats
        self.hours_per_mentee = (f.one_to_one_share * f.one_to_one_hours
                                 + f.group_share * f.group_hours
                                 + f.leisure_share * f.leisure_hours)
        self.bonding = (f.one_to_one_share * f.one_to_one_bonding + f.group_share * f.group_bonding
                        + f.leisure_share * f.leisure_bonding)
        self.cost_per_match_week = (f.one_to_one_share * f.one_to_one_cost_gbp
                                    + f.group_share * f.group_cost_gbp
                                    + f.leisure_share * f.leisure_cost_gbp)
        pa = p.partners
        self.place_rates = {"housing": pa.housing_places_per_year / 52,
                            "substance": pa.substance_places_per_year / 52,
                            "employment": pa.employment_places_per_year / 52}
        self.places = {need: rate * 4 for need, rate in self.place_rates.items()}
        self.experience = 1.0  # staff know-how about this programme, 0-1
        self.chaos = 0.0
        self.support_ratio = 1.0
        self.support_deficit = 0.0
        self.supervision_effect = 0.0
        self.spend_gbp = 0.0
        self.recruit_debt = 0.0

    # --- 1. funding -------------------------------------------------------------------
    @property
    def funded(self) -> bool:
        """A grant is paying (running or setting up)."""
        return self.status != CLOSED

    @property
    def insecure(self) -> bool:
        """In the last weeks of a grant, before anyone knows whether it will be renewed."""
        weeks_left = self.grant_end_week - self.model.week
        return self.status == RUNNING and 0 <= weeks_left < self.model.p.funding.insecurity_weeks

    def update_funding(self) -> None:
        """Grants end, renew or start; a grant that ends unrenewed closes the programme."""
        model = self.model
        week = model.week
        p = model.p.funding
        if self.status != CLOSED and week >= self.grant_end_week:
            if model.streams.uniform("renewal", self.index) < p.renewal_probability:
                self.grant_end_week = week + self.term_weeks
                model.log_event(self, "grant_renewed")
            else:
                model.log_event(self, "grant_ended")
                self._close_programme()
                gap = model.streams.generator("funding_gap", self.index, week).exponential(
                    p.gap_weeks_mean) if p.gap_weeks_mean > 0 else 0.0
                self.next_grant_week = week + max(1, round(gap))
        elif self.status == CLOSED and week >= self.next_grant_week:
            self.status = SETUP
            self.setup_until = week + model.p.funding.setup_weeks
            self.grant_end_week = week + self.term_weeks
            model.log_event(self, "grant_started")
        if self.status == SETUP and week >= self.setup_until:
            self.status = RUNNING

    def _close_programme(self) -> None:
        model = self.model
        self.status = CLOSED
        model.log_event(self, "programme_closed")
        for match in list(self.matches):
            model.close_match(match, "programme_closed", "funding_ended")
        for mentee in list(self.waiting):
            model.mentee_gives_up(mentee)
        for mentor in list(self.mentors):
            model.mentor_leaves(mentor, "programme_closed")
        self.coordinators = 0.0
        self.supervisors = 0.0
        self.experience = 0.0

    # --- 2. staff, support and supervision capacity -----------------------------------
    def update_staff(self) -> None:
        """Staff leave (faster when the grant is ending) and vacancies fill; from that,
        the support contacts and supervision each match and mentor actually get."""
        p = self.model.p
        if self.status == CLOSED:
            self.coordinators = self.supervisors = 0.0
        else:
            leave = weekly_rate(p.staff.attrition_annual) * (
                p.staff.insecurity_attrition_multiplier if self.insecure else 1.0)
            fill = 1.0 / p.staff.hire_weeks
            hired = max(0.0, p.staff.coordinators_fte - self.coordinators) * fill
            self.coordinators += hired - self.coordinators * leave
            # New staff arrive without know-how, which takes about a year to build (McKay
            # et al. 2018: every turnover event costs training and knowledge).
            if self.coordinators > 0:
                self.experience *= 1.0 - hired / self.coordinators
            self.experience += (1.0 - self.experience) / KNOW_HOW_WEEKS
            self.supervisors += (p.staff.supervisors_fte - self.supervisors) * fill \
                - self.supervisors * leave
        shock = self.model.shock_active
        capacity = (self.coordinators * p.support.contacts_per_coordinator_fte_month
                    * (1.0 - p.shock.support_drop * shock))
        demand = len(self.matches) * p.support.contacts_per_month
        delivered = p.support.contacts_per_month * (min(1.0, capacity / demand) if demand else 1.0)
        trained_managers = 0.8 if p.training.staff_manager_training else 1.0
        know_how = 0.5 + 0.5 * self.experience  # inexperienced staff give weaker support
        self.support_ratio = min(1.0, delivered * know_how / p.support.contacts_needed_per_month)
        self.support_deficit = (1.0 - self.support_ratio) * trained_managers
        vacancy = 1.0 - (self.coordinators / p.staff.coordinators_fte
                         if p.staff.coordinators_fte else 1.0)
        # Programme chaos: reorganisation, a looming funding cliff, empty posts and staff
        # who do not yet know the programme (weights are assumptions).
        self.chaos = min(1.0, 0.8 * shock + 0.4 * self.insecure + max(0.0, vacancy)
                         + 0.3 * (1.0 - self.experience))
        sessions = p.supervision.sessions_per_month
        mentors = len(self.mentors)
        sup_capacity = self.supervisors * p.supervision.mentors_per_supervisor_fte
        given = sessions * (min(1.0, sup_capacity / (mentors * sessions))
                            if mentors and sessions else 1.0)
        weight = 1.0 if p.supervision.style == "therapeutic" else p.effects.managerial_weight
        self.supervision_effect = min(1.0, given / 2.0) * weight
        for need, rate in self.place_rates.items():
            self.places[need] = min(rate * 52, self.places[need] + rate)

    # --- 3. referrals ------------------------------------------------------------------
    def refer(self) -> None:
        """New referrals join the waiting list while the programme is running."""
        if self.status != RUNNING:
            return
        p = self.model.p
        rate = p.programme.referrals_per_year / 52 * (
            1.0 - p.shock.referral_drop * self.model.shock_active)
        count = self.model.streams.generator("referrals", self.index, self.model.week).poisson(rate)
        for _ in range(int(count)):
            self.model.refer_mentee(self)

    def drop_waiting(self) -> None:
        """Waiting mentees lose hope and give up (New Routes: engagement decays fast)."""
        give_up = 1.0 / self.model.p.mentees.give_up_weeks_mean
        streams = self.model.streams
        for mentee in list(self.waiting):
            if streams.uniform("give_up", mentee.index) < give_up:
                self.model.mentee_gives_up(mentee)

    # --- 4. recruitment ----------------------------------------------------------------
    def recruit(self) -> None:
        """Recruit towards the target while funded; recruits train before matching."""
        if self.status == CLOSED:
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
    def match(self) -> None:
        """Match waiting mentees to free mentors (see ``sim.matching``)."""
        if self.status != RUNNING or not self.waiting:
            return
        free = [m for m in self.mentors if m.available]
        for mentee, mentor in pair(list(self.waiting), free, self.model.p.matching):
            self.model.start_match(mentor, mentee)

    def take_place(self, need: str) -> bool:
        """Use a partner-service place for ``need`` if one is free."""
        if self.places[need] >= 1.0:
            self.places[need] -= 1.0
            return True
        return False

    # --- 6. accounts -------------------------------------------------------------------
    def account(self) -> None:
        """This week's income and spending; the balance carries reserves across gaps."""
        p = self.model.p
        week = self.model.week
        spend = self.spend_gbp
        spend += (self.coordinators * p.staff.coordinator_salary_gbp
                  + self.supervisors * p.staff.supervisor_salary_gbp) / 52
        on_books = [m for m in self.mentors if week >= m.trained_at_week]
        paid = sum(1 for m in on_books if m.paid)
        spend += paid * p.mentors.paid_hours_per_week * p.mentors.paid_hourly_wage_gbp
        spend += (len(on_books) - paid) * p.mentors.expenses_per_week_gbp
        spend += len(on_books) * (p.training.ongoing_hours_per_month * p.training.cost_per_hour_gbp
                                  + p.supervision.sessions_per_month
                                  * p.supervision.cost_per_session_gbp) / WEEKS_PER_MONTH
        spend += len(self.matches) * self.cost_per_match_week
        income = p.funding.annual_budget_gbp / 52 if self.funded else 0.0
        self.balance_gbp += income - spend
        self.model.spend_this_week += spend
        self.spend_gbp = 0.0
