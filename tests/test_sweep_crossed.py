"""Designs that cross and tie: a sampled design crossed with policies, tied parameters,
compositions; and analyses that state replication noise, convergence and missing values."""

from __future__ import annotations

import doctest
import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.cli import main
from sim.errors import UserError
from sim.sweep.analysis import Method
from sim.sweep.designs import design_size, make_design
from sim.sweep.spec import load_spec

try:
    from test_sweep_support import run_table, write_spec
except ImportError:
    from tests.test_sweep_support import run_table, write_spec

CROSSED = """
    extends = "baseline"
    horizon_weeks = 26
    seed = 3
    outcomes = ["abandonment_rate", "mentor_burnout_prevalence"]
    replications = 2
    [design]
    kind = "morris"
    samples = 2
    [uncertainties]
    "effects.quality_growth" = {}
    "mentors.paid_peer_share" = { range = [0, 1] }
    [tied."funding.annual_budget_gbp"]
    follows = "mentors.paid_peer_share"
    points = [[0, 130000], [1, 230000]]
    [compositions."mentees.expectation_shares".ranges]
    "mentees.expectation_practical_share" = [0.4, 0.6]
    [[policies]]
    name = "no_supervision"
    "supervision.sessions_per_month" = 0
    [[policies]]
    name = "monthly"
    "supervision.sessions_per_month" = 1
    "supervision.style" = "therapeutic"
"""


def test_a_crossed_design_runs_every_point_under_every_policy(tmp_path: Path,
                                                              capsys: pytest.CaptureFixture[str]
                                                              ) -> None:
    sweep = load_spec(write_spec(tmp_path, CROSSED, "crossed"))
    design = make_design(sweep)
    per_policy = (2 + 2 + 1) * 2  # (factors + composition coordinates + 1) x trajectories
    assert len(design.points) == design_size(sweep) == 2 * per_policy
    points = design.points
    assert list(points["policy"]) == ["no_supervision"] * per_policy + ["monthly"] * per_policy
    # the same sampled points under each policy, with the policy's values
    first, second = points.iloc[:per_policy], points.iloc[per_policy:]
    for name in ("effects.quality_growth", "mentors.paid_peer_share"):
        assert list(first[name]) == list(second[name])
    assert set(first["supervision.sessions_per_month"]) == {0}
    assert set(second["supervision.sessions_per_month"]) == {1}
    assert set(first["supervision.style"]) == {sweep.base.supervision.style}  # base value
    # tied: the budget follows the paid peer share
    expected = 130000 + 100000 * points["mentors.paid_peer_share"]
    assert np.allclose(points["funding.annual_budget_gbp"], expected)
    # composition: the shares add up to 1, the narrowed part stays in its range
    shares = points[["mentees.expectation_practical_share",
                     "mentees.expectation_emotional_share",
                     "mentees.expectation_activities_share"]].sum(axis=1)
    assert np.allclose(shares, 1.0)
    assert points["mentees.expectation_practical_share"].between(0.4, 0.6).all()
    assert design.unit.shape == (2 * per_policy, 4)

    out = tmp_path / "out"
    assert main(["sweep", str(sweep.source), "--out", str(out), "--workers", "1",
                 "--quiet"]) == 0
    runs = run_table(out)
    assert len(runs) == 2 * 2 * per_policy
    assert set(runs["policy"]) == {"no_supervision", "monthly"}  # a column of the results
    manifest = json.loads((out / "sweep_manifest.json").read_text())
    assert [p["name"] for p in manifest["policies"]] == ["no_supervision", "monthly"]
    assert manifest["tied"][0]["follows"] == "mentors.paid_peer_share"
    assert manifest["columns"]["policy"] == "policy"
    capsys.readouterr()
    assert main(["analyse", str(out), "--resamples", "20"]) == 0
    printed = capsys.readouterr().out
    table = pd.read_csv(out / "sensitivity.csv")
    assert set(table["policy"]) == {"no_supervision", "monthly"}  # indices per policy
    assert "mentees.expectation_shares.1" in set(table["parameter"])
    assert "funding.annual_budget_gbp" not in set(table["parameter"])  # its driver's effect
    noise = pd.read_csv(out / "noise.csv")
    assert list(noise["metric"]) == ["abandonment_rate", "mentor_burnout_prevalence"]
    assert noise["noise_share"].between(0, 10).all()
    assert "replication noise is" in printed


