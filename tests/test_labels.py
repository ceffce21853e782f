"""One label per input, from the parameter declarations, the same wherever a person reads it:
the studio's forms and messages, the spreadsheet, the dashboard and the terminal."""

from __future__ import annotations

import re

import openpyxl
import pytest

from sim import labels
from sim.capacity import capacity_warnings, cut_steps
from sim.params import SECTIONS, ScenarioParams
from sim.scenario import load_scenario
from studio import messages
from studio.forms import all_fields, lever_fields, local_fields

KEYS = [f"{section}.{name}" for section, model in SECTIONS.items()
        for name, info in model.model_fields.items()]


def _declared_label(key: str) -> str | None:
    section, name = key.split(".")
    extra = SECTIONS[section].model_fields[name].json_schema_extra
    return extra.get("label") if isinstance(extra, dict) else None


def test_every_parameter_has_exactly_one_label() -> None:
    seen: dict[str, str] = {}
    for key in KEYS:
        text = labels.label(key)
        assert text and text == text.strip() and "_" not in text, key
        assert text.lower() not in seen, f"{key} and {seen.get(text.lower())} share {text!r}"
        seen[text.lower()] = key


def test_every_input_a_planner_sees_has_a_declared_label_and_a_unit_in_words() -> None:
    shown = [f.key for fields in lever_fields().values() for f in fields]
    shown += [f.key for f in local_fields()]
    for key in shown:
        assert _declared_label(key), f"{key}: declare label= in sim/params.py"
        title = labels.title(key)
        assert "GBP" not in title and "/" not in title and "FTE" not in title, title
    assert labels.title("funding.annual_budget_gbp") == "Annual budget (£ a year per agency)"
    assert labels.title("staff.supervisors_fte") == \
        "Supervisor posts (full-time equivalent per agency)"


def test_the_studio_forms_show_the_label_and_the_key_only_in_the_help() -> None:
    from studio.layout import field_input

    for field in [*all_fields().values(), *local_fields()]:
        assert field.label == labels.label(field.key)
        assert field.title == labels.title(field.key)
    field = all_fields()["funding.grant_term_years"]
    block = field_input(field, {"type": "num", "option": 0, "key": field.key},
                        {"type": "msg", "option": 0, "key": field.key})
    label, meaning, *_rest, help_ = block.children
    assert label.children == "Grant length (years)"
    assert field.key not in str(label.children) + str(meaning.children)
    assert field.key in str(help_.children[-1].children)  # secondary, in "About this number"


def test_messages_name_the_label_say_pounds_and_the_key_only_in_brackets() -> None:
    params = load_scenario("baseline", ["supervision.sessions_per_month=2",
                                        "funding.annual_budget_gbp=80000"]).params
    warnings = capacity_warnings(params)
    assert len(warnings) == 2
    for text in warnings:
        assert "GBP" not in text and "_" not in re.sub(r"\([a-z]+\.[a-z_]+\)|, [a-z]+\.[a-z_]+\)",
                                                        "", text)
    assert "0.5 supervisor posts (staff.supervisors_fte)" in warnings[0]
    assert "£" in warnings[1] and "funding.annual_budget_gbp" in warnings[1]
    assert "ongoing training" in cut_steps(ScenarioParams())
    said = messages.plain("staff cost GBP 90,000/year (staff.coordinators_fte and "
                          "staff.supervisors_fte at their salaries) exceeds "
                          "funding.annual_budget_gbp = 80,000")
    assert said == ("staff cost £90,000 a year (coordinator posts and supervisor posts at "
                    "their salaries) exceeds annual budget of £80,000")
    assert messages.keys_in("staff.coordinators_fte and funding.annual_budget_gbp = 1") == \
        ["staff.coordinators_fte", "funding.annual_budget_gbp"]


@pytest.mark.parametrize(("key", "value", "text"), [
    ("funding.annual_budget_gbp", 100000.0, "£100,000"),
    ("funding.grant_term_years", 1.0, "1 year"),
    ("funding.grant_term_years", 2.5, "2.5 years"),
    ("programme.setting", "prison_leavers", "people leaving prison"),
    ("matching.cultural_matching", True, "yes"),
    ("staff.supervisors_fte", 0.5, "0.5"),
])
def test_values_are_written_in_their_unit(key: str, value: object, text: str) -> None:
    assert labels.value_text(key, value) == text


def test_the_spreadsheet_names_parameters_by_their_label(small_run_dir) -> None:
    from sim.spreadsheet import write_spreadsheet

    book = openpyxl.load_workbook(write_spreadsheet(small_run_dir), read_only=True)
    rows = list(book["Parameters"].iter_rows(min_row=2, values_only=True))
    assert rows[0][:2] == ("Parameter", "Key in a scenario file")
    by_key = {row[1]: row[0] for row in rows[1:]}
    assert by_key["funding.annual_budget_gbp"] == labels.title("funding.annual_budget_gbp")
    assert all(by_key[k] == labels.title(k) for k in by_key if k in KEYS)
