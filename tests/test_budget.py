"""Money as programmes plan it, in whole runs: it binds when short, grows capacity when
there is demand and money, changes the offer without thrashing, and is paid by the rule
the scenario names."""

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


def _events(model: MentoringModel) -> pd.DataFrame:
    return pd.DataFrame(model.event_rows)


@pytest.mark.parametrize("seed", SEEDS)
def test_money_binds_at_a_low_budget_and_capacity_grows_at_a_high_one(seed: int) -> None:
    poor = _run("long_term_investment", "funding.annual_budget_gbp=80000", seed=seed)
    rich = _run("long_term_investment", "funding.annual_budget_gbp=240000",
                "programme.referrals_per_year=240", seed=seed)
    plan = _events(poor)
    planned = plan[plan["event"] == "offer_planned"]
    assert (planned["detail"].str.extract(r"size ([\d.]+)")[0].astype(float) < 1).all(), (
        "GBP 80k cannot pay for the design: each grant is planned smaller")
    wp, wr = poor.weekly_frame(), rich.weekly_frame()
    assert wp["spend_gbp"].sum() <= wp["income_gbp"].sum() + poor.agency_list[0].received_gbp
    rich_plan = _events(rich)
    sizes = rich_plan[rich_plan["event"] == "offer_planned"]["detail"].str.extract(
        r"size ([\d.]+)")[0].astype(float)
    assert (rich_plan["event"] == "grown").any() or (sizes > 1).all(), (
        "demand and money: the programme grows beyond its design (in the burn-in or later)")
    for column in ("active_mentors", "active_matches", "staff_fte"):
        assert wp[column].mean() < wr[column].mean(), column
    # Money binds: what is paid is spent (the rich programme keeps its reserves policy).
    for model in (poor, rich):
        w = model.weekly_frame()
        unspent = (w["income_gbp"].sum() - w["spend_gbp"].sum()) / w["income_gbp"].sum()
        assert unspent < 0.1, f"{unspent:.0%} of the money left unspent"


def test_cuts_are_logged_in_order_with_amounts_and_restored_in_reverse() -> None:
    model = _run("baseline", "funding.annual_budget_gbp=95000", "funding.min_scale=1",
                 seed=SEEDS[0])
    events = _events(model)
    cuts = events[events["event"].isin(["cut", "restored"])]
    assert (events["event"] == "cut").any(), "a GBP 95k budget held at the full design cuts"
    assert cuts["amount_gbp"].notna().all() and (cuts["amount_gbp"] >= 0).all()
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
        elif "new grant" in row["detail"]:  # new money lifts a skeleton's cuts at once
            in_force.remove(step)
        else:
            assert step == in_force[-1], "restorations undo the most recent cut first"
            in_force.pop()


@pytest.mark.parametrize("budget", [80_000, 95_000, 120_000, 180_000])
def test_no_change_of_offer_is_reversed_within_the_hold(budget: int) -> None:
    """Nothing thrashes: a step restored is not cut again, and a cut is not restored,
    within ``funding.change_hold_weeks``, except at new money (a skeleton's cuts are lifted)
    or when the balance itself is below the floor."""
    hold = ScenarioParams().funding.change_hold_weeks
    for name in ("baseline", "long_term_investment", "stop_start_grants"):
        for seed in SEEDS[:2]:
            model = _run(name, f"funding.annual_budget_gbp={budget}", seed=seed)
            weekly = model.weekly_frame().set_index("week")
            last: dict[tuple[str, str], int] = {}
            for e in model.event_rows:
                if e["event"] not in ("cut", "restored") or "new grant" in e["detail"]:
                    continue
                if "skeleton" in e["detail"] or "closure" in e["detail"]:
                    continue
                step = e["detail"].split(":")[0]
                opposite = ("restored" if e["event"] == "cut" else "cut", step)
                if opposite in last and e["week"] - last[opposite] < hold:
                    below = weekly.loc[e["week"], "agencies_below_floor"] > 0 \
                        if e["week"] in weekly.index else False
                    assert below or e["event"] == "restored", (
                        f"{name} at GBP {budget}: {step} {e['event']} in week {e['week']}, "
                        f"{e['week'] - last[opposite]} weeks after it was {opposite[0]}")
                    assert e["event"] != "restored", (
                        f"{name}: {step} restored {e['week'] - last[opposite]} weeks after "
                        "its cut")
                last[(e["event"], step)] = e["week"]


