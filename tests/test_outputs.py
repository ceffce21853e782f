"""The results folder follows the output contract (docs/outputs.md) and is reproducible."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

from sim import relationship
from sim.agents import mentee, mentor
from sim.cli import main
from sim.metrics import METRICS
from sim.model import MentoringModel
from sim.params import ScenarioParams
from sim.summary import DETECTABLE
from sim.tables import RUN_KEYS, SCHEMA, SchemaError
from sim.vocabulary import CLOSURE_REASONS

from pandas_dtypes import read_dtype

REQUIRED_METRICS = [
    "premature_closure_rate", "median_match_weeks", "mentor_burnout_prevalence",
    "mentor_attrition_annual", "mentees_matched_share", "service_linkage_rate",
    "reoffending_rate_12m", "cost_per_completed_match_gbp",
    *[f"closure_share_{r}" for r in CLOSURE_REASONS],
]


def test_parquet_files_have_exactly_the_declared_columns_and_types(small_run_dir: Path) -> None:
    for name, table in SCHEMA.items():
        declared = (*RUN_KEYS, *table.columns)
        path = small_run_dir / f"{name}.parquet"
        arrow = pq.read_schema(path)
        assert arrow.names == [c.name for c in declared], f"{name}.parquet columns"
        for column in declared:
            assert str(arrow.field(column.name).type) == column.parquet_type, (
                f"{name}.{column.name} is written as {arrow.field(column.name).type}, "
                f"declared {column.parquet_type}")
        frame = pd.read_parquet(path)
        assert {c: str(t) for c, t in frame.dtypes.items()} == {
            c.name: read_dtype(c.dtype) for c in declared}, (
            f"{name}.parquet read back with other dtypes")


def test_records_give_exactly_the_declared_columns() -> None:
    # A value a record computes but sim/tables.py does not declare is never written; a
    # declared column a record does not give would be written as nulls.
    params = ScenarioParams().model_copy(update={"run": ScenarioParams().run.model_copy(
        update={"weeks": 104})})
    model = MentoringModel(params, seed=3)
    model.run_for(params.run.weeks)
    model.finish()
    columns = {
        "matches": relationship.records(model, np.arange(model.match_count), model.week),
        "mentors": mentor.records(model, np.arange(model.mentor_count)),
        "mentees": mentee.records(model, np.arange(model.mentee_count)),
    }
    assert set(columns) | {"events", "weekly"} == set(SCHEMA)
    for name, values in columns.items():
        assert set(values) == set(SCHEMA[name].names), name
        assert {len(v) for v in values.values()} == {len(values[SCHEMA[name].key])}, name
    assert model.event_rows, "the run should record events"
    assert not SCHEMA["events"].missing(model.event_rows)
    assert not SCHEMA["events"].undeclared(model.event_rows)
    tables = model.tables()
    assert all(len(tables[name]) for name in columns), "the run should record every kind of row"
    assert tuple(model.weekly_frame().columns) == SCHEMA["weekly"].names


def test_building_a_table_refuses_columns_it_does_not_declare() -> None:
    columns = {name: [1] for name in SCHEMA["mentors"].names}
    with pytest.raises(SchemaError, match="mentors rows lack the declared column.*paid"):
        SCHEMA["mentors"].frame_of_columns({k: v for k, v in columns.items() if k != "paid"})
    with pytest.raises(SchemaError, match="undeclared column.*caseload"):
        SCHEMA["mentors"].frame_of_columns({**columns, "caseload": [3]})


def test_building_a_table_refuses_rows_without_a_declared_column() -> None:
    with pytest.raises(SchemaError, match="events rows lack the declared column"):
        SCHEMA["events"].frame([{"week": 1, "agency_id": 0}])
    empty = SCHEMA["matches"].frame([])
    assert {c: str(t) for c, t in empty.dtypes.items()} == SCHEMA["matches"].dtypes


def test_results_folder_has_the_contract(small_run_dir: Path) -> None:
    weekly = pd.read_parquet(small_run_dir / "weekly.parquet")
    assert len(weekly) == 2 * 3 * 104, "one row per scenario x replication x week"
    assert weekly["week"].min() == 1 and weekly["week"].max() == 104
    matches = pd.read_parquet(small_run_dir / "matches.parquet")
    assert set(matches["closure_reason"]) <= set(CLOSURE_REASONS)
    ended = matches[matches["closure_reason"] != "ongoing"]
    assert (ended["end_week"] - ended["start_week"] == ended["duration_weeks"]).all()
    assert matches.loc[matches["closure_reason"] == "ongoing", "end_week"].isna().all()


def test_summary_has_every_metric_with_intervals_and_paired_differences(
        small_run_dir: Path) -> None:
    summary = pd.read_csv(small_run_dir / "summary.csv", keep_default_na=False,
                          na_values=[""])
    assert list(summary.columns[:6]) == ["scenario", "metric", "mean", "ci_low", "ci_high",
                                         "replications"]
    values = summary[summary["statistic"] == "value"]
    for scenario in ("baseline", "long_term_investment"):
        have = set(values[values["scenario"] == scenario]["metric"])
        assert set(REQUIRED_METRICS) <= have
    assert set(summary["metric"]) <= {*METRICS, DETECTABLE}
    diffs = summary[summary["statistic"] == "paired_difference"]
    assert set(diffs["scenario"]) == {"long_term_investment"}
    assert set(diffs["reference"]) == {"baseline"}
    row = values[(values["metric"] == "premature_closure_rate")].iloc[0]
    assert row["ci_low"] <= row["mean"] <= row["ci_high"]
    assert row["replications"] == 3


def test_manifest_records_versions_parameters_and_seeds(small_run_dir: Path) -> None:
    manifest = json.loads((small_run_dir / "manifest.json").read_text())
    for key in ("mentorsim_version", "git_commit", "python_version", "mesa_version", "command",
                "root_seed", "wall_time_s", "scenarios"):
        assert key in manifest
    assert manifest["mesa_version"].startswith("3.5")
    first = manifest["scenarios"][0]
    assert first["name"] == "baseline" and len(first["seeds"]) == 3
    assert first["parameters"]["run"]["weeks"] == 104
    assert manifest["scenarios"][1]["parameters"]["funding"]["grant_term_years"] == 5
    assert manifest["scenarios"][0]["seeds"] == manifest["scenarios"][1]["seeds"], "CRN"


def _run(out: Path, workers: int, *extra: str) -> None:
    assert main(["run", "baseline", "stop_start_grants", "--reps", "2", "--weeks", "78",
                 "--seed", "5", "--workers", str(workers), "--out", str(out),
                 "--no-dashboard", *extra]) == 0


@pytest.mark.slow
def test_same_seed_gives_identical_parquet_and_workers_do_not_matter(tmp_path: Path) -> None:
    _run(tmp_path / "a", 1)
    _run(tmp_path / "b", 1)
    _run(tmp_path / "c", 2)
    for name in ("weekly", "matches", "mentors", "mentees", "events"):
        a = (tmp_path / "a" / f"{name}.parquet").read_bytes()
        assert a == (tmp_path / "b" / f"{name}.parquet").read_bytes(), f"{name} differs on rerun"
        assert a == (tmp_path / "c" / f"{name}.parquet").read_bytes(), f"{name} differs, 2 workers"
    assert (tmp_path / "a" / "summary.csv").read_text() == (tmp_path / "c" / "summary.csv"
                                                            ).read_text()


@pytest.mark.slow
def test_different_seed_gives_different_results(tmp_path: Path) -> None:
    _run(tmp_path / "a", 1)
    assert main(["run", "baseline", "stop_start_grants", "--reps", "2", "--weeks", "78",
                 "--seed", "6", "--workers", "1", "--out", str(tmp_path / "b"),
                 "--no-dashboard"]) == 0
    a = pd.read_parquet(tmp_path / "a" / "matches.parquet")
    b = pd.read_parquet(tmp_path / "b" / "matches.parquet")
    assert not a.equals(b)


def test_interrupted_write_leaves_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import sim.results

    def boom(*_args: object, **_kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(sim.results, "write_json", boom)
    out = tmp_path / "results" / "x"
    assert main(["run", "baseline", "--reps", "1", "--weeks", "8", "--workers", "1",
                 "--out", str(out), "--no-dashboard"]) == 130
    assert not out.exists()
    assert list((tmp_path / "results").iterdir()) == [], "no partial folder left behind"
