"""Shared-cluster hardening: strict types, file modes, atomic writes, sweep progress and
options, interruptions of `run`, and an adversarial corpus of bad input.

Every bad input gets one clear message and exit status 2 (or is handled), never a
traceback. Runs are a few weeks long, so the whole file takes well under a minute.
"""

from __future__ import annotations

import json
import os
import re
import signal
import stat
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from sim.cli import main
from sim.errors import ScenarioError
from sim.params import ScenarioParams

ROOT = Path(__file__).resolve().parent.parent
MENTORSIM = [sys.executable, "-m", "sim"]

SMALL_SWEEP = """
    extends = "baseline"
    horizon_weeks = 20
    seed = 5
    outcomes = ["abandonment_rate", "mentor_burnout_prevalence"]
    design = "factorial"
    replications = 2

    [levers]
    "funding.grant_term_years" = [1, 3]
"""


def write(folder: Path, name: str, text: str | bytes) -> Path:
    path = folder / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def run_cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    try:
        code = main([str(a) for a in argv])
    except SystemExit as exc:  # argparse refuses an option value
        code = int(exc.code or 0)
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err, captured.err
    return code, captured.out, captured.err


@contextmanager
def umask(mask: int) -> Iterator[None]:
    old = os.umask(mask)
    try:
        yield
    finally:
        os.umask(old)