def test_each_payment_rule_pays_what_it_says() -> None:
    seeds = replication_seeds(7, 4)
    for name in ("baseline", "stop_start_grants"):
        same_rate = load_scenario(name).params
        same_pot = load_scenario(name, ["funding.payment_rule='same_pot'"]).params
        for seed in seeds:
            rate = simulate(same_rate, seed)["weekly"]
            funded = rate[rate["agencies_funded"] > 0]
            # A grant pays the budget a year while it runs, nothing in a gap.
            assert np.allclose(funded["income_gbp"], 120_000 / 52)
            assert (rate[rate["agencies_funded"] == 0]["income_gbp"] == 0).all()
            pot = simulate(same_pot, seed)["weekly"]
            paid = pot[pot["agencies_funded"] > 0]["income_gbp"]
            assert np.allclose(paid, paid.iloc[0])
            if (rate["agencies_funded"] == 0).any():
                assert paid.iloc[0] > 120_000 / 52, "the pot pays gaps' money in the grants"


def test_the_baseline_spends_what_it_is_paid() -> None:
    params = load_scenario("baseline").params
    shares = []
    for seed in replication_seeds(20210626, 6):
        weekly = simulate(params, seed)["weekly"]
        received = weekly["income_gbp"].sum()
        target = params.funding.reserves_target_months * weekly["spend_gbp"].tail(13).mean() \
            * 52 / 12
        shares.append((received - weekly["spend_gbp"].sum() - max(0.0, target)) / received)
    assert np.mean(shares) <= 0.10, f"unspent beyond the reserves policy: {np.mean(shares):.1%}"


def test_a_protected_mentor_role_is_never_diluted() -> None:
    overrides = ("funding.annual_budget_gbp=85000", "funding.min_scale=1")
    model = _run("baseline", *overrides, "funding.protect_mentor_role=true", seed=SEEDS[1])
    assert not any(e["detail"].startswith("extra_role") for e in model.event_rows
                   if e["event"] == "cut")
    assert model.weekly_frame()["extra_role_hours"].max() == 0
    diluted = _run("baseline", *overrides, "funding.cut_order=['extra_role', 'closure']",
                   seed=SEEDS[1])
    assert diluted.weekly_frame()["extra_role_hours"].max() > 0, (
        "without protection, money running short puts extra-role tasks on mentors")


@pytest.mark.parametrize("name", [n for n in bundled_names() if n != "national"])
@pytest.mark.slow
def test_no_bundled_scenario_runs_below_its_floor_without_a_logged_change(name: str) -> None:
    for seed in SEEDS[:2]:
        model = _run(name, seed=seed)
        weekly = model.weekly_frame()
        changed = {e["week"] for e in model.event_rows
                   if e["event"] in ("cut", "shrunk", "programme_closed")}
        below = weekly[(weekly["agencies_below_floor"] > 0) & (weekly["cuts_in_force"] == 0)]
        unanswered = [w for w in below["week"] if not any(w - 8 <= c <= w for c in changed)]
        assert not unanswered, (
            f"{name}: weeks {unanswered[:5]} below the reserve floor with no change made")


def test_charges_follow_delivery_and_capacity_limits_it() -> None:
    params = load_scenario("baseline", ["supervision.sessions_per_month=2",
                                        "staff.supervisors_fte=0.25"]).params
    model = MentoringModel(params, SEEDS[0])
    agency = model.agency_list[0]
    short_weeks = 0
    for _ in range(104):
        model.step()
        capacity = agency.supervisors * params.supervision.sessions_per_supervisor_fte_month \
            / (52 / 12)
        assert agency.sessions_delivered <= min(agency.sessions_offered, capacity) + 1e-9
        assert agency.costs["supervision"] == pytest.approx(
            agency.sessions_delivered * params.supervision.cost_per_session_gbp)
        assert agency.costs["support"] == pytest.approx(
            agency.contacts_delivered * params.support.cost_per_contact_gbp)
        short_weeks += agency.sessions_delivered < agency.sessions_offered - 1e-9
    assert short_weeks > 90, "0.25 supervisor FTE cannot give 26 mentors 2 sessions a month"


def test_therapeutic_supervision_costs_what_it_costs() -> None:
    from sim.capacity import planned_annual_spend

    managerial = load_scenario("baseline").params
    therapeutic = load_scenario("baseline", ["supervision.style='therapeutic'"]).params
    s = therapeutic.supervision
    assert planned_annual_spend(therapeutic) - planned_annual_spend(managerial) \
        == pytest.approx(therapeutic.staff.supervisors_fte * (
            s.therapeutic_salary_premium_gbp + s.therapeutic_training_gbp_per_fte_year))
    model = MentoringModel(therapeutic, SEEDS[0])
    agency = model.agency_list[0]
    for _ in range(8):  # the accounts charge the premium, the training and each session
        model.step()
        assert agency.costs["staff"] == pytest.approx(
            (agency.coordinators * therapeutic.staff.coordinator_salary_gbp + agency.supervisors
             * (therapeutic.staff.supervisor_salary_gbp + s.therapeutic_salary_premium_gbp)) / 52)
        assert agency.costs["supervision"] == pytest.approx(
            agency.sessions_delivered * s.cost_per_session_gbp
            + agency.supervisors * s.therapeutic_training_gbp_per_fte_year / 52)


