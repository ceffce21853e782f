"""Every value the validator accepts runs and keeps the invariants.

Parameters are drawn from the *full* bounds the validator accepts (``ge``/``le``/``gt``/
``lt`` in sim/params.py), not only their plausible ranges; values the cross-field checks
would refuse (shares that must add up to 1, a floor above its ceiling, staff costing more
than the budget) are repaired to the nearest accepted combination. Only the size of a run
is kept small so the test stays quick: at most 3 agencies, 40 mentors and 400 referrals an
agency, a 30-week burn-in and a 60-week horizon.
"""

from __future__ import annotations

import math
from typing import Any, Literal, get_args, get_origin

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic.fields import FieldInfo

from sim.budget import STEPS
from sim.model import MentoringModel
from sim.params import SECTIONS, ScenarioParams
from sim.vocabulary import CLOSURE_REASONS

# Run size, not behaviour: kept small for speed (see the module docstring).
SIZE_LIMITS = {("programme", "agencies"): 3, ("programme", "target_mentors"): 40,
               ("programme", "referrals_per_year"): 400.0,
               ("programme", "burn_in_weeks"): 30, ("run", "weeks"): 60,
               ("run", "replications"): 1}


def _bounds(info: FieldInfo) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for item in info.metadata:
        for key in ("ge", "le", "gt", "lt"):
            value = getattr(item, key, None)
            if value is not None:
                out[key] = value
    return out


def _strategy(section: str, name: str, info: FieldInfo) -> st.SearchStrategy[Any]:
    annotation = info.annotation
    if annotation is bool:
        return st.booleans()
    if get_origin(annotation) is Literal:
        return st.sampled_from(get_args(annotation))
    if get_origin(annotation) is tuple:  # the cut order: any order, closure last
        steps = [s for s in STEPS if s != "closure"]
        return st.permutations(steps).flatmap(
            lambda p: st.integers(0, len(p)).map(lambda k: (*p[:k], "closure")))
    b = _bounds(info)
    limit = SIZE_LIMITS.get((section, name))
    if annotation is int:
        low = int(b.get("ge", b.get("gt", 0) + 1))
        high = int(b.get("le", b.get("lt", 10**6) - 1))
        return st.integers(low, min(high, int(limit)) if limit is not None else high)
    low = float(b.get("ge", b.get("gt", 0.0)))
    high = float(b.get("le", b.get("lt", 1e6)))
    if limit is not None:
        high = min(high, limit)
    return st.floats(low, high, exclude_min="gt" in b, exclude_max="lt" in b,
                     allow_nan=False, allow_infinity=False)


PARAMS = st.fixed_dictionaries({
    section: st.fixed_dictionaries({name: _strategy(section, name, info)
                                    for name, info in model.model_fields.items()})
    for section, model in SECTIONS.items()})


def _normalise(table: dict[str, float], names: tuple[str, ...]) -> None:
    total = sum(table[n] for n in names)
    for n in names:
        table[n] = table[n] / total if total > 0 else (1.0 if n == names[0] else 0.0)


