"""The model as a Mesa user meets it: keyword levers, batch_run, run_model, agent data."""

from __future__ import annotations

import math

import mesa
import pandas as pd
import pytest

from sim.agents.mentee import Mentee
from sim.agents.mentor import Mentor
from sim.errors import ScenarioError
from sim.metrics import HEADLINE, METRICS, run_metrics
from sim.model import MentoringModel
from sim.runner import simulate
from sim.scenario import load_scenario


def test_keyword_levers_are_validated_like_a_scenario_file():
    model = MentoringModel(scenario="baseline", rng=4, supervision__sessions_per_month=2,
                           run__weeks=30)
    assert model.p.supervision.sessions_per_month == 2
    assert model.p.run.weeks == 30
    assert model.scenario_name == "baseline"
    with pytest.raises(ScenarioError, match="keyword argument supervision__sessions_per_month"):
        MentoringModel(scenario="baseline", rng=1, supervision__sessions_per_month=-1)
    with pytest.raises(ScenarioError, match="did you mean"):
        MentoringModel(scenario="baseline", rng=1, supervision__sesions_per_month=1)
    with pytest.raises(ScenarioError, match="name levers section__key"):
        MentoringModel(scenario="baseline", rng=1, sessions_per_month=2)
    with pytest.raises(TypeError, match="integer"):
        MentoringModel(scenario="baseline", rng=1.5)


def test_run_model_stops_at_the_horizon_and_reports_the_run_metrics():
    model = MentoringModel(scenario="baseline", rng=11, run__weeks=60)
    assert model.steps == 0 and model.running  # the burn-in is not on Mesa's clock
    model.run_model()
    assert model.steps == 60 and not model.running
    frame = model.datacollector.get_model_vars_dataframe()
    assert len(frame) == 60
    assert frame[HEADLINE[0]].iloc[:-1].isna().all()  # metrics are known at the horizon
    # ...and equal what the runner computes for the same parameters and seed.
    params = load_scenario("baseline", run_overrides={"weeks": 60}).params
    expected = run_metrics(simulate(params, 11), params)
    for name in METRICS:
        got, want = model.run_metrics[name], float(expected[name])
        assert (math.isnan(got) and math.isnan(want)) or got == want, name
        assert frame[name].iloc[-1] == got or math.isnan(got)


def test_the_mesa_way_gives_the_same_run_as_the_runner():
    params = load_scenario("baseline", ["supervision.sessions_per_month=0"],
                           {"weeks": 40}).params
    via_mesa = MentoringModel(scenario="baseline", rng=5, supervision__sessions_per_month=0,
                              run__weeks=40)
    via_mesa.run_model()
    via_mesa.finish()
    for name, table in simulate(params, 5).items():
        pd.testing.assert_frame_equal(via_mesa.tables()[name], table, check_exact=True)


def test_batch_run_varies_a_lever_and_returns_the_documented_metrics():
    rows = mesa.batch_run(
        MentoringModel, {"supervision__sessions_per_month": [0, 2], "run__weeks": 52},
        rng=[1, 2], max_steps=1_000, number_processes=1, display_progress=False)
    frame = pd.DataFrame(rows)
    assert len(frame) == 4
    assert (frame["Step"] == 52).all()
    assert set(HEADLINE) <= set(frame.columns)
    assert not any(pd.api.types.is_object_dtype(t) for t in frame.dtypes)  # no objects
    # Each row is the run a direct call gives for its lever value and seed.
    for row in frame.itertuples(index=False):
        model = MentoringModel(scenario="baseline", rng=int(row.seed),
                               supervision__sessions_per_month=row.supervision__sessions_per_month,
                               run__weeks=52)
        model.run_model()
        assert model.run_metrics["premature_closure_rate"] == row.premature_closure_rate


def test_agent_snapshots_through_mesa_datacollector():
    model = MentoringModel(scenario="baseline", rng=3, run__weeks=26, agent_snapshot_weeks=13)
    model.run_model()
    mentees = model.agent_datacollector.get_agenttype_vars_dataframe(Mentee)
    mentors = model.agent_datacollector.get_agenttype_vars_dataframe(Mentor)
    assert sorted(set(mentees.index.get_level_values("Step"))) == [13, 26]
    assert {"motivation", "dose", "risk"} <= set(mentees.columns)
    assert {"exhaustion", "burnt_out", "skill"} <= set(mentors.columns)
    # A snapshot row is the agent's column row at that week.
    last = mentors.xs(26, level="Step")
    agent = next(iter(model.agents_by_type[Mentor]))
    assert last.loc[agent.unique_id, "exhaustion"] == model.mentors.exhaustion[agent.index]
    assert MentoringModel(scenario="baseline", rng=3, run__weeks=5).agent_datacollector is None


