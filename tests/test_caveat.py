"""Every findings text says what it is: simulated comparisons under stated assumptions, and
whether its intervals take in uncertainty in the model's parameters (``sim.findings.caveat``).

Each output is read back as a reader gets it: the terminal report as printed, the
dashboard's HTML (the page the PDF is printed from; the printed pack itself is read back
in tests/test_board_pack.py), the spreadsheet through openpyxl, and the studio's results
through the page's own request, on a real results folder with and without ``worlds`` in
its manifest.
"""

from __future__ import annotations

import doctest
import html
import io
import json
import shutil
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from sim import findings
from sim.findings import caveat, manifest_worlds
from sim.spreadsheet import read_summary, write_spreadsheet

try:  # pytest's default "prepend" import mode puts tests/ itself on sys.path
    from studio_requests import strings
except ModuleNotFoundError:  # pragma: no cover - when tests/ is imported as a package
    from tests.studio_requests import strings

ROOT = Path(__file__).resolve().parents[1]
WORLDS = 40


def _flat(text: str) -> str:
    """One line: runs of spaces and line breaks as one space."""
    return " ".join(text.split())


@pytest.fixture(scope="module")
def with_worlds(small_run_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The small run's folder, its manifest saying it was reported across 40 worlds."""
    folder = tmp_path_factory.mktemp("worlds") / "across-worlds"
    shutil.copytree(small_run_dir, folder)
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    (folder / "manifest.json").write_text(json.dumps({**manifest, "worlds": WORLDS}),
                                          encoding="utf-8")
    return folder


# --- the wording -----------------------------------------------------------------------------
def test_the_caveat_s_examples_hold() -> None:
    for function in (caveat, manifest_worlds):
        tests = doctest.DocTestFinder().find(function, globs=vars(findings))
        runner = doctest.DocTestRunner(optionflags=doctest.NORMALIZE_WHITESPACE)
        for test in tests:
            runner.run(test)
        assert runner.failures == 0 and runner.tries > 0, function.__name__


def test_without_worlds_it_says_the_intervals_leave_out_parameter_uncertainty() -> None:
    text = caveat()
    assert text == caveat(None) == caveat(0)
    assert text.startswith("These are simulated comparisons from a model, under the "
                           "assumptions stated in its parameter documentation "
                           "(docs/parameters.md), not measured outcomes.")
    assert "leave out uncertainty in the model's parameters" in text
    assert "more replications narrow them without making the answer more certain" in text
    assert "plausible world" not in text
    assert 1 <= text.count(". ") + 1 <= 3  # one to three sentences


def test_with_worlds_it_says_how_many_and_that_the_intervals_include_them() -> None:
    text = caveat(WORLDS)
    assert text.startswith(caveat().split(". ")[0] + ". ")  # the same first sentence
    assert "reported across 40 plausible worlds (parameter sets consistent with the " \
           "published calibration targets)" in text
    assert "include uncertainty in the model's parameters as far as that ensemble " \
           "captures it" in text
    assert "leave out" not in text
    assert "across 1 plausible world (a parameter set consistent" in caveat(1)
    assert "across 1,200 plausible worlds" in caveat(1200)
    with pytest.raises(ValueError, match="0 or more"):
        caveat(-1)


@pytest.mark.parametrize(("manifest", "worlds"), [
    ({}, None), ({"worlds": None}, None), ({"worlds": 0}, None), ({"worlds": True}, None),
    ({"worlds": "40"}, None), ({"worlds": 2.5}, None), ({"worlds": 40}, 40),
])
def test_a_manifest_gives_its_worlds_only_as_a_whole_number(manifest: dict[str, Any],
                                                            worlds: int | None) -> None:
    assert manifest_worlds(manifest) == worlds


def test_the_outputs_doc_quotes_the_caveat_as_the_code_says_it() -> None:
    doc = (ROOT / "docs" / "outputs.md").read_text(encoding="utf-8")
    quoted = _flat(" ".join(line.removeprefix(">") for line in doc.splitlines()
                            if line.startswith(">")))
    assert caveat() in quoted


# --- the terminal ----------------------------------------------------------------------------
def test_the_terminal_report_and_its_last_lines_say_what_the_findings_are(
        small_run_dir: Path) -> None:
    from sim.terminal import make_console, print_summary, render_report

    summary = read_summary(small_run_dir)
    report = render_report(summary)
    assert caveat() in _flat(report)
    # under the findings, before the headline table
    flat = _flat(report)
    assert flat.index("Key findings") < flat.index(caveat()) < flat.index("Means over")
    assert all(len(line) <= 80 for line in report.splitlines())
    across = _flat(render_report(summary, worlds=WORLDS))
    assert caveat(WORLDS) in across and caveat() not in across

    console = make_console(io.StringIO(), color=False)
    print_summary(summary, console, worlds=WORLDS)
    last = _flat(console.file.getvalue())  # type: ignore[attr-defined]
    assert last.startswith("Key findings in short") and last.endswith(caveat(WORLDS))


# --- the dashboard (and the page the PDF is printed from) ------------------------------------
def _findings_section(page: str) -> str:
    start = page.index('<section class="findings">')
    return page[start:page.index("</section>", start)]


def test_the_dashboard_says_it_in_the_open_beside_the_findings(small_run_dir: Path,
                                                               with_worlds: Path) -> None:
    from dashboards.report import build_dashboard

    page = build_dashboard(small_run_dir).html
    section = _findings_section(page)
    said = f'<p class="caveat">{html.escape(caveat())}</p>'
    assert said in section  # with the findings, first on the page
    assert section.index("</ul>") < section.index(said)  # right under them
    assert "<details" not in section  # never folded away
    assert "screen-only" not in section  # and printed
    assert page.count('class="caveat"') == 1
    across = _findings_section(build_dashboard(with_worlds).html)
    assert html.escape(caveat(WORLDS)) in across and html.escape(caveat()) not in across


# --- the spreadsheet -------------------------------------------------------------------------
@pytest.mark.parametrize("worlds", [None, WORLDS])
def test_the_spreadsheet_says_it_under_each_summary_title(small_run_dir: Path,
                                                          with_worlds: Path, tmp_path: Path,
                                                          worlds: int | None) -> None:
    folder = tmp_path / "copy"
    shutil.copytree(with_worlds if worlds else small_run_dir, folder)
    book = openpyxl.load_workbook(write_spreadsheet(folder), read_only=True)
    for sheet in ("Headline", "All metrics"):
        rows = list(book[sheet].iter_rows(max_row=2, values_only=True))
        assert rows[0][0].startswith(f"{sheet}: reference scenario")
        assert rows[1][0] == caveat(worlds), sheet


# --- the studio ------------------------------------------------------------------------------


def test_the_studio_findings_block_says_it_after_the_findings(small_run_dir: Path) -> None:
    from studio.layout import findings_block

    summary = read_summary(small_run_dir)
    block = findings_block(summary)
    assert [type(c).__name__ for c in block] == ["H3", "Ul", "P"]
    assert block[-1].className == "caveat" and strings(block[-1]) == [caveat()]
    assert strings(findings_block(summary, WORLDS)[-1]) == [caveat(WORLDS)]


@pytest.mark.parametrize("worlds", [None, WORLDS])
def test_the_studio_results_say_it_with_the_folder_s_worlds(small_run_dir: Path,
                                                            with_worlds: Path, tmp_path: Path,
                                                            worlds: int | None) -> None:
    from studio.app import create_app

    work = tmp_path / "work"
    work.mkdir()
    shutil.copytree(with_worlds if worlds else small_run_dir, work / "earlier-run")
    client = create_app(work).server.test_client()
    outputs = [("findings", "children"), ("result-downloads", "children"),
               ("dashboard-frame", "src"), ("dashboard-frame", "style"),
               ("reopen", "disabled")]
    body = {"output": ".." + "...".join(f"{i}.{p}" for i, p in outputs) + "..",
            "outputs": [{"id": i, "property": p} for i, p in outputs],
            "inputs": [{"id": "results-pick", "property": "value", "value": "earlier-run"}],
            "changedPropIds": ["results-pick.value"]}
    response = client.post("/_dash-update-component", json=body)
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    shown = strings(response.get_json()["response"]["findings"]["children"])
    assert shown[-1] == caveat(worlds)
    assert "Key findings" in shown and shown.index("Key findings") < len(shown) - 1
