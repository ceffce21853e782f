"""`mentorsim decide` end to end on a tiny decision, and its spec's error messages.

The tiny decision (one year, two levers, three worlds, ten design points) runs in about
15 s; it is run once per module and resumed once.
"""

from __future__ import annotations

import json
import shutil
import tomllib
from pathlib import Path

import pandas as pd
import pytest

from sim.capacity import planned_annual_spend
from sim.cli import main
from sim.decide.allocation import project
from sim.decide.decision import planned_runs
from sim.decide.spec import GUARDRAIL, load_decision, parse_decision
from sim.errors import UserError
from sim.runner import run_scenarios
from sim.scenario import Scenario, load_scenario
from sim.worlds import value_of

TINY = """\
name = "tiny"
question = "Tiny decision"
extends = "baseline"
horizon_weeks = 52
objectives = ["abandonment_rate", "burnout_incidence_per_100_mentor_years"]

[budget]
multiples = [0.5, 1.0, 2.0]

[levers]
"supervision.sessions_per_month" = { range = [0, 2] }
"supervision.style" = ["managerial", "therapeutic"]

[constraints]
mentees_matched_share = { min = 0.5 }

[worlds]
count = 3

[search]
design_points = 10
design_reps = 1
confirm_reps = 2
finalists = 2
pareto = 2
"""


