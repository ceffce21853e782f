"""Renewal chance, gap length and the payment rule are set in the studio like any lever:
fields of the funding group in plain words, changes to the scenario the studio builds,
values in the scenario file it downloads, and put back when the form is filled.

The page is exercised without a browser, through its own requests (the Flask test client
posting what the browser would post for a callback), on the layout the studio serves.
"""

from __future__ import annotations

import json
import tomllib
from pathlib import Path
from typing import Any

import dash
import pytest
from dash.development.base_component import Component

from sim.scenario import load_scenario
from studio import forms
from studio.folder import WorkingFolder
from studio.form_state import Form, comparison_text, read_comparison
from studio.form_state import Option as TypedOption
from studio.layout import choice_options, page
from studio.options import Option, check_options
from studio.page_state import make_studio, read_page
from studio.programme import resolve_start
from studio.scenario_file import option_text, write_run_files

try:  # pytest's default "prepend" import mode puts tests/ itself on sys.path
    from studio_requests import callback_request, components, fill_form, found_components
except ModuleNotFoundError:  # pragma: no cover - when tests/ is imported as a package
    from tests.studio_requests import callback_request, components, fill_form, found_components

KEYS = ("funding.renewal_probability", "funding.gap_weeks_mean", "funding.payment_rule")
# (typed in the form, the value in the scenario), each away from baseline's own
TYPED = {"funding.renewal_probability": ("0.9", 0.9), "funding.gap_weeks_mean": ("8", 8),
         "funding.payment_rule": ("same_pot", "same_pot")}


@pytest.fixture
def work(tmp_path: Path) -> WorkingFolder:
    return WorkingFolder(tmp_path / "work")


def _funding() -> dict[str, forms.Field]:
    return {f.key: f for f in forms.lever_fields()["funding"]}


# --- the fields ------------------------------------------------------------------------------
def test_they_are_funding_fields_labelled_and_explained_from_their_declarations() -> None:
    fields = _funding()
    assert all(key in fields for key in KEYS)
    order = list(fields)
    assert order.index("funding.grant_term_years") < order.index("funding.renewal_probability") \
        < order.index("funding.gap_weeks_mean") < order.index("funding.payment_rule")
    renewal, gap, rule = (fields[k] for k in KEYS)
    assert renewal.title == "Renewal chance (a chance, 0 to 1)"
    assert gap.title == "Gap between grants (weeks)"
    assert rule.title == "How the commissioner pays"
    assert renewal.meaning == "Chance a grant is renewed without a gap when it ends"
    assert "Plausible range: 0.2 to 0.95." in renewal.help
    assert "Plausible range: 8 weeks to 52 weeks." in gap.help
    for field in (renewal, gap):  # uncertainties a planner sets: said whose they are
        assert (field.kind, field.lever) == ("number", False)
        assert forms.NOT_A_LEVER in field.help
    assert rule.lever and forms.NOT_A_LEVER not in rule.help


def test_the_payment_rule_is_a_choice_said_in_words() -> None:
    rule = _funding()["funding.payment_rule"]
    assert rule.kind == "choice" and rule.choices == ("same_annual_rate", "same_pot")
    said = [o["label"] for o in choice_options(rule, "same_annual_rate")]
    assert said == ["as the programme (the same yearly rate while a grant runs)",
                    "the same yearly rate while a grant runs",
                    "the same pot over the horizon, gaps included"]
    # the meaning beside the buttons names the choices as the buttons do
    assert "same_pot" not in rule.meaning and "same_annual_rate" not in rule.meaning
    assert "\u201cthe same pot over the horizon, gaps included\u201d: the commissioner holds" \
        in rule.meaning


# --- what setting them does ------------------------------------------------------------------
@pytest.mark.parametrize("key", KEYS)
def test_setting_each_changes_the_scenario_the_studio_builds(work: WorkingFolder,
                                                             key: str) -> None:
    typed, value = TYPED[key]
    form = Form(options=[TypedOption("Current"), TypedOption("Changed", "", {key: typed})])
    state = read_page(make_studio(work, workers=1), form)
    assert state.options[1].changes == {key: value}
    current, changed = check_options(state.start, state.local, state.options)
    assert current.ok and changed.ok, changed.errors or changed.field_errors
    section, name = key.split(".")
    before = getattr(getattr(current.scenario.params, section), name)
    after = getattr(getattr(changed.scenario.params, section), name)
    assert before != value and after == value
    # and nothing else
    was, now = current.scenario.params.model_dump(), changed.scenario.params.model_dump()
    now[section][name] = before
    assert now == was


