"""Faults a long sweep or run meets: a worker dying as a task is handed over, flipped bits
in a finished part, a full disk, SIGTERM, two runs writing one folder, more replications
wanted later. Each is survived, said in one line, and leaves nothing half-written."""

from __future__ import annotations

import errno
import json
import multiprocessing
import os
import shutil
import signal
import subprocess
import sys
import time
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from sim.cli import COMMANDS, build_parser, main
from sim.errors import EXIT_DISK

try:
    from test_sweep_support import TINY_FACTORIAL, run_table, write_spec
except ImportError:
    from tests.test_sweep_support import TINY_FACTORIAL, run_table, write_spec

MENTORSIM = [sys.executable, "-m", "sim"]
FLIPS = 60  # single-bit flips tried in a finished part file
SPAWN = multiprocessing.get_context("spawn")  # as the sweep's own pools
# Exit 130, or death by SIGINT (-2), which a shell also shows as 130: CPython ends that
# way when the interrupt landed inside an extension module's import (its flag for an
# unhandled KeyboardInterrupt stays set), after mentorsim has cleaned up and said so.
INTERRUPTED = (130, -signal.SIGINT)


def _sweep(spec: Path, out: Path, *extra: str) -> int:
    return main(["sweep", str(spec), "--out", str(out), "--quiet", *extra])


