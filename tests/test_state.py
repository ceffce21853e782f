"""The column state behind the Mesa agents: views read and write their rows."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.agents.mentee import Mentee
from sim.agents.mentor import Mentor
from sim.model import MentoringModel
from sim.params import ScenarioParams
from sim.state import Columns


@pytest.fixture(scope="module")
def model() -> MentoringModel:
    model = MentoringModel(ScenarioParams.model_validate({"run": {"weeks": 30}}), 3)
    model.run_for(10)
    return model


def test_agents_are_mesa_agents_of_their_types(model: MentoringModel) -> None:
    by_type = model.agents_by_type
    assert len(by_type[Mentor]) == len(model.mentors.live())
    assert len(by_type[Mentee]) == len(model.mentees.live())
    # Mesa's AgentSet reads the columns through the views.
    exhausted = by_type[Mentor].select(lambda m: m.exhaustion > 0.0)
    assert len(exhausted) == int(np.count_nonzero(model.mentors.exhaustion[
        model.mentors.live()] > 0.0))
    assert by_type[Mentor].agg("exhaustion", np.sum) == pytest.approx(
        float(model.mentors.exhaustion[model.mentors.live()].sum()))


def test_a_change_through_the_agent_is_seen_in_the_array(model: MentoringModel) -> None:
    mentor = model.mentor_pool[0]
    mentor.exhaustion = 0.625
    assert model.mentors.exhaustion[mentor.index] == 0.625
    mentor.burnt_out = True
    assert bool(model.mentors.burnt_out[mentor.index])
    mentee = model.mentee_pool[0]
    mentee.reoffence_week = None
    assert mentee.reoffence_week is None
    mentee.reoffence_week = 4
    assert model.mentees.reoffence_week[mentee.index] == 4
    mentee.referral_outcome = "lost"
    assert mentee.referral_outcome == "lost"


def test_a_change_in_the_array_is_seen_through_the_agent(model: MentoringModel) -> None:
    match = model.open_matches[0]
    model.matches.quality[match.index] = 0.375
    assert match.quality == 0.375
    assert match.mentee.match is match
    assert match in match.mentor.matches
    model.mentees.motivation[match.mentee.index] = 0.125
    assert match.mentee.motivation == 0.125


def test_columns_grow_and_keep_rows() -> None:
    columns = Columns({"x": np.float64}, capacity=2)
    rows = [columns.add(x=float(i)) for i in range(9)]
    assert rows == list(range(9))
    assert columns.x[:9].tolist() == [float(i) for i in range(9)]
    columns.remove(3)
    assert 3 not in columns.live().tolist()
    assert len(columns.live()) == 8
    for row in (0, 1, 2):
        columns.remove(row)
    assert columns.live().tolist() == [4, 5, 6, 7, 8]
    assert columns.add(x=9.0) == 9 and columns.live().tolist() == [4, 5, 6, 7, 8, 9]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.booleans(), st.integers(0, 10_000)), max_size=300))
def test_live_rows_follow_every_add_and_remove(changes: list[tuple[bool, int]]) -> None:
    # live() keeps its list from the changes since it was last called; whatever the order
    # of adds, removes and calls, it must be the alive rows in creation order.
    c = Columns({"x": np.float64}, capacity=4)
    for add, pick in changes:
        alive = np.flatnonzero(c.alive[:c.size])
        if add or not len(alive):
            c.add(x=1.0)
        else:
            c.remove(int(alive[pick % len(alive)]))
        if pick % 3 == 0:  # list the live rows only sometimes, so changes pile up
            assert c.live().tolist() == np.flatnonzero(c.alive[:c.size]).tolist()
    assert c.live().tolist() == np.flatnonzero(c.alive[:c.size]).tolist()
    assert c.live().dtype == np.int64


def test_the_counts_kept_in_columns_match_the_agents_relations() -> None:
    """A mentor's open-relationship count (a column the weekly mechanisms read) is always the
    number of relationships the mentor holds, and every open relationship is on both sides."""
    model = MentoringModel(ScenarioParams.model_validate({"run": {"weeks": 80}}), 5)
    for _ in range(80):
        model.step()
        for mentor in model.mentor_pool:
            assert model.mentors.open_matches[mentor.index] == len(mentor.matches)
        for match in model.open_matches:
            assert match.mentee.match is match and match in match.agency.matches
        assert sum(len(a.matches) for a in model.agency_list) == len(model.open_matches)
