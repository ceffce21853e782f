"""Sweep spec validation: clear messages (file, key path, value, what is allowed), exit 2."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.cli import main
from sim.errors import UserError
from sim.sweep.designs import make_design
from sim.sweep.factors import Factor
from sim.sweep.spec import SWEEPS_DIR, load_spec
from sim.sweep.variants import check_points

try:
    from test_sweep_support import TINY_FACTORIAL, write_spec
except ImportError:  # imported as a package module
    from tests.test_sweep_support import TINY_FACTORIAL, write_spec


def _error(tmp_path: Path, text: str) -> str:
    path = write_spec(tmp_path, text)
    with pytest.raises(UserError) as info:
        load_spec(path)
    message = str(info.value)
    assert str(path) in message, message
    return message


@pytest.mark.parametrize("spec", sorted(p.stem for p in SWEEPS_DIR.glob("*.toml")))
def test_bundled_specs_validate_with_valid_points(spec: str) -> None:
    sweep = load_spec(spec)
    design = make_design(sweep)
    check_points(sweep.base, design.points, sweep.source)
    assert len(design.points) > 0


def test_unknown_top_level_key_suggests_the_right_one(tmp_path: Path) -> None:
    message = _error(tmp_path, "horizon_week = 10\n" + TINY_FACTORIAL)
    assert "unknown key 'horizon_week'" in message
    assert "did you mean 'horizon_weeks'?" in message
    assert "allowed in the top level:" in message


def test_unknown_parameter_suggests_the_right_one(tmp_path: Path) -> None:
    text = TINY_FACTORIAL.replace('"funding.grant_term_years"', '"funding.grant_term_yeras"')
    message = _error(tmp_path, text)
    assert "levers.funding.grant_term_yeras" in message
    assert "did you mean 'funding.grant_term_years'?" in message


def test_unknown_metric_suggests_the_right_one(tmp_path: Path) -> None:
    text = TINY_FACTORIAL.replace('"abandonment_rate"', '"abandonment_rat"')
    message = _error(tmp_path, text)
    assert "outcomes[0]" in message and "unknown metric 'abandonment_rat'" in message
    assert "did you mean 'abandonment_rate'?" in message


def test_value_out_of_bounds_names_key_value_and_limit(tmp_path: Path) -> None:
    text = TINY_FACTORIAL.replace("[1, 3]", "{ range = [1, 30], levels = 2 }")
    message = _error(tmp_path, text)
    assert "levers.funding.grant_term_years: range[1] = 30" in message
    assert "less than or equal to 20" in message and "unit: years" in message


def test_wrong_category_lists_the_allowed_values(tmp_path: Path) -> None:
    text = TINY_FACTORIAL + '"supervision.style" = ["managerial", "therapuetic"]\n'
    message = _error(tmp_path, text)
    assert "values[1] = 'therapuetic'" in message and "'therapeutic'" in message


def test_unknown_factor_key_suggests(tmp_path: Path) -> None:
    text = TINY_FACTORIAL.replace("[1, 3]", "{ rnage = [1, 3] }")
    message = _error(tmp_path, text)
    assert "unknown key 'levers.funding.grant_term_years.rnage'" in message
    assert "did you mean 'range'?" in message


def test_sobol_needs_power_of_two(tmp_path: Path) -> None:
    text = TINY_FACTORIAL.replace('design = "factorial"',
                                  'design = { kind = "sobol", samples = 100 }')
    message = _error(tmp_path, text)
    assert "design.samples = 100" in message and "power of 2 (e.g. 64 or 128)" in message


def test_adaptive_replications_need_all_three_keys(tmp_path: Path) -> None:
    text = TINY_FACTORIAL.replace("replications = 2", "replications = { min = 3 }")
    message = _error(tmp_path, text)
    assert "replications" in message and "min, max and rel_half_width" in message


def test_run_settings_cannot_be_factors(tmp_path: Path) -> None:
    message = _error(tmp_path, TINY_FACTORIAL + '"run.weeks" = [52, 104]\n')
    assert "'run.weeks' cannot be varied" in message and "horizon_weeks" in message


def test_scalar_factor_entry_says_what_is_expected(tmp_path: Path) -> None:
    message = _error(tmp_path, TINY_FACTORIAL + '"supervision.style" = "therapeutic"\n')
    assert "levers.supervision.style = 'therapeutic'" in message
    assert "a list of values or a table" in message


def test_factor_listed_twice_is_refused(tmp_path: Path) -> None:
    text = TINY_FACTORIAL + '[uncertainties]\n"funding.grant_term_years" = [2]\n'
    message = _error(tmp_path, text)
    assert "already listed under levers" in message


def test_points_breaking_cross_field_rules_are_refused_before_any_run(tmp_path: Path) -> None:
    text = TINY_FACTORIAL + '"staff.supervisors_fte" = [0, 1]\n'
    sweep = load_spec(write_spec(tmp_path, text))
    design = make_design(sweep)
    with pytest.raises(UserError) as info:
        check_points(sweep.base, design.points, sweep.source)
    message = str(info.value)
    assert "design points have invalid parameters" in message
    assert "staff.supervisors_fte=0.0" in message and "nobody can supervise" in message


def test_cli_exits_2_with_one_clear_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]
                                         ) -> None:
    path = write_spec(tmp_path, "horizon_week = 10\n" + TINY_FACTORIAL)
    assert main(["sweep", str(path), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "did you mean 'horizon_weeks'?" in err
    assert not (tmp_path / "out").exists()


def test_cli_invalid_points_exit_2_and_create_nothing(tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    path = write_spec(tmp_path, TINY_FACTORIAL + '"staff.supervisors_fte" = [0, 1]\n')
    assert main(["sweep", str(path), "--out", str(tmp_path / "out")]) == 2
    assert "nobody can supervise" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_cli_unknown_spec_name_suggests_a_bundled_one(capsys: pytest.CaptureFixture[str]
                                                      ) -> None:
    assert main(["sweep", "funding_x_supervison", "--dry-run"]) == 2
    assert "did you mean 'funding_x_supervision'?" in capsys.readouterr().err


def test_cli_dry_run_shows_the_plan(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["sweep", "funding_x_supervision", "--dry-run"]) == 0
    assert "24 points x 10 replications = 240 runs" in capsys.readouterr().out


def test_nested_tables_and_dotted_keys_mean_the_same(tmp_path: Path) -> None:
    nested = TINY_FACTORIAL.replace(
        '[levers]\n    "funding.grant_term_years" = [1, 3]\n'
        '    "supervision.sessions_per_month" = [0, 2]',
        "[levers.funding]\n    grant_term_years = [1, 3]\n"
        "    [levers.supervision]\n    sessions_per_month = [0, 2]")
    assert nested != TINY_FACTORIAL
    a = load_spec(write_spec(tmp_path, TINY_FACTORIAL, "a"))
    b = load_spec(write_spec(tmp_path, nested, "b"))
    assert a.factors == b.factors and a.spec_hash == b.spec_hash


@settings(max_examples=60, deadline=None)
@given(u=st.lists(st.floats(0, 1), min_size=1, max_size=20),
       distribution=st.sampled_from(["uniform", "loguniform", "triangular", "truncnormal"]))
def test_sampled_values_stay_in_range(u: list[float], distribution: str) -> None:
    import numpy as np

    factor = Factor("effects.quality_growth", "uncertainty", "float", "per met week",
                    low=0.05, high=0.3, distribution=distribution, mode=0.1, sd=0.05)
    values = factor.from_unit(np.sort(u))
    assert all(0.05 - 1e-12 <= v <= 0.3 + 1e-12 for v in values)
    assert values == sorted(values)  # an inverse CDF is monotone


@pytest.mark.parametrize("extra", ["mode = 0", "mean = 0", "levels = 2",
                                   'distribution = "uniform"'])
def test_range_keys_beside_values_are_refused_even_when_zero(tmp_path: Path, extra: str) -> None:
    text = TINY_FACTORIAL.replace('"supervision.sessions_per_month" = [0, 2]',
                                  f'"supervision.sessions_per_month" = {{ values = [0, 2], '
                                  f'{extra} }}')
    message = _error(tmp_path, text)
    key = extra.split(" = ")[0]
    assert "levers.supervision.sessions_per_month" in message
    assert f"{key}: levels, distribution, mode, mean and sd apply to a range" in message
