"""The command line starts cheaply: ``--help`` and ``validate`` import neither the model nor
pandas nor plotting, and ``run`` imports only what it needs.

Each check runs the CLI's ``main`` in a fresh interpreter and then reads ``sys.modules``
there, so a heavy import added back at module level anywhere on the path fails the test.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

# Runs sim.cli.main(argv) and writes the exit code and the loaded modules to a JSON file.
PROBE = """
import json, sys
out, argv = sys.argv[1], sys.argv[2:]
from sim.cli import main
try:
    code = main(argv)
except SystemExit as exc:
    code = exc.code
with open(out, "w") as fh:
    json.dump({"code": code, "modules": sorted(sys.modules)}, fh)
"""

# What a command that does not simulate or plot must not import: the model and its agents,
# Mesa (with networkx), the data stack, the plotting packages and rich.
NOT_FOR_CHECKS = ("mesa", "networkx", "pandas", "pyarrow", "scipy", "plotly", "dashboards",
                  "openpyxl", "sim.model", "sim.agents", "sim.runner", "sim.results", "rich")


def probe(tmp_path: Path, *argv: str) -> tuple[int, set[str]]:
    """Exit code of ``mentorsim ARGV`` and the modules it left loaded, in a fresh process."""
    out = tmp_path / "probe.json"
    proc = subprocess.run([sys.executable, "-c", PROBE, str(out), *argv], capture_output=True,
                          text=True, timeout=300, check=False)
    assert out.exists(), f"the probe did not finish: {proc.stderr}"
    record = json.loads(out.read_text())
    return record["code"], set(record["modules"])


def loaded(modules: set[str], names: tuple[str, ...]) -> list[str]:
    """The names that are loaded themselves or through any submodule."""
    return sorted(n for n in names if any(m == n or m.startswith(n + ".") for m in modules))


@pytest.mark.parametrize("argv", [["--help"], ["run", "--help"], ["validate", "baseline"],
                                  ["validate", "baseline", "national", "--set",
                                   "funding.grant_term_years=3"]],
                         ids=["help", "run-help", "validate", "validate-set"])
def test_help_and_validate_import_no_model_data_or_plotting(tmp_path: Path,
                                                            argv: list[str]) -> None:
    code, modules = probe(tmp_path, *argv)
    assert code == 0
    heavy = loaded(modules, NOT_FOR_CHECKS)
    assert not heavy, (f"`mentorsim {' '.join(argv)}` imported {heavy}; import heavy modules "
                       "inside the command that needs them")


def test_run_without_dashboard_imports_no_plotting_or_scipy_stats(tmp_path: Path) -> None:
    code, modules = probe(tmp_path, "run", "baseline", "--reps", "1", "--weeks", "1",
                          "--workers", "1", "--no-dashboard", "--out", str(tmp_path / "out"))
    assert code == 0
    heavy = loaded(modules, ("plotly", "dashboards", "scipy.stats"))
    assert not heavy, f"`mentorsim run --no-dashboard` imported {heavy}"


def test_reading_results_needs_no_model() -> None:
    """Metrics, summaries and failure drivers read tables: they must not load Mesa or the
    agents (the categories they need live in sim.vocabulary)."""
    code = ("import sys, sim.metrics, sim.summary, sim.failure_drivers; "
            "print(' '.join(sorted(sys.modules)))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=300, check=True)
    heavy = loaded(set(proc.stdout.split()), ("mesa", "networkx", "sim.model", "sim.agents",
                                              "sim.relationship", "plotly", "dashboards"))
    assert not heavy, f"reading results imported {heavy}"
