"""Across plausible worlds in every output of findings.

The studio's worker and ``mentorsim run --worlds 3 --world-reps 2`` write the same
``across_worlds.csv`` and tables; the dashboard (the page its PDF is printed from), the
spreadsheet's "Across worlds" sheet and the studio's results show its lines right after
the key findings, under the caveat's worlds wording; and an option in a setting the model
is not calibrated for (youth_justice) is said to be so beside the findings.

One tiny comparison (baseline against youth_justice, 2 replications of 52 weeks, in a toy
ensemble of 3 worlds with 2 replications each, one worker), run once by the worker and
once by the command. A planted table (6 worlds) shows what a driver and a switching value
look like in each output.
"""

from __future__ import annotations

import contextlib
import html
import io
import json
import re
import shutil
import unicodedata
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
import openpyxl
import pandas as pd
import pytest

from sim.across_worlds import (
    COLUMN_INFO,
    COLUMNS,
    FILE,
    NO_LINES,
    heading,
    read,
    sentences,
    summarise,
)
from sim.calibration.targets import not_calibrated
from sim.cli import main as cli_main
from sim.errors import UserError
from sim.findings import caveat
from sim.spreadsheet import write_spreadsheet
from sim.worlds import PARAMETER_PREFIX, World, write_table

try:  # pytest's default "prepend" import mode puts tests/ itself on sys.path
    from studio_requests import strings
except ModuleNotFoundError:  # pragma: no cover - when tests/ is imported as a package
    from tests.studio_requests import strings

ROOT = Path(__file__).resolve().parents[1]
WORLDS, REPS, WORLD_REPS, WEEKS = 3, 2, 2, 52
OPTIONS = ("baseline", "youth_justice")
TITLES = {"baseline": "Baseline", "youth_justice": "Youth justice"}  # the dashboard's names


def toy_worlds(path: Path, n: int = WORLDS) -> Path:
    """An ensemble of ``n`` worlds varying two uncertainties inside their plausible ranges."""
    rng = np.random.default_rng(5)
    rows = [{"world": i,
             PARAMETER_PREFIX + "effects.novice_strain": float(rng.uniform(0, 0.03)),
             PARAMETER_PREFIX + "effects.stress_insecurity": float(rng.uniform(0, 0.5))}
            for i in range(n)]
    return write_table(rows, path)


@pytest.fixture(scope="module")
def worlds_run(tmp_path_factory: pytest.TempPathFactory) -> SimpleNamespace:
    """The comparison written by the studio's worker and by `mentorsim run`."""
    from studio import worker
    from studio.folder import WorkingFolder

    tmp = tmp_path_factory.mktemp("worlds-run")
    files = [ROOT / "scenarios" / f"{name}.toml" for name in OPTIONS]
    work = WorkingFolder(tmp / "work")
    cli_out = tmp / "by-run"
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("sim.worlds.WORLDS_FILE", toy_worlds(tmp / "worlds.csv"))
        spec = {"options": [str(f) for f in files], "replications": REPS, "weeks": WEEKS,
                "seed": None, "workers": 1, "worlds": WORLDS, "world_replications": WORLD_REPS,
                "results": str(work.root / "by-studio"), "command": ["mentorsim", "run"]}
        progress = io.StringIO()
        studio_out = worker.run(spec, progress)
        assert cli_main(["run", *map(str, files), "--reps", str(REPS), "--weeks", str(WEEKS),
                         "--workers", "1", "--worlds", str(WORLDS), "--world-reps",
                         str(WORLD_REPS), "--out", str(cli_out)]) == 0
    return SimpleNamespace(work=work, studio=studio_out, cli=cli_out, progress=progress)