def _repair(values: dict[str, dict[str, Any]]) -> ScenarioParams:
    """The nearest combination the cross-field checks accept."""
    v = {k: dict(t) for k, t in values.items()}
    _normalise(v["formats"], ("one_to_one_share", "group_share", "leisure_share"))
    _normalise(v["mentees"], ("expectation_practical_share", "expectation_emotional_share",
                              "expectation_activities_share"))
    m = v["mentors"]
    styles = m["style_practical_share"] + m["style_emotional_share"]
    if styles > 1:
        m["style_practical_share"] /= styles
        m["style_emotional_share"] /= styles
    for section, low, high in (("mentors", "skill_min", "skill_max"),
                               ("mentees", "motivation_floor", "motivation_ceiling"),
                               ("mentees", "family_interference_min", "family_interference_max"),
                               ("effects", "engagement_floor", "engagement_ceiling"),
                               ("funding", "reserve_floor_months", "reserves_target_months")):
        t = v[section]
        t[low], t[high] = sorted((t[low], t[high]))
    if v["supervision"]["sessions_per_month"] > 0 and v["staff"]["supervisors_fte"] == 0:
        v["staff"]["supervisors_fte"] = 0.5
    s = v["staff"]
    staff_cost = (s["coordinators_fte"] * s["coordinator_salary_gbp"]
                  + s["supervisors_fte"] * s["supervisor_salary_gbp"])
    v["funding"]["annual_budget_gbp"] = min(1e9, max(v["funding"]["annual_budget_gbp"],
                                                     staff_cost))
    if v["funding"]["annual_budget_gbp"] < staff_cost:  # salaries too large for any budget
        s["coordinators_fte"] = s["supervisors_fte"] = 0.0
        v["supervision"]["sessions_per_month"] = 0.0
    v["shock"]["start_week"] = min(v["shock"]["start_week"], v["run"]["weeks"])
    return ScenarioParams.model_validate(v)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                 HealthCheck.data_too_large])
@given(values=PARAMS, seed=st.integers(0, 2**32))
@pytest.mark.slow
def test_any_accepted_value_runs_and_keeps_the_invariants(values: dict, seed: int) -> None:
    params = _repair(values)
    model = MentoringModel(params, seed)
    for _ in range(params.run.weeks):
        model.step()
        for agency in model.agency_list:
            assert agency.coordinators >= 0 and agency.supervisors >= 0, "negative staff"
            assert 0 <= agency.experience <= 1 and 0 <= agency.chaos <= 1
            assert 0 <= agency.support_ratio <= 1 and 0 <= agency.supervision_effect <= 1
            assert all(x >= 0 for x in agency.costs.values()), "negative spending"
            assert agency.sessions_delivered <= agency.sessions_offered + 1e-9
            assert agency.contacts_delivered <= agency.contacts_offered + 1e-9
        for mentor in model.mentor_pool:
            assert len(mentor.matches) <= mentor.cap, "caseload above the cap"
            assert 0 <= mentor.exhaustion <= 1 and 0 <= mentor.skill <= 1
        for match in model.open_matches:
            assert 0 <= match.quality <= 1 and 0 <= match.mentee.motivation <= 1
    model.finish()
    weekly = model.weekly_frame()
    counts = weekly.drop(columns=["funding_balance_gbp"])
    assert (counts >= 0).all().all(), "negative count or spending"
    assert all(math.isfinite(x) for x in weekly["funding_balance_gbp"])
    matches = model.tables()["matches"]
    assert matches["match_id"].is_unique, "one row (one reason) per relationship"
    assert set(matches["closure_reason"]) <= set(CLOSURE_REASONS)
    assert matches["quality_at_end"].between(0, 1).all()


def _run_to_end(*overrides: str, weeks: int = 104) -> MentoringModel:
    from sim.scenario import load_scenario

    params = load_scenario("baseline", list(overrides), {"weeks": weeks}).params
    model = MentoringModel(params, 3)
    model.run_for(weeks)
    return model


def test_staff_never_go_negative_when_everyone_leaves_at_once() -> None:
    model = _run_to_end("staff.attrition_annual=1", "staff.insecurity_attrition_multiplier=4")
    assert (model.weekly_frame()["staff_fte"] >= 0).all()


def test_quality_stays_in_range_at_the_fastest_accepted_bonding() -> None:
    model = _run_to_end("formats.leisure_bonding=5", "effects.quality_growth=1")
    assert model.tables()["matches"]["quality_at_end"].between(0, 1).all()


def test_a_zero_motivation_threshold_is_refused_with_its_reason() -> None:
    import pytest

    from sim.errors import UserError
    from sim.scenario import load_scenario

    with pytest.raises(UserError, match="effects.motivation_threshold"):
        load_scenario("baseline", ["effects.motivation_threshold=0"])
