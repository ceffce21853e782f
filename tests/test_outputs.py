"""The results folder follows the output contract (docs/outputs.md) and is reproducible."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from sim.cli import main
from sim.metrics import METRICS
from sim.relationship import CLOSURE_REASONS

CONTRACT = {
    "weekly": ["scenario", "replication", "week", "active_matches", "waiting_mentees",
               "active_mentors", "burnt_out_mentors", "matches_started", "matches_ended",
               "funding_balance_gbp"],
    "matches": ["scenario", "replication", "match_id", "agency_id", "mentor_id", "mentee_id",
                "mentor_kind", "start_week", "end_week", "duration_weeks", "closure_reason",
                "closure_detail"],
    "mentors": ["scenario", "replication", "mentor_id", "mentor_kind", "paid", "joined_week",
                "left_week", "exit_reason", "burnout_episodes", "mentees_mentored"],
    "mentees": ["scenario", "replication", "mentee_id", "referral_week", "matched",
                "reoffended_12m"],
    "events": ["scenario", "replication", "week", "agency_id", "event"],
}
REQUIRED_METRICS = [
    "premature_closure_rate", "median_match_weeks", "mentor_burnout_prevalence",
    "mentor_attrition_annual", "mentees_matched_share", "service_linkage_rate",
    "reoffending_rate_12m", "cost_per_completed_match_gbp",
    *[f"closure_share_{r}" for r in CLOSURE_REASONS],
]


def test_results_folder_has_the_contract(small_run_dir: Path) -> None:
    for table, columns in CONTRACT.items():
        frame = pd.read_parquet(small_run_dir / f"{table}.parquet")
        missing = set(columns) - set(frame.columns)
        assert not missing, f"{table}.parquet lacks {missing}"
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
    assert set(summary["metric"]) <= set(METRICS)
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
