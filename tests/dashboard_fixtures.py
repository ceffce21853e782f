"""Small synthetic results folders for the dashboard tests.

The tables follow ``docs/outputs.md`` column for column (and the sweep folder contract
of the dashboards issue), with made-up but plausible numbers: scenario k has fewer
early endings and less burnout than scenario 0, so differences have a known sign.
Nothing here runs the simulation.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

CLOSURE_REASONS = (
    "completed", "mentor_abandonment", "mentee_abandonment", "low_motivation",
    "mismatched_expectations", "relational_skills", "family_interference", "agency_support",
    "mentee_reoffended", "mentor_moved_on", "programme_closed",
)
CLOSURE_DETAIL = {
    "mentor_abandonment": "burnout", "mentee_abandonment": "drift",
    "relational_skills": "cultural_gap", "programme_closed": "funding_ended",
    "mentor_moved_on": "paid_work",
}
EXIT_REASONS = ("burnout", "life_change", "relapse", "paid_work", "programme_closed")
SUMMARY_METRICS = {
    # metric: (baseline mean, change per scenario step)
    "premature_closure_rate": (0.46, -0.06),
    "median_match_weeks": (21.0, 3.0),
    "mentor_attrition_annual": (0.5, -0.05),
    "mentor_burnout_prevalence": (0.18, -0.03),
    "cost_per_completed_match_gbp": (5200.0, -300.0),
    "cost_per_linked_mentee_gbp": (2100.0, -100.0),
    "service_linkage_rate": (0.35, 0.04),
    "total_spend_gbp": (230000.0, 20000.0),
    "annual_spend_gbp": (115000.0, 10000.0),
    "funding_received_gbp": (240000.0, 15000.0),
    "final_balance_gbp": (10000.0, -5000.0),
}
# yearly.parquet's metric columns: (year-1 mean of the first scenario, change per year,
# change per scenario step). weeks_below_floor is all NaN and support_delivered_share
# absent, so the year-by-year view must leave both out; abandonment_rate is present
# but not one of the measures offered by year.
YEARLY_FIXTURE_METRICS = {
    "premature_closure_rate": (0.50, -0.02, -0.06),
    "burnout_incidence_per_100_mentor_years": (40.0, 3.0, -8.0),
    "mentor_burnout_prevalence": (0.20, 0.01, -0.03),
    "mentor_losses_all_cause_annual": (0.45, 0.05, -0.05),
    "funding_received_gbp": (78000.0, 0.0, 12000.0),
    "total_spend_gbp": (76000.0, 1000.0, 9000.0),
    "supervision_delivered_share": (0.85, 0.0, 0.05),
    "weeks_below_floor": (float("nan"), 0.0, 0.0),
    "abandonment_rate": (0.2, 0.0, -0.02),
}
DEFAULT_SCENARIOS = ("baseline", "long_term_investment")


@dataclass
class ComparisonTables:
    """Everything a comparison results folder holds, as Python objects."""

    manifest: dict[str, object]
    weekly: pd.DataFrame
    matches: pd.DataFrame
    mentors: pd.DataFrame
    mentees: pd.DataFrame
    events: pd.DataFrame
    summary: pd.DataFrame
    yearly: pd.DataFrame | None = None  # None: a folder written before yearly.parquet


def _reason_probabilities(step: int) -> np.ndarray:
    # Later scenarios move weight from failure factors to planned completion.
    weights = np.array([30, 12, 10, 6, 6, 5, 4, 6, 5, 3, 3], dtype=float)
    weights[0] += 8 * step
    weights[1:8] *= max(0.3, 1 - 0.2 * step)
    return weights / weights.sum()


def comparison_tables(
    scenarios: tuple[str, ...] = DEFAULT_SCENARIOS,
    replications: int = 3,
    weeks: int = 52,
    matches_per_replication: int = 40,
    mentors_per_replication: int = 15,
    seed: int = 0,
    with_yearly: bool = True,
) -> ComparisonTables:
    """Synthetic tables of a ``mentorsim run`` folder (see docs/outputs.md).

    ``with_yearly=False`` leaves out ``yearly.parquet``, as in folders written before it.
    """
    rng = np.random.default_rng(seed)
    weekly_parts, match_parts, mentor_parts, mentee_parts, event_parts = [], [], [], [], []
    for step, scenario in enumerate(scenarios):
        for rep in range(replications):
            week = np.arange(1, weeks + 1)
            active = np.maximum(0, 20 + 5 * step + rng.normal(0, 3, weeks).cumsum() * 0.3)
            mentors_active = np.maximum(1, 15 + rng.integers(-2, 3, weeks))
            burnt = np.minimum(mentors_active, rng.poisson(3 * max(0.3, 1 - 0.25 * step), weeks))
            spend = np.full(weeks, 1500.0) + rng.normal(0, 100, weeks)
            grant_every = 26 if step == 0 else weeks + 1
            balance = 60000 - np.cumsum(spend)
            for top_up in range(grant_every, weeks + 1, grant_every):
                balance[top_up - 1 :] += 39000.0
            weekly_parts.append(
                pd.DataFrame(
                    {
                        "scenario": scenario,
                        "replication": rep,
                        "week": week,
                        "active_matches": np.round(active).astype(int),
                        "waiting_mentees": rng.poisson(8 + 2 * rep, weeks),
                        "active_mentors": mentors_active.astype(int),
                        "burnt_out_mentors": burnt.astype(int),
                        "matches_started": rng.poisson(1.0, weeks),
                        "matches_ended": rng.poisson(0.9, weeks),
                        "referrals": rng.poisson(2.0, weeks),
                        "mentors_joined": rng.poisson(0.3, weeks),
                        "mentors_left": rng.poisson(0.25, weeks),
                        "agencies_funded": np.ones(weeks, dtype=int),
                        "funding_balance_gbp": balance,
                        "spend_gbp": spend,
                    }
                )
            )
            events = [(1, "grant_started")]
            events += [(w, "grant_renewed") for w in range(grant_every, weeks + 1, grant_every)]
            if step == 0 and weeks >= 40:
                events += [(40, "reorganisation_started"), (min(weeks, 48), "reorganisation_ended")]
            event_parts.append(
                pd.DataFrame(
                    {
                        "scenario": scenario,
                        "replication": rep,
                        "week": [w for w, _ in events],
                        "agency_id": 0,
                        "event": [e for _, e in events],
                    }
                )
            )
            n = matches_per_replication
            start = rng.integers(1, weeks + 1, n)
            reason = rng.choice(CLOSURE_REASONS, size=n, p=_reason_probabilities(step))
            length = np.maximum(1, rng.exponential(16 + 6 * step, n).round().astype(int))
            length = np.where(reason == "completed", np.maximum(length, 26), length)
            end = start + length
            ongoing = end > weeks
            reason = np.where(ongoing, "ongoing", reason)
            duration = np.where(ongoing, weeks - start + 1, length)
            match_parts.append(
                pd.DataFrame(
                    {
                        "scenario": scenario,
                        "replication": rep,
                        "match_id": np.arange(n),
                        "agency_id": 0,
                        "mentor_id": rng.integers(0, mentors_per_replication, n),
                        "mentee_id": np.arange(n),
                        "mentor_kind": rng.choice(["peer", "community"], n),
                        "start_week": start,
                        "end_week": pd.array(np.where(ongoing, None, end), dtype="Int64"),
                        "duration_weeks": duration.astype(int),
                        "closure_reason": reason,
                        "closure_detail": [CLOSURE_DETAIL.get(r, "") for r in reason],
                        "quality_at_end": rng.uniform(0, 1, n),
                    }
                )
            )
            m = mentors_per_replication
            exit_reason = rng.choice(
                ["active", *EXIT_REASONS], size=m, p=[0.5, 0.2, 0.1, 0.05, 0.1, 0.05]
            )
            joined = rng.integers(0, weeks // 2, m)
            left = np.where(exit_reason == "active", None, joined + rng.integers(1, weeks // 2, m))
            mentor_parts.append(
                pd.DataFrame(
                    {
                        "scenario": scenario,
                        "replication": rep,
                        "mentor_id": np.arange(m),
                        "agency_id": 0,
                        "mentor_kind": rng.choice(["peer", "community"], m),
                        "paid": rng.random(m) < 0.2,
                        "joined_week": joined,
                        "left_week": pd.array(left, dtype="Int64"),
                        "exit_reason": exit_reason,
                        "burnout_episodes": rng.poisson(0.5, m),
                        "mentees_mentored": rng.poisson(3, m),
                    }
                )
            )
            k = n + 10
            referral = rng.integers(1, weeks + 1, k)
            follow_up = referral + 52 <= weeks
            mentee_parts.append(
                pd.DataFrame(
                    {
                        "scenario": scenario,
                        "replication": rep,
                        "mentee_id": np.arange(k),
                        "agency_id": 0,
                        "referral_week": referral,
                        "matched": np.arange(k) < n,
                        "gave_up_waiting": np.arange(k) >= n,
                        "weeks_mentored": rng.integers(0, 40, k),
                        "services_linked": rng.integers(0, 3, k),
                        "reoffended_12m": pd.array(
                            np.where(follow_up, rng.random(k) < 0.3, None), dtype="boolean"
                        ),
                        "support_network": rng.uniform(0, 1, k),
                    }
                )
            )
    manifest = {
        "mentorsim_version": "0.1.0",
        "git_commit": "0123456789abcdef0123456789abcdef01234567",
        "python_version": "3.12.0",
        "mesa_version": "3.5.1",
        "command": "mentorsim run " + " ".join(scenarios),
        "created_utc": "2025-11-27T10:00:00Z",
        "root_seed": 20211,
        "replications": replications,
        "weeks": weeks,
        "wall_time_s": 1.5,
        "scenarios": [
            {
                "name": name,
                "question": f"What happens to abandonment and burnout under {name}?",
                "source": f"scenarios/{name}.toml",
                "parameters": {"funding": {"horizon_years": 2 + 3 * i}},
                "seeds": [1000 * (i + 1) + r for r in range(replications)],
            }
            for i, name in enumerate(scenarios)
        ],
    }
    return ComparisonTables(
        manifest=manifest,
        weekly=pd.concat(weekly_parts, ignore_index=True),
        matches=pd.concat(match_parts, ignore_index=True),
        mentors=pd.concat(mentor_parts, ignore_index=True),
        mentees=pd.concat(mentee_parts, ignore_index=True),
        events=pd.concat(event_parts, ignore_index=True),
        summary=summary_table(scenarios, replications),
        yearly=yearly_table(scenarios, replications, weeks, seed) if with_yearly else None,
    )


def yearly_table(
    scenarios: tuple[str, ...], replications: int, weeks: int, seed: int = 0
) -> pd.DataFrame:
    """``yearly.parquet`` rows: one per scenario × replication × year of the horizon (the
    last year shorter when ``weeks`` is not a multiple of 52), the year columns, then
    the metrics of ``YEARLY_FIXTURE_METRICS`` with a little noise per replication."""
    rng = np.random.default_rng(seed + 1)
    rows = []
    for step, scenario in enumerate(scenarios):
        for rep in range(replications):
            for year, start in enumerate(range(1, weeks + 1, 52), start=1):
                row: dict[str, object] = {
                    "scenario": scenario, "replication": rep, "year": year,
                    "start_week": start, "end_week": min(weeks, start + 51),
                }
                for metric, (base, per_year, per_step) in YEARLY_FIXTURE_METRICS.items():
                    mean = base + per_year * (year - 1) + per_step * step
                    row[metric] = mean * (1 + rng.normal(0, 0.03))
                rows.append(row)
    return pd.DataFrame(rows)


def summary_table(scenarios: tuple[str, ...], replications: int) -> pd.DataFrame:
    """``summary.csv`` rows: values per scenario, paired differences vs the first."""
    rows = []
    reference = scenarios[0]
    for step, scenario in enumerate(scenarios):
        for metric, (base, change) in SUMMARY_METRICS.items():
            mean = base + change * step
            half = abs(base) * 0.05
            rows.append(
                {"scenario": scenario, "metric": metric, "mean": mean, "ci_low": mean - half,
                 "ci_high": mean + half, "replications": replications, "statistic": "value",
                 "reference": ""}
            )
            if step:
                diff = change * step
                rows.append(
                    {"scenario": scenario, "metric": metric, "mean": diff,
                     "ci_low": diff - abs(change) * 0.3, "ci_high": diff + abs(change) * 0.3,
                     "replications": replications, "statistic": "paired_difference",
                     "reference": reference}
                )
    return pd.DataFrame(rows)


def write_comparison_folder(path: Path, tables: ComparisonTables | None = None) -> Path:
    """Write a comparison results folder at ``path`` (created) and return ``path``."""
    tables = tables or comparison_tables()
    path.mkdir(parents=True, exist_ok=True)
    (path / "manifest.json").write_text(json.dumps(tables.manifest, indent=2), encoding="utf-8")
    for name in ("weekly", "matches", "mentors", "mentees", "events"):
        getattr(tables, name).to_parquet(path / f"{name}.parquet", index=False)
    tables.summary.to_csv(path / "summary.csv", index=False)
    if tables.yearly is not None:
        tables.yearly.to_parquet(path / "yearly.parquet", index=False)
    return path


# --------------------------------------------------------------------------- sweeps

SWEEP_PARAMETERS = (
    "supervision.sessions_per_month",
    "training.pre_match_hours",
    "funding.horizon_years",
    "referrals.volume_per_month",
)
SWEEP_OUTCOMES = (
    "premature_closure_rate",
    "mentor_burnout_prevalence",
    "cost_per_completed_match_gbp",
)


@dataclass
class SweepTables:
    """Everything a sweep results folder holds."""

    manifest: dict[str, object]
    points: pd.DataFrame
    point_summary: pd.DataFrame
    sensitivity: pd.DataFrame | None


def sweep_tables(points: int = 30, seed: int = 0, with_sensitivity: bool = True) -> SweepTables:
    """Synthetic sweep folder tables: supervision and training lower early endings and
    burnout, a longer funding horizon lowers cost, referrals add noise."""
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(
        {
            "point_id": np.arange(points),
            SWEEP_PARAMETERS[0]: rng.choice([0.0, 1.0, 2.0, 4.0], points),
            SWEEP_PARAMETERS[1]: rng.uniform(0, 40, points),
            SWEEP_PARAMETERS[2]: rng.choice([1, 2, 5], points),
            SWEEP_PARAMETERS[3]: rng.uniform(5, 30, points),
        }
    )
    supervision = frame[SWEEP_PARAMETERS[0]].to_numpy(float)
    training = frame[SWEEP_PARAMETERS[1]].to_numpy(float)
    horizon = frame[SWEEP_PARAMETERS[2]].to_numpy(float)
    outcome_values = {
        "premature_closure_rate": 0.6 - 0.05 * supervision - 0.004 * training
        + rng.normal(0, 0.02, points),
        "mentor_burnout_prevalence": 0.3 - 0.04 * supervision + rng.normal(0, 0.02, points),
        "cost_per_completed_match_gbp": 7000 - 400 * horizon + 150 * supervision
        + rng.normal(0, 200, points),
    }
    rows = []
    for metric, values in outcome_values.items():
        for point_id, value in zip(frame["point_id"], values, strict=True):
            half = abs(value) * 0.04
            rows.append(
                {"point_id": point_id, "metric": metric, "mean": value,
                 "ci_low": value - half, "ci_high": value + half, "replications": 5}
            )
    sensitivity = None
    if with_sensitivity:
        sens_rows = []
        for outcome in SWEEP_OUTCOMES:
            for rank, parameter in enumerate(SWEEP_PARAMETERS):
                strength = 1.0 / (rank + 1)
                for method, index, value in (
                    ("morris", "mu_star", strength * 0.1),
                    ("morris", "sigma", strength * 0.03),
                    ("sobol", "S1", strength * 0.5 - (0.2 if rank == 3 else 0)),
                    ("sobol", "ST", strength * 0.6),
                ):
                    flag = "negative" if value < 0 else ""
                    sens_rows.append(
                        {"method": method, "metric": outcome, "parameter": parameter,
                         "index": index, "value": value, "conf": abs(value) * 0.2 + 0.01,
                         "flag": flag}
                    )
        sensitivity = pd.DataFrame(sens_rows)
    manifest = {
        "spec_name": "fund_x_supervision",
        # What every sweep manifest carries (sim.sweep.manifest.REQUIRED).
        "spec_hash": "0" * 64,
        "points": int(frame["point"].nunique()) if "point" in frame else len(frame),
        "replications": {"mode": "fixed", "count": 5},
        "timings": {"sessions": []},
        "design": "sobol",
        "levers": list(SWEEP_PARAMETERS[:3]),
        "uncertainties": [SWEEP_PARAMETERS[3]],
        "outcomes": list(SWEEP_OUTCOMES),
        "root_seed": 7,
        "mentorsim_version": "0.1.0",
        "created_utc": "2025-11-27T11:00:00Z",
        "status": "finished",
        "replication_seeds": [11, 12, 13, 14, 15],
        "factors": [
            {"name": SWEEP_PARAMETERS[0], "role": "lever", "unit": "sessions/month"},
            {"name": SWEEP_PARAMETERS[1], "role": "lever", "unit": "hours"},
            {"name": SWEEP_PARAMETERS[2], "role": "lever", "unit": "years"},
            {"name": SWEEP_PARAMETERS[3], "role": "uncertainty", "unit": "referrals/month"},
        ],
    }
    return SweepTables(manifest, frame, pd.DataFrame(rows), sensitivity)


def write_sweep_folder(path: Path, tables: SweepTables | None = None) -> Path:
    """Write a sweep results folder at ``path`` (created) and return ``path``."""
    tables = tables or sweep_tables()
    path.mkdir(parents=True, exist_ok=True)
    (path / "sweep_manifest.json").write_text(json.dumps(tables.manifest, indent=2),
                                              encoding="utf-8")
    tables.points.to_parquet(path / "points.parquet", index=False)
    tables.point_summary.to_parquet(path / "point_summary.parquet", index=False)
    if tables.sensitivity is not None:
        tables.sensitivity.to_csv(path / "sensitivity.csv", index=False)
    return path


# ------------------------------------------------------------------ real results folder


def real_results_folder(request: pytest.FixtureRequest, destination: Path) -> Path:
    """A private copy of a real results folder from a small ``mentorsim run``.

    Reuses the session's shared small run (``small_run_dir``) when the suite provides
    one, so the model runs once; otherwise runs a small two-scenario run here. The copy
    lets the test write ``dashboard.html`` without touching the shared folder.
    """
    try:
        source = Path(request.getfixturevalue("small_run_dir"))
    except pytest.FixtureLookupError:
        from sim.cli import main

        source = destination.parent / f"{destination.name}-run"
        code = main(["run", "baseline", "long_term_investment", "--reps", "3", "--weeks",
                     "104", "--workers", "1", "--out", str(source), "--no-dashboard"])
        assert code == 0
    copied = Path(shutil.copytree(source, destination))
    (copied / "dashboard.html").unlink(missing_ok=True)
    return copied


MINI_MORRIS_SPEC = """\
name = "mini_morris"
question = "Which of three levers move early endings, burnout and cost?"
extends = "baseline"
horizon_weeks = 52
seed = 20210626
outcomes = ["premature_closure_rate", "mentor_burnout_prevalence",
            "cost_per_completed_match_gbp"]

[design]
kind = "morris"
samples = 2
grid_levels = 4
seed = 1

[replications]
count = 1

[levers]
"funding.grant_term_years" = {}
"supervision.sessions_per_month" = {}
"supervision.style" = {}
"""


def real_sweep_folder(destination: Path) -> Path:
    """A real, analysed sweep folder: a tiny Morris screening (8 runs of 52 weeks)."""
    from sim.cli import main

    spec = destination.parent / f"{destination.name}-spec.toml"
    spec.write_text(MINI_MORRIS_SPEC, encoding="utf-8")
    assert main(["sweep", str(spec), "--out", str(destination), "--workers", "1",
                 "--quiet"]) == 0
    assert main(["analyse", str(destination)]) == 0
    (destination / "dashboard.html").unlink(missing_ok=True)
    return destination
