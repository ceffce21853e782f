"""Warnings, in words, when a scenario offers more than its staff or money can deliver.

The model delivers (and charges) only what staff capacity allows, and the budget cuts what
the money cannot pay for; these checks say so before a run, at the programme's target size
with full caseloads, so a planner is not surprised by the delivered amounts in the results.
``mentorsim validate`` and ``mentorsim run`` print them; they never stop a run.
"""

from __future__ import annotations

from sim.commissioner import weekly_payment
from sim.formats import format_mix
from sim.params import ScenarioParams


def planned_annual_spend(p: ScenarioParams) -> float:
    """Yearly spending of one agency at its target size with full caseloads and the whole
    offer delivered (GBP/year)."""
    mentors = p.programme.target_mentors
    paid = mentors * p.mentors.peer_share * p.mentors.paid_peer_share
    matches = (paid * p.matching.caseload_cap_paid
               + (mentors - paid) * p.matching.caseload_cap_volunteer)
    staff = (p.staff.coordinators_fte * p.staff.coordinator_salary_gbp
             + p.staff.supervisors_fte * p.staff.supervisor_salary_gbp)
    people = 52 * (paid * p.mentors.paid_hours_per_week * p.mentors.paid_hourly_wage_gbp
                   + (mentors - paid) * p.mentors.expenses_per_week_gbp)
    training = 12 * mentors * p.training.ongoing_hours_per_month * p.training.cost_per_hour_gbp
    supervision = 12 * mentors * p.supervision.sessions_per_month \
        * p.supervision.cost_per_session_gbp
    support = 12 * matches * p.support.contacts_per_month * p.support.cost_per_contact_gbp
    activities = 52 * matches * format_mix(p.formats, False)[2]
    # Families are engaged where they interfere: the share of mentees whose family does.
    family = (12 * matches * p.mentees.family_interference_prevalence
              * p.support.family_contacts_per_month * p.support.family_contact_cost_gbp
              if p.support.family_engagement else 0.0)
    return staff + people + training + supervision + support + activities + family


def grant_annual_payment(p: ScenarioParams) -> float:
    """What a grant pays a year while it runs (GBP/year): the budget, or with the pot
    spread over the horizon, the higher rate that pays for the weeks of expected gaps."""
    f = p.funding
    if f.gap_money == "withheld":
        return f.annual_budget_gbp
    term = max(1, round(f.grant_term_years * 52))
    weeks = p.run.weeks
    return 52 * weekly_payment(f.annual_budget_gbp / 52 * weeks, weeks, term,
                               f.renewal_probability, f.gap_weeks_mean)


def capacity_warnings(p: ScenarioParams) -> list[str]:
    """What the scenario offers but its staff cannot deliver, or its money cannot pay for.

    Example:
        >>> from sim.params import ScenarioParams
        >>> capacity_warnings(ScenarioParams())
        []
    """
    out = []
    mentors = p.programme.target_mentors
    s = p.supervision
    needed = mentors * s.sessions_per_month
    can = p.staff.supervisors_fte * s.sessions_per_supervisor_fte_month
    if needed > can + 1e-9:
        out.append(
            f"supervision: {s.sessions_per_month:g} session(s) a month for {mentors} mentors "
            f"needs {needed:g} sessions a month, but staff.supervisors_fte = "
            f"{p.staff.supervisors_fte:g} can deliver at most {can:g} "
            f"({s.sessions_per_supervisor_fte_month:g} per FTE): about {100 * can / needed:.0f}% "
            "of the offer will be delivered, and only that is charged")
    paid = mentors * p.mentors.peer_share * p.mentors.paid_peer_share
    matches = (paid * p.matching.caseload_cap_paid
               + (mentors - paid) * p.matching.caseload_cap_volunteer)
    contacts = matches * p.support.contacts_per_month
    can = p.staff.coordinators_fte * p.support.contacts_per_coordinator_fte_month
    if contacts > can + 1e-9:
        out.append(
            f"support: {p.support.contacts_per_month:g} contact(s) a month for up to "
            f"{matches:.0f} relationships (full caseloads) needs {contacts:.0f} contacts a "
            f"month, but staff.coordinators_fte = {p.staff.coordinators_fte:g} can deliver at "
            f"most {can:.0f} ({p.support.contacts_per_coordinator_fte_month:g} per FTE): about "
            f"{100 * can / contacts:.0f}% when caseloads are full")
    spend = planned_annual_spend(p)
    budget = grant_annual_payment(p)
    if spend > budget * (1 + 1e-9):
        steps = ", ".join(step for step in p.funding.cut_order
                          if not (step == "extra_role" and p.funding.protect_mentor_role))
        out.append(
            f"money: with all {mentors} mentors' caseloads full the offer costs up to "
            f"GBP {spend:,.0f} a year, more than the GBP {budget:,.0f} a year a grant pays "
            f"(funding.annual_budget_gbp = {p.funding.annual_budget_gbp:,.0f}); if reserves "
            f"run low the budget will cut, in this order: {steps}")
    return out
