"""Validated, frozen model parameters: levers, uncertainties and run settings.

Each field carries its unit, its source (author, year) or "assumption", whether it is a
programme **lever** or an **uncertainty**, and a plausible range that sweeps may use.
Defaults describe a typical UK voluntary-sector peer-mentoring programme for adults on
probation, on short grants. Sections map one-to-one to the tables of a scenario file.

Unknown keys, wrong types and out-of-range values are rejected when a scenario is built
(see ``sim.scenario``); variants are made with ``model_copy(update=...)``, never in place.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

Kind = Literal["lever", "uncertainty", "setting"]
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
    plausible: tuple[float, float] | None = None,
) -> Any:
    """Declare one parameter with its unit, source, meaning and allowed range."""
    extra: dict[str, Any] = {"unit": unit, "source": source, "kind": kind}
    if plausible is not None:
        extra["plausible"] = list(plausible)
    return Field(default, ge=ge, le=le, gt=gt, description=meaning, json_schema_extra=extra)


class Section(BaseModel):
    """Base of every parameter table: frozen, and unknown keys are errors."""

    model_config = ConfigDict(extra="forbid", frozen=True, validate_default=True)


def weekly_rate(annual_probability: float) -> float:
    """Convert a probability per year into a constant weekly probability."""
    return 1.0 - (1.0 - annual_probability) ** (1.0 / 52.0)


class Programme(Section):
    """Size and shape of the programme being simulated."""

    agencies: int = P(1, unit="agencies", ge=1, le=200, kind="setting",
                      source="assumption", meaning="Agencies running the programme")
    setting: Literal["adult_probation", "prison_leavers", "youth_justice"] = P(
        "adult_probation", unit="category", kind="setting", source="assumption",
        meaning="Who the mentees are; sets baseline reoffending and family influence")
    planned_match_weeks: int = P(
        26, unit="weeks", ge=4, le=260, kind="lever", plausible=(13, 52),
        source="Ipsos MORI/McIvor (2015) RRCF evaluation: 'up to five or six months'",
        meaning="Planned length of a relationship; reaching it is a planned completion")
    referrals_per_year: float = P(
        150.0, unit="mentees/agency/year", ge=0, le=5000, plausible=(80, 240),
        source=f"{CALIBRATED} to cost per mentee-year GBP 1,000-3,000 and early exits "
               "(New Routes: ~3,000 referrals over several partners, Fraser of Allander 2023)",
        meaning="Mentees referred to each agency per year")
    target_mentors: int = P(
        26, unit="mentors/agency", ge=1, le=2000, kind="lever", plausible=(10, 100),
        source="JH Consulting (2017): 2-53 peer advisers per prison",
        meaning="Mentors each agency aims to have on its books")
    recruits_per_month: float = P(
        4.0, unit="recruits/agency/month", ge=0, le=500, plausible=(1, 10),
        source="assumption", meaning="Volunteer supply: new mentors an agency can recruit "
                                     "a month while below target")


class Funding(Section):
    """Grant money and how long it lasts."""

    annual_budget_gbp: float = P(
        120_000.0, unit="GBP/agency/year", ge=0, le=1e9, kind="lever",
        plausible=(80_000, 240_000),
        source="assumption sized to UK cost per mentee-year GBP 1,000-3,000 "
               "(Alfonso et al. c.2019; WSIPP)",
        meaning="Money an agency receives per year while a grant runs")
    grant_term_years: float = P(
        2.0, unit="years", gt=0, le=20, kind="lever", plausible=(1, 5),
        source="Scottish Government RRCF: GBP 7.7m for 2 years",
        meaning="Length of each grant or contract")
    renewal_probability: float = P(
        0.5, unit="probability", ge=0, le=1, plausible=(0.2, 0.95),
        source="assumption (Busse et al. 2018: programmes 'hang by a thread')",
        meaning="Chance a grant is renewed without a gap when it ends")
    gap_weeks_mean: float = P(
        26.0, unit="weeks", ge=0, le=520, plausible=(8, 52),
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
        meaning="Reserves an agency holds at the start, in weeks of budget")


class Staff(Section):
    """Coordinator and supervisor time that the money buys."""

    coordinators_fte: float = P(
        1.5, unit="FTE/agency", ge=0, le=500, kind="lever", plausible=(0.5, 3),
        source="MENTOR (2017) National Mentoring Program Survey: ~18 mentors per staff member",
        meaning="Coordinator posts: recruiting, matching and match-support contacts")
    supervisors_fte: float = P(
        0.5, unit="FTE/agency", ge=0, le=500, kind="lever", plausible=(0, 2),
        source="assumption", meaning="Supervisor posts for mentors")
    coordinator_salary_gbp: float = P(
        38_000.0, unit="GBP/FTE/year", ge=0, le=1e6, source="assumption (incl. on-costs)",
        meaning="Cost of one coordinator post")
    supervisor_salary_gbp: float = P(
        45_000.0, unit="GBP/FTE/year", ge=0, le=1e6, source="assumption (incl. on-costs)",
        meaning="Cost of one supervisor post (therapeutic supervision needs qualified staff)")
    attrition_annual: float = P(
        0.12, unit="probability/year", ge=0, le=1, plausible=(0.1, 0.35),
        source=f"{CALIBRATED} to early exits and median length in criminal-justice "
               "programmes (Clinks State of the Sector 2023, 2024: widespread staff burnout)",
        meaning="Staff turnover outside the insecurity period")
    insecurity_attrition_multiplier: float = P(
        4.0, unit="x", ge=1, le=50, plausible=(2, 8), source="assumption",
        meaning="How much faster staff leave when the grant is about to end")
    hire_weeks: float = P(
        10.0, unit="weeks", gt=0, le=104, source="assumption",
        meaning="Average time to fill a vacant post")


class Training(Section):
    """Training offered to mentors and to staff/managers."""

    pre_match_hours: float = P(
        6.0, unit="hours", ge=0, le=200, kind="lever", plausible=(2, 30),
        source="MENTOR Elements of Effective Practice 4th ed.: >=2 h, >=6 h promising",
        meaning="Training before a mentor is first matched")
    ongoing_hours_per_month: float = P(
        0.5, unit="hours/month", ge=0, le=40, kind="lever", plausible=(0, 4),
        source="assumption", meaning="Ongoing training per mentor")
    staff_manager_training: bool = P(
        False, unit="yes/no", kind="lever", source="Buck (2021) Academic Insight",
        meaning="Staff and managers trained in what mentoring can and cannot do (reduces "
                "extra-role tasks and improves support)")
    cost_per_hour_gbp: float = P(
        25.0, unit="GBP/mentor-hour", ge=0, le=1000, source="assumption",
        meaning="Cost of one hour of training for one mentor")
    hours_per_week: float = P(
        3.0, unit="hours/week", gt=0, le=40, source="assumption",
        meaning="Pace of pre-match training (sets weeks before a recruit can be matched)")


class Supervision(Section):
    """Supervision of mentors."""

    sessions_per_month: float = P(
        1.0, unit="sessions/mentor/month", ge=0, le=8, kind="lever", plausible=(0, 4),
        source="assumption", meaning="Supervision sessions offered per mentor")
    style: Literal["therapeutic", "managerial"] = P(
        "managerial", unit="category", kind="lever", source="Buck (2021) Academic Insight",
        meaning="Therapeutic (reflective, emotional) or managerial (case/compliance) supervision")
    mentors_per_supervisor_fte: float = P(
        30.0, unit="mentors/FTE", gt=0, le=500, plausible=(10, 40),
        source="assumption (evidence gap table: supervisor:mentor 1:10-20; MENTOR 2017 ~1:18)",
        meaning="Mentors one supervisor FTE can supervise at one session a month")
    cost_per_session_gbp: float = P(
        20.0, unit="GBP/session", ge=0, le=1000, source="assumption",
        meaning="Non-staff cost of a supervision session (room, travel)")


class Support(Section):
    """Match-support contacts from coordinators."""

    contacts_per_month: float = P(
        1.0, unit="contacts/match/month", ge=0, le=8, kind="lever", plausible=(0, 4),
        source="MENTOR Elements of Effective Practice: twice in month 1, then monthly",
        meaning="Coordinator contacts offered to each match")
    contacts_needed_per_month: float = P(
        2.0, unit="contacts/match/month", gt=0, le=8,
        source="assumption (Keller et al. 2020: no or very short contacts rated worst)",
        meaning="Contacts at which a match no longer feels unsupported")
    contacts_per_coordinator_fte_month: float = P(
        60.0, unit="contacts/FTE/month", gt=0, le=2000, plausible=(30, 120),
        source="assumption (MENTOR 2017: ~38 youth per staff member)",
        meaning="Match-support contacts one coordinator FTE can deliver per month")


class Matching(Section):
    """How mentees are matched to mentors."""

    caseload_cap_volunteer: int = P(
        2, unit="mentees/mentor", ge=1, le=50, kind="lever", plausible=(1, 4),
        source="assumption", meaning="Most mentees a volunteer mentor carries at once")
    caseload_cap_paid: int = P(
        8, unit="mentees/mentor", ge=1, le=100, kind="lever", plausible=(4, 15),
        source="assumption (HMI Probation 2021: quality falls at 50+ cases for officers)",
        meaning="Most mentees a paid peer mentor carries at once")
    expectation_setting: bool = P(
        True, unit="yes/no", kind="lever", source="Spencer (2007); Keller & Spencer (2017) STAR",
        meaning="Expectations of both sides discussed and agreed at matching")
    cultural_matching: bool = P(
        False, unit="yes/no", kind="lever", source="Spencer (2007)",
        meaning="Prefer a mentor from the mentee's cultural background when one is free")
    lived_experience_matching: bool = P(
        True, unit="yes/no", kind="lever", source="Buck (2021) Academic Insight",
        meaning="Prefer a peer mentor with lived experience when one is free")


class Mentors(Section):
    """Who the mentors are and how they are deployed."""

    peer_share: float = P(
        0.8, unit="share", ge=0, le=1, kind="lever", plausible=(0.3, 0.95),
        source="Buck (2021) Clinks: peer mentors up to 92% of CJ mentors in parts of England",
        meaning="Share of recruits who are peer mentors with lived experience")
    paid_peer_share: float = P(
        0.0, unit="share", ge=0, le=1, kind="lever", plausible=(0, 1),
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
        source="Buck (2021) 'punitive dilution'; Retaining peers (2025) PRJ 48(3)",
        meaning="Non-mentoring tasks given to mentors (mentors used as unpaid support staff)")
    expenses_per_week_gbp: float = P(
        8.0, unit="GBP/active volunteer/week", ge=0, le=500, source="assumption",
        meaning="Volunteer expenses (travel, phone)")
    attrition_annual_volunteer: float = P(
        0.1, unit="probability/year", ge=0, le=1, plausible=(0.1, 0.45),
        source=f"{CALIBRATED} to volunteer attrition 30-50% a year (CNCS 2009 Pathways to "
               "Service: 35.5% do not volunteer next year; base hazard: burnout, relapse, "
               "progression and funding insecurity add to it)",
        meaning="Base yearly exit hazard of a volunteer for life reasons")
    attrition_annual_paid: float = P(
        0.076, unit="probability/year", ge=0, le=1, plausible=(0.05, 0.2),
        source=f"{CALIBRATED} to paid peer attrition 15-25% a year (Retaining peers 2025, "
               "PRJ 48(3): ~18% leave within a year; base hazard)",
        meaning="Base yearly exit hazard of a paid peer mentor for life reasons")
    relapse_annual: float = P(
        0.11, unit="probability/year", ge=0, le=1, plausible=(0.03, 0.15),
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
        40.0, unit="weeks", gt=0, le=520, source="Keller & Spencer (2017) STAR",
        meaning="Median of how long new mentors expect a match to last")


class Mentees(Section):
    """Who is referred, and their circumstances."""

    give_up_weeks_mean: float = P(
        26.0, unit="weeks", gt=0, le=520, plausible=(4, 26),
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


class Formats(Section):
    """Mix of mentoring formats (Buck 2021: one-to-one, group work, informal leisure)."""

    one_to_one_share: float = P(0.7, unit="share", ge=0, le=1, kind="lever",
                                source="assumption", meaning="Share of contact one-to-one")
    group_share: float = P(0.2, unit="share", ge=0, le=1, kind="lever",
                           source="assumption", meaning="Share of contact in group work")
    leisure_share: float = P(0.1, unit="share", ge=0, le=1, kind="lever",
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
    peer_bonding: float = P(1.3, unit="x", ge=1, le=3, plausible=(1.0, 1.6),
                            source="Buck (2021); LeBel et al. (2015)",
                            meaning="Faster bonding of peer mentors with lived experience")
    engagement_base: float = P(0.86, unit="probability", ge=0, le=1, plausible=(0.65, 0.92),
                               source=f"{CALIBRATED} to early exits and median length in "
                                      "criminal-justice programmes",
                               meaning="Weekly chance a mentee turns up, before motivation "
                                       "and quality")
    drift_missed_weeks: int = P(3, unit="weeks", ge=1, le=26, source="Keller & Spencer "
                                "(2017) STAR: very few closures are formal",
                                meaning="Consecutive missed weeks after which the mentee has "
                                        "drifted away (mentee abandonment)")
    chaos_weekly: float = P(0.0012, unit="probability/week", ge=0, le=1,
                            plausible=(0.001, 0.005),
                            source=f"{CALIBRATED} to early exits (custody, moves, crisis)",
                            meaning="Weekly chance a mentee's life circumstances end contact")
    low_motivation_hazard: float = P(0.051, unit="per week", ge=0, le=1, plausible=(0.01, 0.1),
                                     source=f"{CALIBRATED} to early exits (mechanism: "
                                            "Spencer 2007)",
                                     meaning="Closure hazard when motivation is at its lowest "
                                             "and the mentor is unskilled")
    motivation_threshold: float = P(0.3, unit="0-1", ge=0, le=1, source="assumption",
                                    meaning="Motivation below which a mentor reads the mentee "
                                            "as not wanting help")
    expectation_hazard: float = P(0.017, unit="per week", ge=0, le=1, plausible=(0.005, 0.08),
                                  source=f"{CALIBRATED} to early exits (mechanism: Keller & "
                                         "Spencer 2017 STAR)",
                                  meaning="Closure hazard at a full expectations gap")
    skill_hazard: float = P(0.04, unit="per week", ge=0, le=1, plausible=(0.01, 0.1),
                            source=f"{CALIBRATED} to early exits (mechanism: Spencer 2007)",
                            meaning="Closure hazard for a wholly unskilled mentor")
    cultural_gap_weight: float = P(0.6, unit="0-1", ge=0, le=1, source="assumption",
                                   meaning="How much a cultural divide cuts effective skill "
                                           "when cultural competence is low")
    family_hazard: float = P(0.019, unit="per week", ge=0, le=1, plausible=(0.008, 0.08),
                             source=f"{CALIBRATED} to early exits (mechanism: DeWit et al. "
                                    "2016)",
                             meaning="Closure hazard from a fully interfering family")
    support_hazard: float = P(0.026, unit="per week", ge=0, le=1, plausible=(0.004, 0.05),
                              source=f"{CALIBRATED} to early exits (McQuillin & Lyons 2021: "
                                     "support contacts predict closure)",
                              meaning="Closure hazard with no support and full programme chaos")
    burnt_out_attendance: float = P(0.95, unit="probability", ge=0, le=1, plausible=(0.7, 1.0),
                                    source=f"{CALIBRATED} to early exits at 20-40% high "
                                           "exhaustion (the 40% of mental health professionals "
                                           "with high exhaustion in O'Connor et al. 2018 were "
                                           "still in post)",
                                    meaning="Weekly chance a burnt-out mentor still turns up "
                                            "to meet a mentee")
    mentor_abandon_hazard: float = P(0.0088, unit="per week", ge=0, le=1,
                                     plausible=(0.005, 0.12),
                                     source=f"{CALIBRATED} to early exits and median length",
                                     meaning="Hazard a burnt-out mentor stops turning up")
    exhaustion_load: float = P(0.035, unit="per week", ge=0, le=1, plausible=(0.02, 0.06),
                               source=f"{CALIBRATED} to high exhaustion in 20-40% of mentors "
                                      "(O'Connor et al. 2018: 40% of mental health "
                                      "professionals)",
                               meaning="Exhaustion gained per week at full workload")
    exhaustion_extra_role: float = P(0.015, unit="per week", ge=0, le=1,
                                     source="Retaining peers (2025): extra tasks OR 2.91",
                                     meaning="Exhaustion gained per week at a full extra-role "
                                             "load")
    exhaustion_distress: float = P(0.08, unit="per event", ge=0, le=1, source="assumption",
                                   meaning="Exhaustion from a mentee reoffending or crisis")
    exhaustion_peer: float = P(0.004, unit="per week", ge=0, le=1, source="Buck (2018) "
                               "'emotional toil'", meaning="Extra weekly exhaustion of peer "
                                                           "mentors (their own pressures)")
    recovery_base: float = P(0.05, unit="share/week", ge=0, le=1, source="assumption",
                             meaning="Share of exhaustion that fades each week unaided")
    recovery_supervision: float = P(0.06, unit="share/week", ge=0, le=1,
                                    plausible=(0.02, 0.12), source="assumption (evidence gap "
                                    "table: supervision -10 to -30% on burnout)",
                                    meaning="Extra recovery at two therapeutic sessions a month")
    managerial_weight: float = P(0.35, unit="x", ge=0, le=1, source="assumption (Buck 2021 "
                                 "recommends therapeutic)",
                                 meaning="Effect of managerial relative to therapeutic "
                                         "supervision on exhaustion")
    burnout_threshold: float = P(0.6, unit="0-1", ge=0, le=1, source="Maslach-style cut-off; "
                                 "assumption", meaning="Exhaustion at which a mentor is "
                                                       "burnt out")
    burnout_exit_multiplier: float = P(3.7, unit="x", ge=1, le=20, plausible=(1.5, 5),
                                       source=f"{CALIBRATED} to volunteer attrition and high "
                                              "exhaustion (Retaining peers 2025: burnout OR "
                                              "1.54 for intent to leave)",
                                       meaning="Exit hazard multiplier while burnt out")
    extra_role_exit_multiplier: float = P(2.91, unit="x at 4 h/week", ge=1, le=20,
                                          source="Retaining peers (2025) PRJ 48(3): OR 2.91",
                                          meaning="Exit hazard multiplier with 4 h/week of "
                                                  "extra-role tasks")
    supervision_exit_reduction: float = P(0.25, unit="share", ge=0, le=1,
                                          plausible=(0.1, 0.3), source="assumption (evidence "
                                          "gap table: -10 to -30%)",
                                          meaning="Cut in exit hazard at full supervision")
    paid_exit_reduction: float = P(0.42, unit="share", ge=0, le=1,
                                   source="Retaining peers (2025): meeting financial needs "
                                          "OR 0.58",
                                   meaning="Cut in burnout-driven exits for paid mentors")
    reoffending_effect: float = P(0.12, unit="hazard share", ge=0, le=1,
                                  plausible=(0.06, 0.4),
                                  source=f"{CALIBRATED} to a -5 to -15% relative effect of a "
                                         "completed relationship (Peterborough SIB -9%; "
                                         "Jolliffe & Farrington 2007)",
                                  meaning="Cut in reoffending hazard after a full-length, "
                                          "good-quality relationship (service links and "
                                          "support networks add to it)")
    early_end_harm: float = P(0.05, unit="hazard share", ge=0, le=1, plausible=(0, 0.15),
                              source="Grossman & Rhodes (2002): early terminations followed "
                                     "by decrements",
                              meaning="Rise in reoffending hazard after a relationship ends "
                                      "in its first 8 weeks")
    recall_share: float = P(0.5, unit="share", ge=0, le=1, source="assumption",
                            meaning="Share of reoffences that end the relationship (custody, "
                                    "recall)")
    linkage_rate: float = P(0.12, unit="per week", ge=0, le=1, source="Taylor et al. (2013); "
                            "assumption for size", meaning="Weekly chance a good relationship "
                                                          "bridges an unmet need to a service")
    linkage_reoffending_cut: float = P(0.08, unit="hazard share", ge=0, le=1,
                                       source="assumption", meaning="Cut in reoffending hazard "
                                       "per service linked")
    network_probability: float = P(0.3, unit="probability", ge=0, le=1, plausible=(0, 0.6),
                                   source="Buck (2021): schemes 'sometimes forge longer lasting "
                                          "support networks'; size assumption",
                                   meaning="Chance a long, good relationship leaves a lasting "
                                           "informal support network")
    network_reoffending_cut: float = P(0.05, unit="hazard share", ge=0, le=1,
                                       plausible=(0, 0.15), source="assumption (weak evidence)",
                                       meaning="Cut in reoffending hazard from that network")


class Run(Section):
    """Run settings (not part of the policy; may be overridden on the command line)."""

    weeks: int = P(260, unit="weeks", ge=1, le=5200, kind="setting", source="assumption",
                   meaning="Horizon")
    replications: int = P(10, unit="runs", ge=1, le=10_000, kind="setting",
                          source="assumption", meaning="Replications per scenario")
    seed: int = P(20210626, unit="integer", ge=0, le=2**63 - 1, kind="setting",
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
    run: Run = Run()

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
        if self.shock.enabled and self.shock.start_week > self.run.weeks:
            raise ValueError(
                f"shock.start_week = {self.shock.start_week} is after the horizon "
                f"run.weeks = {self.run.weeks}")
        return self


SECTIONS: dict[str, type[Section]] = {
    name: field.annotation  # type: ignore[misc]
    for name, field in ScenarioParams.model_fields.items()
}
