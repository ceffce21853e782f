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
    from dashboard_fixtures import (
        comparison_tables,
        real_results_folder,
        real_sweep_folder,
        write_comparison_folder,
        write_sweep_folder,
    )
except ModuleNotFoundError:  # pragma: no cover - when tests/ is imported as a package
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


def test_comparison_dashboard_renders_offline(browser, tmp_path):
    folder = write_comparison_folder(
        tmp_path / "compare",
        comparison_tables(scenarios=("baseline", "long_term_investment",
                                     "therapeutic_supervision"), replications=5, weeks=156),
    )
    seen = _open(browser, report.write_dashboard(folder), "dashboard-comparison.png")
    _assert_clean(seen)
    assert seen["expected"] == 8  # seven views and the year-by-year figure
    page = seen["page"]
    # The headline table and "all other measures", then the measures by year.
    assert page.locator("table.headline:not(.yearly)").count() == 2
    assert page.locator("table.yearly").count() == 1
    # Apply every button of the year-by-year measure drop-down through plotly.js.
    applied = _apply_every_dropdown(page)
    assert applied >= 5
    assert seen["errors"] == []
    page.close()


def test_comparison_dashboard_without_yearly_file_renders(browser, tmp_path):
    folder = write_comparison_folder(
        tmp_path / "old", comparison_tables(with_yearly=False)
    )
    seen = _open(browser, report.write_dashboard(folder), "dashboard-comparison-old.png")
    _assert_clean(seen)
    assert seen["expected"] == 7
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