def test_batch_run_with_no_seed_gives_fresh_recorded_seeds_as_mesa_does():
    for given in ({"rng": None}, {"rng": [None] * 3}):
        rows = pd.DataFrame(mesa.batch_run(MentoringModel, {"run__weeks": 26},
                                           max_steps=1_000, number_processes=1,
                                           display_progress=False, **given))
        assert rows["seed"].notna().all()
    assert rows["seed"].nunique() == 3 and rows["abandonment_rate"].nunique() > 1
    # each recorded seed gives its run again
    seed = int(rows["seed"].iloc[1])  # (a row as a Series would be floats: 63-bit seeds)
    model = MentoringModel(rng=seed, run__weeks=26)
    model.run_model()
    assert model.run_metrics["premature_closure_rate"] == rows["premature_closure_rate"][1]
    assert model.seed == seed == model.scenario.rng


def test_stopping_short_of_the_horizon_warns_and_reports_the_weeks_run():
    with pytest.warns(UserWarning, match="stopped at week 30 of its 60-week horizon"):
        rows = mesa.batch_run(MentoringModel, {"run__weeks": 60}, rng=[4], max_steps=30,
                              number_processes=1, display_progress=False)
    row = rows[0]
    assert row["Step"] == 30
    # what a 30-week window can say is said (rates over the run, counts, money)
    for name in ("abandonment_rate", "mentor_burnout_prevalence", "total_spend_gbp"):
        assert not math.isnan(row[name]), name
    model = MentoringModel(rng=4, run__weeks=60)
    model.run_for(30)
    with pytest.warns(UserWarning):
        frame = model.datacollector.get_model_vars_dataframe()
    assert frame["abandonment_rate"].iloc[-1] == row["abandonment_rate"]
    assert frame["abandonment_rate"].iloc[:-1].isna().all()
    model.run_model()  # then the run goes on to its horizon: only the last row is a result
    frame = model.datacollector.get_model_vars_dataframe()
    assert frame["abandonment_rate"].notna().sum() == 1 and len(frame) == 60
    assert frame["abandonment_rate"].iloc[-1] == model.run_metrics["abandonment_rate"]


def test_mesa_scenario_objects_are_accepted():
    from mesa.experimental.scenarios import Scenario

    from sim.mesa_scenario import ProgrammeScenario

    scenario = ProgrammeScenario(rng=9, scenario_name="baseline", run__weeks=20,
                                 supervision__sessions_per_month=2)
    model = MentoringModel(scenario=scenario)
    assert (model.seed, model.p.run.weeks, model.p.supervision.sessions_per_month) == (9, 20, 2)
    # the model records what it ran: scenario, levers and seed (a fresh seed too)
    recorded = model.scenario
    assert (recorded.rng, recorded.scenario_name, recorded.run__weeks) == (9, "baseline", 20)
    assert recorded.model is model
    # a plain Mesa Scenario of levers, and the keywords a Reset adds beside it
    plain = MentoringModel(scenario=Scenario(run__weeks=20), rng="9",
                           supervision__sessions_per_month=2)
    assert plain.seed == 9 and plain.p.run.weeks == 20
    with pytest.raises(TypeError, match="differ"):
        MentoringModel(scenario=ProgrammeScenario(rng=1), rng=2)
    with pytest.raises(TypeError, match="given by the scenario object and as a keyword"):
        MentoringModel(scenario=Scenario(run__weeks=20), run__weeks=30)
    with pytest.raises(TypeError, match="mesa Scenario"):
        MentoringModel(scenario=3)


def test_the_solara_page_builds_and_its_reset_rebuilds_the_model():
    pytest.importorskip("solara")
    import importlib.util
    from pathlib import Path

    import solara
    from mesa.visualization.solara_viz import (
        _build_model_init_kwargs,
        _check_model_params,
        split_model_params,
    )

    path = Path(__file__).resolve().parent.parent / "examples" / "solara_app.py"
    spec = importlib.util.spec_from_file_location("solara_app", path)
    app = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(app)
    solara.render(app.page, handle_error=False)  # the page builds, without a browser
    model = app.page.args[0]
    _check_model_params(model, app.model_params)
    # Reset, as SolaraViz does it: the page's values plus Mesa's scenario object
    user, fixed = split_model_params(app.model_params)
    values = {**{k: v["value"] for k, v in user.items()}, **fixed,
              "supervision__sessions_per_month": 3.0}
    kwargs = _build_model_init_kwargs(model, values, add_scenario_when_empty=True,
                                      require_model_accepts_scenario=True)
    assert "scenario" in kwargs
    again = type(model)(**kwargs)
    assert again.p.supervision.sessions_per_month == 3.0 and again.seed == 1
    again.step()
    assert again.datacollector.get_model_vars_dataframe()["active_mentors"].iloc[-1] > 0