# --- one table, however the run was started --------------------------------------------------
def test_the_worker_and_run_write_the_same_across_worlds_table(worlds_run: SimpleNamespace
                                                               ) -> None:
    studio, cli = worlds_run.studio, worlds_run.cli
    names = sorted(p.name for p in studio.iterdir())
    assert names == sorted(p.name for p in cli.iterdir())
    assert FILE in names and "summary.xlsx" in names and "dashboard.html" in names
    assert (studio / FILE).read_text() == (cli / FILE).read_text()
    assert (studio / "summary.csv").read_text() == (cli / "summary.csv").read_text()
    for name in names:
        if name.endswith(".parquet"):
            pd.testing.assert_frame_equal(pd.read_parquet(studio / name),
                                          pd.read_parquet(cli / name))
    table = read(cli)
    assert table is not None and list(table.columns) == list(COLUMNS)
    assert set(table["scenario"]) == {"youth_justice"} and set(table["reference"]) == \
        {"baseline"}
    assert table["worlds"].max() == WORLDS and table["replications"].max() == WORLD_REPS
    assert len(table) >= 2  # several key outcomes at 52 weeks
    for folder in (studio, cli):
        manifest = json.loads((folder / "manifest.json").read_text())
        assert (manifest["worlds"], manifest["world_replications"]) == (WORLDS, WORLD_REPS)
        assert list(manifest["not_calibrated"]) == ["youth_justice"]
    # the worker's progress counts the runs in worlds too
    records = [json.loads(line) for line in worlds_run.progress.getvalue().splitlines()]
    planned = len(OPTIONS) * (REPS + WORLDS * WORLD_REPS)
    assert [r["planned"] for r in records if r.get("stage") == "running"] == [planned]
    assert [r["done"] for r in records if r["event"] == "progress"][-1] == planned


def test_a_folder_s_table_is_read_in_one_place(tmp_path: Path) -> None:
    assert read(tmp_path) is None  # a run on one set of parameter values
    row = dict.fromkeys(COLUMNS, "")
    row.update(scenario="NA", reference="baseline", metric="abandonment_rate", worlds=3,
               replications=2, effect=-0.01, worlds_low=-0.02, worlds_high=0.0,
               mc_low=-0.015, mc_high=-0.005, better_share=1 / 3, worse_share=0.0,
               unclear_share=2 / 3)
    pd.DataFrame([row]).to_csv(tmp_path / FILE, index=False)
    table = read(tmp_path)
    assert table is not None
    assert table.loc[0, "scenario"] == "NA"  # a name, not a missing value
    assert table.loc[0, "driver_1"] == "" and np.isnan(table.loc[0, "switching_value"])
    (tmp_path / FILE).write_text("scenario,metric\nx,y\n")
    with pytest.raises(UserError, match="not an across-worlds table"):
        read(tmp_path)


# --- the dashboard ---------------------------------------------------------------------------
def _sections(page: str) -> list[tuple[str, str]]:
    """(class, body) of the page's sections, in order."""
    out, at = [], 0
    while (start := page.find("<section", at)) >= 0:
        end = page.index("</section>", start)
        head = page[start:page.index(">", start)]
        out.append((head.split('class="')[1].split('"')[0] if 'class="' in head else "",
                    page[start:end]))
        at = end
    return out


def test_the_dashboard_shows_the_lines_right_after_the_key_findings(
        worlds_run: SimpleNamespace) -> None:
    from dashboards.report import build_dashboard

    for folder in (worlds_run.cli, worlds_run.studio):
        page = build_dashboard(folder).html
        sections = _sections(page)
        kinds = [kind for kind, _ in sections]
        assert kinds[:2] == ["findings", "across-worlds"], kinds
        findings, across = sections[0][1], sections[1][1]
        assert html.escape(caveat(WORLDS)) in findings  # the caveat's worlds wording
        table = read(folder)
        assert table is not None
        assert f"<h2>{html.escape(heading(table))}</h2>" in across
        assert heading(table).startswith(f"Across {WORLDS} plausible worlds")
        lines = sentences(table, titles=TITLES)
        assert lines and all(f"<li>{html.escape(line)}</li>" in across for line in lines)
        for line in lines:  # shares of worlds, both intervals, what it depends on
            assert re.search(r": better in \d of [1-3] plausible worlds?, worse in \d, no "
                             r"clear difference in \d \(difference ", line), line
            assert "95% of worlds" in line and "replications alone \u00b1" in line
            assert "too few worlds to say what it depends on" in line
        assert lines[0].startswith("Youth justice vs Baseline, ")
    # the page written with the run, the one printed to PDF, holds them too
    written = (worlds_run.cli / "dashboard.html").read_text(encoding="utf-8")
    assert 'class="across-worlds"' in written


