"""Options x plausible worlds x replications, run as a sweep.

Each stage of a decision (the search's design, the confirmation) is a sweep
(:mod:`sim.sweep.engine`) in its own folder under the decision's ``stages/``: an explicit
design whose points are the worlds, crossed with the options as policies. So the runs are
resumable (``mentorsim decide --resume``), use common random numbers (replication k has
the same seed for every option in every world) and can run on a dask cluster. A world's
values sit under each option's changes: an uncertainty that today's programme or any
option sets to a value of its own is held at that value in every world
(:func:`sim.worlds.held_keys`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

import numpy as np
import pandas as pd

from sim.decide.spec import Decision
from sim.worlds import World, held_keys, load_worlds

WORLD_COLUMN, OPTION_COLUMN = "world", "option"
PROGRESS_EVERY_S = 5.0  # a stage's progress records off a terminal (a decision is minutes)


@dataclass(frozen=True)
class Stage:
    """One stage's runs: ``runs`` has a row per option x world x replication."""

    runs: pd.DataFrame  # option, world, replication and every metric
    folder: Path
    wall_time_s: float  # this session's
    failed: int
    simulated_s: float = 0.0  # wall time of every session that ran runs (resumed too)


def decision_worlds(decision: Decision) -> tuple[list[World], str]:
    """The worlds to decide across, and where they come from (in words).

    The calibrated ensemble for a calibrated setting; otherwise (or when asked) worlds
    drawn by Latin hypercube from the declared plausible ranges, world 0 being the
    defaults.
    """
    import sim.worlds
    from sim.calibration.ensemble import declared_free, draw_free
    from sim.calibration.targets import not_calibrated

    count = decision.worlds.count
    uncalibrated = not_calibrated(decision.today.programme.setting)
    if (decision.worlds.source == "ensemble" and not uncalibrated
            and sim.worlds.WORLDS_FILE.exists()):
        return load_worlds(count), "the calibrated ensemble (scenarios/calibration/worlds.csv)"
    free = declared_free()
    defaults = World(0, {})
    drawn = draw_free(free, count - 1, decision.seed + 7)
    why = ("drawn from the declared plausible ranges"
           + (f" (the setting is not calibrated: {uncalibrated})" if uncalibrated else ""))
    return [defaults] + [World(i + 1, w) for i, w in enumerate(drawn)], why


def _toml_safe(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    return value


def sweep_table(decision: Decision, options: Sequence[Mapping[str, Any]],
                worlds: Sequence[World], reps: int, outcomes: Sequence[str]) -> dict[str, Any]:
    """The sweep spec (as a parsed TOML table) of options x worlds x ``reps``."""
    keys = sorted({k for w in worlds for k in w.values})
    held = set(held_keys([decision.today] + [decision.today.with_changes(dict(o))
                                             for o in options], keys))
    held |= {k for o in options for k in o}
    points = [{k: _toml_safe(v) for k, v in w.values.items() if k not in held} for w in worlds]
    policies = [{"name": f"option{i:04d}", **{k: _toml_safe(v) for k, v in o.items()}}
                for i, o in enumerate(options)]
    today = decision.today
    return {
        "name": "stage", "extends": decision.base_name, "horizon_weeks": today.run.weeks,
        "seed": today.run.seed, "outcomes": list(dict.fromkeys(outcomes)),
        "set": {k: _toml_safe(v) for k, v in decision.settings.items()},
        "design": {"kind": "explicit", "points": points},
        "replications": {"count": reps}, "policies": policies}


def run_stage(decision: Decision, options: Sequence[Mapping[str, Any]],
              worlds: Sequence[World], reps: int, folder: Path, outcomes: Sequence[str],
              workers: int = 1, scheduler: str | None = None, resume: bool = False,
              progress: bool = True, stream: TextIO | None = None) -> Stage:
    """Run every option in every world for ``reps`` paired replications as a sweep in
    ``folder`` (resumed when it exists and ``resume``)."""
    from sim.sweep.engine import run_sweep
    from sim.sweep.spec import parse_spec
    from sim.sweep.storage import read_runs

    table = sweep_table(decision, options, worlds, reps, outcomes)
    sweep = parse_spec(table, f"{decision.source} ({folder.name} stage)", Path(decision.source))
    report = run_sweep(sweep, folder, workers=workers, scheduler=scheduler,
                       resume=resume and folder.exists(), show_progress=progress,
                       progress_stream=stream, progress_every_s=PROGRESS_EVERY_S)
    runs = read_runs(report.folder)
    n = len(worlds)
    runs.insert(0, OPTION_COLUMN, (runs["point_id"] // n).astype("int64"))
    runs.insert(1, WORLD_COLUMN, np.asarray([w.index for w in worlds])[runs["point_id"] % n])
    manifest = json.loads((report.folder / "sweep_manifest.json").read_text(encoding="utf-8"))
    sessions = manifest.get("timings", {}).get("sessions", [])
    total = sum(float(x.get("wall_time_s", 0.0)) for x in sessions if x.get("runs_done"))
    return Stage(runs, report.folder, report.wall_time_s, report.failed, total)


def world_means(runs: pd.DataFrame, metrics: Sequence[str]) -> pd.DataFrame:
    """Each option's mean of each metric in each world (rows: option, world)."""
    return runs.groupby([OPTION_COLUMN, WORLD_COLUMN])[list(metrics)].mean()
