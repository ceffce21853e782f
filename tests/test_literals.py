"""Every behavioural number is a declared parameter in sim/params.py, not a literal in code.

The model's behaviour code is parsed with ``ast``; every int or float literal outside the
short allow-list below is reported as ``file:line: value``. Docstrings and type annotations
are skipped (they are not behaviour).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# Every file of sim/ is scanned, except the ones below, each with why its numbers are not
# the model's behaviour. A new file is scanned until it is listed here with a reason.
NOT_BEHAVIOUR = {
    "sim/draws.py": "the samplers' mathematics (Box-Muller, Marsaglia-Tsang)",
    "sim/labels.py": "how many decimals an amount of money is written with",
    "sim/params.py": "the declarations themselves (every number has a unit and a source)",
    "sim/failure_drivers.py": "the low and high values each factor's drivers are compared at",
    "sim/claims.py": "interval levels and a fixed run for the documents' result tables",
    "sim/funding_answer.py": "the budgets and replications the README's answer is run at",
    "sim/funding_worlds.py": "the replications the README's answer across worlds is run at",
    "sim/across_worlds.py": "statistics across worlds (interval levels, drivers reported, "
                            "default worlds and replications)",
    "sim/comparison.py": "the default replications per world",
    "sim/worlds.py": "the default numbers of worlds and replications in each",
    "sim/lever_effects.py": "the cited ranges each lever's effect is checked against",
    "sim/value_for_money.py": "the demo's table's layout",
    "sim/paramdoc.py": "the parameter table's formatting",
    "sim/tables.py": "output column declarations",
    "sim/terminal.py": "the printed report's layout",
    "sim/spreadsheet.py": "the spreadsheet's layout and Excel's limits",
    "sim/progress.py": "progress display and its time estimates",
    "sim/findings.py": "wording thresholds of the findings text",
    "sim/formats.py": "",  # scanned (listed so the reason for scanning is explicit: none)
    "sim/summary.py": "statistics of the outputs (interval levels, power)",
    "sim/results.py": "file writing (row-group sizes, rounding of outputs)",
    "sim/files.py": "file modes and atomic writing",
    "sim/cli.py": "command-line options, ports and exit codes",
    "sim/arguments.py": "command-line options",
    "sim/scenario.py": "input checks (file sizes, nesting, spelling distance)",
    "sim/runner.py": "batch sizes and pool settings",
    "sim/workers.py": "process pool settings",
    "sim/ema.py": "the EMA Workbench adapter's defaults",
    "sim/rng.py": "the random streams' mixing constants (SplitMix64) and seed sizes",
    "sim/state.py": "column storage growth",
    "sim/collector.py": "a warning's stack level",
    "sim/composition.py": "sampling tolerance and the count of free coordinates",
    "sim/errors.py": "exit statuses",
    "sim/mesa_scenario.py": "Mesa's scenario objects' defaults",
    "sim/calibration/": "the calibration's numerical settings, layout and defaults",
    "sim/sweep/": "sweep machinery (designs, storage, analysis, progress)",
    "sim/toml_text.py": "TOML's escapes (control characters by code point)",
    "sim/decide/": "decision support's numerical settings (search sizes, optimisers, "
                   "percentiles reported, penalties) and the documents' layout",
}


def _why_not(path: Path) -> str:
    """Why a file is not scanned (its own entry, or its folder's), or "" if it is."""
    name = str(path.relative_to(ROOT))
    return NOT_BEHAVIOUR.get(name) or NOT_BEHAVIOUR.get(name.rsplit("/", 1)[0] + "/", "")


FILES = sorted(p for p in ROOT.glob("sim/**/*.py") if not _why_not(p))

# Numbers that are not behaviour: 0 and 1 (and -1) as identities, bounds of a share or
# probability and counters; 12 months and 52 weeks a year (also the 12-month follow-up of
# proven reoffending); 100 per cent. Anything else belongs in sim/params.py.
ALLOWED = {0, 1, -1, 12, 52, 100}
# A line may end with "# literal-ok: <reason>" for a number that is mathematics rather
# than behaviour (e.g. the -sigma^2/2 that gives a log-normal mean 1); the reason is required.
MARKER = "# literal-ok:"


def _skipped_nodes(tree: ast.AST) -> set[int]:
    """ids of nodes whose numbers are not behaviour: docstrings, type annotations,
    subscripts (indices, slices) and the digits of ``round(x, digits)``."""
    skip: list[ast.AST] = []
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            body = node.body
            if (body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant)
                    and isinstance(body[0].value.value, str)):
                skip.append(body[0])
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.returns:
            skip.append(node.returns)
        if isinstance(node, ast.arg) and node.annotation is not None:
            skip.append(node.annotation)
        if isinstance(node, ast.AnnAssign):
            skip.append(node.annotation)
        if isinstance(node, ast.Subscript):
            skip.append(node.slice)
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                and node.func.id == "round" and len(node.args) == 2):
            skip.append(node.args[1])
    return {id(inner) for outer in skip for inner in ast.walk(outer)}


def numeric_literals(path: Path) -> list[tuple[int, float]]:
    """(line, value) of every int/float literal in ``path`` that is not allowed."""
    source = path.read_text()
    lines = source.splitlines()
    tree = ast.parse(source, filename=str(path))
    skipped = _skipped_nodes(tree)
    negated = {id(node.operand) for node in ast.walk(tree)
               if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub)}
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Constant) or id(node) in skipped:
            continue
        value = node.value
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            continue
        if id(node) in negated:
            value = -value
        if value in ALLOWED:
            continue
        marked = lines[node.lineno - 1].partition(MARKER)
        if marked[1] and marked[2].strip():
            continue
        found.append((node.lineno, value))
    return sorted(found)


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_behavioural_literals(path: Path) -> None:
    found = numeric_literals(path)
    where = path.relative_to(ROOT)
    assert not found, (
        "numbers in code that sweeps and calibration cannot see; declare them in "
        "sim/params.py (unit, source, meaning, bounds, plausible range):\n"
        + "\n".join(f"{where}:{line}: {value!r}" for line, value in found))


def test_every_file_is_scanned_or_says_why_not() -> None:
    listed = {path for path, why in NOT_BEHAVIOUR.items() if why}
    missing = [path for path in listed if not (ROOT / path).exists()]  # files and folders
    assert not missing, f"listed as not behaviour but gone: {missing}"
    for required in ("sim/budget.py", "sim/compiled.py", "sim/commissioner.py",
                     "sim/model.py", "sim/agents/agency.py"):
        assert ROOT / required in FILES, f"{required} must be scanned"


def test_scan_finds_literals_and_respects_the_allow_list(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text(
        '"""Docstring with 0.35 in it."""\n'
        "RATE = 0.03\n"
        "def f(x: tuple[int, int] = (0, 1), *, k: float = 2.5) -> float:\n"
        '    """Doc 7."""\n'
        "    y: list[int] = [x[2], x[-1]]\n"
        "    z = round(x[0] * 52 / 12, 6) - 1 + 100 * 0.0\n"
        "    w = -0.1 * y[0] + True\n"
        "    v = x[0] / 2  # literal-ok: halving is arithmetic\n"
        "    u = x[0] / 3  # literal-ok:\n"
        "    return z + w + v + u + 4\n")
    assert numeric_literals(sample) == [(2, 0.03), (3, 2.5), (7, -0.1), (9, 3), (10, 4)]
