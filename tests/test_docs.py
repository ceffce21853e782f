"""Documentation generated from the code must be current."""

from __future__ import annotations

import re
from pathlib import Path

from sim import tables
from sim.metrics import markdown_table

ROOT = Path(__file__).resolve().parent.parent


def test_readme_metric_table_is_current() -> None:
    readme = (ROOT / "README.md").read_text()
    found = re.search(r"<!-- metrics:start.*?-->\n(.*?)<!-- metrics:end -->", readme, re.S)
    assert found, "README.md lost its metrics markers"
    assert found.group(1) == markdown_table(), (
        "README metric table is out of date: paste `mentorsim metrics --markdown` into it")


def test_outputs_doc_column_tables_are_current() -> None:
    doc = (ROOT / "docs" / "outputs.md").read_text()
    found = re.search(r"<!-- tables:start[^\n]*-->\n(.*?)\n<!-- tables:end -->", doc, re.S)
    assert found, "docs/outputs.md lost its tables markers"
    assert found.group(1) == tables.markdown(), (
        "docs/outputs.md column tables are out of date with sim/tables.py: paste "
        "`mentorsim tables --markdown` between its tables markers")


def test_readme_test_command_is_what_ci_runs() -> None:
    readme = (ROOT / "README.md").read_text()
    ci = (ROOT / ".ci" / "run").read_text().strip().splitlines()[-1]
    assert ci in readme, ".ci/run must run exactly the README's test command"
