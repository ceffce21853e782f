"""The parameter table is generated from the code, and docs/ must be current with it."""

from __future__ import annotations

from pathlib import Path

from sim.cli import main
from sim.paramdoc import markdown, parameter_rows
from sim.params import SECTIONS

ROOT = Path(__file__).resolve().parent.parent


def test_docs_parameter_table_is_current() -> None:
    assert (ROOT / "docs" / "parameters.md").read_text() == markdown(), (
        "docs/parameters.md is out of date with sim/params.py: run "
        "`mentorsim params --markdown > docs/parameters.md`")


def test_every_parameter_is_in_the_table_with_unit_meaning_and_source() -> None:
    rows = {r["parameter"]: r for r in parameter_rows()}
    for section, model in SECTIONS.items():
        for name in model.model_fields:
            row = rows[f"{section}.{name}"]
            for column in ("meaning", "unit", "source"):
                assert row[column].strip(), f"{section}.{name} has no {column}"
            assert row["kind"] in ("lever", "uncertainty", "setting"), f"{section}.{name}"


def test_defaults_lie_in_their_plausible_ranges() -> None:
    for section, model in SECTIONS.items():
        for name, info in model.model_fields.items():
            extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
            if "plausible" in extra:
                low, high = extra["plausible"]
                assert low <= info.default <= high, (
                    f"{section}.{name} default {info.default} lies outside its plausible "
                    f"range {low} to {high}")


def test_params_command_prints_the_table(capsys) -> None:
    assert main(["params", "--markdown"]) == 0
    assert capsys.readouterr().out == markdown()
    assert main(["params"]) == 0
    assert "effects.quality_growth" in capsys.readouterr().out
