"""Every bundled scenario validates, states its policy question, and runs."""

from __future__ import annotations

import pytest

from sim.runner import simulate
from sim.scenario import BUNDLED_DIR, bundled_names, load_scenario

REQUIRED = {"baseline", "long_term_investment", "stop_start_grants", "therapeutic_supervision",
            "no_supervision", "enhanced_training", "unpaid_support_staff", "paid_peer_mentors",
            "reorganisation_shock", "national"}


def test_required_scenarios_are_bundled_and_indexed() -> None:
    assert set(bundled_names()) >= REQUIRED
    index = (BUNDLED_DIR / "README.md").read_text()
    for name in bundled_names():
        assert f"`{name}`" in index, f"scenarios/README.md does not index {name}"


@pytest.mark.parametrize("name", sorted(REQUIRED))
def test_scenario_states_question_and_runs(name: str) -> None:
    text = (BUNDLED_DIR / f"{name}.toml").read_text()
    assert text.startswith("# Policy question:"), f"{name}.toml must open with its question"
    scenario = load_scenario(name, run_overrides={"weeks": 90})
    assert scenario.question
    tables = simulate(scenario.params, seed=3)
    assert len(tables["weekly"]) == 90
    assert tables["weekly"]["active_mentors"].iloc[-1] > 0


def test_national_is_the_baseline_programme_at_national_scale() -> None:
    from sim.capacity import capacity_warnings

    national = load_scenario("national").params
    baseline = load_scenario("baseline").params
    assert national.programme.agencies >= 10
    # Each agency is run like the baseline programme: the same demand, mentors, staff and
    # money per agency, so capacity matches demand as it does there.
    for section in ("funding", "staff", "partners", "mentors", "mentees"):
        assert getattr(national, section) == getattr(baseline, section), section
    for key in ("referrals_per_year", "target_mentors", "planned_match_weeks"):
        assert getattr(national.programme, key) == getattr(baseline.programme, key), key
    assert capacity_warnings(national) == []


def test_validate_warns_when_capacity_or_cost_is_far_from_demand() -> None:
    from sim.capacity import capacity_warnings

    idle = load_scenario("baseline", ["programme.target_mentors=150",
                                      "funding.annual_budget_gbp=500000",
                                      "staff.coordinators_fte=5", "staff.supervisors_fte=2.5"])
    warnings = capacity_warnings(idle.params)
    assert any(w.startswith("capacity: 150 mentors an agency for about 63 relationships")
               for w in warnings), warnings
    assert any(w.startswith("cost: the design costs about £") for w in warnings), warnings


def test_extends_overrides_only_what_differs() -> None:
    base = load_scenario("baseline").params
    stable = load_scenario("long_term_investment").params
    assert stable.funding.grant_term_years == 5
    assert stable.funding.annual_budget_gbp == base.funding.annual_budget_gbp
    assert stable.supervision == base.supervision


def test_set_override_changes_one_value() -> None:
    s = load_scenario("baseline", ["supervision.sessions_per_month=0", "staff.supervisors_fte=0"])
    assert s.params.supervision.sessions_per_month == 0
    assert s.overrides == {"supervision.sessions_per_month": 0, "staff.supervisors_fte": 0}
