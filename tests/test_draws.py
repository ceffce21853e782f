"""The compiled samplers (sim.draws): the streams they read, and the distributions they
draw from, checked on many draws against the textbook moments."""

from __future__ import annotations

import math

import numpy as np
import pytest

from sim.compiled import uniform
from sim.draws import beta, gamma, normal, pick, substream
from sim.rng import Streams, _fold

KEY = np.uint64(Streams(5).entity_key("mentee"))
N = 20_000


def _many(draw, *args) -> np.ndarray:  # noqa: ANN001 - a compiled function
    return np.array([draw(np.uint64(substream(KEY, i)), *args) for i in range(N)])


def test_a_substream_is_the_streams_fold_and_its_uniforms_are_the_streams() -> None:
    assert int(substream(KEY, 3)) == _fold(int(KEY), 3)
    s = Streams(5)
    s.start_week(2)
    key = s.key("engage")
    assert uniform(key, 11) == s.uniform("engage", 11)


def test_normal_is_box_muller_on_two_uniforms() -> None:
    u1, u2 = uniform(KEY, 6), uniform(KEY, 7)
    by_hand = math.sqrt(-2.0 * math.log(1.0 - u1)) * math.cos(2.0 * math.pi * u2)
    assert normal(KEY, 3) == by_hand
    x = _many(normal, 0)
    assert abs(x.mean()) < 0.03 and abs(x.var() - 1) < 0.04
    assert abs(np.mean(np.abs(x) < 1.0) - 0.6827) < 0.01  # the normal's one-sigma share


@pytest.mark.parametrize("shape", [0.4, 1.0, 2.5, 30.0])
def test_gamma_has_the_gamma_moments(shape: float) -> None:
    x = _many(gamma, shape)
    assert (x > 0).all()
    assert abs(x.mean() / shape - 1) < 0.03
    assert abs(x.var() / shape - 1) < 0.08


def test_beta_has_the_beta_moments() -> None:
    a, b = 2.0, 5.0
    x = _many(beta, a, b)
    mean = a / (a + b)
    var = a * b / ((a + b) ** 2 * (a + b + 1))
    assert ((x > 0) & (x < 1)).all()
    assert abs(x.mean() - mean) < 0.005 and abs(x.var() / var - 1) < 0.06


def test_pick_takes_the_first_category_whose_cumulative_weight_exceeds_u() -> None:
    cumulative = (0.5, 0.8, 1.0)
    assert [pick(u, cumulative) for u in (0.0, 0.49, 0.5, 0.79, 0.8, 0.999)] == [
        0, 0, 1, 1, 2, 2]
    assert pick(0.6, (1.0, 2.0)) == 1  # weights need not add up to 1
