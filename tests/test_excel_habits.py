"""Spreadsheet habits get a message that names the file, line, key and the fix; exit code 2.

Values such as ``120,000``, ``90%``, ``£120k`` and ``TRUE`` are not TOML, a bare name means
a bundled scenario (never a file in the current folder), and a file without its own
``question`` is labelled by its file name.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from sim.cli import main
from sim.errors import ScenarioError
from sim.scenario import BUNDLED_DIR, load_scenario

HEADER = 'question = "Ours"\nextends = "baseline"\n\n'

# (table, line as typed, the message after "FILE line N: ")
HABITS = {
    "thousands": ("funding", "annual_budget_gbp = 120,000",
                  "funding.annual_budget_gbp = 120,000 — numbers are written without thousands "
                  "separators: annual_budget_gbp = 120000"),
    "thousands_space": ("funding", "annual_budget_gbp = 120 000",
                        "funding.annual_budget_gbp = 120 000 — numbers are written without "
                        "thousands separators: annual_budget_gbp = 120000"),
    "percent": ("funding", "renewal_probability = 90%",
                "funding.renewal_probability = 90% — write shares as a fraction: "
                "renewal_probability = 0.9"),
    "percent_decimal": ("funding", "renewal_probability = 12.5 %",
                        "funding.renewal_probability = 12.5 % — write shares as a fraction: "
                        "renewal_probability = 0.125"),
    "pounds_k": ("funding", "annual_budget_gbp = £120k",
                 "funding.annual_budget_gbp = £120k — write money in pounds as a plain "
                 "number: annual_budget_gbp = 120000"),
    "pounds_commas": ("funding", "annual_budget_gbp = £120,000",
                      "funding.annual_budget_gbp = £120,000 — write money in pounds as a plain "
                      "number: annual_budget_gbp = 120000"),
    "millions": ("funding", "annual_budget_gbp = 1.2m  # from the bid",
                 "funding.annual_budget_gbp = 1.2m — write money in pounds as a plain "
                 "number: annual_budget_gbp = 1200000"),
    "upper_true": ("matching", "cultural_matching = TRUE",
                   "matching.cultural_matching = TRUE — yes/no values are written true or "
                   "false, in lower case: cultural_matching = true"),
    "title_false": ("matching", "cultural_matching = False",
                    "matching.cultural_matching = False — yes/no values are written true or "
                    "false, in lower case: cultural_matching = false"),
    "yes": ("matching", "cultural_matching = Yes",
            "matching.cultural_matching = Yes — yes/no values are written true or false, in "
            "lower case: cultural_matching = true"),
    "no": ("matching", "cultural_matching = No",
           "matching.cultural_matching = No — yes/no values are written true or false, in "
           "lower case: cultural_matching = false"),
    "decimal_comma": ("funding", "renewal_probability = 0,9",
                      "funding.renewal_probability = 0,9 — write decimals with a point: "
                      "renewal_probability = 0.9"),
    "leading_point": ("funding", "renewal_probability = .9",
                      "funding.renewal_probability = .9 — write a 0 before the decimal point: "
                      "renewal_probability = 0.9"),
    "dotted_key": ("", "funding.renewal_probability = 90%",
                   "funding.renewal_probability = 90% — write shares as a fraction: "
                   "funding.renewal_probability = 0.9"),
}


def write_habit(tmp_path: Path, case: str) -> tuple[Path, int, str]:
    """Write the habit on line 5 of a file; return the path, that line and the message."""
    table, line, message = HABITS[case]
    path = tmp_path / f"{case}.toml"
    section = f"[{table}]\n" if table else "\n"
    path.write_text(f"{HEADER}{section}{line}\n")
    return path, 5, message


@pytest.mark.parametrize("case", sorted(HABITS))
def test_validate_names_file_line_key_and_fix(case: str, tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    path, line, message = write_habit(tmp_path, case)
    assert main(["validate", str(path)]) == 2
    err = capsys.readouterr().err
    assert err == f"invalid: {path} line {line}: {message}\n"


@pytest.mark.parametrize("case", ["thousands", "percent", "pounds_k", "upper_true"])
def test_library_raises_the_same_message(case: str, tmp_path: Path) -> None:
    path, line, message = write_habit(tmp_path, case)
    with pytest.raises(ScenarioError) as exc:
        load_scenario(str(path))
    assert str(exc.value) == f"{path} line {line}: {message}"
    assert "Expected newline" not in str(exc.value)


def test_run_stops_with_exit_2_and_writes_nothing(tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    path, line, message = write_habit(tmp_path, "thousands")
    out = tmp_path / "results"
    assert main(["run", str(path), "--reps", "1", "--weeks", "4", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err == f"error: {path} line {line}: {message}\n"
    assert not out.exists()


def test_every_habit_in_the_file_is_reported_at_once(tmp_path: Path) -> None:
    path = tmp_path / "ours.toml"
    path.write_text(f"{HEADER}[funding]\nannual_budget_gbp = 120,000\nrenewal_probability = 90%"
                    "\n\n[matching]\ncultural_matching = TRUE\n")
    with pytest.raises(ScenarioError) as exc:
        load_scenario(str(path))
    lines = str(exc.value).splitlines()
    assert [text.split(":")[0] for text in lines] == [
        f"{path} line 5", f"{path} line 6", f"{path} line 9"]
    assert "cultural_matching = true" in lines[2]


def test_windows_line_endings_keep_the_line_numbers(tmp_path: Path) -> None:
    path = tmp_path / "crlf.toml"
    path.write_bytes(f"{HEADER}[funding]\nrenewal_probability = 90%\n".replace("\n", "\r\n")
                     .encode())
    with pytest.raises(ScenarioError) as exc:
        load_scenario(str(path))
    assert str(exc.value) == (f"{path} line 5: funding.renewal_probability = 90% — write shares "
                              "as a fraction: renewal_probability = 0.9")


def test_other_syntax_errors_keep_the_parser_message(tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "broken.toml"
    path.write_text(f'{HEADER}[funding\nannual_budget_gbp = 120000\n')
    assert main(["validate", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"invalid: {path}: not valid TOML: ")
    assert "(at line 4, column 9)" in err and " line 5" not in err


def test_generic_error_comes_first_and_habits_follow(tmp_path: Path) -> None:
    path = tmp_path / "both.toml"
    path.write_text(f'{HEADER}[funding\nannual_budget_gbp = 120,000\n')
    with pytest.raises(ScenarioError) as exc:
        load_scenario(str(path))
    first, second = str(exc.value).splitlines()
    assert first.startswith(f"{path}: not valid TOML:") and "line 4" in first
    assert second.startswith(f"{path} line 5: annual_budget_gbp = 120,000 — numbers are written")


def test_habits_inside_strings_are_not_flagged(tmp_path: Path) -> None:
    path = tmp_path / "strings.toml"
    path.write_text('question = "Does 90% renewal help?"\nextends = "baseline"\n'
                    'description = """\nrenewal_probability = 90%\n"""\n[funding\n')
    with pytest.raises(ScenarioError) as exc:
        load_scenario(str(path))
    assert str(exc.value).count("\n") == 0, str(exc.value)
    assert "not valid TOML" in str(exc.value) and "line 6" in str(exc.value)


def test_lower_case_values_still_load(tmp_path: Path) -> None:
    path = tmp_path / "fine.toml"
    path.write_text(f"{HEADER}[funding]\nannual_budget_gbp = 120000\nrenewal_probability = 0.9\n"
                    "[matching]\ncultural_matching = true\n")
    params = load_scenario(str(path)).params
    assert params.funding.renewal_probability == 0.9
    assert params.matching.cultural_matching is True


def test_file_saved_by_a_windows_program(tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    latin = tmp_path / "ansi.toml"
    latin.write_bytes(HEADER.encode() + "[funding]\n# £120k a year\n".encode("cp1252"))
    assert main(["validate", str(latin)]) == 2
    err = capsys.readouterr().err
    assert f"{latin} line 5: not UTF-8 text (byte 0xa3" in err
    assert "save the file as UTF-8" in err and "Traceback" not in err
    bom = tmp_path / "bom.toml"
    bom.write_bytes(b"\xef\xbb\xbf" + HEADER.encode())  # Notepad's UTF-8 has a byte-order mark
    assert load_scenario(str(bom)).question == "Ours"


def test_set_option_names_the_fix(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", "baseline", "--set", "funding.annual_budget_gbp=120,000"]) == 2
    assert capsys.readouterr().err == (
        "invalid: --set funding.annual_budget_gbp=120,000: numbers are written without "
        "thousands separators: --set funding.annual_budget_gbp=120000\n")
    with pytest.raises(ScenarioError, match="write shares as a fraction: --set "
                                            "funding.renewal_probability=0.5"):
        load_scenario("baseline", ["funding.renewal_probability=50%"])
    assert load_scenario("baseline", ["supervision.style=therapeutic"]).params.supervision.style \
        == "therapeutic"


# A bare name and a file in the current folder


def test_bare_name_of_a_file_here_says_did_you_mean(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "five_years_therapeutic.toml").write_text(
        'extends = "therapeutic_supervision"\n[funding]\ngrant_term_years = 5\n')
    out = tmp_path / "results"
    assert main(["run", "five_years_therapeutic", "--reps", "1", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "unknown scenario 'five_years_therapeutic' (did you mean " \
           "./five_years_therapeutic.toml?)" in err
    assert "a bundled name wins over a file of the same name" in err
    assert not out.exists()
    assert main(["validate", "five_years_therapeutic"]) == 2
    assert "did you mean ./five_years_therapeutic.toml?" in capsys.readouterr().err
    assert main(["validate", "./five_years_therapeutic.toml"]) == 0
    assert load_scenario("five_years_therapeutic.toml").params.funding.grant_term_years == 5


def test_bundled_name_wins_over_a_file_here(tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "baseline.toml").write_text('question = "Our own"\n[funding]\n'
                                            'annual_budget_gbp = 99000\n')
    scenario = load_scenario("baseline")
    assert Path(scenario.source) == BUNDLED_DIR / "baseline.toml"
    assert scenario.question != "Our own"
    assert scenario.params.funding.annual_budget_gbp == 120000
    assert load_scenario("./baseline.toml").question == "Our own"


def test_misspelt_bundled_name_keeps_its_suggestion(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ScenarioError, match="did you mean 'long_term_investment'"):
        load_scenario("long_term_invest")


# The question label


def test_file_without_question_is_labelled_by_its_name(tmp_path: Path,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "five_years_therapeutic.toml"
    path.write_text('extends = "therapeutic_supervision"\n[funding]\ngrant_term_years = 5\n')
    assert load_scenario(str(path)).question == "five_years_therapeutic"
    assert main(["validate", str(path)]) == 0
    assert "(five_years_therapeutic: five_years_therapeutic)" in capsys.readouterr().out


def test_question_is_not_inherited_through_a_chain(tmp_path: Path) -> None:
    (tmp_path / "parent.toml").write_text('question = "The parent question"\n'
                                          'extends = "baseline"\n')
    (tmp_path / "child.toml").write_text('extends = "parent"\nquestion = "  "\n')
    assert load_scenario(str(tmp_path / "parent.toml")).question == "The parent question"
    assert load_scenario(str(tmp_path / "child.toml")).question == "child"


def test_bundled_scenarios_keep_their_own_questions() -> None:
    base = load_scenario("baseline").question
    own = load_scenario("long_term_investment").question
    assert own and own != base and own != "long_term_investment"
    assert base.startswith("What happens in a typical")