def test_validate_and_run_warn_in_words_when_staff_cannot_deliver(
        capsys: pytest.CaptureFixture[str], tmp_path) -> None:
    scenario = tmp_path / "stretched.toml"
    scenario.write_text('extends = "baseline"\nquestion = "q"\n[supervision]\n'
                        'sessions_per_month = 2\nstyle = "therapeutic"\n')
    assert main(["validate", str(scenario)]) == 0
    err = capsys.readouterr().err
    assert "warning: stretched: supervision: 2 session(s) a month for 26 mentors needs 52" in err
    assert "at most 20 (40 a month per full-time post in therapeutic style)" in err
    assert "about 38% of the offer will be delivered" in err
    out = tmp_path / "run"
    assert main(["run", str(scenario), "--reps", "1", "--weeks", "8", "--workers", "1",
                 "--out", str(out), "--no-dashboard"]) == 0
    assert "warning: stretched: supervision" in capsys.readouterr().err
    assert main(["validate", "baseline"]) == 0
    assert "supervision:" not in capsys.readouterr().err


def test_the_commissioners_expected_funded_weeks_match_the_funding_process() -> None:
    """The same pot's pricing rests on this expectation: check it against a direct
    simulation of renewals and gaps."""
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
def test_under_the_same_pot_the_funding_scenarios_receive_the_same_pot() -> None:
    """The pot is paid in expectation: a replication with fewer gaps than expected receives
    more, one with more gaps less, so the mean over replications is within 2% of the pot
    or, where the gaps' luck is larger than that, within three standard errors of it."""
    pot = ScenarioParams().funding.annual_budget_gbp * 5
    seeds = replication_seeds(20210626, 40)
    for name in ("baseline", "long_term_investment", "stop_start_grants"):
        params = load_scenario(name, ["funding.payment_rule='same_pot'"]).params
        runs = [simulate(params, s)["weekly"] for s in seeds]
        received = np.array([w["income_gbp"].sum() for w in runs])
        funded = np.array([w["agencies_funded"].sum() for w in runs])
        # Every grant pays the same weekly rate, so what differs is only the weeks funded.
        rate = received / funded
        assert np.allclose(rate, rate[0]), name
        se = received.std(ddof=1) / np.sqrt(len(received))
        assert abs(received.mean() - pot) <= max(0.02 * pot, 3 * se), (
            f"{name}: mean received {received.mean():,.0f} vs pot {pot:,.0f} (se {se:,.0f})")


def test_reserves_carry_the_service_through_a_gap() -> None:
    overrides = ["funding.renewal_probability=0", "funding.gap_weeks_mean=8",
                 "funding.initial_reserves_weeks=30"]
    closing = _run("baseline", *overrides, "funding.gap_policy='close'", seed=SEEDS[0],
                   weeks=156)
    skeleton = _run("baseline", *overrides, "funding.gap_policy='skeleton'", seed=SEEDS[0],
                    weeks=156)
    bridged = _run("baseline", *overrides, "funding.gap_policy='reserves'",
                   "funding.reserves_target_months=6", seed=SEEDS[0], weeks=156)
    c, s = closing.weekly_frame(), skeleton.weekly_frame()
    gap = c[c["agencies_funded"] == 0]["week"]
    assert len(gap), "the grant was not renewed, so there is a gap"
    assert (c[c["week"].isin(gap)]["active_mentors"] == 0).all()
    in_gap = s[s["week"].isin(gap)]
    assert (in_gap["active_mentors"] > 0).any(), "reserves should keep the pool together"
    assert in_gap["lost_referrals"].sum() > 0, "a skeleton service takes no new referrals"
    assert "skeleton_started" in {e["event"] for e in skeleton.event_rows}
    events = _events(bridged)
    started = events[events["event"] == "bridging_started"]["week"]
    assert len(started), "six months of reserves bridge an 8-week gap"
    ends = events[events["event"].isin(["skeleton_started", "grant_started"])
                  & (events["week"] > started.iloc[0])]["week"]
    b = bridged.weekly_frame()
    bridging = b[(b["week"] >= started.iloc[0]) & (b["week"] < ends.min())]
    assert len(bridging) and bridging["lost_referrals"].sum() == 0, (
        "a bridged service goes on taking referrals")
    assert (bridging["income_gbp"] == 0).all() and (bridging["spend_gbp"] > 0).all()