@pytest.fixture(scope="module")
def decided(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("decide")
    (root / "tiny.toml").write_text(TINY)
    assert main(["decide", str(root / "tiny.toml"), "--out", str(root / "out"),
                 "--workers", "2"]) == 0
    return root


def test_the_folder_holds_every_output_with_its_types(decided: Path) -> None:
    out = decided / "out"
    for name in ("answer.json", "summary.md", "decision.xlsx", "candidates.parquet",
                 "options.parquet", "per_world.parquet", "robustness.parquet",
                 "budget_curve.parquet", "evppi.parquet", "value_curves.parquet"):
        assert (out / name).is_file(), name
    options = pd.read_parquet(out / "options.parquet")
    assert {"today@0.5", "today@1", "today@2", "best", "least_money"} <= set(options["option"])
    assert options["mentors"].dtype.kind == "i"
    assert options["supervisors_fte"].dtype.kind == "f"
    robustness = pd.read_parquet(out / "robustness.parquet")
    assert robustness["satisficing"].between(0, 1).all()
    assert (robustness["regret_mean"] >= 0).all()
    answer = json.loads((out / "answer.json").read_text())
    assert answer["recommended"] in set(options["option"])
    assert answer["runs"] == len(pd.read_parquet(out / "candidates.parquet")) * 3 + \
        (len(options)) * 3 * 2
    assert answer["runs"] <= planned_runs(load_decision(decided / "tiny.toml"))
    text = (out / "summary.md").read_text()
    assert "Recommended for £120,000 a year" in text
    assert "simulated comparisons" in text  # what the findings are


def test_every_option_fits_its_budget_and_keeps_the_guardrail(decided: Path) -> None:
    options = pd.read_parquet(decided / "out" / "options.parquet")
    assert (options["planned_annual_spend_gbp"] <= options["annual_budget_gbp"] + 1e-6).all()
    files = sorted((decided / "out" / "options").glob("*.toml"))
    assert files
    for path in files:
        tomllib.loads(path.read_text())
        p = load_scenario(str(path)).params
        for key, value in GUARDRAIL.items():
            assert value_of(p, key) == value, (path.name, key)
        assert planned_annual_spend(p) <= p.funding.annual_budget_gbp
        assert p.run.weeks == 52


def test_confirmation_runs_are_the_comparisons_own_runs(decided: Path) -> None:
    """Common random numbers, one unit of work: today's programme in world 0 (the
    defaults) gives, run for run, what a plain comparison of it gives."""
    from sim.sweep.storage import read_runs

    d = load_decision(decided / "tiny.toml")
    levers = {f.name: value_of(d.today, f.name) for f in d.levers}
    today = project(d.today, levers, d.annual_gbp)
    options = pd.read_parquet(decided / "out" / "options.parquet")
    index = int(options.index[options["option"] == "today@1"][0])
    runs = read_runs(decided / "out.runs" / "confirm")
    mine = runs[runs["point_id"] == index * 3].sort_values("replication")  # world 0 first
    plain = run_scenarios([Scenario("today", "", None, today.params)], 2, d.today.run.seed,
                          progress=False).metrics
    for metric in ("abandonment_rate", "mentees_matched_share", "total_spend_gbp"):
        assert mine[metric].tolist() == pytest.approx(plain[metric].tolist(), rel=0, abs=0)


def test_a_resumed_decision_runs_nothing_again_and_gives_the_same_answer(decided: Path) -> None:
    first = json.loads((decided / "out" / "answer.json").read_text())
    ledger = (decided / "out.runs" / "confirm" / "ledger.jsonl")
    before = ledger.read_text().count('"type": "run"') if ledger.exists() else None
    shutil.rmtree(decided / "out")
    assert main(["decide", str(decided / "tiny.toml"), "--out", str(decided / "out"),
                 "--workers", "1", "--resume"]) == 0
    again = json.loads((decided / "out" / "answer.json").read_text())
    for key in ("recommended", "versus_today", "least_money", "what_would_change"):
        assert again[key] == first[key], key
    if before is not None:
        assert ledger.read_text().count('"type": "run"') == before


def test_an_existing_runs_folder_needs_resume(decided: Path, capsys) -> None:
    (decided / "other.runs").mkdir()
    assert main(["decide", str(decided / "tiny.toml"), "--out", str(decided / "other")]) == 2
    err = capsys.readouterr().err
    assert "other.runs" in err and "--resume" in err and "Traceback" not in err
    assert not (decided / "other").exists()


def test_the_bundled_decision_is_valid_and_bounded() -> None:
    d = load_decision("adult_probation_budget")
    assert d.primary == "abandonment_rate" and d.annual_gbp == 120_000
    assert d.guardrail and 1.0 in d.multiples
    assert planned_runs(d) < 3_000


def _parse(text: str) -> None:
    parse_decision(tomllib.loads(text), "spec.toml")


@pytest.mark.parametrize(("change", "expected"), [
    (("objectives = [", "objectives = [\"abandonmnt_rate\", "),
     "objectives[0] = 'abandonmnt_rate': not a metric (did you mean 'abandonment_rate'?)"),
    (("objectives = [", "objectives = [\"total_spend_gbp\", "),
     "objectives[0] = 'total_spend_gbp': this metric has no better direction"),
    (("[levers]\n", "[levers]\n\"programme.target_mentors\" = { range = [10, 40] }\n"),
     "levers.programme.target_mentors: set by the budget"),
    (("[levers]\n", "[levers]\n\"mentors.extra_role_hours_per_week\" = { range = [0, 2] }\n"),
     "levers.mentors.extra_role_hours_per_week: fixed by the guardrail against using mentors "
     "as unpaid staff"),
    (("[levers]\n", "[levers]\n\"effects.novice_strain\" = { range = [0, 0.2] }\n"),
     "levers.effects.novice_strain: not a lever a programme can allocate"),
    (("[levers]\n", "[levers]\n\"supervision.sessions_per_month\" = { range = [0, 99] }\n"),
     "levers.supervision.sessions_per_month: range"),
    (("[search]\n", "[search]\ndesign_point = 4\n"),
     "unknown key 'search.design_point' (did you mean 'design_points'?)"),
    (("multiples = [0.5, 1.0, 2.0]", "multiples = [0.5, 2.0]"), "must include 1.0"),
    (("[constraints]\n", "[constraints]\nmatched = { min = 0.5 }\n"),
     "constraints.matched = 'matched': not a metric"),
])
def test_a_bad_spec_is_a_clear_error(change: tuple[str, str], expected: str) -> None:
    text = TINY.replace(*change, 1)
    if change[1].startswith("[levers]\n\"supervision.sessions"):
        text = text.replace("\"supervision.sessions_per_month\" = { range = [0, 2] }\n", "", 1)
    with pytest.raises(UserError) as err:
        _parse(text)
    assert str(err.value).startswith("spec.toml: ")
    assert expected in str(err.value)


def test_a_bad_spec_exits_2_with_one_line(tmp_path: Path, capsys) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(TINY.replace("count = 3", "count = 1"))
    assert main(["decide", str(bad), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert "bad.toml: worlds.count = 1" in err and "Traceback" not in err
    assert not (tmp_path / "out").exists() and not (tmp_path / "out.runs").exists()


def _documented() -> dict[str, list[tuple[str, str]]]:
    """docs/outputs.md's decision-folder table: table -> [(column pattern, type)]."""
    import re

    doc = (Path(__file__).resolve().parents[1] / "docs" / "outputs.md").read_text()
    section = doc.split("## The decision folder (`mentorsim decide`)", 1)[1].split("\n## ", 1)[0]
    out: dict[str, list[tuple[str, str]]] = {}
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip("|").split("|")]
        if len(cells) == 4 and cells[0].startswith("`"):
            for column in re.findall(r"`([^`]+)`", cells[1]):
                out.setdefault(cells[0].strip("`"), []).append((column, cells[2]))
    return out


def test_the_decision_tables_are_as_documented(decided: Path) -> None:
    import re

    kinds = {"int64": "i", "double": "f", "bool": "b", "string": "O"}
    for table, documented in _documented().items():
        frame = pd.read_parquet(decided / "out" / f"{table}.parquet")
        patterns = [(re.compile("^" + re.sub(r"[A-Z]+", ".+", re.escape(c)) + "$"), c, t)
                    for c, t in documented]
        for column in frame.columns:
            match = [(c, t) for rx, c, t in patterns if rx.match(column)]
            assert match, f"{table}.{column} is not in docs/outputs.md"
            kind = kinds.get(match[0][1])
            if kind and not frame[column].isna().all():
                assert frame[column].dtype.kind == kind, (table, column, frame[column].dtype)
        for column, _ in documented:
            if not re.search(r"[A-Z]", column):  # a fixed name, not a pattern
                assert column in frame.columns, f"{table}.{column} documented, not written"


def test_a_misspelt_decision_name_suggests_the_bundled_one() -> None:
    with pytest.raises(UserError, match="adult_probation_budgt: no such decision spec "
                                        r"\(did you mean 'adult_probation_budget'\?\)"):
        load_decision("adult_probation_budgt")


@pytest.mark.slow
def test_an_interrupted_decision_keeps_its_runs_and_resumes(tmp_path: Path) -> None:
    import contextlib
    import signal
    import subprocess
    import sys

    # a longer design (200 runs), so the signal lands inside it
    (tmp_path / "tiny.toml").write_text(TINY.replace("design_points = 10", "design_points = 40")
                                        .replace("count = 3", "count = 5"))
    argv = [sys.executable, "-m", "sim", "decide", str(tmp_path / "tiny.toml"), "--out",
            str(tmp_path / "out"), "--workers", "1"]
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    seen = []
    assert proc.stderr is not None
    for line in proc.stderr:  # progress records, one every few seconds
        seen.append(line)
        with contextlib.suppress(ValueError):
            if json.loads(line).get("done", 0) >= 10:
                break
    proc.send_signal(signal.SIGINT)
    _, rest = proc.communicate(timeout=120)
    err = "".join(seen) + rest
    assert proc.returncode == 130, err
    assert "Traceback" not in err
    assert "runs of this stage are saved in" in err and "--resume" in err
    assert not (tmp_path / "out").exists()
    done = subprocess.run([*argv, "--resume"], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert json.loads((tmp_path / "out" / "answer.json").read_text())["recommended"]


def test_when_no_option_meets_the_constraints_the_answer_says_so(tmp_path: Path) -> None:
    """A constraint nothing can meet: the recommendation is the best on the objective, and
    both the answer and its words say no option meets the constraints."""
    spec = tmp_path / "strict.toml"
    spec.write_text(TINY.replace("mentees_matched_share = { min = 0.5 }",
                                 "mentees_matched_share = { min = 0.999 }"))
    assert main(["decide", str(spec), "--out", str(tmp_path / "out"), "--workers", "2"]) == 0
    answer = json.loads((tmp_path / "out" / "answer.json").read_text())
    assert answer["constraints_met"] is False
    robustness = pd.read_parquet(tmp_path / "out" / "robustness.parquet")
    assert not robustness["meets_constraints"].any()
    best = robustness.loc[robustness["mean"].idxmin(), "option"]  # less abandonment is better
    assert answer["recommended"] == best
    assert "No option meets the constraints on average" in \
        (tmp_path / "out" / "summary.md").read_text()
