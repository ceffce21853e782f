"""Money that binds: the budget cuts what it cannot pay for, charges follow delivery, and
the funding scenarios receive the same pot."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sim.cli import main
from sim.commissioner import expected_funded_weeks
from sim.model import MentoringModel
from sim.params import ScenarioParams
from sim.rng import replication_seeds
from sim.runner import simulate
from sim.scenario import bundled_names, load_scenario

SEEDS = replication_seeds(4242, 3)


def _run(ref: str, *overrides: str, seed: int, weeks: int = 260) -> MentoringModel:
    params = load_scenario(ref, list(overrides), {"weeks": weeks}).params
    model = MentoringModel(params, seed)
    model.run_for(weeks)
    return model


@pytest.mark.parametrize("seed", SEEDS)
def test_a_small_budget_changes_what_is_delivered_not_just_the_balance(seed: int) -> None:
    poor = _run("long_term_investment", "funding.annual_budget_gbp=80000", seed=seed)
    rich = _run("long_term_investment", "funding.annual_budget_gbp=240000", seed=seed)
    wp, wr = poor.weekly_frame(), rich.weekly_frame()
    events = pd.DataFrame(poor.event_rows)
    assert (events["event"] == "cut").any(), "GBP 80k cannot pay for the offer: it must cut"
    assert not (pd.DataFrame(rich.event_rows)["event"] == "cut").any()
    for column in ("support_contacts_delivered", "supervision_sessions_delivered",
                   "active_matches", "staff_fte"):
        assert wp[column].mean() < wr[column].mean(), column
    assert not poor.tables()["matches"].equals(rich.tables()["matches"])


def test_cuts_are_logged_in_order_with_amounts_and_restored_in_reverse() -> None:
    model = _run("baseline", "funding.annual_budget_gbp=95000", seed=SEEDS[0])
    events = pd.DataFrame(model.event_rows)
    cuts = events[events["event"].isin(["cut", "restored"])]
    assert len(cuts), "a GBP 95k budget should bind"
    assert cuts["amount_gbp"].notna().all() and (cuts["amount_gbp"] >= 0).all()
    assert (events["event"] == "restored").any(), "money comes back with a new grant"
    order = list(model.p.funding.cut_order)
    in_force: list[str] = []
    for _, row in events[events["event"].isin(["cut", "restored", "programme_closed"])
                         ].iterrows():
        step = row["detail"].split(":")[0]
        if row["event"] == "programme_closed":  # a closed programme starts afresh
            in_force = []
        elif row["event"] == "cut":
            if step == "closure":
                in_force = []
                continue
            assert step == next(s for s in order if s not in in_force), (
                f"week {row['week']}: cut {step} out of order (in force: {in_force})")
            in_force.append(step)
        else:
            assert step == in_force[-1], "restorations undo the most recent cut first"
            in_force.pop()
    closed = events[events["event"] == "programme_closed"]
    if len(closed):  # closing for lack of money closes everything
        assert set(closed["detail"]) <= {"budget", "funding_ended"}


def test_a_protected_mentor_role_is_never_diluted() -> None:
    model = _run("baseline", "funding.annual_budget_gbp=85000", "funding.protect_mentor_role=true",
                 seed=SEEDS[1])
    details = [e["detail"] for e in model.event_rows if e["event"] == "cut"]
    assert details and not any(d.startswith("extra_role") for d in details)
    assert model.weekly_frame()["extra_role_hours"].max() == 0
    diluted = _run("baseline", "funding.annual_budget_gbp=85000", seed=SEEDS[1])
    assert diluted.weekly_frame()["extra_role_hours"].max() > 0, (
        "without protection, money running short should put extra-role tasks on mentors")


@pytest.mark.parametrize("name", [n for n in bundled_names() if n != "national"])
@pytest.mark.slow
def test_no_bundled_scenario_runs_below_its_floor_without_a_logged_cut(name: str) -> None:
    for seed in SEEDS[:2]:
        weekly = _run(name, seed=seed).weekly_frame()
        unanswered = weekly[(weekly["agencies_below_floor"] > 0) & (weekly["cuts_in_force"] == 0)]
        assert unanswered.empty, (
            f"{name}: weeks {list(unanswered['week'][:5])} below the reserve floor with no cut")


def test_charges_follow_delivery_and_capacity_limits_it() -> None:
    params = load_scenario("baseline", ["supervision.sessions_per_month=2",
                                        "staff.supervisors_fte=0.25"]).params
    model = MentoringModel(params, SEEDS[0])
    agency = model.agency_list[0]
    capacity = 0.25 * params.supervision.sessions_per_supervisor_fte_month / (52 / 12)
    short_weeks = 0
    for _ in range(104):
        model.step()
        assert agency.sessions_delivered <= min(agency.sessions_offered, capacity) + 1e-9
        assert agency.costs["supervision"] == pytest.approx(
            agency.sessions_delivered * params.supervision.cost_per_session_gbp)
        assert agency.costs["support"] == pytest.approx(
            agency.contacts_delivered * params.support.cost_per_contact_gbp)
        short_weeks += agency.sessions_delivered < agency.sessions_offered - 1e-9
    assert short_weeks > 90, "0.25 supervisor FTE cannot give 26 mentors 2 sessions a month"


def test_validate_and_run_warn_in_words_when_staff_cannot_deliver(
        capsys: pytest.CaptureFixture[str], tmp_path) -> None:
    scenario = tmp_path / "stretched.toml"
    scenario.write_text('extends = "baseline"\nquestion = "q"\n[supervision]\n'
                        'sessions_per_month = 2\nstyle = "therapeutic"\n')
    assert main(["validate", str(scenario)]) == 0
    err = capsys.readouterr().err
    assert "warning: stretched: supervision: 2 session(s) a month for 26 mentors needs 52" in err
    assert "about 58% of the offer will be delivered" in err
    out = tmp_path / "run"
    assert main(["run", str(scenario), "--reps", "1", "--weeks", "8", "--workers", "1",
                 "--out", str(out), "--no-dashboard"]) == 0
    assert "warning: stretched: supervision" in capsys.readouterr().err
    assert main(["validate", "baseline"]) == 0
    assert "supervision:" not in capsys.readouterr().err


def test_the_commissioners_expected_funded_weeks_match_the_funding_process() -> None:
    """The pot's pricing rests on this expectation: check it against a direct simulation
    of renewals and gaps."""
    rng = np.random.default_rng(5)
    for term, renewal in ((52, 0.4), (104, 0.5)):
        funded = []
        for _ in range(3000):
            week, total = 1, 0
            end = term
            while week <= 260:
                total += min(end, 260) - week + 1
                week = end + 1
                if week > 260:
                    break
                if rng.random() >= renewal:
                    week += max(1, round(rng.exponential(26.0)))
                end = week + term - 1
            funded.append(total)
        assert np.mean(funded) == pytest.approx(
            expected_funded_weeks(260, term, renewal, 26.0), rel=0.01)


@pytest.mark.slow
def test_the_funding_scenarios_receive_the_same_pot() -> None:
    """The pot is paid in expectation: a replication with fewer gaps than expected receives
    more, one with more gaps less, so the mean over replications is within 2% of the pot
    or, where the gaps' luck is larger than that, within three standard errors of it."""
    pot = ScenarioParams().funding.annual_budget_gbp * 5
    seeds = replication_seeds(20210626, 40)
    for name in ("baseline", "long_term_investment", "stop_start_grants"):
        params = load_scenario(name).params
        runs = [simulate(params, s)["weekly"] for s in seeds]
        received = np.array([w["income_gbp"].sum() for w in runs])
        funded = np.array([w["agencies_funded"].sum() for w in runs])
        # Every grant pays the same weekly rate, so what differs is only the weeks funded.
        rate = received / funded
        assert np.allclose(rate, rate[0]), name
        se = received.std(ddof=1) / np.sqrt(len(received))
        assert abs(received.mean() - pot) <= max(0.02 * pot, 3 * se), (
            f"{name}: mean received {received.mean():,.0f} vs pot {pot:,.0f} (se {se:,.0f})")


def test_a_skeleton_service_carries_mentors_through_a_gap() -> None:
    overrides = ["funding.renewal_probability=0", "funding.gap_weeks_mean=8",
                 "funding.initial_reserves_weeks=30"]
    closing = _run("baseline", *overrides, seed=SEEDS[0], weeks=156)
    bridging = _run("baseline", *overrides, "funding.gap_policy='skeleton'", seed=SEEDS[0],
                    weeks=156)
    c, b = closing.weekly_frame(), bridging.weekly_frame()
    gap = c[c["agencies_funded"] == 0]["week"]
    assert len(gap), "the grant was not renewed, so there is a gap"
    in_gap = b[b["week"].isin(gap)]
    assert (c[c["week"].isin(gap)]["active_mentors"] == 0).all()
    assert (in_gap["active_mentors"] > 0).any(), "reserves should keep the pool together"
    assert (in_gap["lost_referrals"].sum()) > 0, "a skeleton service takes no new referrals"
    events = [e["event"] for e in bridging.event_rows]
    assert "bridging_started" in events
