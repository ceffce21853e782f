"""A probation region's planner in the studio, in Chromium: "90 referrals a year, 20
volunteer mentors, 1.5 staff, £100k a year: compare annual grants, one five-year grant
with the same money, adding therapeutic supervision, and a 25% cut; which loses fewer
relationships early, burns out fewer mentors, and what does each cost?"

Every browser action is counted (a fill, a click, a choice), from the bundled programme
to the key findings with their costs; then what keeps their work: a reload, a saved
comparison opened again, earlier results put back in the form; errors beside their field;
and axe-core's accessibility rules.
"""

from __future__ import annotations

import json
import time

import pytest

try:  # pytest's default "prepend" import mode puts tests/ itself on sys.path
    import accessibility
    import studio_page
except ModuleNotFoundError:  # pragma: no cover - when tests/ is imported as a package
    from tests import accessibility, studio_page

ARTIFACTS = studio_page.ARTIFACTS
browser, served = studio_page.browser, studio_page.served  # fixtures, used by name
field, name_box, open_group = studio_page.field, studio_page.name_box, studio_page.open_group
open_page, panel = studio_page.open_page, studio_page.panel
axe_script, violations = accessibility.axe_script, accessibility.violations
__all__ = ["browser", "served"]  # fixtures, used by name
pytestmark = [pytest.mark.browser, studio_page.needs_chromium]

NAMES = ["Annual grants", "Five-year grant", "Therapeutic supervision", "Budget cut 25%"]


class Actions:
    """A planner's actions in the page, counted."""

    def __init__(self, page: object) -> None:
        self.page = page
        self.done: list[str] = []

    def fill(self, locator: object, text: str, what: str) -> None:
        locator.fill(text)
        self.done.append(f"type {text!r} in {what}")

    def click(self, locator: object, what: str) -> None:
        locator.click()
        self.done.append(f"click {what}")


def _local(page: object, key: str) -> object:
    return page.locator(f'#step-start [data-key="{key}"] input[type=text]')


def _typed_values(page: object) -> dict[str, str]:
    """Every text box and choice of the form, by its element id."""
    return page.evaluate("""() => {
        const out = {};
        document.querySelectorAll('main input[type=text]').forEach(
            i => { if (i.id) { out[i.id] = i.value; } });
        document.querySelectorAll('main input[type=radio]:checked').forEach(
            i => { out['pick:' + i.name] = i.value; });
        return out;
    }""")


def _wait_checked(page: object) -> None:
    """Wait until the page has answered what was typed (no callback in flight)."""
    page.wait_for_function("() => !document.querySelector('[data-dash-is-loading]')",
                           timeout=60_000)
    page.wait_for_timeout(600)


def test_the_planners_task_takes_at_most_twelve_actions(browser, served, tmp_path) -> None:
    page, errors = open_page(browser, served.url, viewport={"width": 1366, "height": 768},
                             accept_downloads=True)
    act = Actions(page)
    act.fill(_local(page, "programme.referrals_per_year"), "90", "Referrals")
    act.fill(_local(page, "programme.target_mentors"), "20", "Mentors")
    act.fill(page.locator("#staff-total"), "1.5", "Staff in all")
    act.fill(_local(page, "funding.annual_budget_gbp"), "100000", "Annual budget")
    act.fill(_local(page, "funding.grant_term_years"), "1", "Grant length")
    act.fill(name_box(panel(page, 0)), NAMES[0], "the reference's name")
    for quick in NAMES[1:]:  # "Budget cut 25%" is a quarter off *their* £100,000
        act.click(page.locator("button", has_text=quick), f"add {quick!r}")
        panel(page, NAMES.index(quick)).wait_for(state="visible", timeout=30_000)
    act.fill(page.locator("#reps"), "3", "Replications")  # a small run for the test suite
    _wait_checked(page)
    assert "1.125 coordinator and 0.375 supervisor" in page.locator("#staff-total-note") \
        .inner_text()
    budget = field(panel(page, 3), "funding.annual_budget_gbp").input_value()
    assert budget == "75000"
    page.screenshot(path=str(ARTIFACTS / "planner-1366-form.png"), full_page=True)
    act.click(page.locator("#run"), "Run the comparison")
    started = time.monotonic()
    page.wait_for_selector(".findings-list li", timeout=300_000)
    wall = time.monotonic() - started
    status = page.locator("#run-status").inner_text()
    assert status.startswith("Done"), status
    assert len(act.done) <= 12, act.done
    findings = page.locator(".findings-list").inner_text()
    for name in NAMES:  # named as typed, every one
        assert name in findings, name
    assert findings.count("money:") >= 4 and findings.count("spent £") >= 4
    assert "of it unspent" in findings
    frame = page.frame_locator("#dashboard-frame")
    frame.locator(".js-plotly-plot .main-svg").first.wait_for(timeout=60_000)
    page.locator("#step-results").screenshot(path=str(ARTIFACTS / "planner-1366-results.png"))
    # the results folder names every option as typed, in every file
    run = served.folder.results_folders()[0]
    summary = (served.folder.root / run / "summary.csv").read_text(encoding="utf-8")
    assert all(f"{name}," in summary for name in NAMES)
    import openpyxl  # the spreadsheet's About sheet names the files a planner downloads

    about = openpyxl.load_workbook(served.folder.root / run / "summary.xlsx",
                                   read_only=True)["About"]
    text = " ".join(str(c) for row in about.iter_rows(values_only=True) for c in row if c)
    assert ".studio" not in text and "annual_grants.toml" in text
    words = " ".join(NAMES).lower().replace("-", " ").replace("%", "").split()
    label = run.split("-", 2)[2]  # after the date and time: whole words of the names
    assert all(w in words for w in label.replace("-", "_").split("_")), run
    # earlier results put back in the form: change a value, then put the comparison back
    open_group(panel(page, 1), "funding")
    field(panel(page, 1), "funding.grant_term_years").fill("7")
    page.locator("#reopen").click()
    page.wait_for_function(
        "() => document.querySelector('#form-msg').innerText.includes('back in the form')",
        timeout=30_000)
    _wait_checked(page)
    assert field(panel(page, 1), "funding.grant_term_years").input_value() == "5"
    assert [name_box(panel(page, i)).input_value() for i in range(4)] == NAMES
    assert errors == []
    (ARTIFACTS / "planner-task.json").write_text(json.dumps(
        {"actions": act.done, "count": len(act.done), "run_to_done_s": round(wall, 1)},
        indent=1))
    page.close()


