"""A planner's decision in the studio's Decide page, in Chromium: a small configuration (a
one-year horizon, two levers, three plausible worlds, the quickest search) filled in,
started, followed by its progress with the time left, and read: the recommended
allocation against today's as bars, the decision's spreadsheet and a recommended option's
scenario file downloaded; axe-core's rules on the form and on the results.
"""

from __future__ import annotations

import re
import time
import tomllib

import pytest

try:  # pytest's default "prepend" import mode puts tests/ itself on sys.path
    import accessibility
    import studio_page
except ModuleNotFoundError:  # pragma: no cover - when tests/ is imported as a package
    from tests import accessibility, studio_page

browser, served = studio_page.browser, studio_page.served  # fixtures, used by name
__all__ = ["browser", "served"]
pytestmark = [pytest.mark.browser, studio_page.needs_chromium]

SESSIONS, STYLE = "supervision.sessions_per_month", "supervision.style"


def _lever(page: object, key: str) -> object:
    return page.locator(f'#decide-page [data-key="{key}"]')


def _no_serious_violations(page: object) -> None:
    if accessibility.axe_script() is None:
        return
    found = accessibility.violations(page)
    assert found == [], found


def test_a_small_decision_from_the_form_to_the_spreadsheet(browser, served, tmp_path) -> None:
    page = browser.new_page(viewport={"width": 1366, "height": 900}, accept_downloads=True)
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(f"page error: {e}"))
    page.goto(served.url + "decide")
    page.wait_for_selector("#decide-estimate:not(:empty)", timeout=60_000)
    assert page.locator("#nav-decide").get_attribute("aria-current") == "page"
    assert page.title().startswith("Decide") and not page.locator("#compare-page").is_visible()
    # the tiny configuration: two levers, the outcomes a one-year horizon can see
    page.locator("#decide-horizon").fill("52")
    for lever in page.locator("#decide-page fieldset.lever").all():
        if lever.get_attribute("data-key") not in (SESSIONS, STYLE):
            lever.locator(".consider input").uncheck()
    _lever(page, SESSIONS).locator("input[type=text]").nth(1).fill("2")
    page.locator("#decide-objectives label", has_text="Reoffending").click()
    page.locator("#decide-objectives label", has_text="Cost per").click()
    page.locator("#decide-worlds").fill("3")
    page.locator("#decide-preset label", has_text="Quick look").click()
    page.wait_for_function("() => document.querySelector('#decide-estimate').innerText"
                           ".includes('runs of 52 weeks')", timeout=30_000)
    page.wait_for_function("() => !document.querySelector('[data-dash-is-loading]')",
                           timeout=30_000)
    assert page.locator("#decide-check").inner_text() == ""
    estimate = page.locator("#decide-estimate").inner_text()
    assert re.match(r"At most \d+ runs of 52 weeks \(\d+ trying candidates, up to \d+ "
                    r"confirming the best\): about \S+ on 1 worker", estimate), estimate
    _no_serious_violations(page)

    page.locator("#decide-run").click()
    started, said = time.monotonic(), []
    chart = page.locator("#decide-chart .js-plotly-plot")
    while not chart.count() and time.monotonic() - started < 240:
        said.append(page.locator("#decide-status").inner_text())
        page.wait_for_timeout(400)
    chart.wait_for(timeout=30_000)
    wall = time.monotonic() - started
    assert page.locator("#decide-status").inner_text().startswith("Done:")
    assert any(re.search(r"of \d+ runs done; about \S+ left", s) for s in said), said
    assert any(s.startswith("Step 2 of 2") for s in said), said

    # the recommended allocation against today's: one stack of bars each
    answer = page.locator("#decide-answer")
    assert "for £120,000 a year:" in answer.locator("p.headline").inner_text()
    ticks = [t.text_content() or "" for t in page.locator("#decide-chart .xtick text").all()]
    assert len(ticks) == 2 and ticks[0].startswith("Today's programme"), ticks
    assert ticks[1].startswith("Recommended"), ticks
    bars = page.locator("#decide-chart .barlayer .point path")
    assert bars.count() >= 2 * 4  # two bars, each of several parts
    text = answer.inner_text()
    for heading in ("How robust", "What would change this", "Evidence worth buying",
                    "Downloads"):
        assert heading in text, heading
    studio_page.ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(studio_page.ARTIFACTS / "decide-1366.png"), full_page=True)

    with page.expect_download() as got:
        answer.locator("a", has_text="spreadsheet").click()
    xlsx = tmp_path / got.value.suggested_filename
    got.value.save_as(xlsx)
    import openpyxl

    book = openpyxl.load_workbook(xlsx, read_only=True)
    assert "Summary" in book.sheetnames
    summary = " ".join(str(c) for row in book["Summary"].iter_rows(values_only=True)
                       for c in row if c)
    assert "Recommended" in summary
    with page.expect_download() as got:
        answer.locator("a", has_text="as a scenario file").first.click()
    option = tmp_path / got.value.suggested_filename
    got.value.save_as(option)
    assert tomllib.loads(option.read_text(encoding="utf-8"))["extends"] == "baseline"
    from sim.scenario import load_scenario

    load_scenario(str(option))  # a scenario file `mentorsim validate` accepts
    _no_serious_violations(page)
    assert errors == []
    assert wall < 90, f"the decision took {wall:.0f} s"
    page.close()


@pytest.mark.parametrize("width", [1366, 400])
def test_the_decide_page_passes_axe_and_fits_a_phone(browser, served, width) -> None:
    page = browser.new_page(viewport={"width": width, "height": 800})
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(served.url)  # the comparison first: the page switch leads to the Decide page
    page.wait_for_selector("#start-about li", timeout=60_000)
    assert page.locator("#nav-compare").get_attribute("aria-current") == "page"
    page.locator("#nav-decide").click()
    page.wait_for_selector("#decide-estimate:not(:empty)", timeout=60_000)
    assert page.url.endswith("/decide") and not page.locator("#compare-page").is_visible()
    _lever(page, SESSIONS).locator(".consider input").uncheck()  # greyed, and still named
    page.locator("#decide-worlds").fill("500")
    page.wait_for_function("() => document.querySelector('#decide-worlds-msg').innerText"
                           ".includes('from 2 to')", timeout=30_000)
    assert _lever(page, SESSIONS).locator("input[type=text]").first.is_disabled()
    _no_serious_violations(page)
    if width == 400:
        assert page.evaluate("document.documentElement.scrollWidth") <= 400
        studio_page.ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(studio_page.ARTIFACTS / "decide-400.png"), full_page=True)
    assert errors == []
    page.close()
