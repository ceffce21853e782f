"""Warnings, in words, when a scenario offers more than its staff or money can deliver.

The model delivers (and charges) only what staff capacity allows, and the budget cuts what
the money cannot pay for; these checks say so before a run, at the programme's target size
with full caseloads, so a planner is not surprised by the delivered amounts in the results.
``mentorsim validate`` and ``mentorsim run`` print them; they never stop a run.
"""

from __future__ import annotations

from sim import labels
from sim.budget import Policy, planned_scale, starting_reserves
from sim.commissioner import grant_weekly_rate, term_weeks
from sim.formats import format_mix
from sim.params import ScenarioParams

# Tolerance when comparing an offer with what staff or money can deliver (rounding only).
_TOLERANCE = 1e-9  # literal-ok: floating-point tolerance, not behaviour
# When a check speaks up (warnings only: none changes what the model does).
MATERIAL_SHORTFALL = 0.1  # literal-ok: a plan more than 10% below the design is news
MENTORS_PER_OPEN_RELATIONSHIP = 2.0  # literal-ok: beyond this most mentors sit idle
# The published range of a year of mentoring per mentee (evidence: UK GBP 1,000-3,000, from
# US $1.2k-3.3k per treated youth, Alfonso et al. c.2019, and WSIPP's $1,765 per
# youth-year); "far outside" is beyond twice it either way.
MENTEE_YEAR_COST_GBP = (1_000.0, 3_000.0)  # literal-ok: the calibration target's range
FAR_OUTSIDE = 2.0  # literal-ok: a factor of two either way


def supervision_capacity_per_fte(p: ScenarioParams) -> float:
    """Supervision sessions one supervisor FTE can deliver a month, in the scenario's style
    (therapeutic sessions are longer)."""
    s = p.supervision
    return (s.therapeutic_sessions_per_supervisor_fte_month if s.style == "therapeutic"
            else s.sessions_per_supervisor_fte_month)


def supervisor_cost(p: ScenarioParams) -> float:
    """Yearly cost of a supervisor FTE: the salary, plus the premium of a qualified
    therapeutic supervisor when the style is therapeutic."""
    premium = (p.supervision.therapeutic_salary_premium_gbp
               if p.supervision.style == "therapeutic" else 0.0)
    return p.staff.supervisor_salary_gbp + premium


def supervisor_training_cost(p: ScenarioParams) -> float:
    """Yearly training and supervision of a supervisor FTE (therapeutic style only)."""
    return (p.supervision.therapeutic_training_gbp_per_fte_year
            if p.supervision.style == "therapeutic" else 0.0)


def full_caseloads(p: ScenarioParams) -> tuple[float, float]:
    """Paid mentors, and relationships held, when an agency has its target mentors and
    every caseload is full."""
    mentors = p.programme.target_mentors
    paid = mentors * p.mentors.peer_share * p.mentors.paid_peer_share
    return paid, (paid * p.matching.caseload_cap_paid
                  + (mentors - paid) * p.matching.caseload_cap_volunteer)


def planned_spend_parts(p: ScenarioParams) -> dict[str, float]:
    """Yearly spending of one agency at its target size with full caseloads and the whole
    offer delivered, by what it buys (GBP/year): staff posts, mentors' pay and expenses,
    training, supervision sessions, support contacts, activities and family contacts."""
    mentors = p.programme.target_mentors
    paid, matches = full_caseloads(p)
    staff = (p.staff.coordinators_fte * p.staff.coordinator_salary_gbp
             + p.staff.supervisors_fte * (supervisor_cost(p) + supervisor_training_cost(p)))
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
    return {"staff": staff, "mentors": people, "training": training,
            "supervision": supervision, "support": support, "activities": activities,
            "family": family}


def planned_annual_spend(p: ScenarioParams) -> float:
    """Yearly spending of one agency at its target size with full caseloads and the whole
    offer delivered (GBP/year): the sum of :func:`planned_spend_parts`."""
    parts = planned_spend_parts(p)
    return (parts["staff"] + parts["mentors"] + parts["training"] + parts["supervision"]
            + parts["support"] + parts["activities"] + parts["family"])


