"""Plausible worlds: implausibility arithmetic, the stored ensemble, common random numbers
across worlds, and what an answer across worlds says (shares, drivers, switching values)."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.across_worlds import (
    compare,
    drivers,
    evidence_grade,
    summarise,
    switching_value,
    world_scenarios,
)
from sim.calibration.implausibility import implausibility, largest
from sim.calibration.targets import Target, load_spec
from sim.errors import UserError
from sim.runner import run_scenarios
from sim.scenario import load_scenario
from sim.worlds import (
    PARAMETER_PREFIX,
    WORLDS_FILE,
    World,
    apply_world,
    held_keys,
    load_worlds,
    read_table,
    write_table,
)

SHORT = {"weeks": 52, "seed": 7}


def _target(centre: float, obs: float, disc: float) -> Target:
    return Target("t", "abandonment_rate", "baseline", centre - 0.1, centre + 0.1, "", "", "",
                  "", observation_sd=obs, discrepancy_sd=disc)


def test_implausibility_is_distance_over_every_sd() -> None:
    t = _target(0.5, 0.03, 0.04)  # sqrt(0.03^2 + 0.04^2) = 0.05
    got = implausibility([t], np.array([[0.65], [0.5], [np.nan]]), np.array([[0.0], [0.0], [0.0]]))
    assert got[0, 0] == pytest.approx(3.0) and got[1, 0] == 0.0 and math.isinf(got[2, 0])
    # the model's own variance widens the denominator: 0.05^2 + 0.12^2 = 0.13^2
    assert implausibility([t], np.array([[0.89]]), np.array([[0.12 ** 2]]))[0, 0] == \
        pytest.approx(3.0)
    assert largest(np.array([[1.0, 5.0, 2.0]]), 1).tolist() == [5.0]
    assert largest(np.array([[1.0, 5.0, 2.0]]), 2).tolist() == [2.0]


def test_every_target_declares_its_uncertainties() -> None:
    for t in load_spec().targets:
        assert t.observation_sd > 0 and t.discrepancy_sd >= 0 and t.uncertainty, t.key


def test_the_stored_ensemble_holds_at_least_100_plausible_worlds() -> None:
    spec = load_spec()
    enforced = [t.key for t in spec.targets if t.enforce]
    rows = read_table(WORLDS_FILE)
    assert len(rows) >= 100
    assert rows[0]["world"] == 0  # the defaults are the central world
    for row in rows:
        assert max(row[f"I:{k}"] for k in enforced) <= spec.worlds.cutoff
        assert row["I_max"] <= spec.worlds.cutoff
    worlds = load_worlds()
    assert len({tuple(sorted(w.values.items())) for w in worlds}) == len(worlds)


def test_asking_for_more_worlds_than_stored_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "worlds.csv"
    write_table([{"world": 0, PARAMETER_PREFIX + "effects.novice_strain": 0.1}], path)
    with pytest.raises(UserError, match=r"worlds.csv holds 1 plausible worlds; choose at most 1"):
        load_worlds(2, path)
    with pytest.raises(UserError, match="calibrate --worlds"):
        load_worlds(1, tmp_path / "none.csv")


def test_a_world_sits_under_the_options_levers() -> None:
    base = load_scenario("baseline", run_overrides=SHORT)
    long = load_scenario("long_term_investment", run_overrides=SHORT)
    world = World(3, {"funding.renewal_probability": 0.2, "effects.novice_strain": 0.33})
    held = held_keys([base.params, long.params], list(world.values))
    assert held == ["funding.renewal_probability"]  # long_term_investment sets its own
    assert apply_world(long.params, world, held).funding.renewal_probability == 0.9
    assert apply_world(base.params, world, held).effects.novice_strain == 0.33


def _toy_worlds(tmp_path: Path, n: int = 3) -> Path:
    rng = np.random.default_rng(5)
    rows = [{"world": i, PARAMETER_PREFIX + "effects.novice_strain": float(rng.uniform(0, 0.5)),
             PARAMETER_PREFIX + "effects.stress_insecurity": float(rng.uniform(0, 0.5))}
            for i in range(n)]
    return write_table(rows, tmp_path / "worlds.csv")


def test_common_random_numbers_across_worlds(tmp_path: Path) -> None:
    """An option's difference in one world equals the same pair run alone."""
    path = _toy_worlds(tmp_path)
    pair = [load_scenario("stop_start_grants", run_overrides=SHORT),
            load_scenario("long_term_investment", run_overrides=SHORT)]
    table = compare(pair, worlds=3, replications=2, worlds_file=path,
                    outcomes=["abandonment_rate", "premature_closure_rate"])
    assert set(table["metric"]) == {"abandonment_rate", "premature_closure_rate"}
    shares = table[["better_share", "worse_share", "unclear_share"]].sum(axis=1)
    assert np.allclose(shares, 1.0)
    # world 1, run on its own
    worlds = load_worlds(3, path)
    runs, held = world_scenarios(pair, worlds[1:2])
    alone = run_scenarios(runs, 2, SHORT["seed"], 1, progress=False).metrics
    one = alone.groupby(alone["scenario"].str.split(" @ ").str[0])["abandonment_rate"].mean()
    again = run_scenarios(runs, 2, SHORT["seed"], 1, progress=False).metrics
    assert alone.equals(again)
    everything, _ = world_scenarios(pair, worlds)
    together = run_scenarios(everything, 2, SHORT["seed"], 1, progress=False).metrics
    mask = together["scenario"].str.endswith(" @ world 1")
    joint = together[mask].groupby(together[mask]["scenario"].str.split(" @ ").str[0])[
        "abandonment_rate"].mean()
    assert one.to_dict() == joint.to_dict()


