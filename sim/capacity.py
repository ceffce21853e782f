"""Warnings, in words, when a scenario offers more than its staff or money can deliver.

The model delivers (and charges) only what staff capacity allows, and the budget cuts what
the money cannot pay for; these checks say so before a run, at the programme's target size
with full caseloads, so a planner is not surprised by the delivered amounts in the results.
``mentorsim validate`` and ``mentorsim run`` print them; they never stop a run.
"""

from __future__ import annotations

from sim import labels
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


def staff_warnings(p: ScenarioParams) -> list[str]:
    """What the scenario offers but its staff cannot deliver (certain: the model delivers
    only what staff capacity allows). Parameters are named by their labels, with the key
    a scenario file writes in brackets.

    Example:
        >>> from sim.params import ScenarioParams
        >>> staff_warnings(ScenarioParams())
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
            f"needs {needed:g} sessions a month, but {p.staff.supervisors_fte:g} "
            f"{labels.label('staff.supervisors_fte').lower()} (staff.supervisors_fte) can "
            f"deliver at most {can:g} ({s.sessions_per_supervisor_fte_month:g} a month per "
            f"full-time post): about {100 * can / needed:.0f}% of the offer will be "
            "delivered, and only that is charged")
    paid = mentors * p.mentors.peer_share * p.mentors.paid_peer_share
    matches = (paid * p.matching.caseload_cap_paid
               + (mentors - paid) * p.matching.caseload_cap_volunteer)
    contacts = matches * p.support.contacts_per_month
    can = p.staff.coordinators_fte * p.support.contacts_per_coordinator_fte_month
    if contacts > can + 1e-9:
        out.append(
            f"support: {p.support.contacts_per_month:g} contact(s) a month for up to "
            f"{matches:.0f} relationships (full caseloads) needs {contacts:.0f} contacts a "
            f"month, but {p.staff.coordinators_fte:g} "
            f"{labels.label('staff.coordinators_fte').lower()} (staff.coordinators_fte) can "
            f"deliver at most {can:.0f} ({p.support.contacts_per_coordinator_fte_month:g} a "
            f"month per full-time post): about {100 * can / contacts:.0f}% when caseloads "
            "are full")
    return out


def cut_steps(p: ScenarioParams) -> str:
    """The budget's cuts in the order it makes them, in words."""
    return ", ".join(labels.CHOICE_WORDS.get(step, step) for step in p.funding.cut_order
                     if not (step == "extra_role" and p.funding.protect_mentor_role))


def money_warning(p: ScenarioParams) -> str | None:
    """What the offer would cost a year with every caseload full, when that is more than
    a grant pays (a projection: whether the budget does cut depends on how full the
    caseloads get, which only a run tells)."""
    spend = planned_annual_spend(p)
    budget = grant_annual_payment(p)
    if spend <= budget * (1 + 1e-9):
        return None
    return (f"money: with all {p.programme.target_mentors} mentors' caseloads full the offer "
            f"costs up to {labels.money(spend)} a year, more than the {labels.money(budget)} "
            f"a year a grant pays ({labels.label('funding.annual_budget_gbp').lower()} "
            f"{labels.money(p.funding.annual_budget_gbp)}, funding.annual_budget_gbp); if "
            f"reserves run low the budget will cut, in this order: {cut_steps(p)}")


def capacity_warnings(p: ScenarioParams) -> list[str]:
    """What the scenario offers but its staff cannot deliver, or its money cannot pay for
    at full caseloads (:func:`staff_warnings`, then :func:`money_warning`).

    Example:
        >>> from sim.params import ScenarioParams
        >>> capacity_warnings(ScenarioParams())
        []
    """
    money = money_warning(p)
    return staff_warnings(p) + ([money] if money else [])