def test_a_value_out_of_range_gets_the_message_beside_its_field(work: WorkingFolder) -> None:
    form = Form(options=[TypedOption("Current"), TypedOption("Certain", "", {
        "funding.renewal_probability": "1.5", "funding.gap_weeks_mean": "-2"})])
    state = read_page(make_studio(work, workers=1), form)
    check = check_options(state.start, state.local, state.options)[1]
    assert not check.ok
    assert check.field_errors["funding.renewal_probability"] == "1.5: must be 1 or less"
    assert check.field_errors["funding.gap_weeks_mean"] == "\u22122: must be 0 or more"


def test_a_downloaded_option_and_the_run_files_carry_them(work: WorkingFolder,
                                                          tmp_path: Path) -> None:
    start = resolve_start(work, "bundled:baseline")
    option = Option("Stop-start", changes={k: v for k, (_typed, v) in TYPED.items()})
    check = check_options(start, {}, [Option("Current"), option])[1]
    text = option_text(start, {}, option, 1)
    assert tomllib.loads(text)["funding"] == {"renewal_probability": 0.9, "gap_weeks_mean": 8,
                                              "payment_rule": "same_pot"}
    path = tmp_path / "stop_start.toml"
    path.write_text(text, encoding="utf-8")
    assert load_scenario(str(path)).params == check.scenario.params
    run_file = write_run_files(tmp_path / "run", start, {}, [Option("Current"), option])[1]
    funding = load_scenario(str(run_file)).params.funding
    assert (funding.renewal_probability, funding.gap_weeks_mean, funding.payment_rule) == \
        (0.9, 8, "same_pot")


# --- filling the form ------------------------------------------------------------------------
def _studio(work: WorkingFolder) -> tuple[dash.Dash, Any, list[Component]]:
    from studio.app import create_app

    app = create_app(work.root, workers=1)
    return app, app.server.test_client(), components(page(work))


def test_every_option_panel_has_the_three_fields(work: WorkingFolder) -> None:
    _app, _client, layout = _studio(work)
    for key in KEYS:
        kind = "pick" if key == "funding.payment_rule" else "num"
        found = found_components(layout, {"type": kind, "option": ["ALL"], "key": key}, None)
        assert [c.id["option"] for c in found] == [0, 1, 2, 3, 4]


def test_a_saved_comparison_fills_them_back_into_the_form(work: WorkingFolder) -> None:
    app, client, layout = _studio(work)
    typed = {k: t for k, (t, _value) in TYPED.items()}
    saved = comparison_text(Form(options=[TypedOption("Current"),
                                          TypedOption("Stop-start", "", typed)]))
    form = read_comparison(saved.encode(), "comparison.json")
    put = fill_form(app, client, layout, form.to_json())
    on_page = {json.dumps(c.id, separators=(",", ":"), sort_keys=True)
               if isinstance(c.id, dict) else c.id for c in layout}
    assert set(put) <= on_page  # every value put into a field the page has
    for key_, text in typed.items():
        kind = "pick" if key_ == "funding.payment_rule" else "num"
        field = json.dumps({"key": key_, "option": 1, "type": kind}, separators=(",", ":"))
        assert put[field] == {"value": text}


def test_a_starting_scenario_s_values_are_what_the_fields_show(work: WorkingFolder) -> None:
    (work.root / "stop_start_ours.toml").write_text(
        'extends = "baseline"\n[funding]\nrenewal_probability = 0.8\ngap_weeks_mean = 13\n'
        'payment_rule = "same_pot"\n', encoding="utf-8")
    app, client, layout = _studio(work)
    key = next(k for k in app.callback_map if "opt-checks" in k)
    body = callback_request(app, layout, key, {"start": "file:stop_start_ours.toml"}, "start.value",
                    option=1)
    response = client.post("/_dash-update-component", json=body)
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    shown = {json.loads(k)["key"]: v for k, v in response.get_json()["response"].items()
             if json.loads(k).get("key") in KEYS and ("placeholder" in v or "options" in v)}
    assert shown["funding.renewal_probability"] == {"placeholder": "0.8"}
    assert shown["funding.gap_weeks_mean"] == {"placeholder": "13"}
    assert shown["funding.payment_rule"]["options"][0]["label"] == \
        "as the programme (the same pot over the horizon, gaps included)"