def test_the_printed_pack_has_them_on_its_first_page(worlds_run: SimpleNamespace,
                                                    tmp_path: Path) -> None:
    if not Path("/usr/bin/chromium").exists():
        pytest.skip("headless Chromium not installed at /usr/bin/chromium "
                    "(apt-get install chromium)")
    pypdf = pytest.importorskip("pypdf")
    folder = tmp_path / "pack"
    shutil.copytree(worlds_run.cli, folder)
    with contextlib.redirect_stdout(io.StringIO()):
        assert cli_main(["dashboard", str(folder), "--pdf"]) == 0
    first = pypdf.PdfReader(str(folder / "dashboard.pdf")).pages[0].extract_text() or ""
    flat = " ".join(unicodedata.normalize("NFKC", first).split())  # "ﬁ" is "fi"
    table = read(folder)
    assert table is not None
    assert flat.index("Key findings") < flat.index("Not calibrated: Youth justice") \
        < flat.index(caveat(WORLDS)) < flat.index(heading(table))
    assert sentences(table, titles=TITLES)[0] in flat


def test_without_worlds_the_dashboard_has_no_such_block(worlds_run: SimpleNamespace,
                                                        tmp_path: Path) -> None:
    from dashboards.report import build_dashboard

    folder = tmp_path / "one-set"
    shutil.copytree(worlds_run.cli, folder)
    (folder / FILE).unlink()
    page = build_dashboard(folder).html
    assert 'class="across-worlds"' not in page and "<h2>Across " not in page


# --- the spreadsheet -------------------------------------------------------------------------
def _rows(path: Path, sheet: str) -> list[tuple[Any, ...]]:
    return list(openpyxl.load_workbook(path)[sheet].iter_rows(values_only=True))


def test_the_spreadsheet_has_an_across_worlds_sheet(worlds_run: SimpleNamespace) -> None:
    path = worlds_run.cli / "summary.xlsx"
    book = openpyxl.load_workbook(path)
    assert book.sheetnames[:4] == ["Headline", "All metrics", "Across worlds", "Parameters"]
    assert book.sheetnames[-1] == "About"
    rows = _rows(path, "Across worlds")
    table = read(worlds_run.cli)
    assert table is not None
    assert rows[0][0].startswith(heading(table)) and rows[0][0].endswith("against baseline")
    assert rows[1][0].startswith(caveat(WORLDS))
    first = [r[0] for r in rows]
    lines = sentences(table)
    assert all(line in first for line in lines)
    header = first.index("Option")
    assert first.index(lines[-1]) < header  # words first, then the table
    names = list(rows[header])
    assert names[:4] == ["Option", "Compared with", "Outcome", "Unit"]
    assert names[-1] == "Name in across_worlds.csv"
    plain = {column: title for column, title, _unit, _meaning in COLUMN_INFO}
    for column in ("effect", "worlds_low", "worlds_high", "mc_low", "mc_high",
                   "better_share", "worse_share", "unclear_share", "driver_1",
                   "driver_1_grade", "switching_value"):
        assert plain[column] in names, column
    body = rows[header + 1:]
    assert len(body) == len(table)
    for cells, row in zip(body, table.itertuples(index=False), strict=True):
        got = dict(zip(names, cells, strict=True))
        assert (got["Option"], got["Compared with"], got["Name in across_worlds.csv"]) == \
            (row.scenario, row.reference, row.metric)
        for column in ("effect", "worlds_low", "mc_high", "better_share", "unclear_share"):
            assert got[plain[column]] == pytest.approx(getattr(row, column)), column
        assert got[plain["worlds"]] == row.worlds
    sheet = openpyxl.load_workbook(path)["Across worlds"]
    share = sheet.cell(header + 2, names.index(plain["better_share"]) + 1)
    assert share.number_format.startswith("0.0%")  # a share shows as a percentage
    about = {r[0]: r[1] for r in _rows(path, "About") if r and r[0]}
    assert (about["Plausible worlds"], about["Replications in each world"]) == \
        (WORLDS, WORLD_REPS)
    assert "Across worlds" in about


