"""Open generated dashboards in headless Chromium (Debian's package, via Playwright).

Checks that every figure rendered, that nothing was logged as an error, that the page
made no request besides loading itself from file://, and that the Plotly drop-downs'
arguments are accepted by plotly.js. Screenshots go to ``test-artifacts/``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from dashboards import report

try:  # pytest's default "prepend" import mode puts tests/ itself on sys.path
    from accessibility import axe_script, violations
    from dashboard_fixtures import (
        comparison_tables,
        real_results_folder,
        real_sweep_folder,
        write_comparison_folder,
        write_sweep_folder,
    )
except ModuleNotFoundError:  # pragma: no cover - when tests/ is imported as a package
    from tests.accessibility import axe_script, violations
    from tests.dashboard_fixtures import (
        comparison_tables,
        real_results_folder,
        real_sweep_folder,
        write_comparison_folder,
        write_sweep_folder,
    )

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason="headless Chromium not installed at /usr/bin/chromium (apt-get install chromium)",
    ),
]


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        # Debian's Chromium, never a downloaded browser build.
        launched = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS
        )
        yield launched
        launched.close()


def _open(browser, html_path: Path, screenshot: str) -> dict[str, object]:
    """Load the page, wait for every figure, and collect what the browser saw."""
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    errors: list[str] = []
    requests: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(f"page error: {e}"))
    page.on("request", lambda r: requests.append(r.url))
    url = html_path.resolve().as_uri()
    page.goto(url, wait_until="load")
    expected = report.build_dashboard(html_path.parent).figure_count
    # Plotly.newPlot is asynchronous: wait until every figure div has been drawn.
    page.wait_for_function(
        "n => document.querySelectorAll('.js-plotly-plot .main-svg').length > 0"
        " && document.querySelectorAll('.js-plotly-plot').length === n",
        arg=expected,
        timeout=60_000,
    )
    rendered = page.locator(".js-plotly-plot").count()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / screenshot), full_page=True)
    result = {"page": page, "url": url, "expected": expected, "rendered": rendered,
              "errors": errors, "requests": requests}
    return result


def _assert_clean(seen: dict[str, object]) -> None:
    assert seen["rendered"] == seen["expected"]
    assert seen["errors"] == []
    assert seen["requests"] == [seen["url"]], "the page must not request anything else"



def _apply_every_dropdown(page) -> int:
    """Apply every button of every drop-down on the page through plotly.js, as a click
    would; returns how many were applied."""
    return page.evaluate(
        """async () => {
            let count = 0;
            for (const gd of document.querySelectorAll('.js-plotly-plot')) {
                for (const menu of (gd.layout.updatemenus || [])) {
                    for (const button of menu.buttons) {
                        await Plotly[button.method](gd, ...button.args);
                        count += 1;
                    }
                }
            }
            return count;
        }"""
    )


def _choose_every_menu_option(page) -> int:
    """Choose every option of every chart menu of a comparison page (a select above its
    chart), as a person would; returns how many were chosen."""
    count = 0
    for select in page.locator("select.figure-menu").all():
        for value in select.locator("option").evaluate_all("os => os.map(o => o.value)"):
            select.select_option(value)
            count += 1
    page.wait_for_timeout(200)
    return count


def test_comparison_dashboard_renders_offline(browser, tmp_path):
    folder = write_comparison_folder(
        tmp_path / "compare",
        comparison_tables(scenarios=("baseline", "long_term_investment",
                                     "therapeutic_supervision"), replications=5, weeks=156),
    )
    seen = _open(browser, report.write_dashboard(folder), "dashboard-comparison.png")
    _assert_clean(seen)
    assert seen["expected"] == 9  # eight views and the year-by-year figure
    page = seen["page"]
    # The headline table and "all other measures", then the measures by year.
    assert page.locator("table.headline:not(.yearly)").count() == 2
    assert page.locator("table.yearly").count() == 1
    # Every measure of the year-by-year menu (a select above the chart) redraws the chart.
    assert page.locator(".js-plotly-plot .updatemenu-container").count() == 0
    titles = set()
    for value in page.locator("select.figure-menu option").evaluate_all(
            "os => os.map(o => o.value)"):
        page.locator("select.figure-menu").select_option(value)
        titles.add(page.evaluate("() => document.querySelector('select.figure-menu').dataset"
                                 ".figure && document.getElementById(document.querySelector("
                                 "'select.figure-menu').dataset.figure).layout.yaxis.title.text"))
    assert len(titles) >= 5
    assert seen["errors"] == []
    page.close()


def test_comparison_dashboard_without_yearly_file_renders(browser, tmp_path):
    folder = write_comparison_folder(
        tmp_path / "old", comparison_tables(with_yearly=False)
    )
    seen = _open(browser, report.write_dashboard(folder), "dashboard-comparison-old.png")
    _assert_clean(seen)
    assert seen["expected"] == 8
    assert seen["page"].locator("table.yearly").count() == 0
    seen["page"].close()


def test_sweep_dashboard_renders_and_dropdowns_apply(browser, tmp_path):
    folder = write_sweep_folder(tmp_path / "sweep")
    seen = _open(browser, report.write_dashboard(folder), "dashboard-sweep.png")
    _assert_clean(seen)
    page = seen["page"]
    applied = _apply_every_dropdown(page)
    assert applied >= 3 + 3 + 3 + 6 + 3  # Morris, Sobol, outcome and pair menus, limits
    assert seen["errors"] == []
    page.screenshot(path=str(ARTIFACTS / "dashboard-sweep-after-dropdowns.png"), full_page=True)
    page.close()


def test_real_run_dashboard_renders_offline(browser, request, tmp_path):
    folder = real_results_folder(request, tmp_path / "real")
    seen = _open(browser, report.write_dashboard(folder), "dashboard-real-run.png")
    _assert_clean(seen)
    seen["page"].close()


@pytest.mark.slow
def test_real_sweep_dashboard_renders_offline(browser, tmp_path):
    folder = real_sweep_folder(tmp_path / "sweep")
    seen = _open(browser, report.write_dashboard(folder), "dashboard-real-sweep.png")
    _assert_clean(seen)
    seen["page"].close()


SIX = ("baseline", "long_term_investment", "therapeutic_supervision", "enhanced_training",
       "no_supervision", "stop_start_grants")


def test_six_scenarios_at_400px_keep_every_headline_column(browser, tmp_path):
    folder = write_comparison_folder(tmp_path / "six", comparison_tables(scenarios=SIX))
    html_path = report.write_dashboard(folder)
    page = browser.new_page(viewport={"width": 400, "height": 800})
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(html_path.resolve().as_uri(), wait_until="load")
    page.wait_for_function("document.querySelectorAll('.js-plotly-plot .main-svg').length > 0")
    # Nothing wider than the screen: no sideways scrolling, no chart past its card.
    assert page.evaluate("document.documentElement.scrollWidth") <= 400
    rights = page.evaluate("Array.from(document.querySelectorAll('.js-plotly-plot'))"
                           ".map(d => d.getBoundingClientRect().right)")
    assert rights and max(rights) <= 400
    # Every scenario's cell of every headline measure is on screen and labelled.
    cells = page.evaluate("""() => Array.from(
        document.querySelectorAll('table.headline:not(.yearly)')[0].querySelectorAll('td'))
        .map(td => [td.dataset.scenario, td.getBoundingClientRect().width > 0,
                    td.getBoundingClientRect().right <= 400])""")
    labels = {label for label, _, _ in cells}
    assert labels == {report.display_names(SIX)[s] for s in SIX}
    assert all(shown and inside for _, shown, inside in cells)
    # Every scenario is drawn at first on every chart (none left to a legend click)
    hidden = page.evaluate("""() => Array.from(document.querySelectorAll('.js-plotly-plot'))
        .map(gd => gd.data.filter(t => t.visible === 'legendonly').length)""")
    assert hidden and not any(hidden)
    # Over time, relationship length, what ends relationships, burnout: a menu of pairs
    # above each, worked as a person would; no menu is drawn inside a chart.
    assert page.locator("select.figure-menu").count() == 5  # and the year-by-year measure
    assert page.locator(".js-plotly-plot .updatemenu-container").count() == 0
    assert _choose_every_menu_option(page) >= 4 * len(SIX)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "dashboard-400px.png"), full_page=True)
    assert errors == []
    page.close()


def test_printed_to_a4_keeps_every_headline_column(browser, tmp_path):
    folder = write_comparison_folder(tmp_path / "print", comparison_tables(scenarios=SIX))
    html_path = report.write_dashboard(folder)
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(html_path.resolve().as_uri(), wait_until="load")
    page.wait_for_function("document.querySelectorAll('.js-plotly-plot .main-svg').length > 0")
    page.emulate_media(media="print")
    # A4 less 12 mm margins, in CSS pixels: 186 mm x 273 mm.
    page.set_viewport_size({"width": 703, "height": 1032})
    page.wait_for_timeout(500)
    header = page.evaluate("""() => Array.from(
        document.querySelector('table.headline thead').querySelectorAll('th'))
        .map(th => [th.textContent, th.getBoundingClientRect().right])""")
    assert len(header) == len(SIX) + 1
    assert all(right <= 703 + 1 for _, right in header)
    # Each chart is redrawn to the paper's width and at most the printable height.
    sizes = page.evaluate("Array.from(document.querySelectorAll('.js-plotly-plot'))"
                          ".map(d => [d.getBoundingClientRect().width, d.layout.height])")
    assert sizes and all(w <= 703 + 1 and h <= 900 for w, h in sizes)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "dashboard-print.png"), full_page=True)
    pdf = page.pdf(format="A4", print_background=True)
    (ARTIFACTS / "dashboard-print.pdf").write_bytes(pdf)
    assert pdf.startswith(b"%PDF")
    page.close()


def test_dashboard_pdf_command_writes_a4_pdf(tmp_path, capsys):
    from sim.cli import main

    folder = write_comparison_folder(tmp_path / "pdf", comparison_tables())
    assert main(["dashboard", str(folder), "--pdf"]) == 0
    pdf = (folder / "dashboard.pdf").read_bytes()
    assert pdf.startswith(b"%PDF")
    assert b"/MediaBox [0 0 594.96 841.92]" in pdf or b"595" in pdf  # A4 in points
    assert "pdf:" in capsys.readouterr().out
    assert not list(folder.glob(".dashboard-*"))  # no temporary file left behind


@pytest.mark.skipif(axe_script() is None, reason="axe-playwright-python is not installed")
@pytest.mark.parametrize("width", [1366, 400])
def test_the_dashboard_passes_axe_and_its_tables_scroll_by_keyboard(browser, tmp_path, width):
    folder = write_comparison_folder(tmp_path / "axe", comparison_tables(scenarios=SIX[:4]))
    html_path = report.write_dashboard(folder)
    page = browser.new_page(viewport={"width": width, "height": 800})
    page.goto(html_path.resolve().as_uri(), wait_until="load")
    page.wait_for_function("document.querySelectorAll('.js-plotly-plot .main-svg').length > 0")
    found = violations(page)
    assert found == [], found  # no critical or serious violation
    # every table box is a named region the keyboard reaches and scrolls
    boxes = page.locator(".table-wrap")
    assert boxes.count() >= 3
    for box in boxes.all():
        assert box.get_attribute("tabindex") == "0" and box.get_attribute("aria-label")
    yearly = page.locator(".table-wrap:has(table.yearly)")
    wide = yearly.evaluate("b => b.scrollWidth > b.clientWidth")
    yearly.focus()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    page.wait_for_timeout(300)
    assert (yearly.evaluate("b => b.scrollLeft") > 0) == wide
    if width == 400:  # the year of each cell is said even when the headings scroll away
        label = page.evaluate("getComputedStyle(document.querySelector('table.yearly td'), "
                              "'::before').content")
        assert label == '"Year 1"'
    page.close()
