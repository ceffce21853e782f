"""The sweep engine: identical results on every executor, kill -9 and resume, failures.

Runs are 52 weeks and sweeps 8-18 runs, so each test takes seconds.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from concurrent.futures import Executor, Future
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from sim.cli import main

try:
    from test_sweep_support import TINY_FACTORIAL, run_table, write_spec
except ImportError:
    from tests.test_sweep_support import TINY_FACTORIAL, run_table, write_spec

NINE_POINTS = TINY_FACTORIAL.replace("[1, 3]", "[1, 2, 3]").replace("[0, 2]", "[0, 1, 2]")


def _sweep(spec: Path, out: Path, *extra: str) -> int:
    return main(["sweep", str(spec), "--out", str(out), "--quiet", *extra])


def _done_lines(ledger: Path) -> int:
    if not ledger.exists():
        return 0
    return sum('"type": "done"' in line for line in ledger.read_text().splitlines())


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """An uninterrupted serial sweep of the nine-point spec: (spec, folder)."""
    folder = tmp_path_factory.mktemp("reference")
    spec = write_spec(folder, NINE_POINTS, "nine")
    assert _sweep(spec, folder / "out", "--workers", "1") == 0
    return spec, folder / "out"


def test_folder_contract(reference: tuple[Path, Path]) -> None:
    _, out = reference
    manifest = json.loads((out / "sweep_manifest.json").read_text())
    for key in ("spec_name", "spec_hash", "design", "levers", "uncertainties", "outcomes",
                "root_seed", "mentorsim_version", "python_version", "mesa_version",
                "git_commit", "host", "created_utc", "timings"):
        assert key in manifest, key
    assert manifest["design"] == "factorial" and manifest["status"] == "complete"
    assert manifest["levers"] == ["funding.grant_term_years", "supervision.sessions_per_month"]
    points = pd.read_parquet(out / "points.parquet")
    assert list(points.columns) == ["point_id", *manifest["columns"]] and len(points) == 9
    assert list(manifest["columns"].values()) == manifest["levers"]
    summary = pd.read_parquet(out / "point_summary.parquet")
    assert list(summary.columns) == ["point_id", "metric", "mean", "ci_low", "ci_high",
                                     "replications"]
    runs = run_table(out)
    assert len(runs) == 18 and not runs.duplicated(["point_id", "replication"]).any()
    assert {"seed", "funding__grant_term_years", "abandonment_rate"} <= set(runs.columns)
    # replication k has the same seed at every point (common random numbers)
    assert runs.groupby("replication")["seed"].nunique().eq(1).all()
    mean = runs[runs["point_id"] == 4]["abandonment_rate"].mean()
    row = summary[(summary["point_id"] == 4) & (summary["metric"] == "abandonment_rate")]
    assert row["mean"].item() == pytest.approx(mean)
    assert len(list((out / "runs").glob("part-*.parquet"))) == 1  # batched, not per run


@pytest.mark.slow
def test_serial_process_pool_and_dask_give_identical_results(tmp_path: Path) -> None:
    distributed = pytest.importorskip("distributed")
    spec = write_spec(tmp_path)
    assert _sweep(spec, tmp_path / "serial", "--workers", "1") == 0
    assert _sweep(spec, tmp_path / "pool", "--workers", "2", "--batch-size", "3") == 0
    with distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=False,
                                  protocol="tcp://", host="127.0.0.1",
                                  dashboard_address=None) as cluster:
        address = cluster.scheduler_address
        assert address.startswith("tcp://127.0.0.1:")
        assert _sweep(spec, tmp_path / "dask", "--scheduler", address) == 0
    serial = run_table(tmp_path / "serial")
    assert len(serial) == 8
    for other in ("pool", "dask"):
        pd.testing.assert_frame_equal(serial, run_table(tmp_path / other))
        pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "serial/point_summary.parquet"),
                                      pd.read_parquet(tmp_path / other / "point_summary.parquet"))


@pytest.mark.slow
def test_killed_sweep_resumes_to_the_uninterrupted_result(reference: tuple[Path, Path],
                                                          tmp_path: Path) -> None:
    spec, uninterrupted = reference
    out = tmp_path / "killed"
    proc = subprocess.Popen([sys.executable, "-m", "sim", "sweep", str(spec), "--out",
                             str(out), "--workers", "1", "--batch-size", "2", "--quiet"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while _done_lines(out / "ledger.jsonl") < 4 and proc.poll() is None:
        assert time.monotonic() < deadline, "sweep made no progress"
        time.sleep(0.02)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert proc.returncode == -signal.SIGKILL
    done_before = _done_lines(out / "ledger.jsonl")
    assert 4 <= done_before < 18, "the kill must land part-way"
    assert _sweep(spec, out, "--resume", "--workers", "1") == 0
    resumed = run_table(out)
    pd.testing.assert_frame_equal(resumed, run_table(uninterrupted))
    assert _done_lines(out / "ledger.jsonl") == 18  # no run committed twice
    # the part files hold no row twice either (orphans of the kill were removed)
    parts = pd.concat(pd.read_parquet(p) for p in (out / "runs").glob("part-*.parquet"))
    assert len(parts) == 18


@pytest.mark.slow
def test_sigterm_commits_finished_runs_and_resume_completes(reference: tuple[Path, Path],
                                                            tmp_path: Path) -> None:
    spec, uninterrupted = reference
    out = tmp_path / "terminated"
    proc = subprocess.Popen([sys.executable, "-m", "sim", "sweep", str(spec), "--out",
                             str(out), "--workers", "1", "--batch-size", "100",
                             "--progress-every", "0.2"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    assert proc.stderr is not None
    records = []
    for line in proc.stderr:  # progress records arrive every 0.2 s (stderr is a pipe)
        if line.startswith("{"):
            records.append(json.loads(line))
            if records[-1]["done"] >= 2:  # some runs finished, none committed (batch 100)
                break
    proc.send_signal(signal.SIGTERM)
    _, rest = proc.communicate(timeout=60)
    err = rest
    records += [json.loads(x) for x in rest.splitlines() if x.startswith("{")]
    assert proc.returncode == 130, err
    assert "--resume" in err
    # off a terminal, progress comes as one-line JSON records (for cluster logs)
    assert records[-1]["planned"] == 18
    assert {"done", "failed", "runs_per_s", "eta_s"} <= set(records[-1])
    manifest = json.loads((out / "sweep_manifest.json").read_text())
    assert manifest["status"] == "interrupted"
    assert _done_lines(out / "ledger.jsonl") >= 2  # what had finished was committed
    assert _sweep(spec, out, "--resume", "--workers", "1") == 0
    pd.testing.assert_frame_equal(run_table(out), run_table(uninterrupted))


def test_failing_point_is_recorded_and_the_rest_completes(tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch,
                                                         capsys: pytest.CaptureFixture[str]
                                                         ) -> None:
    spec = write_spec(tmp_path)
    monkeypatch.setenv("MENTORSIM_SWEEP_FAULT", "raise:1")
    assert _sweep(spec, tmp_path / "out", "--workers", "1", "--retries", "2") == 1
    printed = capsys.readouterr().out
    assert "2 failed" in printed and "InjectedFaultError" in printed
    failures = pd.read_csv(tmp_path / "out" / "failures.csv")
    assert failures[["point_id", "replication", "attempts"]].values.tolist() == [[1, 0, 3],
                                                                                 [1, 1, 3]]
    runs = run_table(tmp_path / "out")
    assert sorted(runs["point_id"].unique()) == [0, 2, 3] and len(runs) == 6
    ledger = [json.loads(x) for x in (tmp_path / "out" / "ledger.jsonl").read_text().splitlines()]
    failed = [r for r in ledger if r["type"] == "failed"]
    assert len(failed) == 6 and all("InjectedFaultError" in r["traceback"] for r in failed)
    assert main(["sweep-status", str(tmp_path / "out"), "--failures"]) == 0
    status = capsys.readouterr().out
    assert "6 done, 2 failed, 0 remaining of 8" in status and "Traceback" in status
    # once the cause is fixed, --resume runs only the failed runs
    monkeypatch.delenv("MENTORSIM_SWEEP_FAULT")
    assert _sweep(spec, tmp_path / "out", "--resume", "--workers", "1") == 0
    assert len(run_table(tmp_path / "out")) == 8


@pytest.mark.slow
def test_dying_worker_is_isolated_and_the_pool_replaced(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    spec = write_spec(tmp_path)
    monkeypatch.setenv("MENTORSIM_SWEEP_FAULT", "exit:1:0")  # the worker running 1:0 dies
    assert _sweep(spec, tmp_path / "out", "--workers", "2", "--retries", "0") == 1
    failures = pd.read_csv(tmp_path / "out" / "failures.csv")
    assert failures[["point_id", "replication", "attempts"]].values.tolist() == [[1, 0, 1]]
    assert "BrokenProcessPool" in failures["error"].item()
    assert len(run_table(tmp_path / "out")) == 7  # runs that shared the pool were re-run


def test_existing_folder_and_changed_spec_are_refused(reference: tuple[Path, Path],
                                                      tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    spec, out = reference
    assert _sweep(spec, out) == 2
    assert "add --resume" in capsys.readouterr().err
    changed = write_spec(tmp_path, NINE_POINTS.replace("seed = 11", "seed = 12"), "nine")
    assert _sweep(changed, out, "--resume") == 2
    assert "different spec" in capsys.readouterr().err
    assert main(["sweep", str(spec), "--resume"]) == 2
    assert "--resume needs --out" in capsys.readouterr().err


def test_resume_of_a_finished_sweep_runs_nothing(reference: tuple[Path, Path],
                                                 tmp_path: Path) -> None:
    spec, out = reference
    copy = tmp_path / "copy"
    subprocess.run(["cp", "-r", str(out), str(copy)], check=True)
    before = sorted(p.name for p in (copy / "runs").iterdir())
    assert _sweep(spec, copy, "--resume", "--workers", "1") == 0
    assert sorted(p.name for p in (copy / "runs").iterdir()) == before


def test_agent_tables_are_opt_in(tmp_path: Path) -> None:
    spec = write_spec(tmp_path, TINY_FACTORIAL + '\n[output]\nagent_tables = ["matches"]\n')
    assert _sweep(spec, tmp_path / "out", "--workers", "1") == 0
    matches = pd.read_parquet(tmp_path / "out" / "tables" / "matches")
    assert list(matches.columns[:2]) == ["point_id", "replication"]
    assert set(zip(matches["point_id"], matches["replication"], strict=True)) == {
        (p, r) for p in range(4) for r in range(2)}
    assert not (tmp_path / "out" / "tables" / "mentors").exists()


class _RecordingExecutor(Executor):
    """A process pool that notes the runs of each submitted task."""

    def __init__(self, workers: int) -> None:
        from sim.sweep.executors import _process_pool

        self.start = lambda: _process_pool(workers)
        self.pool = self.start()
        self.tasks: list[list[tuple[int, int]]] = []

    @property
    def sizes(self) -> list[int]:
        return [len(t) for t in self.tasks]

    def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> Future[Any]:
        self.tasks.append([(t.point_id, t.replication) for t in args[0]])
        return self.pool.submit(fn, *args, **kwargs)

    def restart(self) -> Executor:
        self.pool.shutdown(wait=False, cancel_futures=True)
        self.pool = self.start()
        return self

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        self.pool.shutdown(wait=wait, cancel_futures=cancel_futures)


@pytest.mark.slow
def test_batched_tasks_give_the_serial_result_in_run_order(reference: tuple[Path, Path],
                                                           tmp_path: Path) -> None:
    from sim.sweep.engine import run_sweep
    from sim.sweep.executors import Backend
    from sim.sweep.spec import load_spec

    spec, serial = reference
    recording = _RecordingExecutor(2)
    backend = Backend(recording, 2, "recording pool", close=recording.shutdown)
    try:
        report = run_sweep(load_spec(spec), tmp_path / "batched", backend=backend,
                           batch_size=5, max_runs_per_task=4, show_progress=False)
    finally:
        backend.close()
    assert report.status == "complete" and report.done == 18
    # one run a task until run times are known, then several (at most 4 here), fewer
    # towards the end
    assert recording.sizes[:4] == [1, 1, 1, 1] and sum(recording.sizes) == 18
    assert max(recording.sizes) > 1 and recording.sizes[-1] == 1
    pd.testing.assert_frame_equal(run_table(serial), run_table(tmp_path / "batched"))
    for name in ("point_summary.parquet",):
        pd.testing.assert_frame_equal(pd.read_parquet(serial / name),
                                      pd.read_parquet(tmp_path / "batched" / name))
    for name in ("point_summary.csv", "convergence.csv", "failures.csv"):
        assert (serial / name).read_text() == (tmp_path / "batched" / name).read_text(), name
    # each task's runs are committed in run order
    ledger = [json.loads(x) for x in (tmp_path / "batched" / "ledger.jsonl").read_text()
              .splitlines()]
    done = [r["run"] for r in ledger if r["type"] == "done"]
    assert sorted(done) == sorted(set(done)) and len(done) == 18


@pytest.mark.slow
def test_dying_worker_loses_its_batch_and_only_the_culprit_is_charged(
        reference: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from sim.sweep.engine import run_sweep
    from sim.sweep.executors import Backend
    from sim.sweep.spec import load_spec

    spec, serial = reference
    # the worker running 2:1 dies; the fifth task is 2:0 and 2:1 (the first four carry one
    # run each, then 14 runs remain for 2 slots: 2 runs a task)
    monkeypatch.setenv("MENTORSIM_SWEEP_FAULT", "exit:2:1")
    # task sizes by share of what remains only: on a loaded machine a run can take longer
    # than a task's target time, and every task would then carry one run
    monkeypatch.setattr("sim.sweep.engine.TASK_SECONDS", 1e9)
    recording = _RecordingExecutor(2)
    backend = Backend(recording, 2, "recording pool", restart=recording.restart,
                      close=recording.shutdown)
    try:
        report = run_sweep(load_spec(spec), tmp_path / "out", backend=backend, retries=0,
                           show_progress=False)
    finally:
        backend.close()
    assert report.status == "complete_with_failures"
    assert [k for keys in report.failures.values() for k in keys] == [(2, 1)]
    first = next(t for t in recording.tasks if (2, 1) in t)
    assert len(first) > 1, "the culprit was sent in a batch of several runs"
    assert [(2, 1)] in recording.tasks, "then alone, once under suspicion"
    # the batch's other runs (and those of the broken pool) were re-run and are unchanged
    expected = run_table(serial)
    expected = expected[(expected["point_id"] != 2) | (expected["replication"] != 1)]
    pd.testing.assert_frame_equal(run_table(tmp_path / "out"),
                                  expected.reset_index(drop=True))


@pytest.mark.slow
def test_summaries_streamed_by_block_match_the_whole(reference: tuple[Path, Path],
                                                     tmp_path: Path) -> None:
    from sim.sweep.analysis import point_blocks, stream_summaries, write_summaries
    from sim.sweep.manifest import read_manifest

    _, out = reference
    copy = tmp_path / "copy"
    subprocess.run(["cp", "-r", str(out), str(copy)], check=True)
    manifest = read_manifest(copy / "sweep_manifest.json")
    whole = write_summaries(copy, manifest)
    texts = {n: (copy / n).read_text() for n in ("point_summary.csv", "convergence.csv",
                                                 "failures.csv")}
    assert point_blocks([(p, r) for p in range(9) for r in range(2)], 5) == [
        (0, 2), (2, 4), (4, 6), (6, 8), (8, 9)]
    stream_summaries(copy, manifest, block_runs=5)
    written = pd.read_parquet(copy / "point_summary.parquet")  # metric: a category there
    pd.testing.assert_frame_equal(written.astype({"metric": whole["metric"].dtype}), whole)
    for name, text in texts.items():
        assert (copy / name).read_text() == text, name