def test_without_worlds_the_spreadsheet_is_as_it_was(worlds_run: SimpleNamespace,
                                                      tmp_path: Path) -> None:
    folder = tmp_path / "one-set"
    shutil.copytree(worlds_run.cli, folder)
    (folder / FILE).unlink()
    manifest = json.loads((folder / "manifest.json").read_text())
    for key in ("worlds", "world_replications", "not_calibrated"):
        manifest.pop(key)
    (folder / "manifest.json").write_text(json.dumps(manifest))
    book = openpyxl.load_workbook(write_spreadsheet(folder))
    assert "Across worlds" not in book.sheetnames
    assert book.sheetnames[:3] == ["Headline", "All metrics", "Parameters"]
    assert _rows(folder / "summary.xlsx", "Headline")[1][0] == caveat()
    about = [r[0] for r in _rows(folder / "summary.xlsx", "About")]
    assert "Plausible worlds" not in about and "Not calibrated" not in about


# --- the studio ------------------------------------------------------------------------------


def _studio_results(work: Path, run: str) -> list[str]:
    """What the studio's results show for ``run``, through the page's own request."""
    from studio.app import create_app

    client = create_app(work, workers=1).server.test_client()
    outputs = [("findings", "children"), ("result-downloads", "children"),
               ("dashboard-frame", "src"), ("dashboard-frame", "style"),
               ("reopen", "disabled")]
    body = {"output": ".." + "...".join(f"{i}.{p}" for i, p in outputs) + "..",
            "outputs": [{"id": i, "property": p} for i, p in outputs],
            "inputs": [{"id": "results-pick", "property": "value", "value": run}],
            "changedPropIds": ["results-pick.value"]}
    response = client.post("/_dash-update-component", json=body)
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    return strings(response.get_json()["response"]["findings"]["children"])


def test_the_studio_results_show_the_lines_after_the_key_findings(
        worlds_run: SimpleNamespace) -> None:
    shown = _studio_results(worlds_run.work.root, worlds_run.studio.name)
    table = read(worlds_run.studio)
    assert table is not None
    said = caveat(WORLDS)
    assert said in shown
    at = shown.index(heading(table))
    assert shown.index("Key findings") < shown.index(said) < at
    lines = sentences(table)  # the options as named (here the scenarios' own names)
    assert lines and shown[at + 2:at + 2 + len(lines)] == lines


# --- a setting the model is not calibrated for -----------------------------------------------
def test_a_setting_not_calibrated_is_said_beside_the_findings(worlds_run: SimpleNamespace
                                                              ) -> None:
    from dashboards.report import build_dashboard

    reason = not_calibrated("youth_justice")
    assert reason and "not calibrated" in reason
    findings = _sections(build_dashboard(worlds_run.cli).html)[0][1]
    note = (f'<p class="not-calibrated"><strong>Not calibrated:</strong> Youth justice: '
            f"{html.escape(reason)}.</p>")
    assert note in findings
    assert findings.index(note) < findings.index('<ul class="findings">')  # read first
    headline = _rows(worlds_run.cli / "summary.xlsx", "Headline")
    assert headline[1][0] == f"{caveat(WORLDS)} Not calibrated: youth_justice: {reason}."
    about = {r[0]: r[1] for r in _rows(worlds_run.cli / "summary.xlsx", "About") if r}
    assert about["Not calibrated"] == f"youth_justice: {reason}."
    shown = _studio_results(worlds_run.work.root, worlds_run.studio.name)
    at = shown.index("Not calibrated: ")
    assert shown[at + 1] == f"youth_justice: {reason}."
    assert shown.index("Key findings") < at < shown.index(caveat(WORLDS))


def test_a_calibrated_comparison_has_no_such_note(worlds_run: SimpleNamespace,
                                                  tmp_path: Path) -> None:
    from dashboards.report import build_dashboard

    folder = tmp_path / "calibrated"
    shutil.copytree(worlds_run.cli, folder)
    manifest = json.loads((folder / "manifest.json").read_text())
    del manifest["not_calibrated"]
    (folder / "manifest.json").write_text(json.dumps(manifest))
    assert 'class="not-calibrated"' not in build_dashboard(folder).html
    assert _rows(write_spreadsheet(folder), "Headline")[1][0] == caveat(WORLDS)


