"""Runs go in batches to one pool; tables come back as compact Parquet parts, in job order.

Short horizons (26 weeks) and a handful of runs keep these to seconds.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from sim.results import TableParts, parquet_bytes, write_parquet_parts, write_tables
from sim.rng import replication_seeds
from sim.runner import (
    TABLES,
    Job,
    batch_size,
    batches,
    collect,
    execute,
    make_jobs,
    map_batches,
    run_scenarios,
)
from sim.scenario import load_scenario

WEEKS = 26


def _scenarios() -> list:
    return [load_scenario("baseline", [], {"weeks": WEEKS}),
            load_scenario("stop_start_grants", [], {"weeks": WEEKS})]


def _first_batch_last(jobs: Sequence[Job]) -> list[int]:
    """Replications of a batch; the batch holding replication 0 finishes last."""
    if any(job.replication == 0 for job in jobs):
        time.sleep(1.0)
    return [job.replication for job in jobs]


def test_batch_sizes_give_each_worker_several_tasks() -> None:
    assert batch_size(240, 2) == 30  # 8 tasks: 4 per worker
    assert batch_size(7, 2) == 1
    assert batch_size(100_000, 2) == 32  # capped: bounded memory and progress steps
    assert [len(b) for b in batches(list(range(10)), 4)] == [4, 4, 2]
    assert batches([], 3) == []


@pytest.mark.slow
def test_batches_finish_out_of_order_and_are_put_back_in_job_order() -> None:
    scenario = _scenarios()[0]
    jobs = [Job("s", k, k + 1, scenario.params) for k in range(6)]
    seen = list(map_batches(_first_batch_last, jobs, workers=2, size=2))
    assert [seq for seq, _, _ in seen] != [0, 1, 2], "the slow first batch should end last"
    assert sorted(seq for seq, _, _ in seen) == [0, 1, 2]
    for seq, chunk, result in seen:
        assert list(chunk) == jobs[2 * seq:2 * seq + 2]
        assert result == [job.replication for job in chunk]


@pytest.mark.slow
def test_results_do_not_depend_on_workers_or_batching() -> None:
    scenarios = _scenarios()
    serial = run_scenarios(scenarios, 3, 5, workers=1, progress=False)
    pooled = run_scenarios(scenarios, 3, 5, workers=2, progress=False)
    # the DataFrames each run produces, concatenated as before batching
    legacy = collect(execute(make_jobs(scenarios, 3, 5), workers=2), replication_seeds(5, 3))
    for name in TABLES:
        for other in (pooled, legacy):
            pd.testing.assert_frame_equal(serial.tables[name], other.tables[name],
                                          check_exact=True)
        assert list(serial.tables[name][["scenario", "replication"]].drop_duplicates()
                    .itertuples(index=False, name=None)) == [
            (s.name, k) for s in scenarios for k in range(3)], f"{name}: job order"
    for other in (pooled, legacy):
        pd.testing.assert_frame_equal(serial.metrics, other.metrics, check_exact=True)
        pd.testing.assert_frame_equal(serial.yearly, other.yearly, check_exact=True)
        assert serial.seeds == other.seeds
    assert len(serial.run_times_s) == len(pooled.run_times_s) == 6
    assert set(serial.tables) == set(TABLES) and len(serial.tables) == len(TABLES)


@pytest.mark.slow
def test_written_tables_do_not_depend_on_batching(tmp_path: Path) -> None:
    scenarios = _scenarios()
    one = run_scenarios(scenarios, 2, 9, workers=1, progress=False)
    two = run_scenarios(scenarios, 2, 9, workers=2, progress=False)
    summary = pd.DataFrame({"x": [1]})
    for label, results in (("one", one), ("two", two)):
        (tmp_path / label).mkdir()
        write_tables(tmp_path / label, results.tables, summary, {}, results.yearly)
    for name in (*TABLES, "yearly"):
        data = (tmp_path / "one" / f"{name}.parquet").read_bytes()
        assert data == (tmp_path / "two" / f"{name}.parquet").read_bytes(), name
    # streamed from the parts, the file holds what the DataFrame holds (scenario typed as
    # the category it is declared as)
    written = pd.read_parquet(tmp_path / "one" / "matches.parquet")
    pd.testing.assert_frame_equal(written, one.tables["matches"].astype(
        {"scenario": written["scenario"].dtype}))


def _frame(start: int, rows: int) -> pd.DataFrame:
    ids = np.arange(start, start + rows)
    return pd.DataFrame({
        "id": ids,
        "label": pd.Series([None if i % 3 == 0 else f"r{i}" for i in ids], dtype="str"),
        "end": pd.array([None if i % 2 else int(i) for i in ids], dtype="Int64"),
        "flag": pd.array([None if i % 5 == 0 else bool(i % 2) for i in ids], dtype="boolean"),
        "value": ids / 7.0})


def test_table_parts_keep_order_dtypes_and_write_the_same_file_however_split(
        tmp_path: Path) -> None:
    whole = _frame(0, 23)
    files = []
    for split in ([23], [5, 0, 9, 9], [1] * 23):
        parts = TableParts(["t"])
        bounds = np.cumsum([0, *split])
        # added last part first: the sequence number, not arrival, sets the order
        for seq in reversed(range(len(split))):
            parts.add(seq, {"t": parquet_bytes(whole.iloc[bounds[seq]:bounds[seq + 1]]
                                               .reset_index(drop=True))})
        pd.testing.assert_frame_equal(parts["t"], whole, check_exact=True)
        path = tmp_path / f"t{len(files)}.parquet"
        parts.write_parquet("t", path)
        write_parquet_parts([], tmp_path / "empty.parquet", parts.schema("t"))
        files.append(path.read_bytes())
        assert parts.nbytes > 0
    assert files[0] == files[1] == files[2]
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "t0.parquet"), whole)
    assert pd.read_parquet(tmp_path / "empty.parquet").empty


def test_row_groups_are_fixed_by_rows_not_parts(tmp_path: Path) -> None:
    frames = [_frame(0, 4), _frame(4, 7), _frame(11, 2)]
    tables = [pq.read_table(pa.BufferReader(parquet_bytes(f))) for f in frames]
    write_parquet_parts(tables, tmp_path / "a.parquet", tables[0].schema, row_group_rows=5)
    meta = pq.ParquetFile(tmp_path / "a.parquet").metadata
    assert [meta.row_group(i).num_rows for i in range(meta.num_row_groups)] == [5, 5, 3]
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "a.parquet"),
                                  pd.concat(frames, ignore_index=True))


def test_table_parts_refuse_a_part_twice_or_missing_tables() -> None:
    parts = TableParts(["a", "b"])
    data = parquet_bytes(pd.DataFrame({"x": [1]}))
    parts.add(0, {"a": data, "b": data})
    with pytest.raises(ValueError, match="added twice"):
        parts.add(0, {"a": data, "b": data})
    with pytest.raises(ValueError, match="expected"):
        parts.add(1, {"a": data})
    with pytest.raises(KeyError):
        parts["c"]


def test_the_shared_run_cache_gives_what_a_fresh_run_gives(tmp_path: Path, monkeypatch) -> None:
    """The paired-seed tests reuse each other's runs (tests/pairing.py): a prefix of a
    longer run, read back from the cache under another name, equals a fresh run."""
    import pairing

    monkeypatch.setenv(pairing.RUN_CACHE_ENV, str(tmp_path))
    monkeypatch.setattr(pairing, "_RUNS", {})
    base = pairing.scenario("baseline", weeks=26)
    pairing.metrics_of(base, 4, 5)
    monkeypatch.setattr(pairing, "_RUNS", {})  # a fresh process: only the files remain
    renamed = pairing.scenario("baseline", name="renamed", weeks=26)
    cached = pairing.metrics_of(renamed, 3, 5)
    fresh = run_scenarios([renamed], 3, 5, workers=1, progress=False).metrics
    pd.testing.assert_frame_equal(cached, fresh.set_index("replication").sort_index())
    assert len(list(tmp_path.glob("*.parquet"))) == 1
