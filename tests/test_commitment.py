"""Relationships over time: planned lengths vary, and at the commitment point a
relationship ends as planned, is extended, or carries on informally, more often the better
it is; motivation can fall at any age."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sim.model import MentoringModel
from sim.runner import simulate
from sim.scenario import load_scenario
from tests.pairing import assert_paired_lower, metrics_of, scenario

SEEDS = (101, 202, 303)


@pytest.fixture(scope="module")
def matches() -> pd.DataFrame:
    params = load_scenario("baseline").params
    return pd.concat([simulate(params, seed)["matches"] for seed in SEEDS])


def test_planned_lengths_vary_between_matches(matches: pd.DataFrame) -> None:
    assert matches["planned_weeks"].std() > 3, "planned lengths should vary between matches"
    completed = matches[matches["closure_reason"] == "completed"]
    assert completed["duration_weeks"].nunique() > 10, (
        "completions should happen at many different lengths, not all at one planned length")
    assert (completed["duration_weeks"] >= completed["planned_weeks"]).all(), (
        "a relationship completes only once it has reached its commitment point")


def test_youth_setting_has_less_spread_round_a_longer_commitment() -> None:
    youth = load_scenario("youth_justice").params
    adult = load_scenario("baseline").params
    y = simulate(youth, SEEDS[0])["matches"]["planned_weeks"]
    a = simulate(adult, SEEDS[0])["matches"]["planned_weeks"]
    assert y.median() == pytest.approx(52, abs=3) and a.median() == pytest.approx(26, abs=2)
    assert np.log(y).std() < np.log(a).std()


def test_relationships_carry_on_past_commitment_and_more_so_when_good(
        matches: pd.DataFrame) -> None:
    reached = matches[matches["reached_commitment"]]
    informal = reached[reached["closure_detail"] == "informal"]
    planned = reached[reached["closure_detail"] == "planned"]
    extended = reached[reached["extensions"] > 0]
    assert len(informal) > 20 and len(extended) > 20, (
        "some relationships should carry on informally and some be extended")
    assert (informal["informal_weeks"] > 0).all()
    assert (planned["informal_weeks"] == 0).all()
    # The chance of carrying on rises with quality: those carrying on informally were
    # better relationships, at the commitment point, than those ending as planned.
    assert informal["quality_at_end"].mean() > planned["quality_at_end"].mean()
    # Survival runs past the commitment point.
    assert (reached["duration_weeks"] > reached["planned_weeks"]).sum() == len(extended[
        extended["duration_weeks"] > extended["planned_weeks"]])


def test_commitment_is_reported_apart_from_ending() -> None:
    runs = metrics_of(scenario("baseline"), 4, 11)
    total = runs["premature_closure_rate"] + runs["commitment_reached_share"]
    assert np.allclose(total, 1.0)
    assert (runs["continued_past_commitment_share"] > 0).all()
    assert (runs["informal_continuation_share"] <= runs["continued_past_commitment_share"]).all()


def test_more_continuation_means_more_carrying_on() -> None:
    none = scenario("baseline", "relationships.continuation_max=0", name="none")
    some = scenario("baseline", name="some")
    low = metrics_of(none, 4, 11)["continued_past_commitment_share"].to_numpy()
    high = metrics_of(some, 4, 11)["continued_past_commitment_share"].to_numpy()
    assert (low == 0).all()
    assert_paired_lower(low, high, "relationships carrying on past commitment")


@pytest.mark.slow
def test_weaker_bonds_carry_on_less() -> None:
    # Quality grows more slowly, so relationships reach their commitment point with weaker
    # bonds, and fewer of them carry on past it.
    slow = scenario("baseline", "effects.quality_growth=0.03", name="slow_bonding")
    weak = metrics_of(slow, 6, 11)["continued_past_commitment_share"].to_numpy()
    strong = metrics_of(scenario("baseline", name="some"), 6, 11)[
        "continued_past_commitment_share"].to_numpy()
    assert_paired_lower(weak, strong, "relationships carrying on past commitment")


def test_motivation_can_fall_during_a_relationship() -> None:
    model = MentoringModel(load_scenario("baseline").params, seed=SEEDS[0])
    before: dict[int, float] = {}
    falls = 0
    old_falls = 0
    for _ in range(52):
        model.step()
        now = {m.mentee.index: (m.mentee.motivation, m.weeks) for m in model.open_matches}
        for idx, (motivation, weeks) in now.items():
            if idx in before and motivation < before[idx] - 1e-9:
                falls += 1
                old_falls += weeks > 13
        before = {idx: motivation for idx, (motivation, _) in now.items()}
    assert falls > 50, "motivation should fall now and then (setbacks, crises, missed weeks)"
    assert old_falls > 10, "motivation should be able to fall in relationships past 3 months"


def test_rematched_mentees_keep_their_dose() -> None:
    params = load_scenario("baseline").params
    tables = simulate(params, SEEDS[1])
    per_mentee = tables["matches"].groupby("mentee_id").size()
    rematched = per_mentee.index[per_mentee > 1]
    assert len(rematched) > 10, "some mentees should get a new mentor after an early ending"
    mentees = tables["mentees"].set_index("mentee_id")
    last = tables["matches"].sort_values("match_id").groupby("mentee_id").tail(1).set_index(
        "mentee_id")
    seen = mentees.index.intersection(rematched)
    # The dose counts every relationship: rematched mentees' weeks mentored exceed what
    # their last relationship alone could give.
    assert (mentees.loc[seen, "weeks_mentored"] > last.loc[seen, "duration_weeks"]).mean() > 0.5
    none = params.model_copy(update={"relationships": params.relationships.model_copy(
        update={"rematch_probability": 0.0})})
    assert simulate(none, SEEDS[1])["matches"].groupby("mentee_id").size().max() == 1