# --- what a driver and a switching value look like --------------------------------------------
def _planted() -> pd.DataFrame:
    """Six worlds whose effect on abandonment rises with novice strain, crossing zero
    inside its plausible range (0 to 0.03)."""
    worlds = [World(i, {"effects.novice_strain": 0.005 * i}) for i in range(6)]
    shifts = (-0.1, -0.06, -0.03, 0.0, 0.05, 0.1)
    rows = []
    for w, shift in enumerate(shifts):
        for k in range(6):
            # world 3's differences straddle zero: no clear difference there
            noise = (0.01 if k % 2 else -0.01) if w == 3 else 0.001 * k
            rows.append({"scenario": "ref", "world": w, "replication": k,
                         "abandonment_rate": 0.3})
            rows.append({"scenario": "opt", "world": w, "replication": k,
                         "abandonment_rate": 0.3 + shift + noise})
    return summarise(pd.DataFrame(rows), "ref", ["abandonment_rate"], worlds)


def test_the_main_driver_its_grade_and_the_switching_value_are_said() -> None:
    table = _planted()
    line = sentences(table, titles={"opt": "Option A", "ref": "Current"})[0]
    row = table.iloc[0]
    assert line.startswith("Option A vs Current, abandonment: better in 3 of 6 plausible "
                           "worlds, worse in 2, no clear difference in 1 (difference ")
    assert f"depends most on effects.novice_strain ({row.driver_1_grade}; rank correlation " \
           f"{row.driver_1_rho:+.2f}, clear)" in line
    assert f"and reverses at effects.novice_strain = {row.switching_value:.3g}" in line
    assert "scenario discovery" not in line  # 3 worlds differ: too few to look for a box
    flat = table.assign(switching_parameter="", switching_value=np.nan, box="")
    assert sentences(flat)[0].endswith(", and does not reverse within its plausible range.")


def test_every_output_shows_the_driver_and_the_switching_value(worlds_run: SimpleNamespace,
                                                               tmp_path: Path) -> None:
    from dashboards.report import build_dashboard

    folder = tmp_path / "planted"
    shutil.copytree(worlds_run.cli, folder)
    planted = _planted().assign(scenario="youth_justice", reference="baseline")
    planted.to_csv(folder / FILE, index=False)
    line = sentences(read(folder), titles=TITLES)[0]
    assert "depends most on effects.novice_strain" in line and "reverses at" in line
    assert html.escape(line) in build_dashboard(folder).html
    rows = _rows(write_spreadsheet(folder), "Across worlds")
    assert sentences(read(folder))[0] in [r[0] for r in rows]
    names = list(next(r for r in rows if r[0] == "Option"))
    values = dict(zip(names, rows[-1], strict=True))
    row = planted.iloc[0]
    assert values["Most: depends on"] == "effects.novice_strain"
    assert values["Most: evidence grade"] == row.driver_1_grade
    assert values["Reverses along"] == "effects.novice_strain"
    assert values["Reverses at (switching value)"] == pytest.approx(row.switching_value)


def test_a_table_with_no_rows_is_said_so(worlds_run: SimpleNamespace, tmp_path: Path) -> None:
    from dashboards.report import build_dashboard

    folder = tmp_path / "empty"
    shutil.copytree(worlds_run.cli, folder)
    empty = summarise(pd.DataFrame(columns=["scenario", "world", "replication"]), "baseline",
                      ["abandonment_rate"], [])
    assert list(empty.columns) == list(COLUMNS) and empty.empty
    empty.to_csv(folder / FILE, index=False)
    table = read(folder)
    assert table is not None and table.empty and heading(table) == "Across plausible worlds"
    assert f"<li>{NO_LINES}</li>" in build_dashboard(folder).html
    assert NO_LINES in [r[0] for r in _rows(write_spreadsheet(folder), "Across worlds")]


def test_the_outputs_doc_says_every_column_as_the_code_declares_it() -> None:
    doc = (ROOT / "docs" / "outputs.md").read_text(encoding="utf-8")
    assert "## `across_worlds.csv`" in doc and "| `Across worlds` |" in doc
    for column, title, unit, meaning in COLUMN_INFO:
        assert f"| `{column}` | {title} | {unit} | {meaning} |" in doc, column
    for key in ("worlds", "world_replications", "not_calibrated"):
        assert f"`{key}`" in doc, key
