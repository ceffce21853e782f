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
