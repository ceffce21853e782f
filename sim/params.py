"""Validated, frozen model parameters: levers, uncertainties and run settings.

Each field carries its unit, its source (author, year) or "assumption", whether it is a
programme **lever** or an **uncertainty**, and a plausible range that sweeps may use.
Defaults describe a typical UK voluntary-sector peer-mentoring programme for adults on
probation, on short grants. Sections map one-to-one to the tables of a scenario file.

Unknown keys, wrong types and out-of-range values are rejected when a scenario is built
(see ``sim.scenario``). Types are strict, as TOML is typed: a string where a number
belongs (``"120000"``), a boolean for a number or a number for a yes/no is an error; a
whole number where a decimal belongs (``120000`` for a float) is fine. Variants are made
with :meth:`ScenarioParams.with_changes` (validated as a whole), never in place;
``model_copy(update=...)`` validates too.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, Literal, Self

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    model_validator,
)

from sim.errors import ScenarioError

Kind = Literal["lever", "uncertainty", "setting"]
# Steps of a budget cut, in the vocabulary of `funding.cut_order` (see sim/budget.py).
CutStep = Literal["leisure", "ongoing_training", "support_contacts", "supervision_sessions",
                  "vacancies", "recruitment", "extra_role", "closure"]
# Source prefix of values fitted to published figures by `mentorsim calibrate`.
CALIBRATED = "calibrated (see docs/calibration.md)"


def P(  # noqa: N802 - reads as a declaration, like dataclasses.field
    default: Any,
    *,
    unit: str,
    source: str,
    meaning: str,
    kind: Kind = "uncertainty",
    ge: float | None = None,
    le: float | None = None,
    gt: float | None = None,
    lt: float | None = None,
    plausible: tuple[float, float] | None = None,
    no_effect: float | None = None,
    excludes_no_effect: str = "",
    label: str | None = None,
) -> Any:
    """Declare one parameter with its unit, source, meaning and allowed range, and the
    label a person reads for it (default: its name in words; see :mod:`sim.labels`).

    An effect (a mechanism's strength) also declares ``no_effect``, the value at which the
    mechanism does nothing (0 for a weight or a share, 1 for a multiplier). Its plausible
    range includes that value unless a cited source excludes it, said in
    ``excludes_no_effect`` (``tests/test_effect_ranges.py`` checks every declaration).
    """
    extra: dict[str, Any] = {"unit": unit, "source": source, "kind": kind}
    if plausible is not None:
        extra["plausible"] = list(plausible)
    if no_effect is not None:
        extra["no_effect"] = no_effect
    if excludes_no_effect:
        extra["excludes_no_effect"] = excludes_no_effect
    if label is not None:
        extra["label"] = label
    return Field(default, ge=ge, le=le, gt=gt, lt=lt, description=meaning,
                 json_schema_extra=extra)


def _listed(value: Any) -> Any:
    """A TOML array (a list) for a tuple parameter; strict validation wants a tuple."""
    return tuple(value) if isinstance(value, list) else value


class Section(BaseModel):
    """Base of every parameter table: frozen, strictly typed (no string-to-number or
    number-to-yes/no coercion; whole numbers are accepted for decimals), finite numbers
    only, and unknown keys are errors."""

    model_config = ConfigDict(extra="forbid", frozen=True, validate_default=True, strict=True,
                              allow_inf_nan=False)

    def model_copy(self, *, update: Mapping[str, Any] | None = None,
                   deep: bool = False) -> Self:
        """A copy; with ``update``, validated as if built anew (never an unchecked value).

        Prefer :meth:`ScenarioParams.with_changes`, whose errors name the key and value.
        """
        if not update:
            return super().model_copy(deep=deep)
        return type(self).model_validate({**dict(self), **update})


_EXPECTED = {"float_type": "a valid number", "int_type": "a valid integer (a whole number)",
             "bool_type": "a valid boolean (true or false)",
             "string_type": "text (in quotes)", "tuple_type": "a list"}


def given_as(value: Any) -> str:
    """What kind of TOML value ``value`` is, for messages ("text", "a whole number" ...)."""
    if isinstance(value, bool):
        return f"{'true' if value else 'false'} (a yes/no)"
    if isinstance(value, int):
        return "a whole number"
    if isinstance(value, float):
        return "a decimal number"
    if isinstance(value, str):
        return "text (in quotes)"
    if isinstance(value, list | tuple):
        return "a list"
    if isinstance(value, dict):
        return "a table"
    return type(value).__name__


def _fix(kind: str, value: Any) -> str:
    """How to write ``value`` as the type ``kind`` wants, when that is obvious."""
    if isinstance(value, str) and kind in ("float_type", "int_type"):
        try:
            number = float(value.strip())
        except ValueError:
            return ""
        if kind == "float_type" or number.is_integer():
            return f"; write it without quotes: {value.strip()}"
    if kind == "bool_type" and isinstance(value, int | str) and not isinstance(value, bool):
        truth = {"1": "true", "0": "false", "true": "true", "false": "false"}.get(
            str(value).strip().lower())
        return f"; write {truth} (no quotes)" if truth else ""
    if kind == "int_type" and isinstance(value, float) and value.is_integer():
        return f"; write {int(value)}"
    return ""


def error_text(err: Mapping[str, Any]) -> str:
    """The message of one pydantic error; a type error says what was expected and given.

    Example:
        >>> error_text({"type": "float_type", "input": "120000",
        ...             "msg": "Input should be a valid number"})
        'should be a valid number, got text (in quotes); write it without quotes: 120000'
    """
    kind = str(err.get("type", ""))
    if kind in _EXPECTED:
        value = err.get("input")
        return f"should be {_EXPECTED[kind]}, got {given_as(value)}{_fix(kind, value)}"
    if kind == "finite_number":
        return "should be a finite number, not nan or inf"
    return str(err.get("msg", "")).removeprefix("Value error, ")


WEEKS_PER_MONTH = 52 / 12  # a unit conversion: 52 weeks in 12 months


def weekly_rate(annual_probability: float) -> float:
    """Convert a probability per year into a constant weekly probability."""
    return 1.0 - (1.0 - annual_probability) ** (1.0 / 52.0)


class Programme(Section):
    """Size and shape of the programme being simulated."""

    agencies: int = P(1, unit="agencies", ge=1, le=200, kind="setting",
                      label="Agencies",
                      source="assumption", meaning="Agencies running the programme")
    setting: Literal["adult_probation", "prison_leavers", "youth_justice"] = P(
        "adult_probation", unit="category", kind="setting", source="assumption",
        label="Who the mentees are",
        meaning="Who the mentees are; sets baseline reoffending and family influence")
    planned_match_weeks: int = P(
        26, unit="weeks", ge=4, le=260, kind="lever", plausible=(13, 52),
        label="Commitment length",
        source="Ipsos MORI/McIvor (2015) RRCF evaluation: 'up to five or six months' (adults; "
               "youth programmes ask for 12 months: scenarios/youth_justice.toml)",
        meaning="Commitment length: the median planned length of a relationship (each match's "
                "own planned length varies around it); reaching it is reaching commitment")
    # How much planned lengths vary between matches, by programme.setting (log-sd of a
    # log-normal around the commitment length).
    planned_length_spread_adult_probation: float = P(
        0.3, unit="log-sd", ge=0, le=1.5, plausible=(0.1, 0.5),
        source="assumption (Ipsos MORI/McIvor 2015: 'generally up to five or six months', "
               "bounded by the order or licence)",
        meaning="Spread of planned lengths between matches in the adult_probation setting")
    planned_length_spread_prison_leavers: float = P(
        0.4, unit="log-sd", ge=0, le=1.5, plausible=(0.2, 0.6),
        source="assumption (Fraser of Allander 2023 New Routes: throughcare from before "
               "release, length set by licence and need)",
        meaning="Spread of planned lengths between matches in the prison_leavers setting")
    planned_length_spread_youth_justice: float = P(
        0.15, unit="log-sd", ge=0, le=1.5, plausible=(0.05, 0.3),
        source="assumption (DeWit et al. 2016; Keller & Spencer 2017: a fixed 12-month "
               "commitment is the norm)",
        meaning="Spread of planned lengths between matches in the youth_justice setting")
    extension_weeks: int = P(
        13, unit="weeks", ge=1, le=260, kind="lever", plausible=(8, 26), source="assumption",
        label="Extension length",
        meaning="Mean length of a formal extension agreed at the commitment point (each "
                "varies: relationships.extension_length_spread)")
    referrals_per_year: float = P(
        126.0, unit="mentees/agency/year", ge=0, le=5000, plausible=(80, 240),
        label="Referrals",
        source=f"{CALIBRATED} to cost per mentee-year GBP 1,000-3,000 and early exits "
               "(New Routes: ~3,000 referrals over several partners, Fraser of Allander 2023)",
        meaning="Mentees referred to each agency per year")
    target_mentors: int = P(
        26, unit="mentors/agency", ge=1, le=2000, kind="lever", plausible=(10, 100),
        label="Mentors",
        source="JH Consulting (2017): 2-53 peer advisers per prison",
        meaning="Mentors each agency aims to have on its books")
    recruits_per_month: float = P(
        4.0, unit="recruits/agency/month", ge=0, le=500, plausible=(1, 10),
        source="assumption", meaning="Volunteer supply: new mentors an agency can recruit "
                                     "a month while below target")
    start: Literal["established", "new"] = P(
        "established", unit="category", kind="setting", source="assumption",
        meaning="How the run starts: 'established' runs a burn-in (discarded) so week 1 is a "
                "steady state with the funding clock starting then; 'new' starts in set-up "
                "with no mentors, no staff in post and no programme know-how")
    burn_in_weeks: int = P(
        104, unit="weeks", ge=0, le=1040, kind="setting", plausible=(52, 208),
        source="assumption (long enough for the mentor pool to turn over and staff know-how "
               "to settle: McKay et al. 2018 find staffing effects take years to build)",
        meaning="Weeks run and discarded before week 1 when start = 'established'")


class Funding(Section):
    """Grant money, how a commissioner pays it, and how an agency plans and keeps it."""

    annual_budget_gbp: float = P(
        120_000.0, unit="GBP/agency/year", ge=0, le=1e9, kind="lever",
        label="Annual budget",
        plausible=(80_000, 240_000),
        source="assumption sized to UK cost per mentee-year GBP 1,000-3,000 "
               "(Alfonso et al. c.2019; WSIPP)",
        meaning="Money per agency per year: what a grant pays a year while it runs "
                "(payment_rule 'same_annual_rate'), or the commissioner's pot per year of the "
                "horizon (payment_rule 'same_pot')")
    grant_term_years: float = P(
        2.0, unit="years", gt=0, le=20, kind="lever", plausible=(1, 5),
        label="Grant length",
        source="Scottish Government RRCF: GBP 7.7m for 2 years",
        meaning="Length of each grant or contract")
    renewal_probability: float = P(
        0.5, unit="probability", ge=0, le=1, plausible=(0.2, 0.95),
        label="Renewal chance",
        source="assumption (Busse et al. 2018: programmes 'hang by a thread')",
        meaning="Chance a grant is renewed without a gap when it ends")
    gap_weeks_mean: float = P(
        26.0, unit="weeks", ge=0, le=520, plausible=(8, 52),
        label="Gap between grants",
        source="assumption", meaning="Mean gap before new money when a grant is not renewed")
    setup_weeks: int = P(
        12, unit="weeks", ge=0, le=104, plausible=(4, 26),
        source="Scottish Government RRCF: set-up 'took considerably longer than anticipated'",
        meaning="Weeks after new money before the programme takes referrals again")
    insecurity_weeks: int = P(
        13, unit="weeks", ge=0, le=104, plausible=(4, 26),
        source="assumption (Clinks State of the Sector 2023: staff lost near contract ends)",
        meaning="Weeks before a grant ends in which staff leave and support thins")
    initial_reserves_weeks: float = P(
        8.0, unit="weeks of budget", ge=0, le=520, source="assumption",
        meaning="Reserves an agency holds when the funding clock starts, in weeks of budget")
    payment_rule: Literal["same_annual_rate", "same_pot"] = P(
        "same_annual_rate", unit="category", kind="lever",
        label="How the commissioner pays",
        source="assumption (how a commissioner pays; see sim/commissioner.py)",
        meaning="'same_annual_rate': a grant pays annual_budget_gbp a year while it runs and "
                "money not paid in a gap is not paid, so options differing in grant length are "
                "paid the same per funded week; 'same_pot': the commissioner holds "
                "annual_budget_gbp a year for the horizon and pays every grant one weekly rate "
                "set so the expected total is the pot, so options differing in grant length "
                "receive the same total in expectation (and one with gaps is paid more per "
                "funded week)")
    reserves_target_months: float = P(
        3.0, unit="months of running costs", ge=0, le=60, kind="lever", plausible=(1, 6),
        label="Reserves target",
        source="assumption (Charity Commission (2016) CC19 Charity reserves: each charity "
               "sets its own reserves policy, with no set level; three to six months of "
               "running costs is the range charities commonly state)",
        meaning="Reserves the agency's policy holds: it plans to spend its income and "
                "anything above this, grows or restores its offer only while the projection "
                "to the end of the grant keeps this much, and bridges funding gaps from it")
    reserve_floor_months: float = P(
        1.0, unit="months of running costs", ge=0, le=60, kind="lever", plausible=(0, 3),
        label="Reserves floor",
        source="assumption (a reserves policy's minimum, below the target: CC19)",
        meaning="Balance below which the agency will not plan to fall while a grant runs; "
                "a projected fall below it undoes growth, then cuts the next step")
    planning_weeks: int = P(
        52, unit="weeks", ge=1, le=520, plausible=(13, 104),
        source="assumption (an annual budget)",
        meaning="How far ahead the agency projects its balance when deciding a cut (at most "
                "to the end of the current grant, the income it is sure of)")
    review_weeks: int = P(
        4, unit="weeks", ge=1, le=52, plausible=(2, 13),
        source="assumption (monthly management accounts)",
        meaning="Weeks between budget reviews; each review makes at most one change of offer")
    change_hold_weeks: int = P(
        26, unit="weeks", ge=0, le=520, plausible=(13, 52), source="assumption (a change of "
        "service is planned for at least half a year)",
        meaning="A change of offer (a cut, a restoration, growth) is not reversed within this "
                "many weeks, unless the balance itself is below the floor")
    growth_step_share: float = P(
        0.1, unit="share of the design", ge=0, le=1, kind="lever", plausible=(0, 0.25),
        source="assumption (posts and volunteers are added a few at a time)",
        label="Largest growth at a review",
        meaning="Largest growth of the programme's size at one review, as a share of its "
                "design (programme.target_mentors and staff posts); 0 never grows")
    min_scale: float = P(
        0.5, unit="share of the design", gt=0, le=1, plausible=(0.25, 0.75),
        source="assumption (a programme much smaller than its design is not offered; the "
               "cut order takes over)",
        meaning="Smallest size, relative to its design, an agency plans a grant at when the "
                "money cannot pay for the design")
    cut_order: Annotated[tuple[CutStep, ...], BeforeValidator(_listed)] = P(
        ("leisure", "ongoing_training", "support_contacts", "supervision_sessions",
         "vacancies", "recruitment", "extra_role", "closure"),
        unit="list", kind="lever",
        source="assumption (the order voluntary-sector providers report cutting in: Clinks "
               "State of the Sector 2023, 2024)",
        meaning="Order in which spending is cut when the projected balance falls below the "
                "floor and no growth is left to undo (restored in reverse); each step at most "
                "once, ending with 'closure'")
    protect_mentor_role: bool = P(
        False, unit="yes/no", kind="lever", source="Buck (2021) Academic Insight",
        label="Protect the mentor role from cuts",
        meaning="Never ask mentors to take on extra-role tasks to cover a budget cut "
                "(skips the 'extra_role' step)")
    cut_keep_share: float = P(
        0.5, unit="share", ge=0, le=1, kind="lever", plausible=(0, 0.8), source="assumption",
        label="Support and supervision kept in a cut",
        meaning="Share of support contacts and supervision sessions still offered once that "
                "step is cut")
    cut_staff_share: float = P(
        0.34, unit="share", ge=0, le=1, plausible=(0.2, 0.5), source="assumption",
        meaning="Share of coordinator posts removed at the 'extra_role' step, whose tasks "
                "mentors are then asked to cover")
    cut_extra_role_hours: float = P(
        2.0, unit="hours/mentor/week", ge=0, le=40, plausible=(1, 4),
        source="Buck (2021) 'punitive dilution' (mentors used as unpaid support staff)",
        meaning="Extra-role hours each mentor is asked to take on at the 'extra_role' step")
    gap_policy: Literal["reserves", "skeleton", "close"] = P(
        "reserves", unit="category", kind="lever",
        label="When a grant ends unrenewed",
        source="assumption (Charity Commission (2016) CC19: reserves exist to bridge a loss "
               "of income)",
        meaning="When a grant ends unrenewed: 'reserves' decides by the reserves held (bridge "
                "the full service while the reserves above the floor cover the expected gap, "
                "else a skeleton service while they pay for it, else close); 'skeleton' runs a "
                "skeleton service (every cut short of closure, no new referrals) while the "
                "reserves pay for it; 'close' closes at once (staff contracts end with the "
                "grant; the reserves stay with the organisation)")


class Staff(Section):
    """Coordinator and supervisor time that the money buys."""

    coordinators_fte: float = P(
        1.5, unit="FTE/agency", ge=0, le=500, kind="lever", plausible=(0.5, 3),
        label="Coordinator posts",
        source="MENTOR (2017) National Mentoring Program Survey: ~18 mentors per staff member",
        meaning="Coordinator posts: recruiting, matching and match-support contacts")
    supervisors_fte: float = P(
        0.5, unit="FTE/agency", ge=0, le=500, kind="lever", plausible=(0, 2),
        label="Supervisor posts",
        source="assumption", meaning="Supervisor posts for mentors")
    coordinator_salary_gbp: float = P(
        38_000.0, unit="GBP/FTE/year", ge=0, le=1e6, source="assumption (incl. on-costs)",
        meaning="Cost of one coordinator post")
    supervisor_salary_gbp: float = P(
        45_000.0, unit="GBP/FTE/year", ge=0, le=1e6, source="assumption (incl. on-costs)",
        meaning="Cost of one supervisor post (therapeutic supervision needs qualified staff)")
    attrition_annual: float = P(
        0.116, unit="probability/year", ge=0, le=1, plausible=(0.1, 0.35),
        source=f"{CALIBRATED} to early exits and median length in criminal-justice "
               "programmes (Clinks State of the Sector 2023, 2024: widespread staff burnout)",
        meaning="Staff turnover outside the insecurity period")
    insecurity_attrition_multiplier: float = P(
        4.0, no_effect=1, unit="x", ge=1, le=50, plausible=(1, 8), source="assumption",
        meaning="How much faster staff leave when the grant is about to end")
    hire_weeks: float = P(
        10.0, unit="weeks", ge=1, le=104, source="assumption",
        meaning="Average time to fill a vacant post")


class Training(Section):
    """Training offered to mentors and to staff/managers."""

    pre_match_hours: float = P(
        6.0, unit="hours", ge=0, le=200, kind="lever", plausible=(2, 30),
        label="Training before a first match",
        source="MENTOR Elements of Effective Practice 4th ed.: >=2 h, >=6 h promising",
        meaning="Training before a mentor is first matched")
    ongoing_hours_per_month: float = P(
        0.5, unit="hours/month", ge=0, le=40, kind="lever", plausible=(0, 4),
        label="Ongoing training",
        source="assumption", meaning="Ongoing training per mentor")
    staff_manager_training: bool = P(
        False, unit="yes/no", kind="lever", source="Buck (2021) Academic Insight",
        label="Training for staff and managers",
        meaning="Staff and managers trained in what mentoring can and cannot do (reduces "
                "extra-role tasks and improves support)")
    cost_per_hour_gbp: float = P(
        25.0, unit="GBP/mentor-hour", ge=0, le=1000, source="assumption",
        meaning="Cost of one hour of training for one mentor")
    hours_per_week: float = P(
        3.0, unit="hours/week", ge=0.5, le=40, source="assumption",
        meaning="Pace of pre-match training (sets weeks before a recruit can be matched; at "
                "least half an hour a week, or training would never end)")


class Supervision(Section):
    """Supervision of mentors."""

    sessions_per_month: float = P(
        1.0, unit="sessions/mentor/month", ge=0, le=8, kind="lever", plausible=(0, 4),
        label="Supervision sessions",
        source="assumption", meaning="Supervision sessions offered per mentor")
    style: Literal["therapeutic", "managerial"] = P(
        "managerial", unit="category", kind="lever", source="Buck (2021) Academic Insight",
        label="Supervision style",
        meaning="Therapeutic (reflective, emotional) or managerial (case/compliance) supervision")
    sessions_per_supervisor_fte_month: float = P(
        60.0, unit="sessions/FTE/month", gt=0, le=500, plausible=(20, 80),
        source="assumption (one-hour sessions with preparation and notes, two hours each, in "
               "about three quarters of an FTE's 160 hours a month)",
        meaning="Supervision sessions one supervisor FTE can deliver a month (the capacity "
                "limit; sessions offered beyond it are neither delivered nor charged)")
    full_effect_sessions: float = P(
        2.0, unit="sessions/mentor/month", gt=0, le=8, plausible=(1, 4), source="assumption",
        meaning="Sessions a month at which supervision has its full effect (fewer give a "
                "proportional part of it)")
    cost_per_session_gbp: float = P(
        20.0, unit="GBP/session", ge=0, le=1000, source="assumption",
        meaning="Non-staff cost of a supervision session (room, travel)")
    therapeutic_sessions_per_supervisor_fte_month: float = P(
        40.0, unit="sessions/FTE/month", gt=0, le=500, plausible=(25, 60),
        source="assumption (reflective sessions of about 90 minutes with preparation and "
               "notes, three hours each, in about three quarters of an FTE's 160 hours a "
               "month; Buck 2021 recommends therapeutic supervision)",
        meaning="Therapeutic supervision sessions one supervisor FTE can deliver a month "
                "(replaces sessions_per_supervisor_fte_month when style is therapeutic)")
    therapeutic_salary_premium_gbp: float = P(
        5_000.0, unit="GBP/FTE/year", ge=0, le=1e6, plausible=(0, 12_000),
        source="assumption (a supervisor qualified in reflective or clinical supervision "
               "costs more than a line manager; incl. on-costs)",
        meaning="Extra cost a year of a supervisor FTE who gives therapeutic supervision")
    therapeutic_training_gbp_per_fte_year: float = P(
        1_500.0, unit="GBP/FTE/year", ge=0, le=1e5, plausible=(500, 3_000),
        source="assumption (training and the supervisor's own supervision, as reflective "
               "practice requires)",
        meaning="Training and supervision of a therapeutic supervisor, a year per FTE")


class Support(Section):
    """Match-support contacts from coordinators."""

    contacts_per_month: float = P(
        1.0, unit="contacts/match/month", ge=0, le=8, kind="lever", plausible=(0, 4),
        label="Support contacts",
        source="MENTOR Elements of Effective Practice: twice in month 1, then monthly",
        meaning="Coordinator contacts offered to each match")
    contacts_needed_per_month: float = P(
        2.0, unit="contacts/match/month", gt=0, le=8, plausible=(1, 3),
        source="assumption (Keller et al. 2020: no or very short contacts rated worst)",
        meaning="Contacts at which a match no longer feels unsupported")
    contacts_per_coordinator_fte_month: float = P(
        60.0, unit="contacts/FTE/month", gt=0, le=2000, plausible=(30, 120),
        source="assumption (MENTOR 2017: ~38 youth per staff member)",
        meaning="Match-support contacts one coordinator FTE can deliver per month")
    cost_per_contact_gbp: float = P(
        8.0, unit="GBP/contact", ge=0, le=1000, source="assumption (travel, phone)",
        meaning="Non-staff cost of a support contact, charged as delivered")
    family_engagement: bool = P(
        False, unit="yes/no", kind="lever",
        label="Work with families",
        source="assumption (DeWit et al. 2016: family support lowers closure; no trial of "
               "family engagement by mentoring programmes)",
        meaning="The programme works with mentees' families (contacts charged for every "
                "relationship whose mentee's family interferes)")
    family_contacts_per_month: float = P(
        1.0, unit="contacts/family/month", ge=0, le=8, plausible=(0.5, 2), kind="lever",
        label="Family contacts",
        source="assumption", meaning="Family contacts made for each relationship whose "
                                     "mentee's family interferes, when families are engaged")
    family_contact_cost_gbp: float = P(
        35.0, unit="GBP/contact", ge=0, le=1000, plausible=(20, 60),
        source="assumption (about 1.5 hours of a sessional family worker at the coordinator "
               "salary rate, with travel)",
        meaning="Cost of one family contact, charged as made")


class Matching(Section):
    """How mentees are matched to mentors."""

    caseload_cap_volunteer: int = P(
        2, unit="mentees/mentor", ge=1, le=50, kind="lever", plausible=(1, 4),
        label="Caseload of a volunteer mentor",
        source="assumption", meaning="Most mentees a volunteer mentor carries at once")
    caseload_cap_paid: int = P(
        8, unit="mentees/mentor", ge=1, le=100, kind="lever", plausible=(4, 15),
        label="Caseload of a paid peer mentor",
        source="assumption (HMI Probation 2021: quality falls at 50+ cases for officers)",
        meaning="Most mentees a paid peer mentor carries at once")
    expectation_setting: bool = P(
        True, unit="yes/no", kind="lever", source="Spencer (2007); Keller & Spencer (2017) STAR",
        label="Expectations agreed at matching",
        meaning="Expectations of both sides discussed and agreed at matching")
    cultural_matching: bool = P(
        False, unit="yes/no", kind="lever", source="Spencer (2007)",
        label="Cultural matching",
        meaning="Prefer a mentor from the mentee's cultural background when one is free")
    lived_experience_matching: bool = P(
        True, unit="yes/no", kind="lever", source="Buck (2021) Academic Insight",
        label="Lived-experience matching",
        meaning="Prefer a peer mentor with lived experience when one is free")
    load_penalty: float = P(
        0.1, unit="score/mentee", ge=0, le=10, kind="lever", plausible=(0, 0.5),
        label="Spread the load between mentors",
        source="assumption",
        meaning="Match score lost for each mentee a mentor already has (open matches and "
                "mentees given to them earlier the same week); spreads the load")
    cultural_match_weight: float = P(
        2.0, unit="score", ge=0, le=100, kind="lever", plausible=(1, 4),
        label="Weight of a cultural match",
        source="assumption (Spencer 2007)",
        meaning="Match score for a shared cultural background, when matching.cultural_matching")
    lived_experience_weight: float = P(
        1.0, unit="score", ge=0, le=100, kind="lever", plausible=(0.5, 2),
        label="Weight of a lived-experience match",
        source="assumption (Buck 2021)",
        meaning="Match score for a peer mentor, when matching.lived_experience_matching")


class Mentors(Section):
    """Who the mentors are and how they are deployed."""

    peer_share: float = P(
        0.8, unit="share", ge=0, le=1, kind="lever", plausible=(0.3, 0.95),
        label="Peer mentors among recruits",
        source="Buck (2021) Clinks: peer mentors up to 92% of CJ mentors in parts of England",
        meaning="Share of recruits who are peer mentors with lived experience")
    paid_peer_share: float = P(
        0.0, unit="share", ge=0, le=1, kind="lever", plausible=(0, 1),
        label="Paid peer mentors",
        source="assumption", meaning="Share of peer mentors who are paid")
    paid_hourly_wage_gbp: float = P(
        12.5, unit="GBP/hour", ge=0, le=200, source="assumption (UK living wage, 2024)",
        meaning="Wage of a paid peer mentor")
    volunteer_hours_per_week: float = P(
        4.0, unit="hours/week", gt=0, le=60, plausible=(2, 8), source="assumption",
        meaning="Time a volunteer mentor gives each week")
    paid_hours_per_week: float = P(
        22.5, unit="hours/week", gt=0, le=60, source="assumption (0.6 FTE)",
        meaning="Contracted hours of a paid peer mentor")
    extra_role_hours_per_week: float = P(
        0.0, unit="hours/week", ge=0, le=40, kind="lever", plausible=(0, 4),
        label="Extra-role tasks for mentors",
        source="Buck (2021) 'punitive dilution'; Retaining peers (2025) PRJ 48(3)",
        meaning="Non-mentoring tasks given to mentors (mentors used as unpaid support staff)")
    expenses_per_week_gbp: float = P(
        8.0, unit="GBP/active volunteer/week", ge=0, le=500, source="assumption",
        meaning="Volunteer expenses (travel, phone)")
    attrition_annual_volunteer: float = P(
        0.186, unit="probability/year", ge=0, le=1, plausible=(0.1, 0.45),
        source=f"{CALIBRATED} to volunteer attrition 30-50% a year (CNCS 2009 Pathways to "
               "Service: 35.5% do not volunteer next year; base hazard: burnout, relapse, "
               "progression and funding insecurity add to it)",
        meaning="Base yearly exit hazard of a volunteer for life reasons")
    attrition_annual_paid: float = P(
        0.0983, unit="probability/year", ge=0, le=1, plausible=(0.05, 0.2),
        source=f"{CALIBRATED} to paid peer attrition 15-25% a year (Retaining peers 2025, "
               "PRJ 48(3): ~18% leave within a year; base hazard)",
        meaning="Base yearly exit hazard of a paid peer mentor for life reasons")
    relapse_annual: float = P(
        0.0833, unit="probability/year", ge=0, le=1, plausible=(0.03, 0.15),
        source=f"{CALIBRATED} to peer mentor relapse 5-15% a year (assumption bounded by MoJ "
               "proven reoffending; LeBel et al. 2015)",
        meaning="Yearly reoffending/relapse hazard of a peer mentor before protection")
    progression_annual: float = P(
        0.12, unit="probability/year", ge=0, le=1, plausible=(0.05, 0.3),
        source="Frontier Economics (2010) Walk the Talk: employment 24% -> 52%",
        meaning="Yearly chance a trained peer volunteer moves on to paid work")
    skill_mean: float = P(
        0.45, unit="0-1", ge=0, le=1, plausible=(0.3, 0.6), source="assumption",
        meaning="Mean relational skill of a new mentor before training")
    expected_match_weeks_median: float = P(
        40.0, unit="weeks", ge=1, le=520, source="Keller & Spencer (2017) STAR",
        meaning="Median of how long new mentors expect a match to last")
    expected_match_weeks_spread: float = P(
        0.7, unit="log-sd", ge=0, le=3, plausible=(0.3, 1.0),
        source="assumption (Keller & Spencer 2017 STAR: mentors' expectations ranged from a "
               "fixed term to 'as long as possible')",
        meaning="Spread of mentors' expected match length around the median")
    style_practical_share: float = P(
        0.4, unit="share", ge=0, le=1, source="assumption",
        meaning="Share of mentors whose style is mainly practical help")
    style_emotional_share: float = P(
        0.4, unit="share", ge=0, le=1, source="assumption",
        meaning="Share of mentors whose style is mainly emotional support (the rest: "
                "activities)")
    skill_spread: float = P(
        0.12, unit="sd", ge=0, le=1, plausible=(0.05, 0.2), source="assumption",
        meaning="Spread of relational skill among new mentors")
    skill_min: float = P(
        0.05, unit="0-1", ge=0, le=1, source="assumption",
        meaning="Lowest relational skill of a new mentor")
    skill_max: float = P(
        0.95, unit="0-1", ge=0, le=1, source="assumption",
        meaning="Highest relational skill (and cultural competence) of a new mentor")
    training_skill_gain: float = P(
        0.25, no_effect=0,
        excludes_no_effect="Kupersmidt et al. (2017): training was the practice standard that "
                           "predicted match length (29,708 matches)",
        unit="0-1", ge=0, le=1, plausible=(0.1, 0.4),
        source="Kupersmidt et al. (2017): training was the practice standard that predicted "
               "match length; size assumption",
        meaning="Skill added by pre-match training at its full effect")
    training_competence_gain: float = P(
        0.15, no_effect=0, unit="0-1", ge=0, le=1, plausible=(0, 0.3), source="assumption",
        meaning="Cultural competence added by pre-match training at its full effect")
    training_scale_hours: float = P(
        10.0, unit="hours", gt=0, le=200, plausible=(5, 20),
        source="assumption (diminishing returns; MENTOR EEP: >= 6 h promising)",
        meaning="Pre-match hours that give 63% of training's full effect")
    competence_peer: float = P(
        0.5, unit="0-1", ge=0, le=1, source="assumption (Buck 2021: lived experience helps "
                                            "bridge divides)",
        meaning="Mean cultural competence of a new peer mentor")
    competence_community: float = P(
        0.35, unit="0-1", ge=0, le=1, source="assumption",
        meaning="Mean cultural competence of a new community mentor")
    competence_spread: float = P(
        0.15, unit="sd", ge=0, le=1, source="assumption",
        meaning="Spread of cultural competence among new mentors")
    resilience_spread: float = P(
        0.4, unit="log-sd", ge=0, le=2, plausible=(0.2, 0.6), source="assumption",
        meaning="Spread of how fast mentors tire (log-normal, median 1)")
    recruit_exhaustion_mean: float = P(
        0.1, unit="0-1", ge=0.001, le=0.999, plausible=(0.05, 0.2),
        source="assumption (VA peer specialists study 2016: burnout low at the start, rising "
               "at about 4 months)",
        meaning="Mean exhaustion of a new recruit (beta distribution)")
    recruit_exhaustion_concentration: float = P(
        8.0, unit="a+b", ge=0.1, le=1000, source="assumption",
        meaning="Concentration of the beta distribution of a recruit's exhaustion")
    manager_shield_share: float = P(
        0.5, no_effect=0, plausible=(0, 0.8), unit="share", ge=0, le=1,
        source="assumption (Buck 2021: staff and managers who "
                                              "understand the role protect it)",
        meaning="Share of extra-role hours that trained staff and managers keep off mentors")
    relapse_work_protection: float = P(
        0.3, no_effect=0, unit="share", ge=0, le=1, plausible=(0, 0.5),
        source="LeBel, Richie & Maruna (2015): giving back supports desistance; size "
               "assumption", meaning="Cut in a peer mentor's relapse hazard while mentoring")
    relapse_exhaustion_weight: float = P(
        1.0, no_effect=0, plausible=(0, 2), unit="x", ge=0, le=10, source="assumption",
        meaning="Rise in relapse hazard per unit of exhaustion")
    progression_after_weeks: int = P(
        26, unit="weeks", ge=0, le=520, source="Frontier Economics (2010) Walk the Talk "
                                              "(trained peer advisers)",
        meaning="Weeks after training before a peer volunteer can move on to paid work")
    progression_reference_skill: float = P(
        0.6, unit="0-1", gt=0, le=1, source="assumption",
        meaning="Skill at which progression runs at its yearly rate (more skill, faster)")


class Mentees(Section):
    """Who is referred, and their circumstances."""

    give_up_weeks_mean: float = P(
        14.4, unit="weeks", ge=1, le=520, plausible=(4, 26),
        source=f"{CALIBRATED} to referrals matched (Fraser of Allander 2023 New Routes: 98% "
               "start; engagement decays quickly while waiting)",
        meaning="Mean time a waiting mentee keeps waiting before giving up")
    motivation_mean: float = P(
        0.5, unit="0-1", ge=0.05, le=0.95, plausible=(0.35, 0.65), source="assumption",
        meaning="Mean motivation at referral")
    family_interference_prevalence: float = P(
        0.25, unit="share", ge=0, le=1, plausible=(0.1, 0.4),
        source="assumption (Spencer 2007, qualitative)",
        meaning="Share of mentees whose family pulls them away from the relationship")
    minority_share: float = P(
        0.3, unit="share", ge=0, le=1, source="assumption",
        meaning="Share of mentees (and community mentors) from a minority cultural background")
    needs_housing: float = P(
        0.35, unit="share", ge=0, le=1, source="assumption (Taylor et al. 2013)",
        meaning="Share of mentees who need housing help")
    needs_substance: float = P(
        0.45, unit="share", ge=0, le=1, source="assumption (Taylor et al. 2013)",
        meaning="Share of mentees who need drug and alcohol treatment")
    needs_employment: float = P(
        0.6, unit="share", ge=0, le=1, source="Atherton & Buck (2021): 17% of ex-prisoners "
                                               "employed a year after release",
        meaning="Share of mentees who need help into work")
    risk_spread: float = P(
        0.5, unit="log-sd", ge=0, le=2, source="assumption",
        meaning="Spread of individual reoffending risk around the setting's baseline")
    family_change_weekly: float = P(
        0.01, unit="probability/week", ge=0, le=1, plausible=(0, 0.03),
        source="assumption (family circumstances change: a new partner, a return home, a "
               "conflict; about 40% of people see a change in a year)",
        meaning="Weekly chance a mentee's family context changes (interference redrawn from "
                "the population's distribution)")
    # One-year proven reoffending without mentoring, by programme.setting.
    base_reoffending_adult_probation: float = P(
        0.352, unit="probability/year", ge=0, le=0.99, plausible=(0.25, 0.45),
        source="MoJ Proven reoffending statistics (2023): adults from custody or starting "
               "court orders 35.2%",
        meaning="One-year reoffending without mentoring in the adult_probation setting")
    base_reoffending_youth_justice: float = P(
        0.316, unit="probability/year", ge=0, le=0.99, plausible=(0.25, 0.4),
        source="MoJ Proven reoffending statistics (2023): juveniles 31.6%",
        meaning="One-year reoffending without mentoring in the youth_justice setting")
    base_reoffending_prison_leavers: float = P(
        0.592, unit="probability/year", ge=0, le=0.99, plausible=(0.5, 0.65),
        source="MoJ Proven reoffending statistics (2023): custody under 12 months 59.2%",
        meaning="One-year reoffending without mentoring in the prison_leavers setting")
    max_weekly_reoffending_hazard: float = P(
        0.5, unit="probability/week", ge=0, le=1, plausible=(0.2, 0.5), source="assumption",
        meaning="Cap on one mentee's weekly reoffending hazard (bounds the log-normal tail)")
    repeat_reoffending_multiplier: float = P(
        9.8, unit="x", ge=1, le=100, plausible=(6, 14),
        source="calibrated (see docs/calibration.md) to proven reoffences per reoffender "
               "(MoJ Proven reoffending statistics: 2.9 a year for the July 2011 to June 2012 "
               "cohort; about 3.9 for the 2016 cohorts the unit value comes from)",
        meaning="After a person's first proven reoffence, their weekly hazard of the next is "
                "this times their base hazard (capped at mentees.max_weekly_reoffending_"
                "hazard): a few people commit most reoffences")
    motivation_concentration: float = P(
        4.0, unit="beta a + b", ge=0.1, le=1000, plausible=(2, 10), source="assumption",
        meaning="Concentration of the beta distribution of motivation at referral (higher: "
                "mentees nearer mentees.motivation_mean)")
    motivation_floor: float = P(
        0.05, unit="0-1", ge=0, le=1, plausible=(0, 0.1), source="assumption",
        meaning="Lowest motivation at referral")
    motivation_ceiling: float = P(
        0.95, unit="0-1", ge=0, le=1, plausible=(0.9, 1.0), source="assumption",
        meaning="Highest motivation at referral")
    expectation_practical_share: float = P(
        0.5, unit="share", ge=0, le=1, plausible=(0.3, 0.7),
        source="assumption (Spencer 2007: mismatched expectations)",
        meaning="Share of mentees who mainly expect practical help")
    expectation_emotional_share: float = P(
        0.3, unit="share", ge=0, le=1, plausible=(0.15, 0.5),
        source="assumption (Spencer 2007: mismatched expectations)",
        meaning="Share of mentees who mainly expect emotional support")
    expectation_activities_share: float = P(
        0.2, unit="share", ge=0, le=1, plausible=(0.1, 0.35),
        source="assumption (Spencer 2007: mismatched expectations)",
        meaning="Share of mentees who mainly expect shared activities")
    family_interference_min: float = P(
        0.4, unit="0-1", ge=0, le=1, plausible=(0.2, 0.6),
        source="assumption (Spencer 2007, qualitative)",
        meaning="Least interference of a family that interferes (drawn uniformly up to "
                "mentees.family_interference_max)")
    family_interference_max: float = P(
        1.0, unit="0-1", ge=0, le=1, plausible=(0.8, 1.0),
        source="assumption (Spencer 2007, qualitative)",
        meaning="Most interference of a family that interferes")


class Formats(Section):
    """Mix of mentoring formats (Buck 2021: one-to-one, group work, informal leisure)."""

    one_to_one_share: float = P(0.7, unit="share", ge=0, le=1, kind="lever",
                                label="Contact one to one",
                                source="assumption", meaning="Share of contact one-to-one")
    group_share: float = P(0.2, unit="share", ge=0, le=1, kind="lever",
                           label="Contact in group work",
                           source="assumption", meaning="Share of contact in group work")
    leisure_share: float = P(0.1, unit="share", ge=0, le=1, kind="lever",
                             label="Contact in leisure activities",
                             source="assumption", meaning="Share of contact as leisure activity")
    one_to_one_hours: float = P(2.0, unit="mentor-hours/mentee/week", ge=0, le=20,
                                source="MENTOR EEP: BBBS 2-4 meetings a month of 3-4 h",
                                meaning="Mentor time per mentee for one-to-one work")
    group_hours: float = P(0.75, unit="mentor-hours/mentee/week", ge=0, le=20,
                           source="assumption (groups of ~6)",
                           meaning="Mentor time per mentee for group work")
    leisure_hours: float = P(3.0, unit="mentor-hours/mentee/week", ge=0, le=20,
                             source="assumption", meaning="Mentor time per mentee for leisure")
    one_to_one_bonding: float = P(1.0, unit="x", ge=0, le=5, source="assumption",
                                  meaning="Relationship-building per week, one-to-one")
    group_bonding: float = P(0.5, unit="x", ge=0, le=5, source="assumption",
                             meaning="Relationship-building per week, group work")
    leisure_bonding: float = P(1.3, unit="x", ge=0, le=5, source="assumption",
                               meaning="Relationship-building per week, leisure activity")
    one_to_one_cost_gbp: float = P(6.0, unit="GBP/mentee/week", ge=0, le=1000,
                                   source="assumption", meaning="Direct cost, one-to-one")
    group_cost_gbp: float = P(3.0, unit="GBP/mentee/week", ge=0, le=1000,
                              source="assumption", meaning="Direct cost, group work")
    leisure_cost_gbp: float = P(15.0, unit="GBP/mentee/week", ge=0, le=1000,
                                source="assumption", meaning="Direct cost, leisure activity")


class Partners(Section):
    """Partner services mentors can bridge mentees into (Taylor et al. 2013)."""

    housing_places_per_year: float = P(
        15.0, unit="places/agency/year", ge=0, le=1e5, plausible=(0, 60), source="assumption",
        meaning="Housing places partners can offer this programme's mentees")
    substance_places_per_year: float = P(
        25.0, unit="places/agency/year", ge=0, le=1e5, plausible=(0, 80), source="assumption",
        meaning="Drug and alcohol treatment places")
    employment_places_per_year: float = P(
        20.0, unit="places/agency/year", ge=0, le=1e5, plausible=(0, 80), source="assumption",
        meaning="Employment support places")


class Shock(Section):
    """An organisational shock, e.g. probation reunification in June 2021."""

    enabled: bool = P(False, unit="yes/no", kind="uncertainty",
                      source="Justice Committee (2021): probation reunified 26 June 2021",
                      meaning="Whether a reorganisation happens")
    start_week: int = P(52, unit="week", ge=1, le=5200, source="assumption",
                        meaning="Week the reorganisation starts")
    duration_weeks: int = P(26, unit="weeks", ge=1, le=520, plausible=(8, 52),
                            source="assumption", meaning="How long the disruption lasts")
    referral_drop: float = P(0.5, unit="share", ge=0, le=1, plausible=(0.2, 0.8),
                             source="assumption", meaning="Fall in referrals while it lasts")
    support_drop: float = P(0.4, unit="share", ge=0, le=1, plausible=(0.2, 0.7),
                            source="assumption", meaning="Fall in coordinator capacity")


class Effects(Section):
    """Mechanism strengths. Weakly evidenced: each has a plausible range for sweeps."""

    quality_growth: float = P(0.2, unit="per met week", gt=0, le=1, plausible=(0.05, 0.3),
                              source="assumption",
                              meaning="Rate quality grows through caring, listening and "
                                      "encouraging small steps (Buck 2021)")
    peer_bonding: float = P(1.3, no_effect=1, unit="x", ge=1, le=3, plausible=(1.0, 1.6),
                            source="Buck (2021); LeBel et al. (2015)",
                            meaning="Faster bonding of peer mentors with lived experience")
    engagement_base: float = P(0.858, unit="probability", ge=0, le=1, plausible=(0.65, 0.92),
                               source=f"{CALIBRATED} to early exits and median length in "
                                      "criminal-justice programmes",
                               meaning="Weekly chance a mentee turns up, before motivation "
                                       "and quality")
    engagement_motivation_weight: float = P(
        0.35, no_effect=0, unit="probability per unit motivation", ge=0, le=1, plausible=(0, 0.5),
        source="assumption",
        meaning="Rise in the weekly chance of turning up per unit of motivation above "
                "effects.engagement_neutral_motivation (and fall below it)")
    engagement_neutral_motivation: float = P(
        0.5, unit="0-1", ge=0, le=1, plausible=(0.3, 0.7), source="assumption",
        meaning="Motivation at which motivation neither raises nor lowers the chance of "
                "turning up")
    engagement_quality_weight: float = P(
        0.35, no_effect=0, unit="probability per unit quality", ge=0, le=1, plausible=(0, 0.5),
        source="assumption",
        meaning="Rise in the weekly chance of turning up per unit of relationship quality")
    engagement_family_weight: float = P(
        0.25, no_effect=0, unit="probability per unit family", ge=0, le=1, plausible=(0, 0.4),
        source="assumption (Spencer 2007, qualitative)",
        meaning="Fall in the weekly chance of turning up with a fully interfering family and "
                "no bond (scaled by family x (1 - quality))")
    engagement_chaos_weight: float = P(
        0.15, no_effect=0, unit="probability per unit chaos", ge=0, le=1, plausible=(0, 0.3),
        source="assumption",
        meaning="Fall in the weekly chance of turning up at full programme chaos")
    engagement_floor: float = P(
        0.05, unit="probability", ge=0, le=1, plausible=(0, 0.15), source="assumption",
        meaning="Lowest weekly chance of turning up, however the other terms add up")
    engagement_ceiling: float = P(
        0.97, unit="probability", ge=0, le=1, plausible=(0.9, 1.0), source="assumption",
        meaning="Highest weekly chance of turning up, however the other terms add up")
    drift_missed_weeks: int = P(3, unit="weeks", ge=1, le=26, source="Keller & Spencer "
                                "(2017) STAR: very few closures are formal",
                                meaning="Consecutive missed weeks after which the mentee has "
                                        "drifted away (mentee abandonment)")
    crisis_closure_share: float = P(0.27, unit="share", ge=0, le=1, plausible=(0.05, 0.5),
                                    source=f"{CALIBRATED} to early exits (custody, moves, "
                                           "crisis: Spencer et al. 2017 'life changes')",
                                    meaning="Share of mentee crises that end contact (mentee "
                                            "abandonment); the rest set motivation back")
    low_motivation_hazard: float = P(0.012, unit="per week", ge=0, le=1, plausible=(0.01, 0.1),
                                     source=f"{CALIBRATED} to early exits (mechanism: "
                                            "Spencer 2007)",
                                     meaning="Closure hazard when motivation is at its lowest "
                                             "and the mentor is unskilled")
    motivation_threshold: float = P(0.3, unit="0-1", gt=0, le=1, source="assumption",
                                    meaning="Motivation below which a mentor reads the mentee "
                                            "as not wanting help")
    expectation_hazard: float = P(0.0281, unit="per week", ge=0, le=1, plausible=(0.005, 0.08),
                                  source=f"{CALIBRATED} to early exits (mechanism: Keller & "
                                         "Spencer 2017 STAR)",
                                  meaning="Closure hazard at a full expectations gap")
    skill_hazard: float = P(0.034, unit="per week", ge=0, le=1, plausible=(0.01, 0.1),
                            source=f"{CALIBRATED} to early exits (mechanism: Spencer 2007)",
                            meaning="Closure hazard for a wholly unskilled mentor")
    cultural_gap_weight: float = P(0.6, no_effect=0, plausible=(0, 0.9), unit="0-1", ge=0, le=1,
                                   source="assumption",
                                   meaning="How much a cultural divide cuts effective skill "
                                           "when cultural competence is low")
    family_hazard: float = P(0.0309, unit="per week", ge=0, le=1, plausible=(0.008, 0.08),
                             source=f"{CALIBRATED} to early exits (mechanism: DeWit et al. "
                                    "2016)",
                             meaning="Closure hazard from a fully interfering family")
    support_hazard: float = P(0.0142, unit="per week", ge=0, le=1, plausible=(0.004, 0.05),
                              source=f"{CALIBRATED} to early exits (McQuillin & Lyons 2021: "
                                     "support contacts predict closure)",
                              meaning="Closure hazard with no support and full programme chaos")
    burnt_out_attendance: float = P(0.945, no_effect=1, unit="probability", ge=0, le=1,
                                    plausible=(0.7, 1.0),
                                    source=f"{CALIBRATED} to early exits at 20-40% high "
                                           "exhaustion (the 40% of mental health professionals "
                                           "with high exhaustion in O'Connor et al. 2018 were "
                                           "still in post)",
                                    meaning="Weekly chance a burnt-out mentor still turns up "
                                            "to meet a mentee")
    mentor_abandon_hazard: float = P(0.0116, unit="per week", ge=0, le=1,
                                     plausible=(0.005, 0.12),
                                     source=f"{CALIBRATED} to early exits and median length",
                                     meaning="Hazard a burnt-out mentor stops turning up")
    exhaustion_load: float = P(0.021, unit="per week", ge=0, le=1, plausible=(0.015, 0.06),
                               source=f"{CALIBRATED} to high exhaustion in 20-40% of mentors "
                                      "(O'Connor et al. 2018: 40% of mental health "
                                      "professionals)",
                               meaning="Exhaustion gained per week at full workload (load 1: "
                                       "mentoring and extra-role hours filling the hours a "
                                       "mentor gives)")
    exhaustion_distress: float = P(0.08, no_effect=0, plausible=(0, 0.15), unit="per event", ge=0,
                                   le=1, source="assumption",
                                   meaning="Exhaustion from a mentee reoffending or crisis")
    exhaustion_peer: float = P(0.004, no_effect=0, plausible=(0, 0.01), unit="per week", ge=0, le=1,
                               source="Buck (2018) "
                               "'emotional toil'", meaning="Extra weekly exhaustion of peer "
                                                           "mentors (their own pressures)")
    recovery_base: float = P(0.05, unit="share/week", ge=0, le=1, source="assumption",
                             meaning="Share of exhaustion that fades each week unaided")
    recovery_supervision: float = P(0.005, no_effect=0, unit="share/week", ge=0, le=1,
                                    plausible=(0, 0.015),
                                    source="assumption sized to the evidence gap table's -10 to "
                                           "-30% effect of therapeutic supervision on burnout "
                                           "or exits (only qualitative and correlational "
                                           "evidence): two therapeutic sessions a month instead "
                                           "of one managerial cut burnout by about a fifth "
                                           "(docs/ODD.md, lever effects)",
                                    meaning="Extra recovery at two therapeutic sessions a month")
    managerial_weight: float = P(0.35, no_effect=0, plausible=(0, 1), unit="x", ge=0, le=1,
                                 source="assumption (Buck 2021 "
                                 "recommends therapeutic)",
                                 meaning="Effect of managerial relative to therapeutic "
                                         "supervision on exhaustion")
    burnout_threshold: float = P(0.6, unit="0-1", ge=0, le=1, source="Maslach-style cut-off; "
                                 "assumption", meaning="Exhaustion at which a mentor is "
                                                       "burnt out")
    burnout_exit_multiplier: float = P(1.29, no_effect=1, unit="x", ge=1, le=20,
                                       plausible=(1.0, 1.54),
                                       source=f"{CALIBRATED} within 1-1.54 (Retaining peers "
                                              "2025, PRJ 48(3): burnout OR 1.54 for "
                                              "intention to leave, an upper bound for actual "
                                              "exits)",
                                       meaning="Exit hazard multiplier while burnt out")
    insecurity_exit_multiplier: float = P(2.0, no_effect=1, unit="x", ge=1, le=20,
                                          plausible=(1.0, 3.0),
                                          source="assumption (Clinks State of the Sector "
                                                 "2023: people lost near contract ends)",
                                          meaning="Exit hazard multiplier of mentors while "
                                                  "the grant's future is in doubt")
    recovered_below: float = P(0.45, unit="0-1", ge=0, le=1, plausible=(0.35, 0.55),
                               source="assumption (hysteresis below the burnout threshold)",
                               meaning="Exhaustion below which a burnt-out mentor has "
                                       "recovered")
    stress_insecurity: float = P(0.01, no_effect=0, unit="per week", ge=0, le=1,
                                 plausible=(0, 0.03),
                                 source="Sverke, Hellgren & Naswall (2002) meta-analysis: job "
                                        "insecurity goes with exhaustion; size assumption",
                                 meaning="Exhaustion gained per week while the grant's "
                                         "future is in doubt")
    stress_restart: float = P(0.01, no_effect=0, unit="per week", ge=0, le=1, plausible=(0, 0.03),
                              source="Phillips et al. (2024): organisational stressors drive "
                                     "burnout; size assumption",
                              meaning="Exhaustion gained per week with staff who have no "
                                      "know-how of the programme (scaled by 1 - know-how)")
    stress_waiting_list: float = P(0.005, no_effect=0, unit="per week", ge=0, le=1,
                                   plausible=(0, 0.02),
                                   source="Phillips et al. (2024); HMI Probation (2021) "
                                          "caseloads; size assumption",
                                   meaning="Exhaustion gained per week when as many people "
                                           "wait as there are mentors (scaled by that ratio, "
                                           "at most 1)")
    stress_reorganisation: float = P(0.01, no_effect=0, unit="per week", ge=0, le=1,
                                     plausible=(0, 0.03),
                                     source="Phillips et al. (2024); Justice Committee "
                                            "(2021) on probation reunification; size "
                                            "assumption",
                                     meaning="Exhaustion gained per week during a "
                                             "reorganisation")
    stress_supervision_buffer: float = P(0.4, no_effect=0, unit="share", ge=0, le=1,
                                         plausible=(0, 0.8),
                                         source="assumption (Buck 2021: supervision as "
                                                "emotional support; sized with "
                                                "effects.recovery_supervision to the -10 to "
                                                "-30% of the evidence gap table)",
                                         meaning="Share of organisational stress that full "
                                                 "supervision absorbs")
    novice_strain: float = P(0.01, no_effect=0, unit="per week", ge=0, le=1, plausible=(0, 0.03),
                             source="VA peer specialists study (2016); BMC Psychiatry (2022): "
                                    "a small rise in burnout at about 4 months, gone by 12; "
                                    "size assumption",
                             meaning="Peak extra exhaustion per week of a new mentor")
    novice_strain_peak_weeks: float = P(17.0, unit="weeks", ge=1, le=104, plausible=(8, 26),
                                        source="VA peer specialists study (2016): burnout "
                                               "rises at 4 months",
                                        meaning="Tenure at which a new mentor's strain "
                                                "peaks (it fades over the following months)")
    supervision_exit_reduction: float = P(0.25, no_effect=0, unit="share", ge=0, le=1,
                                          plausible=(0, 0.3), source="assumption (evidence "
                                          "gap table: -10 to -30%)",
                                          meaning="Cut in exit hazard at full supervision")
    paid_exit_reduction: float = P(0.42, no_effect=0,
                                   excludes_no_effect="Retaining peers (2025): being able to meet "
                                                      "financial needs, OR 0.58 for intention to "
                                                      "leave (n = 454)",
        plausible=(0.2, 0.6), unit="share", ge=0, le=1,
                                   source="Retaining peers (2025): meeting financial needs "
                                          "OR 0.58",
                                   meaning="Cut in burnout-driven exits for paid mentors")
    reoffending_effect: float = P(0.291, no_effect=0,
                                  excludes_no_effect="calibrated to the cohort-level effect of "
                                                     "Peterborough (-9% reconviction events) and "
                                                     "Jolliffe & Farrington (2007, 4-11%); the "
                                                     "College of Policing toolkit finds reductions"
                                                     " in 14 of 25 studies",
        unit="hazard share", ge=0, le=1,
                                  plausible=(0.06, 0.5),
                                  source=f"{CALIBRATED} to the cohort-level (intention-to-"
                                         "treat) effect: Peterborough SIB -9% reconviction "
                                         "events; Jolliffe & Farrington 2007 4-11%",
                                  meaning="Ceiling of the cut in reoffending hazard that "
                                          "mentoring approaches as its dose grows (service "
                                          "links and support networks add to it)")
    dose_saturation_weeks: float = P(26.0, unit="quality-weighted weeks", ge=1, le=520,
                                     plausible=(8, 52),
                                     source="assumption (Grossman & Rhodes 2002: matches of 12 "
                                            "months or more gave the most gains; Ipsos 2015 "
                                            "Shine: 78% progress if engaged 5 months or more)",
                                     meaning="Dose (weeks mentored, each weighted by the "
                                             "relationship's quality) at which the benefit "
                                             "reaches 1 - 1/e (63%) of effects.reoffending_"
                                             "effect")
    informal_benefit_share: float = P(0.5, no_effect=0, unit="share", ge=0, le=1, plausible=(0, 1),
                                      source="assumption (DeWit et al. 2016; Keller & Spencer "
                                             "2017: many relationships carry on informally)",
                                      meaning="Dose a week of informal contact after the "
                                              "formal end earns, relative to a mentored week "
                                              "at the same quality")
    family_engagement_effect: float = P(0.3, no_effect=0, unit="share", ge=0, le=1,
                                        plausible=(0, 0.6),
                                        source="assumption (weak evidence: DeWit et al. 2016 "
                                               "family support lowers closure; the range "
                                               "includes no effect)",
                                        meaning="Share of a family's interference that "
                                                "engaging the family removes")
    early_end_harm: float = P(0.05, no_effect=0, unit="hazard share", ge=0, le=1,
                              plausible=(0, 0.15),
                              source="Grossman & Rhodes (2002): early terminations followed "
                                     "by decrements",
                              meaning="Rise in reoffending hazard after a relationship ends "
                                      "within effects.early_end_weeks of its start")
    early_end_weeks: int = P(8, unit="weeks", ge=0, le=52, plausible=(4, 12),
                             source="Grossman & Rhodes (2002): 'very early terminations'",
                             meaning="A relationship that ends (other than by completion) "
                                     "within this many weeks is a very early ending")
    recall_share: float = P(0.5, unit="share", ge=0, le=1, source="assumption",
                            meaning="Share of reoffences that end the relationship (custody, "
                                    "recall)")
    linkage_rate: float = P(0.12, unit="per week", ge=0, le=1, source="Taylor et al. (2013); "
                            "assumption for size", meaning="Weekly chance a good relationship "
                                                          "bridges an unmet need to a service")
    linkage_reoffending_cut: float = P(0.08, no_effect=0, plausible=(0, 0.15), unit="hazard share",
                                       ge=0, le=1,
                                       source="assumption", meaning="Cut in reoffending hazard "
                                       "per service linked")
    network_probability: float = P(0.3, no_effect=0, unit="probability", ge=0, le=1,
                                   plausible=(0, 0.6),
                                   source="Buck (2021): schemes 'sometimes forge longer lasting "
                                          "support networks'; size assumption",
                                   meaning="Chance a long, good relationship leaves a lasting "
                                           "informal support network")
    network_min_weeks: int = P(12, unit="weeks", ge=0, le=520, plausible=(8, 26),
                               source="assumption (Grossman & Rhodes 2002: benefit grows with "
                                      "duration)",
                               meaning="Length a relationship must reach to leave a network")
    network_min_quality: float = P(0.5, unit="0-1", ge=0, le=1, plausible=(0.3, 0.7),
                                   source="assumption",
                                   meaning="Quality a relationship must reach to leave a "
                                           "network")
    network_reoffending_cut: float = P(0.05, no_effect=0, unit="hazard share", ge=0, le=1,
                                       plausible=(0, 0.15), source="assumption (weak evidence)",
                                       meaning="Cut in reoffending hazard from that network")


class Relationships(Section):
    """How a relationship develops week by week and how its closure hazards are shaped."""

    start_quality: float = P(
        0.1, unit="0-1", ge=0, le=1, plausible=(0, 0.3), source="assumption",
        meaning="Quality of a relationship when it is matched")
    missed_week_erosion: float = P(
        0.03, no_effect=0, unit="quality/missed week", ge=0, le=1, plausible=(0, 0.06),
        source="assumption", meaning="Quality lost in a week without contact")
    setback_probability: float = P(
        0.05, unit="probability/week", ge=0, le=1, plausible=(0.02, 0.1), source="assumption",
        meaning="Weekly chance of a setback in the mentee's life")
    setback_size: float = P(
        0.12, no_effect=0, unit="motivation", ge=0, le=1, plausible=(0, 0.2), source="assumption",
        meaning="Motivation a setback costs a mentee with no bond (scaled by 1 - quality)")
    small_step_gain: float = P(
        0.05, no_effect=0, unit="motivation/met week", ge=0, le=1, plausible=(0, 0.1),
        source="Buck (2021): encouraging small steps; size assumption",
        meaning="Motivation gained from a met week at full skill, time and quality")
    support_growth_share: float = P(
        0.2, no_effect=0, unit="share", ge=0, le=1, plausible=(0, 0.4), source="assumption",
        meaning="Share of quality growth that needs agency support (growth is scaled by "
                "1 - share + share x support ratio)")
    family_motivation_drain: float = P(
        0.01, no_effect=0, unit="motivation/week", ge=0, le=1, plausible=(0, 0.03),
        source="assumption (Spencer 2007, qualitative)",
        meaning="Motivation a fully interfering family costs each week (scaled by family)")
    linkage_motivation_gain: float = P(
        0.1, no_effect=0, unit="motivation/service", ge=0, le=1, plausible=(0, 0.2),
        source="assumption",
        meaning="Motivation gained when the mentee is linked to a service")
    youth_family_multiplier: float = P(
        1.5, no_effect=1, unit="x", ge=0, le=10, plausible=(1, 2), source="assumption",
        meaning="Family-interference closure hazard in youth justice, relative to adults")
    low_skill_exponent: float = P(
        2.0, unit="exponent", ge=0, le=10, plausible=(1, 3), source="assumption",
        meaning="Shape of the relational-skills hazard: it scales with (1 - effective skill) "
                "to this power")
    skilled_motivation_buffer: float = P(
        0.5, no_effect=0, unit="share", ge=0, le=1, plausible=(0, 0.75),
        source="assumption (Spencer 2007: low motivation is read by the mentor)",
        meaning="Share of the low-motivation hazard a fully skilled mentor avoids")
    overload_abandon_weight: float = P(
        0.5, no_effect=0, unit="x per unit overload", ge=0, le=10, plausible=(0, 1),
        source="assumption",
        meaning="Mentor-abandonment hazard per unit of load above full, relative to being "
                "burnt out")
    support_deficit_weight: float = P(
        0.6, no_effect=0, unit="x", ge=0, le=10, plausible=(0, 1), source="assumption",
        meaning="Agency-support closure hazard at a full support deficit, relative to full "
                "programme chaos")
    bond_support_buffer: float = P(
        0.5, no_effect=0, unit="share", ge=0, le=1, plausible=(0, 0.75), source="assumption",
        meaning="Share of the agency-support closure hazard a fully bonded relationship "
                "withstands")
    cultural_gap_detail_ratio: float = P(
        0.5, unit="x", ge=0, le=100, plausible=(0.25, 1), source="assumption",
        meaning="A relational-skills closure is recorded as 'cultural_gap', not 'low_skill', "
                "when the cultural divide cut skill by more than this times (1 - skill); "
                "labels the closure only")
    expectation_kind_weight: float = P(
        0.5, unit="share", ge=0, le=1, plausible=(0.3, 0.7), source="assumption",
        meaning="Share of the expectations gap from the kind of help expected; the rest is "
                "from expected length (Keller & Spencer 2017 STAR)")
    expectation_length_full_ratio: float = P(
        4.0, unit="ratio", gt=1, le=100, plausible=(2, 8), source="assumption",
        meaning="Ratio of the mentor's expected to the planned match length (either way) at "
                "which the length part of the gap is full")
    expectation_training_hours: float = P(
        12.0, unit="hours", gt=0, le=1000, plausible=(6, 24), source="assumption",
        meaning="Pre-match training that cuts the length part of the gap to 1/e (scaled by "
                "exp(-hours / this))")
    expectation_setting_residual: float = P(
        0.5, no_effect=1, unit="share", ge=0, le=1, plausible=(0.25, 1),
        source="assumption (Spencer 2007; Keller & Spencer 2017 STAR)",
        meaning="Share of the expectations gap left when expectations are agreed at matching "
                "(matching.expectation_setting)")


    crisis_weekly: float = P(
        0.01, unit="probability/week", ge=0, le=1, plausible=(0.005, 0.03),
        source="assumption (Spencer et al. 2017: life changes end relationships; about 40% "
               "of average-risk mentees with no unmet needs have a crisis in a year)",
        meaning="Weekly chance of a crisis (custody, a move, a relapse, a housing loss) for a "
                "mentee of average risk with no unmet needs")
    crisis_risk_exponent: float = P(
        1.0, no_effect=0,
        excludes_no_effect="Kupersmidt et al. (2017): accumulated risk factors raise premature "
                           "closure (6,468 matches)",
        unit="exponent", ge=0, le=5, plausible=(0.5, 2),
        source="Kupersmidt et al. (2017): accumulated risk factors raise premature closure; "
               "shape assumption",
        meaning="Crises scale with the mentee's individual risk (mean 1) to this power")
    crisis_need_weight: float = P(
        0.3, no_effect=0, unit="x per need", ge=0, le=5, plausible=(0, 0.6),
        source="assumption (Taylor et al. 2013: unmet housing, substance and employment "
               "needs)",
        meaning="Rise in the crisis rate per unmet need (needs linked to a service no longer "
                "count)")
    crisis_motivation_loss: float = P(
        0.15, no_effect=0, unit="motivation", ge=0, le=1, plausible=(0, 0.3), source="assumption",
        meaning="Motivation a crisis that does not end contact costs (scaled by 1 - quality)")
    missed_week_motivation_loss: float = P(
        0.02, no_effect=0, unit="motivation/missed week", ge=0, le=1, plausible=(0, 0.05),
        source="assumption", meaning="Motivation lost in a week the pair did not meet")
    reoffence_motivation_loss: float = P(
        0.15, no_effect=0, unit="motivation", ge=0, le=1, plausible=(0, 0.3), source="assumption",
        meaning="Motivation a reoffence (recalled or not) costs (scaled by 1 - quality)")
    continuation_max: float = P(
        0.6, unit="probability", ge=0, le=1, plausible=(0.3, 0.8),
        source="Herrera et al. (2007): half of school-based matches continue into the next "
               "year; DeWit et al. (2016), Keller & Spencer (2017): few endings are formal",
        meaning="Chance a relationship of full quality carries on past its commitment point "
                "(scaled by quality)")
    extension_share: float = P(
        0.4, unit="share", ge=0, le=1, plausible=(0.2, 0.7), source="assumption",
        meaning="Of relationships carrying on past the commitment point, the share formally "
                "extended (the rest continue informally, off the programme's books)")
    rematch_probability: float = P(
        0.5, unit="probability", ge=0, le=1, plausible=(0, 0.8),
        source="assumption (Herrera et al. 2007: about 10% of school-based mentees were "
               "rematched; Grossman et al. 2012: rematched youth did worse)",
        meaning="Chance a mentee whose relationship ended early because the mentor or the "
                "pairing failed (mentor abandonment or moving on, relational skills, "
                "mismatched expectations) goes back on the waiting list for a new mentor")
    extension_length_spread: float = P(
        0.5, unit="share", ge=0, lt=1, plausible=(0, 0.8),
        source="assumption (extensions are agreed case by case: to the end of an order or "
               "licence, or of a piece of work)",
        meaning="Each formal extension lasts programme.extension_weeks x (1 + this x (2U - "
                "1)), U uniform on [0, 1), rounded, at least a week: lengths spread evenly "
                "within this share either side of the mean")
    informal_weeks_mean: float = P(
        13.0, unit="weeks", ge=1, le=520, plausible=(4, 52), source="assumption",
        meaning="Mean length of informal contact after a relationship's formal end")


class Growth(Section):
    """How mentors' skills and staff know-how grow (all assumptions, weakly evidenced)."""

    skill_experience: float = P(
        0.002, no_effect=0, unit="share/week", ge=0, le=1, plausible=(0, 0.005),
        source="assumption",
        meaning="Share of the remaining skill gap closed by a week of mentoring")
    skill_training: float = P(
        0.003, no_effect=0, unit="share/week per hour/month", ge=0, le=1, plausible=(0, 0.006),
        source="assumption (Kupersmidt et al. 2017: training predicts match length)",
        meaning="Gap closed per week for each hour a month of ongoing training")
    skill_supervision: float = P(
        0.004, no_effect=0, unit="share/week", ge=0, le=1, plausible=(0, 0.008),
        source="assumption (Buck 2021)",
        meaning="Gap closed per week at full supervision")
    skill_manager_training: float = P(
        0.001, no_effect=0, unit="share/week", ge=0, le=1, plausible=(0, 0.003),
        source="assumption",
        meaning="Gap closed per week when staff and managers are trained")
    competence_share: float = P(
        0.5, unit="x", ge=0, le=1, source="assumption",
        meaning="Cultural competence grows at this share of the skill growth rate")
    know_how_weeks: float = P(
        52.0, unit="weeks", ge=1, le=520, plausible=(26, 104),
        source="McKay et al. (2018): every turnover event costs training and knowledge; "
               "time constant an assumption",
        meaning="Time constant for new staff to learn the programme")
    inexperienced_support_share: float = P(
        0.5, no_effect=1, unit="share", ge=0, le=1, plausible=(0.3, 1), source="assumption",
        meaning="Value of a support contact from staff with no know-how, relative to an "
                "experienced coordinator's")
    trained_manager_deficit: float = P(
        0.8, no_effect=1, unit="x", ge=0, le=1, plausible=(0.6, 1.0),
        source="assumption (Buck 2021)",
        meaning="Felt support deficit when staff and managers are trained, relative to "
                "untrained")
    chaos_reorganisation: float = P(
        0.8, no_effect=0, unit="0-1", ge=0, le=1, plausible=(0, 1), source="assumption",
        meaning="Programme chaos during a reorganisation")
    chaos_insecurity: float = P(
        0.4, no_effect=0, unit="0-1", ge=0, le=1, plausible=(0, 0.6),
        source="assumption (Clinks State "
                                                                    "of the Sector 2023)",
        meaning="Programme chaos while the grant's future is in doubt")
    chaos_vacancy: float = P(
        1.0, no_effect=0, unit="0-1 per unfilled share", ge=0, le=1, plausible=(0, 1),
        source="assumption (Clinks State of the Sector 2023, 2024: vacancies and turnover "
               "disrupt services)",
        meaning="Programme chaos per share of planned coordinator posts left unfilled "
                "(all posts empty: this much chaos)")
    chaos_inexperience: float = P(
        0.3, no_effect=0, unit="0-1", ge=0, le=1, plausible=(0, 0.5), source="assumption",
        meaning="Programme chaos with staff who have no know-how (scaled by 1 - know-how)")
    partner_stock_weeks: float = P(
        4.0, unit="weeks", ge=0, le=52, source="assumption",
        meaning="Partner-service places free at the start, in weeks of supply")


class Value(Section):
    """Unit costs that turn reoffending averted into money (a commissioner may put in
    their own)."""

    cost_per_reoffence_gbp: float = P(
        29_000.0, unit="GBP/proven reoffence", ge=0, le=1e7, plausible=(20_000, 42_000),
        source="derived in sim/unit_value.py: Newton, May, Eames & Ahmad (2019) Economic and "
               "social costs of reoffending (MoJ), GBP 18.1bn for the 2016 cohort's proven "
               "reoffending over 12 months (2017/18 prices), divided by that cohort's proven "
               "reoffences (MoJ Proven reoffending statistics, 2016 cohorts: about 160,000 "
               "reoffenders x about 3.9 each, recalled, grade C); the range reaches the 2011-12 "
               "divisor's GBP 41,600",
        meaning="Economic and social cost of one proven reoffence (costs in anticipation of, "
                "as a consequence of and in response to crime, with the unrecorded crime that "
                "goes with it): what each reoffence averted is worth")


class Run(Section):
    """Run settings (not part of the policy; may be overridden on the command line)."""

    weeks: int = P(260, unit="weeks", ge=1, le=5200, kind="setting", source="assumption",
                   label="Horizon",
                   meaning="Horizon")
    replications: int = P(10, unit="runs", ge=1, le=10_000, kind="setting",
                          label="Replications",
                          source="assumption", meaning="Replications per scenario")
    seed: int = P(20210626, unit="integer", ge=0, le=2**63 - 1, kind="setting",
                  label="Root seed",
                  source="assumption", meaning="Root seed")


class ScenarioParams(Section):
    """Every parameter of a scenario, grouped as in the scenario file."""

    programme: Programme = Programme()
    funding: Funding = Funding()
    staff: Staff = Staff()
    training: Training = Training()
    supervision: Supervision = Supervision()
    support: Support = Support()
    matching: Matching = Matching()
    mentors: Mentors = Mentors()
    mentees: Mentees = Mentees()
    formats: Formats = Formats()
    partners: Partners = Partners()
    shock: Shock = Shock()
    effects: Effects = Effects()
    relationships: Relationships = Relationships()
    growth: Growth = Growth()
    value: Value = Value()
    run: Run = Run()

    def with_changes(self, changes: Mapping[str, Any] | None = None, /,
                     **levers: Any) -> ScenarioParams:
        """A validated copy with some values changed (the original is not touched).

        Args:
            changes: ``{"section.key": value}``, as in ``--set``.
            **levers: the same as keywords named ``section__key`` (as
                :class:`sim.model.MentoringModel` takes them).

        Raises:
            ScenarioError: naming each bad key, its value and what is allowed.

        Example:
            >>> p = ScenarioParams().with_changes({"run.weeks": 104},
            ...                                   supervision__style="therapeutic")
            >>> p.run.weeks, p.supervision.style
            (104, 'therapeutic')
        """
        updates = dict(changes or {})
        updates.update({key.replace("__", ".", 1): value for key, value in levers.items()})
        data = self.model_dump()
        for key, value in updates.items():
            section, _, name = key.partition(".")
            if section not in data or not name or name not in data[section]:
                raise ScenarioError(f"{key} = {value!r}: unknown parameter; parameters are "
                                    "section.key (mentorsim params lists them)")
            data[section] = {**data[section], name: value}
        try:
            return ScenarioParams.model_validate(data)
        except ValidationError as exc:
            lines = []
            for err in exc.errors():
                where = ".".join(str(p) for p in err["loc"])
                value = f" = {err.get('input')!r}" if where else ""
                lines.append(f"{where}{value}: {error_text(err)}" if where else error_text(err))
            raise ScenarioError("\n".join(lines)) from None

    @model_validator(mode="after")
    def _consistent(self) -> ScenarioParams:
        f = self.formats
        total = f.one_to_one_share + f.group_share + f.leisure_share
        if abs(total - 1.0) > 1e-6:
            raise ValueError(
                f"formats: one_to_one_share + group_share + leisure_share must add up to 1, "
                f"got {total:g}")
        if self.supervision.sessions_per_month > 0 and self.staff.supervisors_fte == 0:
            raise ValueError(
                f"supervision.sessions_per_month = {self.supervision.sessions_per_month:g} "
                "but staff.supervisors_fte = 0: nobody can supervise; set "
                "supervision.sessions_per_month = 0 or add supervisors")
        s = self.staff
        staff_cost = (s.coordinators_fte * s.coordinator_salary_gbp
                      + s.supervisors_fte * s.supervisor_salary_gbp)
        if staff_cost > self.funding.annual_budget_gbp:
            raise ValueError(
                f"staff cost GBP {staff_cost:,.0f}/year (staff.coordinators_fte and "
                f"staff.supervisors_fte at their salaries) exceeds funding.annual_budget_gbp "
                f"= {self.funding.annual_budget_gbp:,.0f}")
        f = self.funding
        if f.reserve_floor_months > f.reserves_target_months:
            raise ValueError(
                f"funding.reserve_floor_months = {f.reserve_floor_months:g} is above "
                f"funding.reserves_target_months = {f.reserves_target_months:g}: the floor "
                "is the least the reserves policy keeps, below its target")
        order = self.funding.cut_order
        if len(set(order)) != len(order) or not order or order[-1] != "closure":
            raise ValueError(
                f"funding.cut_order = {list(order)}: each step at most once, ending with "
                "'closure' (a programme that cannot pay must close in the end)")
        m = self.mentors
        if m.style_practical_share + m.style_emotional_share > 1.0 + 1e-9:
            raise ValueError(
                "mentors.style_practical_share + mentors.style_emotional_share must be at "
                f"most 1, got {m.style_practical_share + m.style_emotional_share:g}")
        if m.skill_min > m.skill_max:
            raise ValueError(f"mentors.skill_min = {m.skill_min:g} is above mentors.skill_max "
                             f"= {m.skill_max:g}")
        me = self.mentees
        expected = (me.expectation_practical_share + me.expectation_emotional_share
                    + me.expectation_activities_share)
        if abs(expected - 1.0) > 1e-6:
            raise ValueError(
                "mentees: expectation_practical_share + expectation_emotional_share + "
                f"expectation_activities_share must add up to 1, got {expected:g}")
        for section, low, high in (("mentees", "motivation_floor", "motivation_ceiling"),
                                   ("mentees", "family_interference_min",
                                    "family_interference_max"),
                                   ("effects", "engagement_floor", "engagement_ceiling")):
            table = getattr(self, section)
            if getattr(table, low) > getattr(table, high):
                raise ValueError(f"{section}.{low} = {getattr(table, low):g} is above "
                                 f"{section}.{high} = {getattr(table, high):g}")
        if self.shock.enabled and self.shock.start_week > self.run.weeks:
            raise ValueError(
                f"shock.start_week = {self.shock.start_week} is after the horizon "
                f"run.weeks = {self.run.weeks}")
        return self


SECTIONS: dict[str, type[Section]] = {
    name: field.annotation  # type: ignore[misc]
    for name, field in ScenarioParams.model_fields.items()
}
