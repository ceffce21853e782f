"""Randomness: named streams, common random numbers and seed derivation."""

from __future__ import annotations

import numpy as np

from sim.model import MentoringModel
from sim.params import ScenarioParams
from sim.rng import Streams, replication_seeds


def test_replication_seeds_do_not_depend_on_count() -> None:
    assert replication_seeds(7, 10)[:4] == replication_seeds(7, 4)
    assert len(set(replication_seeds(7, 100))) == 100
    assert replication_seeds(7, 3) != replication_seeds(8, 3)


def test_an_entity_draw_does_not_depend_on_how_many_others_draw() -> None:
    a, b = Streams(5), Streams(5)
    a.start_week(3)
    b.start_week(3)
    few = a.uniform("engage", 5)
    for i in range(5000):  # b also draws for thousands of other entities first
        b.uniform("engage", i)
    assert b.uniform("engage", 5) == few
    assert a.uniform("engage", 2000) == b.uniform("engage", 2000)


def test_streams_differ_by_decision_week_and_seed() -> None:
    s = Streams(5)
    s.start_week(1)
    engage, setback = s.uniform("engage", 0), s.uniform("setback", 0)
    s.start_week(2)
    assert len({engage, setback, s.uniform("engage", 0), Streams(6).uniform("engage", 0)}) == 4


def test_weekly_draws_look_uniform_and_independent() -> None:
    s = Streams(11)
    s.start_week(1)
    x = np.array([s.uniform("a", i) for i in range(4000)])
    y = np.array([s.uniform("b", i) for i in range(4000)])
    assert abs(x.mean() - 0.5) < 0.02
    assert abs(np.corrcoef(x, y)[0, 1]) < 0.05


def test_mentee_traits_are_common_across_scenarios() -> None:
    """Mentee 7 is the same person whatever the policy (common random numbers)."""
    new = {"programme": {"start": "new"}}  # no burn-in: the next mentee index is 0
    base = MentoringModel(ScenarioParams.model_validate(new), 42)
    policy = ScenarioParams.model_validate({**new, "supervision": {"sessions_per_month": 3},
                                            "training": {"pre_match_hours": 30}})
    other = MentoringModel(policy, 42)
    for model in (base, other):
        model.refer_mentees([8] + [0] * (len(model.agency_list) - 1))
    a, b = base.mentee_agents[7], other.mentee_agents[7]
    assert (a.motivation, a.family, a.needs, a.base_hazard, a.minority) == (
        b.motivation, b.family, b.needs, b.base_hazard, b.minority)


def test_an_entity_traits_do_not_depend_on_the_others_created() -> None:
    """CRN for creation: referral (or recruit) i's traits are the same drawn alone, in a
    batch, or after others were added or left out (each is addressed by its index)."""
    from sim.agents import mentee, mentor

    p = ScenarioParams()
    streams = Streams(13)
    for module in (mentee, mentor):
        key = streams.entity_key(module.__name__.rsplit(".", 1)[1])
        params = module.TraitParams.of(p)
        draw = module.referral_traits if module is mentee else module.recruit_traits
        batch = draw(key, 0, 40, params)
        for i in (0, 17, 39):
            alone = draw(key, i, 1, params)
            assert [column[0] for column in alone] == [column[i] for column in batch]
        later = draw(key, 30, 10, params)  # the first 30 never created
        assert all((x == y[30:]).all() for x, y in zip(later, batch, strict=True))
        other = draw(Streams(14).entity_key("mentee"), 0, 40, params)
        assert not (other[0] == batch[0]).all()


def test_counterfactual_reoffending_is_policy_free() -> None:
    """Reoffending without mentoring depends only on the person and the seed, not the policy."""
    from sim.runner import simulate

    base = simulate(ScenarioParams.model_validate({"run": {"weeks": 120}}), 9)["mentees"]
    other = simulate(ScenarioParams.model_validate(
        {"run": {"weeks": 120}, "support": {"contacts_per_month": 3}}), 9)["mentees"]
    shared = base.merge(other, on="mentee_id")
    assert len(shared) > 100
    pd_equal = (shared["reoffended_12m_without_mentoring_x"].fillna(False)
                == shared["reoffended_12m_without_mentoring_y"].fillna(False))
    assert pd_equal.all()


def test_array_draws_equal_single_draws_whoever_else_draws() -> None:
    """CRN for the array streams: entity i's number is the same alone, in any batch, and
    whichever other entities exist (adding or removing one changes no one else's draw)."""
    s = Streams(21)
    s.start_week(-4)  # burn-in weeks are negative
    batch = np.array([0, 3, 17, 4000, 123_456])
    draws = s.uniforms("crisis", batch)
    assert [s.uniform("crisis", int(i)) for i in batch] == draws.tolist()
    fewer = s.uniforms("crisis", batch[[0, 2, 4]])  # entities 3 and 4000 removed
    assert fewer.tolist() == draws[[0, 2, 4]].tolist()
    more = s.uniforms("crisis", np.array([1, 3, 5, 17]))  # others added
    assert more[[1, 3]].tolist() == draws[[1, 2]].tolist()
    assert ((draws >= 0.0) & (draws < 1.0)).all()


def test_a_draw_costs_the_same_for_any_entity_index() -> None:
    """A stream is addressed by index, not generated up to it: entity 10**12 is as cheap as
    entity 0 (no vector of 10**12 numbers is built)."""
    s = Streams(3)
    s.start_week(9)
    far = 10**12
    assert s.uniform("engage", far) == float(s.uniforms("engage", np.array([far]))[0])


def test_poisson_counts_are_common_and_have_the_right_mean() -> None:
    s = Streams(8)
    counts = []
    for week in range(1, 4001):
        s.start_week(week)
        counts.append(s.poisson("referrals", 2, 0.8))
        # a higher mean never gives fewer arrivals on the same random number
        assert s.poisson("referrals", 2, 1.6) >= counts[-1]
    assert abs(np.mean(counts) - 0.8) < 0.05
    assert abs(np.var(counts) - 0.8) < 0.08
    again = Streams(8)
    again.start_week(4000)
    assert again.poisson("referrals", 2, 0.8) == counts[-1]