def test_a_reload_keeps_everything_typed(browser, served) -> None:
    page, errors = open_page(browser, served.url, viewport={"width": 1366, "height": 768})
    _local(page, "programme.referrals_per_year").fill("90")
    page.locator("#staff-total").fill("1.5")
    page.locator("label", has_text="people leaving prison").first.click()
    name_box(panel(page, 0)).fill("Annual grants")
    page.locator("#add-option").click()
    third = panel(page, 2)
    third.wait_for(state="visible")
    name_box(third).fill("Ours, with therapeutic supervision")
    open_group(third, "supervision")
    third.locator('[data-key="supervision.style"] label', has_text="therapeutic").click()
    field(third, "supervision.sessions_per_month").fill("2")
    page.locator("#reps").fill("12")
    _wait_checked(page)
    before = _typed_values(page)
    page.reload()
    page.wait_for_selector("#start-about li", timeout=60_000)
    page.wait_for_function("() => document.querySelector('#reps').value === '12'",
                           timeout=30_000)
    _wait_checked(page)
    after = _typed_values(page)
    assert {k: after.get(k) for k in before} == before
    assert panel(page, 2).is_visible()
    assert errors == []
    page.close()


def test_a_saved_comparison_opens_again_in_a_new_browser(browser, served, tmp_path) -> None:
    page, _errors = open_page(browser, served.url, viewport={"width": 1366, "height": 768},
                              accept_downloads=True)
    _local(page, "funding.annual_budget_gbp").fill("100000")
    name_box(panel(page, 0)).fill("Annual grants")
    page.locator("button", has_text="Therapeutic supervision").click()
    _wait_checked(page)
    with page.expect_download() as download:
        page.locator("#save-form").click()
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    data = json.loads(saved.read_text(encoding="utf-8"))
    assert data["format"] == "mentorsim-comparison"
    assert [o["name"] for o in data["options"]] == ["Annual grants", "Therapeutic supervision"]
    page.close()
    # another browser (nothing kept in it): open the file
    context = browser.new_context(viewport={"width": 1366, "height": 768})
    fresh = context.new_page()
    fresh.goto(served.url)
    fresh.wait_for_selector("#start-about li", timeout=60_000)
    assert name_box(panel(fresh, 0)).input_value() == "Current programme"
    fresh.locator("#open-form input[type=file]").set_input_files(str(saved))
    fresh.wait_for_function(
        "() => document.querySelector('#form-msg').innerText.startsWith('Opened')",
        timeout=30_000)
    _wait_checked(fresh)
    assert name_box(panel(fresh, 1)).input_value() == "Therapeutic supervision"
    assert _local(fresh, "funding.annual_budget_gbp").input_value() == "100000"
    checked = fresh.locator('[id*=\'"option":1\'] [data-key="supervision.style"] '
                            "input:checked").get_attribute("value")
    assert checked == "therapeutic"
    # a file that is not a comparison is refused with a message, nothing changed
    bad = tmp_path / "bad.json"
    bad.write_text("[" * 100_000, encoding="utf-8")
    fresh.locator("#open-form input[type=file]").set_input_files(str(bad))
    fresh.wait_for_function(
        "() => document.querySelector('#form-msg').innerText.startsWith('Not opened')",
        timeout=30_000)
    assert "nested too deeply" in fresh.locator("#form-msg").inner_text()
    assert name_box(panel(fresh, 1)).input_value() == "Therapeutic supervision"
    context.close()