@pytest.fixture(scope="module")
def small_sweep(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A finished serial sweep of 2 points x 2 replications in 2 part files: (spec, folder)."""
    folder = tmp_path_factory.mktemp("sweep")
    spec = write(folder, "small.toml", SMALL_SWEEP)
    with umask(0o022):
        assert main(["sweep", str(spec), "--out", str(folder / "out"), "--workers", "1",
                     "--quiet", "--batch-size", "2"]) == 0
    return spec, folder / "out"


def copy_of(folder: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "copy"
    subprocess.run(["cp", "-r", str(folder), str(copy)], check=True)
    return copy


# --- 1. strict types -------------------------------------------------------------------

STRICT_CASES = {
    "string_for_number": ("[funding]\nannual_budget_gbp = \"120000\"\n",
                          ["funding.annual_budget_gbp = '120000'", "valid number",
                           "got text", "without quotes: 120000"]),
    "boolean_for_integer": ("[programme]\nagencies = true\n",
                            ["programme.agencies = true", "valid integer", "got true"]),
    "integer_for_boolean": ("[matching]\ncultural_matching = 1\n",
                            ["matching.cultural_matching = 1", "valid boolean",
                             "write true"]),
    "decimal_for_integer": ("[run]\nweeks = 104.0\n",
                            ["run.weeks = 104.0", "valid integer", "write 104"]),
    "nan_for_number": ("[funding]\nrenewal_probability = nan\n",
                       ["funding.renewal_probability = nan", "finite number"]),
    "string_for_list": ("[funding]\ncut_order = \"closure\"\n",
                        ["funding.cut_order = 'closure'", "a list"]),
}


@pytest.mark.parametrize("case", sorted(STRICT_CASES))
def test_wrong_types_in_a_scenario_name_key_value_and_type(
        case: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    body, expected = STRICT_CASES[case]
    path = write(tmp_path, f"{case}.toml", f'question = "t"\nextends = "baseline"\n{body}')
    code, _, err = run_cli(capsys, "validate", path)
    assert code == 2, err
    for text in [str(path), *expected]:
        assert text in err, f"{text!r} not in {err}"


def test_whole_numbers_for_decimals_lists_and_choices_stay_accepted(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, "ok.toml", """
        question = "t"
        extends = "baseline"
        [funding]
        annual_budget_gbp = 120000
        cut_order = ["leisure", "closure"]
        [supervision]
        style = "therapeutic"
    """)
    code, out, _ = run_cli(capsys, "validate", path)
    assert code == 0 and "ok:" in out


@pytest.mark.parametrize("option, expected", [
    ("programme.agencies=true", "valid integer"),
    ("matching.cultural_matching=1", "valid boolean"),
    ('funding.annual_budget_gbp="120000"', "valid number"),
])
def test_set_values_are_typed_the_same_way(option: str, expected: str,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_cli(capsys, "validate", "baseline", "--set", option)
    assert code == 2 and f"--set {option}" in err and expected in err


def test_sweep_specs_are_strict_too(tmp_path: Path) -> None:
    from sim.errors import UserError
    from sim.sweep.spec import load_spec

    cases = {
        'horizon_weeks = 20': ('horizon_weeks = "20"', "valid integer"),
        '[1, 3]': ('["1", 3]', "valid number"),
        'replications = 2': ('replications = 2\n[set]\n"programme.agencies" = true',
                             "valid integer"),
    }
    for old, (new, expected) in cases.items():
        path = write(tmp_path, "s.toml", SMALL_SWEEP.replace(old, new))
        with pytest.raises(UserError) as info:
            load_spec(path)
        assert str(path) in str(info.value) and expected in str(info.value), info.value


def test_every_way_of_changing_parameters_validates() -> None:
    params = ScenarioParams()
    changed = params.with_changes({"run.weeks": 104}, supervision__style="therapeutic")
    assert (changed.run.weeks, changed.supervision.style) == (104, "therapeutic")
    assert params.run.weeks == 260, "the original is never changed"
    with pytest.raises(ScenarioError, match=r"funding.renewal_probability = 7"):
        params.with_changes({"funding.renewal_probability": 7})
    with pytest.raises(ScenarioError, match="unknown parameter"):
        params.with_changes({"funding.renewal": 0.5})
    with pytest.raises(ValueError, match="less than or equal to 1"):
        params.funding.model_copy(update={"renewal_probability": 7})
    with pytest.raises(ValueError, match="valid integer"):
        params.model_copy(update={"programme": {"agencies": True}})


def test_nothing_in_sim_changes_parameters_unvalidated() -> None:
    offenders = [f"{p.relative_to(ROOT)}:{n}" for p in (ROOT / "sim").rglob("*.py")
                 for n, line in enumerate(p.read_text().splitlines(), 1)
                 if "model_copy(update" in line and p.name != "params.py"]
    assert not offenders, f"use ScenarioParams.with_changes instead: {offenders}"


# --- 2. one atomic writer, ordinary modes ----------------------------------------------

def test_one_atomic_write_helper() -> None:
    """Temporary files and renames live in sim/files.py only (sim and dashboards)."""
    pattern = re.compile(r"mkstemp|mkdtemp|os\.replace\(")
    offenders = [f"{p.relative_to(ROOT)}:{n}" for folder in ("sim", "dashboards")
                 for p in (ROOT / folder).rglob("*.py") if p.name != "files.py"
                 for n, line in enumerate(p.read_text().splitlines(), 1)
                 if pattern.search(line)]
    assert not offenders, f"write through sim.files.write_atomically: {offenders}"


def test_atomic_write_keeps_the_old_file_on_failure(tmp_path: Path) -> None:
    from sim.files import write_atomically

    target = write(tmp_path, "kept.txt", "old")

    def fail(tmp: Path) -> None:
        tmp.write_text("half")
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        write_atomically(target, fail)
    assert target.read_text() == "old" and [p.name for p in tmp_path.iterdir()] == ["kept.txt"]


def modes(folder: Path) -> tuple[set[int], set[int]]:
    files = {stat.S_IMODE(p.stat().st_mode) for p in folder.rglob("*")
             if p.is_file() and p.name != ".lock"}
    dirs = {stat.S_IMODE(p.stat().st_mode) for p in [folder, *folder.rglob("*")] if p.is_dir()}
    return files, dirs


def test_sweep_files_are_readable_by_colleagues(small_sweep: tuple[Path, Path]) -> None:
    _, out = small_sweep
    files, dirs = modes(out)
    assert files == {0o644} and dirs == {0o755}, (oct(min(files)), oct(min(dirs)))


@pytest.mark.parametrize("mask, file_mode, dir_mode", [(0o022, 0o644, 0o755),
                                                      (0o027, 0o640, 0o750)])
def test_modes_follow_the_umask(mask: int, file_mode: int, dir_mode: int, tmp_path: Path,
                                capsys: pytest.CaptureFixture[str]) -> None:
    spec = write(tmp_path, "small.toml", SMALL_SWEEP.replace("replications = 2",
                                                             "replications = 1"))
    with umask(mask):
        assert main(["run", "baseline", "--reps", "1", "--weeks", "4", "--workers", "1",
                     "--out", str(tmp_path / "run"), "--no-dashboard"]) == 0
        assert main(["sweep", str(spec), "--out", str(tmp_path / "sweep"), "--workers", "1",
                     "--quiet"]) == 0
    capsys.readouterr()
    for folder in ("run", "sweep"):
        assert modes(tmp_path / folder) == ({file_mode}, {dir_mode}), folder


# --- 3. sweep-status shows finished runs not yet committed -----------------------------

def test_status_shows_finished_but_uncommitted_runs(small_sweep: tuple[Path, Path],
                                                    tmp_path: Path) -> None:
    from sim.sweep.run_counts import read_run_counts
    from sim.sweep.status import format_status, sweep_status
    from sim.sweep.storage import FolderLock, SweepFolder

    _, out = small_sweep
    record = read_run_counts(out / "progress.json")
    assert record and record["finished"] == record["committed"] == 4, record
    folder = copy_of(out, tmp_path)
    # a driver is running (holds the lock): 3 runs finished, none committed yet
    (folder / "ledger.jsonl").write_text("")
    (folder / "progress.json").write_text(json.dumps(
        {"finished": 3, "committed": 0, "failed": 0, "planned": 4}))
    lock = FolderLock(SweepFolder(folder))
    try:
        text = format_status(sweep_status(folder))
    finally:
        lock.release()
    assert "runs: 3 finished, 0 committed, 0 failed, 1 remaining of 4" in text, text
    # once the driver is gone only committed runs count
    assert "runs: 0 done, 0 failed, 4 remaining of 4" in format_status(sweep_status(folder))


# --- 4. sweep --reps and --set ---------------------------------------------------------

def test_sweep_reps_and_set_are_recorded_and_resume_must_repeat_them(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    spec = write(tmp_path, "small.toml", SMALL_SWEEP)
    out = tmp_path / "out"
    code, _, _ = run_cli(capsys, "sweep", spec, "--out", out, "--workers", "1", "--quiet",
                         "--reps", "1", "--set", "supervision.style=therapeutic")
    assert code == 0
    manifest = json.loads((out / "sweep_manifest.json").read_text())
    assert manifest["options"] == {"reps": 1, "set": {"supervision.style": "therapeutic"}}
    assert manifest["replications"] == {"mode": "fixed", "count": 1}
    assert manifest["base_parameters"]["supervision"]["style"] == "therapeutic"
    assert len([line for line in (out / "ledger.jsonl").read_text().splitlines()
                if '"type": "done"' in line]) == 2

    base = ["sweep", spec, "--out", out, "--workers", "1", "--quiet", "--resume"]
    code, _, err = run_cli(capsys, *base, "--set", "supervision.style=therapeutic")
    assert code == 2 and "started with --reps 1" in err and "gives no --reps" in err, err
    code, _, err = run_cli(capsys, *base, "--reps", "3", "--set",
                           "supervision.style=therapeutic")
    assert code == 2 and "--reps 1" in err and "--reps 3" in err, err
    code, _, err = run_cli(capsys, *base, "--reps", "1", "--set", "supervision.style=managerial")
    assert code == 2 and 'supervision.style="therapeutic"' in err, err
    assert 'supervision.style="managerial"' in err
    code, _, err = run_cli(capsys, *base, "--reps", "1")
    assert code == 2 and "does not set supervision.style" in err, err
    code, out_text, _ = run_cli(capsys, *base, "--reps", "1", "--set",
                                "supervision.style=therapeutic")
    assert code == 0 and "0 this session" in out_text


@pytest.mark.parametrize("option, expected", [
    ("funding.grant_term_years=2", "the sweep varies this parameter"),
    ("supervison.style=therapeutic", "did you mean"),
    ("supervision.style=cuddly", "'therapeutic' or 'managerial'"),
    ("run.weeks=0", "whole number from 1"),
    ("programme.agencies=true", "valid integer"),
])
def test_bad_sweep_set_options(option: str, expected: str, tmp_path: Path,
                               capsys: pytest.CaptureFixture[str]) -> None:
    spec = write(tmp_path, "small.toml", SMALL_SWEEP)
    code, _, err = run_cli(capsys, "sweep", spec, "--dry-run", "--set", option)
    assert code == 2 and f"--set {option}" in err and expected in err, err


def test_sweep_set_run_weeks_sets_the_horizon(tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    spec = write(tmp_path, "small.toml", SMALL_SWEEP)
    code, out, _ = run_cli(capsys, "sweep", spec, "--dry-run", "--set", "run.weeks=8",
                           "--reps", "3")
    assert code == 0 and "2 points x 3 replications = 6 runs of 8 weeks" in out, out


# --- 5. interrupting `run` -------------------------------------------------------------

def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                after = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(after[1]) == pid:
                found.append(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    try:
        return "State:\tZ" not in Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False


def _start_run(out: Path) -> tuple[subprocess.Popen[str], list[int]]:
    """A `run` with two workers, once its workers are busy: (process, worker pids)."""
    proc = subprocess.Popen([*MENTORSIM, "run", "baseline", "--reps", "16", "--workers", "2",
                             "--out", str(out), "--no-dashboard"], cwd=out.parent,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)
    assert proc.stderr is not None
    first = proc.stderr.readline()
    assert first.startswith("Running"), first
    deadline = time.monotonic() + 60
    workers: list[int] = []
    while time.monotonic() < deadline and len(workers) < 2:
        time.sleep(0.2)
        workers = [p for p in _children(proc.pid)
                   if "spawn_main" in Path(f"/proc/{p}/cmdline").read_text(errors="replace")]
    assert len(workers) == 2, "the workers did not start"
    time.sleep(1.0)  # they are running models now
    return proc, workers


def _gone_within(pids: list[int], seconds: float) -> list[int]:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and any(_alive(p) for p in pids):
        time.sleep(0.1)
    return [p for p in pids if _alive(p)]


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")
@pytest.mark.slow
def test_run_killed_with_sigkill_leaves_no_worker_and_the_next_run_is_clean(
        tmp_path: Path) -> None:
    proc, workers = _start_run(tmp_path / "killed")
    os.kill(proc.pid, signal.SIGKILL)
    proc.communicate(timeout=30)
    assert _gone_within(workers, 5.0) == [], "workers outlived the killed driver"
    # the next run removes a half-built folder whose builder is dead, and names one it
    # cannot check (no owner in its name: an older mentorsim)
    dead = subprocess.Popen(["true"])
    dead.wait()
    host = os.uname().nodename
    stale = tmp_path / f".killed.partial-{host}-{dead.pid}-abc123"
    old = tmp_path / ".older.partial-xyz789"
    for folder in (stale, old):
        folder.mkdir()
        (folder / "weekly.parquet").write_bytes(b"half")
    done = subprocess.run([*MENTORSIM, "run", "baseline", "--reps", "1", "--weeks", "4",
                           "--workers", "1", "--out", str(tmp_path / "next"),
                           "--no-dashboard"], cwd=tmp_path, capture_output=True, text=True,
                          timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    assert not stale.exists() and f"removed {stale}" in done.stderr
    assert old.exists() and f"{old} is an unfinished results folder" in done.stderr
    assert sorted(p.name for p in tmp_path.iterdir() if "partial" in p.name) == [old.name]


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")
def test_ctrl_c_with_workers_exits_130_with_one_line_and_no_traceback(tmp_path: Path) -> None:
    out = tmp_path / "interrupted"
    proc, workers = _start_run(out)
    os.killpg(proc.pid, signal.SIGINT)  # as a terminal does: the whole foreground group
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "Traceback" not in err and "KeyboardInterrupt" not in err, err
    assert err.strip().splitlines()[-1] == "interrupted: nothing was written", err
    assert _gone_within(workers, 5.0) == []
    assert not out.exists() and not [p for p in tmp_path.iterdir() if "partial" in p.name]


# --- 6. the adversarial corpus ---------------------------------------------------------

Case = Callable[[Path], list[str]]


def _scenario(body: str | bytes, name: str = "bad.toml") -> Case:
    def setup(tmp: Path) -> list[str]:
        return ["validate", str(write(tmp, name, body))]
    return setup


def _spec(body: str | bytes, *extra: str) -> Case:
    def setup(tmp: Path) -> list[str]:
        return ["sweep", str(write(tmp, "spec.toml", body)), "--dry-run", *extra]
    return setup


def _targets(tmp: Path) -> list[str]:
    return ["calibrate", "--check", "--targets",
            str(write(tmp, "targets.toml", b'[variants.a]\nscenario = "caf\xe9"\n'))]


def _big_scenario(tmp: Path) -> list[str]:
    path = tmp / "big.toml"
    with path.open("wb") as fh:
        fh.write(b'question = "big"\n')
        fh.truncate(50_000_000)
    return ["validate", str(path)]


def _out_under_a_file(tmp: Path) -> list[str]:
    write(tmp, "afile", "x")
    return ["run", "baseline", "--reps", "1", "--weeks", "2", "--out", str(tmp / "afile" / "r")]


def _sweep_out_under_a_file(tmp: Path) -> list[str]:
    write(tmp, "afile", "x")
    return ["sweep", str(write(tmp, "s.toml", SMALL_SWEEP)), "--out", str(tmp / "afile" / "r"),
            "--quiet", "--workers", "1"]


def _extends_missing(tmp: Path) -> list[str]:
    return ["validate", str(write(tmp, "child.toml", 'question = "c"\nextends = "nope/p.toml"\n'))]


def _extends_broken(tmp: Path) -> list[str]:
    write(tmp, "parent.toml", b'question = "p"\n[funding]\nx = "\xa3"\n')
    return ["validate", str(write(tmp, "child.toml", 'question = "c"\nextends = "parent.toml"\n'))]


NAN_SPEC = SMALL_SWEEP.replace("replications = 2", "[replications]\nmin = 2\nmax = 4\n"
                                                   "rel_half_width = nan")
CORPUS: dict[str, tuple[Case, list[str]]] = {
    "scenario_not_utf8": (_scenario(b'question = "caf\xe9"\n'), ["line 1", "not UTF-8"]),
    "scenario_empty": (_scenario(""), ["the file is empty"]),
    "scenario_only_comments": (_scenario("# nothing here\n"), ["the file is empty"]),
    "scenario_50_mb": (_big_scenario, ["too large for a scenario file"]),
    "scenario_huge_integer": (_scenario("[run]\nweeks = " + "9" * 5000 + "\n"),
                              ["not valid TOML", "4300 digits"]),
    "scenario_nested_deeply": (_scenario("x = " + "[" * 100_000), ["nested too deeply"]),
    "scenario_a_folder": (lambda tmp: ["validate", str(tmp)], ["no such scenario file"]),
    "extends_missing": (_extends_missing, ["child.toml: extends = 'nope/p.toml'",
                                           "no such scenario file"]),
    "extends_not_utf8": (_extends_broken, ["child.toml: extends = 'parent.toml'",
                                           "parent.toml line 3: not UTF-8"]),
    "spec_not_utf8": (_spec(b'name = "caf\xe9"\n'), ["line 1", "not UTF-8"]),
    "spec_excel_habit": (_spec(SMALL_SWEEP.replace("replications = 2", "replications = 2,000")),
                         ["numbers are written without thousands separators"]),
    "spec_name_parent": (_spec('name = "../../elsewhere"\n' + SMALL_SWEEP),
                         ["name = '../../elsewhere'", "plain name"]),
    "spec_name_separator": (_spec('name = "a/b"\n' + SMALL_SWEEP), ["name = 'a/b'"]),
    "spec_factorial_explodes": (_spec(SMALL_SWEEP.replace(
        '"funding.grant_term_years" = [1, 3]',
        '"funding.grant_term_years" = { range = [1, 5], levels = 1000 }\n'
        '"funding.renewal_probability" = { range = [0.1, 0.9], levels = 1000 }\n'
        '"supervision.sessions_per_month" = { range = [0, 4], levels = 1000 }')),
        ["1,000,000,000 points", "1000 x 1000 x 1000", "100,000"]),
    "spec_nan_half_width": (_spec(NAN_SPEC), ["rel_half_width = nan", "finite number"]),
    "spec_zero_replications": (_spec(SMALL_SWEEP.replace("replications = 2",
                                                         "replications = 0")),
                               ["replications.count = 0", "greater than or equal to 1"]),
    "spec_zero_horizon": (_spec(SMALL_SWEEP.replace("horizon_weeks = 20",
                                                    "horizon_weeks = 0")),
                          ["horizon_weeks = 0"]),
    "spec_zero_sd": (_spec(SMALL_SWEEP.replace(
        '"funding.grant_term_years" = [1, 3]',
        '"funding.grant_term_years" = { range = [1, 3], distribution = "truncnormal", sd = 0 }'
    ).replace('design = "factorial"', 'design = { kind = "lhs", samples = 4 }')),
        ["sd = 0", "greater than 0"]),
    "spec_nan_in_set": (_spec(SMALL_SWEEP + '[set]\n"funding.renewal_probability" = nan\n'),
                        ["funding.renewal_probability", "finite number"]),
    "flush_seconds_nan": (_spec(SMALL_SWEEP, "--flush-seconds", "nan"),
                          ["--flush-seconds", "above 0"]),
    "progress_every_zero": (_spec(SMALL_SWEEP, "--progress-every", "0"),
                            ["--progress-every", "above 0"]),
    "targets_not_utf8": (_targets, ["targets.toml line 2", "not UTF-8"]),
    "run_out_under_a_file": (_out_under_a_file, ["afile is a file, not a folder"]),
    "sweep_out_under_a_file": (_sweep_out_under_a_file, ["afile is a file, not a folder"]),
    "set_huge_integer": (lambda tmp: ["validate", "baseline", "--set",
                                      "run.weeks=" + "1" * 5000], ["not a value"]),
}


@pytest.mark.parametrize("case", sorted(CORPUS))
def test_adversarial_input_gets_a_clear_message_and_exit_2(
        case: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    setup, expected = CORPUS[case]
    argv = setup(tmp_path)
    start = time.monotonic()
    code, _, err = run_cli(capsys, *argv)
    assert code == 2, err
    for text in expected:
        assert text in err, f"{text!r} not in: {err}"
    assert len(err) < 5000, "a message, not a dump"
    assert time.monotonic() - start < 30, "answered quickly"


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write anywhere")
def test_out_in_an_unwritable_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o555)
    code, _, err = run_cli(capsys, "run", "baseline", "--reps", "1", "--weeks", "2", "--out",
                           locked / "r")
    assert code == 2 and "no permission to write" in err


def test_too_many_workers_are_capped_with_a_word(tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_cli(capsys, "run", "baseline", "--reps", "1", "--weeks", "2",
                           "--workers", "1000", "--out", tmp_path / "r", "--no-dashboard")
    assert code == 0 and "note: --workers 1000:" in err and "using" in err


@pytest.mark.parametrize("damage", ["empty_object", "json_list", "not_json"])
def test_a_damaged_manifest_is_named_everywhere(damage: str, small_sweep: tuple[Path, Path],
                                                tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    spec, out = small_sweep
    folder = copy_of(out, tmp_path)
    (folder / "sweep_manifest.json").write_text(
        {"empty_object": "{}", "json_list": "[1, 2]", "not_json": "{"}[damage])
    for argv in (["sweep-status", folder], ["analyse", folder], ["dashboard", folder],
                 ["sweep", spec, "--resume", "--out", folder, "--quiet", "--workers", "1"]):
        code, _, err = run_cli(capsys, *argv)
        assert code == 2 and "sweep_manifest.json" in err, (argv, err)


@pytest.mark.parametrize("damage", ["deleted", "truncated", "replaced"])
def test_a_lost_part_is_reported_and_resume_runs_its_runs_again(
        damage: str, small_sweep: tuple[Path, Path], tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    from sim.sweep.storage import read_runs

    spec, out = small_sweep
    folder = copy_of(out, tmp_path)
    part = folder / "runs" / "part-000001.parquet"
    if damage == "deleted":
        part.unlink()
    elif damage == "truncated":
        part.write_bytes(part.read_bytes()[:200])
    else:  # a readable file without the runs the ledger puts in it
        other = folder / "runs" / "part-000002.parquet"
        part.write_bytes(other.read_bytes())
    code, status, _ = run_cli(capsys, "sweep-status", folder)
    assert code == 0
    if damage != "replaced":  # sweep-status checks files and row counts, not every key
        assert "damaged:" in status and "part-000001.parquet" in status, status
        assert "incomplete" in status
        # the summaries cannot be rewritten without the rows
        code, _, err = run_cli(capsys, "analyse", folder)
        assert code == 2 and "part-000001.parquet" in err and "--resume" in err, err
    code, text, _ = run_cli(capsys, "sweep", spec, "--resume", "--out", folder, "--quiet",
                            "--workers", "1")
    assert code == 0 and "its 2 runs will be run again" in text and "2 this session" in text
    runs = read_runs(folder)
    assert len(runs) == 4 and not runs.duplicated(["point_id", "replication"]).any()
    code, status, _ = run_cli(capsys, "sweep-status", folder)
    assert "4 done, 0 failed, 0 remaining of 4" in status and "damaged" not in status


def test_a_ledger_that_is_not_utf8_is_handled(small_sweep: tuple[Path, Path], tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    spec, out = small_sweep
    folder = copy_of(out, tmp_path)
    ledger = folder / "ledger.jsonl"
    lines = ledger.read_bytes().splitlines(keepends=True)
    first_done = next(i for i, line in enumerate(lines) if b'"done"' in line)
    lines[first_done] = b'\xff\xfe' + lines[first_done]
    ledger.write_bytes(b"".join(lines))
    code, status, _ = run_cli(capsys, "sweep-status", folder)
    assert code == 0 and "1 line of ledger.jsonl cannot be read" in status, status
    assert "3 done" in status
    code, text, _ = run_cli(capsys, "sweep", spec, "--resume", "--out", folder, "--quiet",
                            "--workers", "1")
    assert code == 0 and "1 damaged line ignored" in text and "1 this session" in text


def test_dashboard_of_a_short_horizon_sweep(tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("plotly")
    spec = write(tmp_path, "short.toml", SMALL_SWEEP.replace("horizon_weeks = 20",
                                                             "horizon_weeks = 6"))
    code, _, _ = run_cli(capsys, "sweep", spec, "--out", tmp_path / "out", "--quiet",
                         "--workers", "1")
    assert code == 0
    code, out, _ = run_cli(capsys, "dashboard", tmp_path / "out")
    assert code == 0 and (tmp_path / "out" / "dashboard.html").is_file(), out


def test_numpy_levels_from_python_are_their_python_values() -> None:
    np = pytest.importorskip("numpy")
    from sim.scenario import load_scenario

    params = load_scenario("baseline", values={"programme.agencies": np.int64(2),
                                               "funding.renewal_probability": np.float64(0.7),
                                               "support.family_engagement": np.bool_(True)}
                           ).params
    assert (params.programme.agencies, params.funding.renewal_probability,
            params.support.family_engagement) == (2, 0.7, True)
