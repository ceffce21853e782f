"""Bad input gets a clear message naming the file, key path, value and what is allowed;
exit code 2; no results folder; never a traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from sim.cli import main

BAD_CASES = {
    "unknown_key": ("[supervison]\nsessions_per_month = 2\n",
                    ["unknown key 'supervison'", "did you mean 'supervision'"]),
    "unknown_field": ("[supervision]\nsesions_per_month = 2\n",
                      ["unknown key 'supervision.sesions_per_month'",
                       "did you mean 'sessions_per_month'"]),
    "wrong_type": ("[funding]\ngrant_term_years = \"two\"\n",
                   ["funding.grant_term_years = 'two'", "valid number"]),
    "out_of_range": ("[funding]\nrenewal_probability = 1.5\n",
                     ["funding.renewal_probability = 1.5", "less than or equal to 1"]),
    "bad_choice": ("[supervision]\nstyle = \"cuddly\"\n",
                   ["supervision.style = 'cuddly'", "'therapeutic' or 'managerial'"]),
    "bad_extends": ("extends = \"baselin\"\n",
                    ["extends = 'baselin'", "did you mean 'baseline'"]),
    "cross_field": ("[staff]\nsupervisors_fte = 0\n[supervision]\nsessions_per_month = 2\n",
                    ["supervision.sessions_per_month = 2", "nobody can supervise"]),
    "formats_sum": ("[formats]\none_to_one_share = 0.9\n",
                    ["must add up to 1", "1.2"]),
    "budget": ("[funding]\nannual_budget_gbp = 10000\n",
               ["exceeds funding.annual_budget_gbp", "10,000"]),
    "bad_toml": ("[funding\n", ["not valid TOML"]),
}


def write(tmp_path: Path, name: str, body: str, extends: bool = True) -> Path:
    path = tmp_path / f"{name}.toml"
    prefix = 'extends = "baseline"\n' if extends and "extends" not in body else ""
    path.write_text(f'question = "test"\n{prefix}{body}')
    return path


@pytest.mark.parametrize("case", sorted(BAD_CASES))
def test_validate_reports_file_key_value_and_allowed(case: str, tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    body, expected = BAD_CASES[case]
    path = write(tmp_path, case, body)
    assert main(["validate", str(path)]) == 2
    err = capsys.readouterr().err
    assert str(path) in err, f"the message should name the file: {err}"
    for text in expected:
        assert text in err, f"expected {text!r} in: {err}"
    assert "Traceback" not in err


@pytest.mark.parametrize("case", ["unknown_key", "out_of_range", "cross_field"])
def test_run_with_invalid_scenario_creates_nothing(case: str, tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, case, BAD_CASES[case][0])
    out = tmp_path / "results" / "x"
    assert main(["run", str(path), "--reps", "1", "--weeks", "4", "--out", str(out)]) == 2
    assert not out.exists() and not out.parent.exists(), "no results folder for a bad scenario"
    assert "error:" in capsys.readouterr().err


def test_bad_set_override_names_the_option(tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "r"
    code = main(["run", "baseline", "--set", "supervision.sessions_per_month=-1", "--reps", "1",
                 "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 2 and not out.exists()
    assert "--set supervision.sessions_per_month=-1" in err
    assert "greater than or equal to 0" in err


def test_malformed_set_and_unknown_scenario(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", "baseline", "--set", "nonsense"]) == 2
    assert "expected dotted.key=value" in capsys.readouterr().err
    assert main(["run", "baseline", "long_term_invest", "--reps", "1"]) == 2
    err = capsys.readouterr().err
    assert "unknown scenario 'long_term_invest'" in err and "long_term_investment" in err


def test_circular_extends(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "a.toml").write_text('extends = "b.toml"\n')
    (tmp_path / "b.toml").write_text('extends = "a.toml"\n')
    assert main(["validate", str(tmp_path / "a.toml")]) == 2
    assert "circular" in capsys.readouterr().err


def test_existing_out_folder_is_refused_before_running(tmp_path: Path,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "exists"
    out.mkdir()
    (out / "keep.txt").write_text("mine")
    assert main(["run", "baseline", "--reps", "1", "--out", str(out)]) == 2
    assert "already exists" in capsys.readouterr().err
    assert (out / "keep.txt").read_text() == "mine"


def test_bad_option_value_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["run", "baseline", "--reps", "zero"])
    assert exc.value.code == 2
    assert "expected a whole number" in capsys.readouterr().err


def test_python_dash_m_reports_without_traceback(tmp_path: Path) -> None:
    path = write(tmp_path, "bad", BAD_CASES["unknown_key"][0])
    proc = subprocess.run([sys.executable, "-m", "sim", "validate", str(path)],
                          capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 2
    assert "did you mean 'supervision'" in proc.stderr and "Traceback" not in proc.stderr


def test_valid_files_pass(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", "baseline", "stop_start_grants"]) == 0
    assert "ok:" in capsys.readouterr().out


def test_scenarios_command_lists_questions(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["scenarios"]) == 0
    out = capsys.readouterr().out
    assert "long_term_investment" in out and "five-year grant" in out