def grant_annual_payment(p: ScenarioParams) -> float:
    """What a grant pays a year while it runs (GBP/year) under the payment rule: the
    budget, or with the same pot, the higher rate that pays for the weeks of expected
    gaps."""
    f = p.funding
    return 52 * grant_weekly_rate(f.annual_budget_gbp, f.payment_rule, p.run.weeks,
                                  term_weeks(f.grant_term_years), f.renewal_probability,
                                  f.gap_weeks_mean)


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
    per_fte = supervision_capacity_per_fte(p)
    can = p.staff.supervisors_fte * per_fte
    if needed > can + _TOLERANCE:
        out.append(
            f"supervision: {s.sessions_per_month:g} session(s) a month for {mentors} mentors "
            f"needs {needed:g} sessions a month, but {p.staff.supervisors_fte:g} "
            f"{labels.label('staff.supervisors_fte').lower()} (staff.supervisors_fte) can "
            f"deliver at most {can:g} ({per_fte:g} a month per full-time post in {s.style} "
            f"style): about {100 * can / needed:.0f}% of the offer will be delivered, and "
            "only that is charged")
    _, matches = full_caseloads(p)
    contacts = matches * p.support.contacts_per_month
    can = p.staff.coordinators_fte * p.support.contacts_per_coordinator_fte_month
    if contacts > can + _TOLERANCE:
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
    """What the offer would cost a year with every caseload full, when a grant's payments
    and starting reserves cannot sustain it under the reserves policy (the plan will then
    be materially smaller than the design). A projection: whether the budget cuts further
    depends on how full the caseloads get, which only a run tells."""
    spend = planned_annual_spend(p)
    budget = grant_annual_payment(p)
    mentors = p.programme.target_mentors
    scale = planned_scale(budget / 52, starting_reserves(p), term_weeks(p.funding.grant_term_years),
                          spend / 52, 1.0, Policy.of(p))
    if scale >= 1.0 - MATERIAL_SHORTFALL:
        return None
    return (f"money: with all {mentors} mentors' caseloads full the design costs up to "
            f"{labels.money(spend)} a year, more than the {labels.money(budget)} a year a "
            f"grant pays ({labels.label('funding.annual_budget_gbp').lower()} "
            f"{labels.money(p.funding.annual_budget_gbp)}, funding.annual_budget_gbp) can "
            "sustain with its starting reserves while keeping the reserves policy's "
            f"{p.funding.reserves_target_months:g} months: each grant will be planned at "
            f"about {100 * scale:.0f}% of the design (about {round(mentors * scale)} mentors "
            "and posts to match), and if money still runs short the budget cuts, in this "
            f"order: {cut_steps(p)}")


def expected_open_relationships(p: ScenarioParams) -> float:
    """Relationships an agency's referrals keep open at a time if every referral is matched
    and stays its planned length: ``referrals a year x planned weeks / 52`` (Little's
    law). An upper bound on demand for mentors' places."""
    return p.programme.referrals_per_year * p.programme.planned_match_weeks / 52


def demand_warnings(p: ScenarioParams) -> list[str]:
    """Where the design is far out of line with its demand: many more mentors than
    relationships to hold, or a cost per mentee-year far outside the published range.

    Example:
        >>> from sim.params import ScenarioParams
        >>> demand_warnings(ScenarioParams())
        []
    """
    out = []
    mentors = p.programme.target_mentors
    open_ = expected_open_relationships(p)
    if open_ > 0 and mentors / open_ > MENTORS_PER_OPEN_RELATIONSHIP:
        out.append(
            f"capacity: {mentors} mentors an agency for about {open_:.0f} relationships "
            f"open at a time ({p.programme.referrals_per_year:g} referrals a year, each "
            f"holding a place for about {p.programme.planned_match_weeks} weeks): "
            f"{mentors / open_:.1f} mentors per open relationship, far beyond demand (more "
            f"than {MENTORS_PER_OPEN_RELATIONSHIP:g}); most mentors would have nobody to "
            "mentor")
    if open_ > 0:
        per_mentee_year = planned_annual_spend(p) / open_
        low, high = MENTEE_YEAR_COST_GBP
        if not low / FAR_OUTSIDE <= per_mentee_year <= high * FAR_OUTSIDE:
            out.append(
                f"cost: the design costs about {labels.money(per_mentee_year)} per "
                f"mentee-year at that demand, far outside the {labels.money(low)}-"
                f"{labels.money(high)} published for mentoring (Alfonso et al. c.2019; "
                "WSIPP): check the budget against the referrals and mentors")
    return out


def capacity_warnings(p: ScenarioParams) -> list[str]:
    """What the scenario offers but its staff cannot deliver or its money cannot sustain,
    and where it is far out of line with its demand (:func:`staff_warnings`,
    :func:`money_warning`, :func:`demand_warnings`).

    Example:
        >>> from sim.params import ScenarioParams
        >>> capacity_warnings(ScenarioParams())
        []
    """
    money = money_warning(p)
    return staff_warnings(p) + ([money] if money else []) + demand_warnings(p)
