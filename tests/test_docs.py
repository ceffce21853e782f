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


def _count(text: str) -> int:
    return int(text.replace(",", ""))


def test_every_stated_run_count_of_the_bundled_sweeps_is_the_code_s() -> None:
    """docs/sweeps.md's table of bundled sweeps, and the `N points x R replications = M
    runs` lines at the top of each spec, say what the specs make."""
    from sim.sweep.designs import design_size
    from sim.sweep.spec import SWEEPS_DIR, load_spec

    doc = (ROOT / "docs" / "sweeps.md").read_text()
    rows = dict(re.findall(r"^\| `(\w+)` \|[^|]*\| ([\d,]+) x \d+ weeks \|", doc, re.M))
    specs = sorted(p.stem for p in SWEEPS_DIR.glob("*.toml"))
    assert sorted(rows) == specs, "docs/sweeps.md's bundled sweeps table misses a spec"
    for name in specs:
        sweep = load_spec(name)
        points, reps = design_size(sweep), sweep.replications.maximum
        assert _count(rows[name]) == points * reps, name
        header = (SWEEPS_DIR / f"{name}.toml").read_text()
        stated = re.search(r"([\d,]+) points x ([\d,]+)(?: paired)? replications? = ([\d,]+)\s*"
                           r"(?:#\s*)?runs", header)
        assert stated, f"{name}.toml: no 'N points x R replications = M runs' line"
        assert [_count(g) for g in stated.groups()] == [points, reps, points * reps], name
    factors = len(load_spec("morris_screening").factors)
    assert f"({factors} factors)" in doc and f"{factors} factors" in (
        SWEEPS_DIR / "morris_screening.toml").read_text()