def test_a_refused_run_shows_the_error_beside_its_field_in_view(browser, served) -> None:
    page, _errors = open_page(browser, served.url, viewport={"width": 1366, "height": 768})
    # the run form says its defaults, and what is wrong as it is typed, before Run
    assert page.locator("#reps").get_attribute("placeholder") == "10 (the programme's)"
    page.locator("#reps").fill("ten")
    page.wait_for_function("() => document.querySelector('#reps-msg').innerText"
                           ".includes('not a whole number')", timeout=30_000)
    page.locator("#weeks").fill("99999")
    page.wait_for_function("() => document.querySelector('#weeks-msg').innerText"
                           ".includes('from 1 to 5,200')", timeout=30_000)
    page.locator("#reps").fill("")
    page.locator("#weeks").fill("")
    page.locator("#add-option").click()
    third = panel(page, 2)
    third.wait_for(state="visible")
    name_box(third).fill("Therapeutic supervision")  # a bundled scenario's name: fine
    open_group(third, "supervision")
    box = field(third, "staff.supervisors_fte")
    box.fill("-1")
    message = third.locator('[data-key="staff.supervisors_fte"] .field-msg')
    page.wait_for_function("el => el.innerText.includes('must be 0 or more')",
                           arg=message.element_handle(), timeout=30_000)
    third.locator('details.group[data-group="supervision"] > summary').click()  # closed
    page.locator("#run").scroll_into_view_if_needed()
    page.locator("#run").click()
    page.wait_for_function("() => document.querySelector('#run-status').innerText"
                           ".startsWith('Cannot run')", timeout=30_000)
    page.wait_for_timeout(500)
    assert "option 3 (Therapeutic supervision)" in page.locator("#run-status").inner_text()
    box_in_view = page.evaluate("""el => { const r = el.getBoundingClientRect();
        return r.top >= 0 && r.bottom <= window.innerHeight; }""", message.element_handle())
    assert box_in_view, "the message is scrolled into view"
    assert page.evaluate("el => document.activeElement === el", box.element_handle())
    assert not name_box(third).evaluate("e => e.closest('.naming').querySelector("
                                        "'.field-msg').innerText")
    page.close()


@pytest.mark.skipif(axe_script() is None, reason="axe-playwright-python is not installed")
@pytest.mark.parametrize("width", [1366, 400])
def test_the_studio_passes_axe_and_tab_reaches_the_programme_picker_after_the_pages(browser, served,
                                                                      width) -> None:
    page, errors = open_page(browser, served.url, viewport={"width": width, "height": 800})
    for expected in ("nav-compare", "nav-decide", "start"):  # the pages, then the form
        page.keyboard.press("Tab")
        assert page.evaluate("() => document.activeElement.id") == expected
    first = panel(page, 0)
    for group in ("funding", "supervision", "support", "matching", "mentors", "training"):
        open_group(first, group)
    page.locator("#step-start details.help").first.locator("summary").click()
    _wait_checked(page)
    found = violations(page)
    assert found == [], found  # no critical or serious violation
    page.locator("#start").click()  # and with the programme picker's list open
    page.locator(".dash-dropdown-content").wait_for(timeout=10_000)
    page.wait_for_timeout(300)
    found = violations(page)
    assert found == [], found
    # the list has focus on the chosen programme once it settles (on a loaded machine a
    # key pressed before that moves from the search box onto the first entry, the same)
    page.wait_for_function("() => document.activeElement.matches("
                           "'.dash-options-list-option-checkbox:checked')", timeout=10_000)
    page.keyboard.press("ArrowDown")  # the list is worked by keyboard
    page.keyboard.press("Enter")
    page.wait_for_function("() => !document.querySelector('#start-about').innerText"
                           ".startsWith('baseline')", timeout=30_000)
    if width == 400:
        assert page.evaluate("document.documentElement.scrollWidth") <= 400
        page.screenshot(path=str(ARTIFACTS / "planner-400.png"), full_page=False)
    assert errors == []
    page.close()