def test_drivers_recover_a_planted_dependence() -> None:
    rng = np.random.default_rng(11)
    values = pd.DataFrame(rng.random((30, 8)),
                          columns=[f"effects.x{i}" for i in range(8)])
    effects = 3 * values["effects.x5"].to_numpy() - values["effects.x2"].to_numpy() \
        + rng.normal(0, 0.1, 30)
    found = drivers(effects, values, 2)
    assert [d.name for d in found] == ["effects.x5", "effects.x2"]
    assert found[0].rho > 0 > found[1].rho and found[0].clear


def test_a_switching_value_on_a_monotone_toy() -> None:
    x = np.linspace(0.0, 1.0, 21)
    assert switching_value(x, 4 * x - 1, 0.0, 1.0) == pytest.approx(0.25)
    assert switching_value(x, 4 * x + 1, 0.0, 1.0) is None  # never reverses in the range


def test_shares_and_effects_on_a_planted_table() -> None:
    worlds = [World(i, {"effects.novice_strain": 0.005 * i}) for i in range(6)]
    shifts = {0: -0.1, 1: -0.06, 2: -0.03, 3: 0.0, 4: 0.05, 5: 0.1}  # lower is better
    rows = []
    for w in range(6):
        for k in range(6):
            noise = (0.01 if k % 2 else -0.01) if w == 3 else 0.001 * k
            rows.append({"scenario": "ref", "world": w, "replication": k,
                         "abandonment_rate": 0.3})
            rows.append({"scenario": "opt", "world": w, "replication": k,
                         "abandonment_rate": 0.3 + shifts[w] + noise})
    table = summarise(pd.DataFrame(rows), "ref", ["abandonment_rate"], worlds)
    row = table.iloc[0]
    assert (row.better_share, row.worse_share, row.unclear_share) == (0.5, 2 / 6, 1 / 6)
    assert row.better_share + row.worse_share + row.unclear_share == pytest.approx(1.0)
    assert row.driver_1 == "effects.novice_strain" and row.driver_1_rho > 0.9
    assert row.switching_parameter == "effects.novice_strain"
    assert 0.01 < row.switching_value < 0.02  # inside the plausible range, 0 to 0.03
    assert row.worlds_low < row.effect < row.worlds_high
    assert row.mc_high - row.mc_low < row.worlds_high - row.worlds_low


def test_evidence_grades_come_from_declared_sources() -> None:
    assert evidence_grade("effects.stress_insecurity") == "direction published, size assumed"
    assert evidence_grade("growth.chaos_insecurity").startswith(("assumption", "direction"))
    assert evidence_grade("programme.referrals_per_year") in ("calibrated", "published",
                                                                "assumption")