@pytest.mark.parametrize(("text", "message"), [
    ('[tied]\n"funding.annual_budget_gbp" = { follows = "effects.quality_growth", '
     'points = [[1, 2], [0, 3]] }', "must increase"),
    ('[tied]\n"funding.annual_budget_gbp" = { follows = "supervision.style", '
     'points = [[0, 1e5], [1, 2e5]] }', "must be a numeric factor"),
    ('[tied]\n"effects.quality_growth" = { follows = "effects.quality_growth", '
     'points = [[0, 0.1], [1, 0.2]] }', "also varied"),
    ('[compositions]\n"mentees.expectation_share" = {}', "not a composition"),
    ('[compositions]\n"mentees.expectation_shares" = { ranges = { '
     '"mentees.expectation_practical_share" = [0.9, 1.0] } }', "add up to 1"),
    ('[[policies]]\n"supervision.sessions_per_month" = 0', "plain name"),
    ('[[policies]]\nname = "a"\n"effects.quality_growth" = 0.1', "also varied"),
    ('[[policies]]\nname = "a"\n"supervision.sesions_per_month" = 1', "did you mean"),
])
def test_bad_ties_compositions_and_policies_are_named(tmp_path: Path, text: str,
                                                      message: str) -> None:
    base = CROSSED.split("[tied.")[0] + '"supervision.style" = {}\n'
    spec = write_spec(tmp_path, base + text, "bad")
    with pytest.raises(UserError, match=message):
        load_spec(spec)


def test_a_composition_needs_a_sampled_design(tmp_path: Path) -> None:
    text = CROSSED.replace('kind = "morris"\n    samples = 2', 'kind = "factorial"')
    with pytest.raises(UserError, match="compositions need a sampled design"):
        load_spec(write_spec(tmp_path, text, "factorial"))


def test_missing_values_leave_out_whole_samples_and_say_so() -> None:
    rng = np.random.default_rng(2)
    names = ["a", "b"]
    from SALib.sample import morris

    from sim.sweep.designs import problem_for

    x = morris.sample(problem_for(names), 8, num_levels=4, seed=1)
    y = 3 * x[:, 0] + x[:, 1] + 0.01 * rng.random(len(x))
    y[4] = np.nan  # a point of the second trajectory has no value
    method = Method("morris", 2, 50, 0.95, 1, 4)
    found, steps, used, total = method.indices(x, y, names, "y")
    assert (used, total) == (7, 8)
    assert {r["samples"] for r in found} == {7}
    assert sorted({r["samples"] for r in steps}) == [3, 7]  # the convergence ladder
    mu = {r["parameter"]: r["value"] for r in found if r["index"] == "mu_star"}
    assert mu["a"] == pytest.approx(3.0, abs=0.05) and mu["b"] == pytest.approx(1.0, abs=0.05)


def test_analyse_prints_values_a_reader_can_use(tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    lhs = CROSSED.split("[compositions.")[0].replace('kind = "morris"\n    samples = 2',
                                                     'kind = "lhs"\n    samples = 4')
    spec = write_spec(tmp_path, lhs, "lhs")
    out = tmp_path / "out"
    assert main(["sweep", str(spec), "--out", str(out), "--workers", "1", "--quiet"]) == 0
    capsys.readouterr()
    assert main(["analyse", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "lowest" in printed and "funding.annual_budget_gbp=" in printed
    for number in re.findall(r"\d+\.\d+", printed):  # at most 4 significant figures
        assert len(number.replace(".", "").lstrip("0")) <= 4, (number, printed)
    assert re.search(r"funding\.annual_budget_gbp=\d{3},\d{3}\b", printed), printed


def test_doctests_of_the_design_helpers() -> None:
    import sim.composition
    import sim.mesa_scenario
    import sim.sweep.summary_text
    import sim.sweep.ties

    for module in (sim.composition, sim.sweep.ties, sim.sweep.summary_text,
                   sim.mesa_scenario):
        result = doctest.testmod(module)
        assert result.attempted > 0 and result.failed == 0, module.__name__