def _ledger(folder: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in (folder / "ledger.jsonl").read_text().splitlines()]


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A finished serial sweep of the tiny spec (8 runs in one part): (spec, folder)."""
    folder = tmp_path_factory.mktemp("faults")
    spec = write_spec(folder)
    assert _sweep(spec, folder / "out", "--workers", "1") == 0
    return spec, folder / "out"


# --- a worker that dies as a task is submitted ----------------------------------------

class _KillAtSubmission(Executor):
    """A process pool one of whose workers is killed just before the ``at``-th submission,
    which then meets the broken pool (as when a worker dies between two submissions)."""

    def __init__(self, workers: int, at: int) -> None:
        self.workers, self.at, self.submitted, self.refused = workers, at, 0, 0
        self.pool = ProcessPoolExecutor(workers, mp_context=SPAWN)

    def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> Future[Any]:
        self.submitted += 1
        if self.submitted == self.at:
            self.pool.submit(int).result()  # the workers exist
            os.kill(next(iter(self.pool._processes)), signal.SIGKILL)
            deadline = time.monotonic() + 30
            while not self.pool._broken and time.monotonic() < deadline:
                time.sleep(0.01)
        try:
            return self.pool.submit(fn, *args, **kwargs)
        except BrokenProcessPool:
            self.refused += 1
            raise

    def restart(self) -> Executor:
        self.pool.shutdown(wait=False, cancel_futures=True)
        self.pool = ProcessPoolExecutor(self.workers, mp_context=SPAWN)
        return self

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        self.pool.shutdown(wait=wait, cancel_futures=cancel_futures)


@pytest.mark.parametrize("at", [1, 3])
@pytest.mark.slow
def test_a_worker_killed_at_submission_never_stops_the_sweep(
        reference: tuple[Path, Path], tmp_path: Path, at: int) -> None:
    from sim.sweep.engine import run_sweep
    from sim.sweep.executors import Backend
    from sim.sweep.spec import load_spec

    spec, serial = reference
    executor = _KillAtSubmission(2, at)
    backend = Backend(executor, 2, "pool", restart=executor.restart, close=executor.shutdown)
    try:
        report = run_sweep(load_spec(spec), tmp_path / "out", backend=backend,
                           show_progress=False, retries=0)
    finally:
        backend.close()
    assert executor.refused >= 1, "the submission did not meet the broken pool"
    assert report.status == "complete" and report.failed == 0
    pd.testing.assert_frame_equal(run_table(tmp_path / "out"), run_table(serial))


# --- flipped bits in a committed part ---------------------------------------------------

def _flip(path: Path, bit: int) -> None:
    data = bytearray(path.read_bytes())
    data[bit // 8] ^= 1 << (bit % 8)
    path.write_bytes(bytes(data))


def test_every_flipped_bit_in_a_part_is_found_and_never_read(
        reference: tuple[Path, Path], tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    from sim.sweep.integrity import check_parts
    from sim.sweep.ledger import read_ledger
    from sim.sweep.storage import SweepFolder

    _, out = reference
    part = next((out / "runs").glob("part-*.parquet"))
    bits = np.random.default_rng(26).choice(part.stat().st_size * 8, FLIPS, replace=False)
    found = 0
    copy = tmp_path / "copy"
    for i, bit in enumerate(sorted(int(b) for b in bits)):
        shutil.rmtree(copy, ignore_errors=True)
        shutil.copytree(out, copy)
        _flip(copy / "runs" / part.name, bit)
        folder = SweepFolder(copy)
        lost = check_parts(folder, read_ledger(folder.ledger))
        found += [x.part for x in lost] == [part.stem]
        if i % 10 == 0:  # analyse refuses to read it (and says how to mend it)
            assert main(["analyse", str(copy)]) == 2
            err = capsys.readouterr().err
            assert "damaged" in err and "--resume" in err, err
    assert found == FLIPS


def test_a_damaged_part_is_run_again_on_resume(reference: tuple[Path, Path],
                                               tmp_path: Path) -> None:
    spec, out = reference
    copy = tmp_path / "copy"
    shutil.copytree(out, copy)
    part = next((copy / "runs").glob("part-*.parquet"))
    _flip(part, part.stat().st_size * 4)  # a bit in the middle of the file
    assert _sweep(spec, copy, "--resume", "--workers", "1") == 0
    pd.testing.assert_frame_equal(run_table(copy), run_table(out))
    lost = [r for r in _ledger(copy) if r["type"] == "lost"]
    assert len(lost) == 1 and "SHA-256" in lost[0]["reason"]
    assert (copy / "runs" / f".{part.stem}.parquet.damaged").exists()  # kept to look at
    # every file written since is vouched for by its digest
    parts = [r for r in _ledger(copy) if r["type"] == "part"]
    assert len(parts) == 2 and all(len(r["sha256"]) == 1 for r in parts)


# --- a full disk ---------------------------------------------------------------------------

def _enospc(*_args: Any, **_kwargs: Any) -> None:
    raise OSError(errno.ENOSPC, "No space left on device", "weekly.parquet")


def test_a_full_disk_during_run_is_one_line_and_leaves_nothing(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    import sim.results

    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sim.results, "write_tables", _enospc)
    code = main(["run", "baseline", "--reps", "1", "--weeks", "4", "--workers", "1",
                 "--out", "out", "--no-dashboard"])
    err = capsys.readouterr().err
    assert code == EXIT_DISK, err
    assert err.strip().splitlines()[-1] == (
        "error: No space left on device writing weekly.parquet; nothing was written (free "
        "some space, or choose --out on another disk)")
    assert "Traceback" not in err and os.listdir(tmp_path) == []


def test_too_little_free_space_is_said_before_simulating(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    import sim.runner

    monkeypatch.setattr(shutil, "disk_usage", lambda _p: shutil._ntuple_diskusage(
        10**9, 10**9 - 100_000, 100_000))
    monkeypatch.setattr(sim.runner, "run_scenarios", _enospc)  # never reached
    code = main(["run", "baseline", "--reps", "2", "--out", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert code == 2 and "needs about" in err and "only 0.1 MB free" in err, err
    code = main(["sweep", str(write_spec(tmp_path)), "--out", str(tmp_path / "sw")])
    err = capsys.readouterr().err
    assert code == 2 and "needs about" in err and not (tmp_path / "sw").exists(), err


def test_a_full_disk_during_a_sweep_keeps_what_was_committed(
        reference: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    import sim.sweep.engine

    spec, out = reference
    real = sim.sweep.engine.write_parquet_atomic
    calls = {"n": 0}

    def fills_up(frame: Any, path: Path) -> None:
        calls["n"] += 1
        if calls["n"] > 3:  # the folder's own files, then the first part; then the disk
            _enospc()
        real(frame, path)

    monkeypatch.setattr(sim.sweep.engine, "write_parquet_atomic", fills_up)
    code = _sweep(spec, tmp_path / "out", "--workers", "1", "--batch-size", "3")
    err = capsys.readouterr().err
    assert code == EXIT_DISK, err
    assert "No space left on device" in err and "--resume" in err and "Traceback" not in err
    assert _ledger(tmp_path / "out")[-1]["type"] == "end"
    monkeypatch.setattr(sim.sweep.engine, "write_parquet_atomic", real)
    assert _sweep(spec, tmp_path / "out", "--resume", "--workers", "1") == 0
    pd.testing.assert_frame_equal(run_table(tmp_path / "out"), run_table(out))


def _mount_tmpfs(where: Path, size: str) -> None:
    where.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)],
                          capture_output=True, text=True, check=False)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here ({done.stderr.strip() or 'no mount'})")


@pytest.mark.skipif(shutil.which("mount") is None or os.geteuid() != 0,
                    reason="mounting a tmpfs needs root")
@pytest.mark.slow
def test_a_real_full_disk_on_a_small_tmpfs(tmp_path: Path) -> None:
    disk = tmp_path / "disk"
    _mount_tmpfs(disk, "8m")
    try:
        proc = subprocess.Popen([*MENTORSIM, "run", "baseline", "--reps", "4", "--weeks",
                                 "104", "--workers", "1", "--out", str(disk / "out"),
                                 "--no-dashboard"], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 60
        while not any(p.name.startswith(".out.partial-") for p in disk.iterdir()):
            assert proc.poll() is None and time.monotonic() < deadline, proc.communicate()
            time.sleep(0.01)
        filler = disk / "filler"  # fill the disk once the run has claimed its folder
        with open(filler, "wb") as fh, pytest.raises(OSError):
            while True:
                fh.write(b"\0" * 65536)
                fh.flush()
        _, err = proc.communicate(timeout=120)
        assert proc.returncode == EXIT_DISK, err
        assert "No space left on device" in err and "Traceback" not in err, err
        assert sorted(p.name for p in disk.iterdir()) == ["filler"]  # nothing half-written
    finally:
        subprocess.run(["umount", str(disk)], check=False)


# --- SIGTERM, Ctrl-C and two runs on one folder -----------------------------------------------

def _start(out: Path, *extra: str) -> subprocess.Popen[str]:
    """A `run` of a few seconds, once it has claimed its folder."""
    proc = subprocess.Popen([*MENTORSIM, "run", "baseline", "--reps", "12", "--workers",
                             "1", "--out", str(out), "--no-dashboard", *extra],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while not any(p.name.startswith(f".{out.name}.partial-") for p in out.parent.iterdir()):
        assert proc.poll() is None and time.monotonic() < deadline, proc.communicate()
        time.sleep(0.01)
    return proc


def test_sigterm_stops_a_run_like_ctrl_c(tmp_path: Path) -> None:
    proc = _start(tmp_path / "out")
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode in INTERRUPTED, err
    assert err.strip().splitlines()[-1] == "interrupted: nothing was written", err
    assert "Traceback" not in err and os.listdir(tmp_path) == []


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_an_interrupt_a_library_turns_into_its_own_error_is_still_one_line(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
        signum: int) -> None:
    """pydantic, building a schema when the signal lands, raises ``SchemaError`` in place of
    the ``KeyboardInterrupt``: still the one line and 130, never a traceback."""
    def command(_args: Any) -> int:
        try:
            os.kill(os.getpid(), signum)
            time.sleep(5)  # the handler raises before this ends
        except KeyboardInterrupt:
            raise RuntimeError("Error building `literal` serializer: KeyboardInterrupt") from None
        return 0

    monkeypatch.setitem(COMMANDS, "scenarios", command)
    assert main(["scenarios"]) == 130
    assert capsys.readouterr().err == "interrupted: nothing was written\n"
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # put back


def test_an_interrupt_after_the_folder_is_written_says_so(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    """Ctrl-C while the report prints, after the results folder is complete: the folder
    stays, and the line says it was written (not "nothing was written")."""
    import sim.terminal

    def interrupt(*_args: Any, **_kwargs: Any) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(sim.terminal, "print_report", interrupt)
    out = tmp_path / "done"
    assert main(["run", "baseline", "--reps", "1", "--weeks", "8", "--workers", "1",
                 "--no-dashboard", "--out", str(out)]) == 130
    err = capsys.readouterr().err
    assert err.endswith(f"interrupted after {out} was written complete\n"), err
    assert (out / "manifest.json").is_file()
    monkeypatch.setattr(sim.terminal, "print_report", interrupt)
    # a later command in the same process does not claim this folder
    def command(_args: Any) -> int:
        raise KeyboardInterrupt

    monkeypatch.setitem(COMMANDS, "scenarios", command)
    assert main(["scenarios"]) == 130
    assert capsys.readouterr().err == "interrupted: nothing was written\n"


def test_an_error_with_no_interrupt_is_not_taken_for_one(
        monkeypatch: pytest.MonkeyPatch) -> None:
    def command(_args: Any) -> int:
        raise RuntimeError("a real fault")

    monkeypatch.setitem(COMMANDS, "scenarios", command)
    with pytest.raises(RuntimeError, match="a real fault"):
        main(["scenarios"])


@pytest.mark.slow
@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_no_partial_folder_survives_an_interrupt_at_any_moment(tmp_path: Path,
                                                               signum: int) -> None:
    for delay in (0.0, 0.2, 0.5, 0.8, 1.1, 1.4, 1.8):
        out = tmp_path / f"out{delay}"
        proc = subprocess.Popen([*MENTORSIM, "run", "baseline", "--reps", "2", "--weeks",
                                 "26", "--workers", "1", "--out", str(out), "--no-dashboard"],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        time.sleep(delay)
        proc.send_signal(signum)
        _, err = proc.communicate(timeout=60)
        assert "Traceback" not in err, err
        # -signum: before Python set its handlers, or after the run ended
        assert proc.returncode in (0, -signum, *INTERRUPTED), err
        assert not [p.name for p in tmp_path.iterdir() if "partial" in p.name], delay
        if err.endswith("interrupted: nothing was written\n"):
            assert not out.exists()
        if err.endswith("was written complete\n"):  # the signal came as it printed
            assert (out / "manifest.json").is_file()
        assert not out.exists() or (out / "manifest.json").exists()  # whole, or not at all


@pytest.mark.slow
def test_a_second_run_on_the_same_out_stops_before_simulating(tmp_path: Path) -> None:
    first = _start(tmp_path / "out")
    try:
        start = time.monotonic()
        second = subprocess.run([*MENTORSIM, "run", "baseline", "--reps", "12", "--workers",
                                 "1", "--out", str(tmp_path / "out"), "--no-dashboard"],
                                capture_output=True, text=True, timeout=120, check=False)
        assert second.returncode == 2, second.stderr
        assert f"another mentorsim process (pid {first.pid}) is writing this folder" in (
            second.stderr)
        assert "Traceback" not in second.stderr
        assert first.poll() is None and time.monotonic() - start < 30
    finally:
        first.send_signal(signal.SIGTERM)
        first.communicate(timeout=60)


def test_a_folder_made_meanwhile_keeps_the_finished_results_beside_it(tmp_path: Path) -> None:
    from sim.errors import UserError
    from sim.files import building

    out = tmp_path / "out"
    with (pytest.raises(UserError, match="appeared while this run was working") as info,
          building(out) as tmp):
        (tmp / "summary.csv").write_text("done\n")
        out.mkdir()
        (out / "theirs.txt").write_text("x")
    kept = Path(str(info.value).rsplit("kept in ", 1)[1])
    assert (kept / "summary.csv").read_text() == "done\n" and (out / "theirs.txt").exists()


# --- ledger, top-up, options ---------------------------------------------------------------

class _InterruptedExecutor(Executor):
    def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> Future[Any]:
        raise KeyboardInterrupt


def test_an_interrupted_session_ends_its_ledger(reference: tuple[Path, Path],
                                                tmp_path: Path) -> None:
    from sim.sweep.engine import SweepInterruptedError, run_sweep
    from sim.sweep.executors import Backend
    from sim.sweep.spec import load_spec

    spec, _ = reference
    with pytest.raises(SweepInterruptedError):
        run_sweep(load_spec(spec), tmp_path / "out",
                  backend=Backend(_InterruptedExecutor(), 1, "interrupted"),
                  show_progress=False)
    last = _ledger(tmp_path / "out")[-1]
    assert last["type"] == "end" and last["status"] == "interrupted"


def test_replications_are_topped_up_in_place(reference: tuple[Path, Path], tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    spec, two = reference
    three = tmp_path / "three"
    assert _sweep(spec, three, "--workers", "1", "--reps", "3") == 0
    out = tmp_path / "out"
    shutil.copytree(two, out)
    assert _sweep(spec, out, "--workers", "1", "--top-up", "--reps", "3") == 0
    printed = capsys.readouterr().out
    assert "topped up from 2 to 3 replications" in printed and "4 this session" in printed
    pd.testing.assert_frame_equal(run_table(out), run_table(three))
    manifest = json.loads((out / "sweep_manifest.json").read_text())
    assert manifest["replications"] == {"mode": "fixed", "count": 3}
    assert [t["from"] for t in manifest["top_ups"]] == [2]
    assert _sweep(spec, out, "--workers", "1", "--resume", "--reps", "3") == 0  # resumable
    assert _sweep(spec, out, "--workers", "1", "--top-up", "--reps", "1") == 2
    assert "cannot remove any" in capsys.readouterr().err
    other = write_spec(tmp_path, TINY_FACTORIAL.replace("seed = 11", "seed = 12"), "other")
    assert _sweep(other, out, "--workers", "1", "--top-up", "--reps", "4") == 2
    assert "same points" in capsys.readouterr().err


def test_address_is_the_dask_word_for_the_scheduler() -> None:
    args = build_parser().parse_args(["sweep", "x.toml", "--address", "tcp://127.0.0.1:8786"])
    assert args.scheduler == "tcp://127.0.0.1:8786"
