"""summary.xlsx: written beside summary.csv, readable with openpyxl and pandas, numbers that
are summary.csv's exactly, formats that show units, and the seeds on the About sheet."""

from __future__ import annotations

import json
import math
import os
import shutil
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

import sim.spreadsheet
from sim.cli import main
from sim.metrics import HEADLINE, METRICS
from sim.spreadsheet import HEADER_ROW, TABLE_HEADER_ROW, read_summary, write_spreadsheet

SCENARIOS = ("baseline", "therapeutic_supervision")
CODE = "Name in summary.csv"


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small comparison written by the CLI (60 weeks: a few mentees have 12 months of
    follow-up, so reoffending has values too)."""
    out = tmp_path_factory.mktemp("xlsx") / "r"
    assert main(["run", *SCENARIOS, "--reps", "2", "--weeks", "60", "--workers", "1",
                 "--out", str(out), "--no-dashboard"]) == 0
    return out


@pytest.fixture(scope="module")
def headline(run_dir: Path) -> pd.DataFrame:
    return pd.read_excel(run_dir / "summary.xlsx", sheet_name="Headline", header=HEADER_ROW - 1)


def _copy(run_dir: Path, tmp_path: Path) -> Path:
    folder = tmp_path / "copy"
    shutil.copytree(run_dir, folder)
    return folder


def _row(ws: openpyxl.worksheet.worksheet.Worksheet, code: str) -> tuple:
    names = [c.value for c in ws[HEADER_ROW]]
    column = names.index(CODE)
    for row in ws.iter_rows(min_row=HEADER_ROW + 1):
        if row[column].value == code:
            return row
    raise AssertionError(f"no row for {code}")


def _same(a: float, b: float) -> bool:
    return (math.isnan(a) and math.isnan(b)) or a == b


def test_run_writes_summary_xlsx_beside_summary_csv(run_dir: Path) -> None:
    path = run_dir / "summary.xlsx"
    assert path.is_file()
    assert os.stat(path).st_mode == os.stat(run_dir / "summary.csv").st_mode, (
        "summary.xlsx should have the permissions of the other results files")
    assert not [p.name for p in run_dir.iterdir() if p.name.startswith(".")], "temp files left"
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames[:3] == ["Headline", "All metrics", "Parameters"]
    assert wb.sheetnames[-1] == "About"
    assert {"weekly", "matches", "mentors", "mentees", "events", "yearly"} <= set(wb.sheetnames)


def test_headline_has_every_headline_metric_and_every_scenario(headline: pd.DataFrame) -> None:
    assert list(headline[CODE].dropna()) == list(HEADLINE)
    assert {"Relationships", "Mentors", "Mentees", "Money", "Value for money"} <= set(
        headline.loc[headline[CODE].isna(), "Metric"])
    labels = dict(zip(headline[CODE], headline["Metric"], strict=True))
    assert all(labels[m] == METRICS[m].label for m in HEADLINE)
    for scenario in SCENARIOS:
        for stat in ("value", "95% CI lower", "95% CI upper"):
            assert f"{scenario}\n{stat}" in headline.columns
    assert "baseline\ndifference vs baseline\n(shares in points)" not in headline.columns
    differences = [c for c in headline.columns if "difference vs baseline" in c]
    assert differences == ["therapeutic_supervision\ndifference vs baseline\n(shares in points)"]
    assert "therapeutic_supervision\nvs baseline" in headline.columns  # the verdict
    assert set(headline["therapeutic_supervision\nvs baseline"].dropna()) <= {
        "better", "worse", "no clear difference", "higher", "lower"}
    units = dict(zip(headline[CODE], headline["Unit"], strict=True))
    assert units["premature_closure_rate"] == "% (differences in points)"
    assert units["total_spend_gbp"] == "£" and units["median_match_weeks"] == "weeks"


def test_numbers_are_summary_csv_values_exactly(run_dir: Path, headline: pd.DataFrame) -> None:
    summary = read_summary(run_dir)
    rows = headline.set_index(CODE)
    everything = pd.read_excel(run_dir / "summary.xlsx", sheet_name="All metrics",
                               header=HEADER_ROW - 1).set_index(CODE)
    assert list(everything.index) == list(dict.fromkeys(summary["metric"]))
    compared = 0
    for r in summary.itertuples(index=False):
        if r.statistic == "value":
            columns = [f"{r.scenario}\nvalue", f"{r.scenario}\n95% CI lower",
                       f"{r.scenario}\n95% CI upper"]
        else:
            columns = [f"{r.scenario}\ndifference vs {r.reference}\n(shares in points)",
                       f"{r.scenario}\ndifference\n95% CI lower",
                       f"{r.scenario}\ndifference\n95% CI upper"]
        for sheet in (everything, rows) if r.metric in HEADLINE else (everything,):
            got = sheet.loc[r.metric, columns].to_numpy(dtype=float)
            for want, have in zip((r.mean, r.ci_low, r.ci_high), got, strict=True):
                assert _same(float(want), float(have)), (r.metric, r.scenario, r.statistic)
                compared += not math.isnan(want)
    assert compared > 300, "most cells should hold numbers"
    # openpyxl reads the same numbers (no rounding to what the format shows)
    ws = openpyxl.load_workbook(run_dir / "summary.xlsx")["Headline"]
    value = summary[(summary["scenario"] == "baseline") & (summary["statistic"] == "value")
                    & (summary["metric"] == "premature_closure_rate")]["mean"].iloc[0]
    assert _row(ws, "premature_closure_rate")[3].value == value


def test_formats_show_shares_as_percentages_and_money_in_pounds(run_dir: Path) -> None:
    ws = openpyxl.load_workbook(run_dir / "summary.xlsx")["Headline"]
    names = [c.value for c in ws[HEADER_ROW]]
    value = names.index("therapeutic_supervision\nvalue")
    diff = names.index("therapeutic_supervision\ndifference vs baseline\n(shares in points)")
    share = _row(ws, "premature_closure_rate")
    assert isinstance(share[value].value, float) and 0 <= share[value].value <= 1
    assert share[value].number_format.startswith("0.0%")
    assert share[diff].number_format.startswith("+0.0%")
    money = _row(ws, "total_spend_gbp")
    assert money[value].number_format == '"£"#,##0;"−£"#,##0'  # −£297, a true minus sign
    assert money[diff].number_format == '+"£"#,##0;"−£"#,##0;"£"0'
    assert _row(ws, "final_balance_gbp")[value].number_format == '"£"#,##0;"−£"#,##0'
    assert _row(ws, "median_match_weeks")[value].number_format == '#,##0.0;"−"#,##0.0'
    assert ws.freeze_panes == f"B{HEADER_ROW + 1}", "header rows and the metric column frozen"
    assert "reference scenario baseline" in ws["A1"].value
    assert ws.column_dimensions["A"].width >= max(len(METRICS[m].label) for m in HEADLINE)


def test_about_sheet_holds_seeds_versions_and_scenarios(run_dir: Path) -> None:
    manifest = json.loads((run_dir / "manifest.json").read_text())
    cells = [v for row in openpyxl.load_workbook(run_dir / "summary.xlsx")["About"]
             .iter_rows(values_only=True) for v in row if v is not None]
    for seed in manifest["scenarios"][0]["seeds"]:
        assert str(seed) in cells, "every replication's seed, as text (19 digits)"
    assert manifest["root_seed"] in cells
    assert manifest["mentorsim_version"] in cells and manifest["created_utc"] in cells
    assert (manifest["git_commit"] or "not recorded") in cells
    for scenario in manifest["scenarios"]:
        assert scenario["name"] in cells and scenario["question"] in cells
    about = pd.read_excel(run_dir / "summary.xlsx", sheet_name="About", header=None)
    facts = dict(zip(about[0], about[1], strict=True))
    assert facts["Replications"] == 2 and facts["Weeks"] == 60


def test_table_sheets_hold_the_parquet_tables(run_dir: Path) -> None:
    weekly = pd.read_parquet(run_dir / "weekly.parquet")
    sheet = pd.read_excel(run_dir / "summary.xlsx", sheet_name="weekly",
                          header=TABLE_HEADER_ROW - 1)
    # a sheet holds text where the Parquet file holds categories (scenario)
    pd.testing.assert_frame_equal(sheet, weekly, check_dtype=False, check_categorical=False)
    matches = pd.read_excel(run_dir / "summary.xlsx", sheet_name="matches",
                            header=TABLE_HEADER_ROW - 1)
    parquet = pd.read_parquet(run_dir / "matches.parquet")
    assert list(matches.columns) == list(parquet.columns) and len(matches) == len(parquet)
    assert matches["end_week"].isna().sum() == parquet["end_week"].isna().sum()
    ws = openpyxl.load_workbook(run_dir / "summary.xlsx")["weekly"]
    names = [c.value for c in ws[TABLE_HEADER_ROW]]
    spend = ws.cell(TABLE_HEADER_ROW + 1, names.index("spend_gbp") + 1)
    assert "£" in spend.number_format
    assert "GBP" in ws.cell(TABLE_HEADER_ROW, names.index("spend_gbp") + 1).comment.text
    assert ws.freeze_panes == f"C{TABLE_HEADER_ROW + 1}", "header, scenario and replication"
    assert ws.column_dimensions["D"].width >= len("active_matches")


def test_a_table_too_big_for_a_sheet_is_left_to_parquet(
        run_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = _copy(run_dir, tmp_path)
    monkeypatch.setattr(sim.spreadsheet, "MAX_SHEET_CELLS", 5_000)
    write_spreadsheet(folder)
    wb = openpyxl.load_workbook(folder / "summary.xlsx")
    rows = list(wb["weekly"].iter_rows(values_only=True))
    assert len(rows) == 2 and "weekly.parquet" in rows[1][0]
    assert len(list(wb["events"].iter_rows())) > 2, "a small table is still written"
    about = [r for r in wb["About"].iter_rows(values_only=True) if r[0] == "weekly"]
    assert about and "weekly.parquet" in about[0][1]


def test_text_is_never_taken_for_a_formula(run_dir: Path, tmp_path: Path) -> None:
    folder = _copy(run_dir, tmp_path)
    summary = (folder / "summary.csv").read_text().replace("therapeutic_supervision", "=1+1")
    (folder / "summary.csv").write_text(summary)
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest["scenarios"][1]["question"] = "=HYPERLINK(\"x\")\x07"
    (folder / "manifest.json").write_text(json.dumps(manifest))
    write_spreadsheet(folder)
    wb = openpyxl.load_workbook(folder / "summary.xlsx")
    header = [c for c in wb["Headline"][HEADER_ROW] if str(c.value).startswith("=1+1")]
    assert header and all(c.data_type == "s" for c in header)
    question = [c for row in wb["About"].iter_rows() for c in row
                if str(c.value).startswith("=HYPERLINK")]
    assert question and question[0].data_type == "s" and question[0].value.endswith(")")


def test_rewriting_is_atomic_and_a_failed_write_keeps_the_old_file(
        run_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = _copy(run_dir, tmp_path)
    before = (folder / "summary.xlsx").read_bytes()
    from openpyxl.worksheet._writer import ALL_TEMP_FILES  # openpyxl's own temporary files
    pending = list(ALL_TEMP_FILES)

    def boom(*_args: object, **_kwargs: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(openpyxl.Workbook, "save", boom)
    with pytest.raises(OSError, match="disk full"):
        write_spreadsheet(folder)
    assert (folder / "summary.xlsx").read_bytes() == before
    assert not [p.name for p in folder.iterdir() if p.name.startswith(".")]
    assert list(ALL_TEMP_FILES) == pending, "the unsaved sheets' temporary files are removed"


def test_python_m_sim_spreadsheet_regenerates_a_folder(run_dir: Path, tmp_path: Path) -> None:
    folder = _copy(run_dir, tmp_path)
    (folder / "summary.xlsx").unlink()
    assert sim.spreadsheet.main([str(folder)]) == 0
    assert openpyxl.load_workbook(folder / "summary.xlsx").sheetnames[0] == "Headline"
    assert sim.spreadsheet.main([]) == 2
    assert sim.spreadsheet.main([str(tmp_path)]) == 2, "a folder without summary.csv"