def test_screening_finds_the_free_uncertainty_that_moves_a_target() -> None:
    from sim.calibration.ensemble import Free, Simulated, screen_active
    from sim.calibration.targets import FitParameter
    from sim.worlds import Uncertain

    rng = np.random.default_rng(3)
    n = 200
    fitted_param = FitParameter("effects.engagement_base", 0.7, 0.92)
    free = Free((Uncertain("effects.novice_strain", 0.0, 0.03, False),
                 Uncertain("effects.stress_insecurity", 0.0, 0.5, False)), ())
    x = rng.uniform(0.7, 0.92, n)
    strain = rng.uniform(0.0, 0.03, n)
    stress = rng.uniform(0.0, 0.5, n)
    target = 0.5 + (x - 0.8) ** 2 + 10 * strain + rng.normal(0, 0.02, n)  # stress: nothing
    wave = Simulated([{fitted_param.name: v} for v in x],
                     [{"effects.novice_strain": a, "effects.stress_insecurity": b}
                      for a, b in zip(strain, stress, strict=True)],
                     target[:, None], np.zeros((n, 1)), 2)
    active, record = screen_active([fitted_param], free, [_target(0.5, 0.05, 0.02)], wave, 5)
    assert [a.name for a in active] == ["effects.novice_strain"]
    assert record["effects.novice_strain"]["rho"] > 0.5
    assert (active[0].low, active[0].high) == (0.0, 0.03)


def test_scenario_discovery_finds_a_planted_box() -> None:
    from sim.across_worlds import discovery_box

    rng = np.random.default_rng(8)
    x = pd.DataFrame(rng.random((80, 6)), columns=[f"effects.p{i}" for i in range(6)])
    box = discovery_box(x, (x["effects.p2"] < 0.3).to_numpy())
    assert box is not None and box.text.startswith("effects.p2 <= 0.")
    assert box.coverage >= 0.6 and box.density >= 0.8
    assert discovery_box(x, np.zeros(80, bool)) is None  # nothing to find


def test_run_across_worlds_writes_and_says_it(tmp_path: Path, capsys: pytest.CaptureFixture[str]
                                              ) -> None:
    import json

    from sim.cli import main

    out = tmp_path / "out"
    assert main(["run", "stop_start_grants", "long_term_investment", "--reps", "2", "--weeks",
                 "52", "--worlds", "3", "--world-reps", "2", "--workers", "1",
                 "--no-dashboard", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "Across 3 plausible worlds (2 replications of each option in each)" in printed
    assert "long_term_investment vs stop_start_grants, relationships ending early: better in" \
        in printed
    table = pd.read_csv(out / "across_worlds.csv")
    assert set(table["scenario"]) == {"long_term_investment"} and (table["worlds"] == 3).all()
    assert np.allclose(table[["better_share", "worse_share", "unclear_share"]].sum(axis=1), 1)
    manifest = json.loads((out / "manifest.json").read_text())
    assert (manifest["worlds"], manifest["world_replications"]) == (3, 2)


def test_youth_justice_is_flagged_as_not_calibrated(tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    import json

    from sim.cli import main

    out = tmp_path / "youth"
    assert main(["run", "youth_justice", "--reps", "1", "--weeks", "8", "--workers", "1",
                 "--no-dashboard", "--out", str(out)]) == 0
    assert "note: youth_justice: the youth_justice setting is not calibrated" in \
        capsys.readouterr().err
    manifest = json.loads((out / "manifest.json").read_text())
    assert "youth_12m_closure" in manifest["not_calibrated"]["youth_justice"]


def test_a_top_up_appends_worlds_and_sums_the_record() -> None:
    from sim.calibration.ensemble import Ensemble, top_up

    record = {"draws_run": 900, "confirmed_plausible": 86, "ruled_out_by": {"a": 5, "b": 1},
              "runs": 100, "wall_time_s": 10.0}
    before = Ensemble([{"world": 0.0}, {"world": 3.0}], record)
    more = Ensemble([{"world": 905.0}], {"draws_run": 300, "confirmed_plausible": 1,
                                         "ruled_out_by": {"a": 2}, "runs": 30,
                                         "wall_time_s": 2.5})
    both = top_up(before, more, keep=150)
    assert [r["world"] for r in both.rows] == [0.0, 3.0, 905.0]
    assert both.record["draws_run"] == 1200 and both.record["confirmed_plausible"] == 87
    assert both.record["ruled_out_by"] == {"a": 7, "b": 1} and both.record["kept"] == 3
    assert both.record["top_ups"] == [{"draws": 300, "confirmed": 1, "runs": 30}]
    assert len(top_up(before, more, keep=2).rows) == 2
