"""A scenario's name, as a person wrote it, reaches every output unchanged: tables, summary,
manifest, spreadsheet, terminal and dashboard; results folders are named after whole words."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from sim.cli import main
from sim.errors import ScenarioError
from sim.results import folder_label
from sim.scenario import load_scenario

NAMES = ("Annual grants", "Budget cut 25%", "Therapeutic supervision")


def _file(folder: Path, stem: str, text: str) -> Path:
    path = folder / f"{stem}.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_scenario_file_names_itself(tmp_path: Path) -> None:
    path = _file(tmp_path, "cut", 'name = "Budget cut 25%"\nextends = "baseline"\n'
                 "[funding]\nannual_budget_gbp = 90000\n")
    scenario = load_scenario(str(path))
    assert scenario.name == "Budget cut 25%" and scenario.question == "Budget cut 25%"
    child = _file(tmp_path, "child", 'extends = "./cut.toml"\n')
    assert load_scenario(str(child)).name == "child"  # a name is not inherited
    assert load_scenario("baseline").name == "baseline"


@pytest.mark.parametrize(("value", "says"), [
    ("42", "must be text"), ('"   "', "1 to 80 characters"), ('"x\\ny"', "one line"),
    ('"' + "x" * 81 + '"', "1 to 80 characters")])
def test_a_bad_name_is_refused_with_the_fix(tmp_path: Path, value: str, says: str) -> None:
    path = _file(tmp_path, "bad", f'name = {value}\nextends = "baseline"\n')
    with pytest.raises(ScenarioError, match=says) as caught:
        load_scenario(str(path))
    assert str(path) in str(caught.value)


def test_results_folders_are_cut_after_whole_words() -> None:
    assert folder_label(NAMES) == "annual_grants-budget_cut_25-therapeutic_supervision"
    long = folder_label([*NAMES, "Five-year grant with the same money", "Paid peer mentors"])
    assert len(long) <= 60 and not long.endswith(("_", "-"))
    words = " ".join([*NAMES, "Five-year grant with the same money", "Paid peer mentors"])
    words = words.lower().replace("-", " ").replace("%", " ")
    assert all(w in words.split() for w in long.replace("-", "_").split("_"))


@pytest.fixture(scope="module")
def named_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    folder = tmp_path_factory.mktemp("names")
    files = [_file(folder, f"option{i}", f'name = "{name}"\nextends = "baseline"\n'
                   + ("[funding]\nannual_budget_gbp = 90000\n" if i == 1 else "")
                   + ('[supervision]\nstyle = "therapeutic"\n' if i == 2 else ""))
             for i, name in enumerate(NAMES)]
    out = folder / "out"
    import contextlib
    import io

    stdout = io.StringIO()
    with contextlib.redirect_stdout(stdout):
        assert main(["run", *map(str, files), "--reps", "2", "--weeks", "26", "--workers",
                     "1", "--out", str(out)]) == 0
    return out, stdout.getvalue()


def test_names_reach_every_output_unchanged(named_run: tuple[Path, str]) -> None:
    out, stdout = named_run
    summary = pd.read_csv(out / "summary.csv")
    assert list(dict.fromkeys(summary["scenario"])) == list(NAMES)
    assert list(pd.read_parquet(out / "weekly.parquet")["scenario"].cat.categories) == \
        list(NAMES)
    manifest = json.loads((out / "manifest.json").read_text())
    assert [s["name"] for s in manifest["scenarios"]] == list(NAMES)
    book = openpyxl.load_workbook(out / "summary.xlsx", read_only=True)
    header = next(r for r in book["Headline"].iter_rows(values_only=True)
                  if r and r[0] == "Metric")
    assert "Budget cut 25%\nvalue" in header and "Budget cut 25%\nvs Annual grants" in header
    for name in NAMES:
        assert name in stdout
    page = (out / "dashboard.html").read_text(encoding="utf-8")
    assert "Budget cut 25%" in page and "Budget cut 25<" not in page
    assert "Therapeutic supervision" in page
