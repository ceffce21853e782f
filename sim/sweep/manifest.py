"""The sweep manifest (``sweep_manifest.json``): what was run, with what, where and when.

Keys other tools rely on (keep them): ``spec_name``, ``spec_hash``, ``design`` (the design
kind, a string), ``levers`` and ``uncertainties`` (dotted parameter names), ``outcomes``
(metric names), ``root_seed``, ``mentorsim_version``, ``python_version``,
``mesa_version``, ``libraries`` (every library that shapes a result, with its version),
``git_commit``, ``git_dirty`` (the work tree had changes not in that commit), ``host``,
``created_utc``, ``timings``, ``options`` (``--reps`` and ``--set`` given to ``mentorsim
sweep``: ``{"reps": N or null, "set": {"section.key": value}}``; ``--resume`` must give
the same), ``columns`` (each factor's column in the folder's tables, ``section__key``,
mapped to its dotted parameter name: :mod:`sim.sweep.columns`).
"""

from __future__ import annotations

import json
import os
import socket
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sim.errors import UserError
from sim.results import source, versions, write_json
from sim.sweep.columns import columns_of
from sim.sweep.designs import Design
from sim.sweep.seeds import replication_seed
from sim.sweep.spec import Sweep
from sim.sweep.ties import POLICY

MAX_LISTED_SEEDS = 1000
SEED_RULE = ("replication k uses SeedSequence(root_seed, spawn_key=(k,)) at every point "
             "(common random numbers), as sim.rng.replication_seeds")


def utc_now() -> str:
    """The current time, ISO 8601 in UTC, to the second."""
    return datetime.now(UTC).isoformat(timespec="seconds")


def build_manifest(sweep: Sweep, design: Design) -> dict[str, Any]:
    """The manifest of a new sweep (timings are filled in as sessions run)."""
    reps = sweep.replications
    replications: dict[str, Any] = (
        {"mode": "fixed", "count": reps.count} if not reps.adaptive else
        {"mode": "adaptive", "min": reps.min, "max": reps.max,
         "rel_half_width": reps.rel_half_width, "outcomes": sweep.adaptive_outcomes,
         "confidence": reps.confidence, "step": reps.step})
    listed = min(reps.maximum, MAX_LISTED_SEEDS)
    return {
        "spec_name": sweep.name,
        "spec_hash": sweep.spec_hash,
        "points_hash": sweep.points_hash,
        "spec_source": sweep.source,
        "question": sweep.spec.question,
        "description": sweep.spec.description,
        "base_scenario": sweep.spec.extends,
        "design": design.kind,
        "design_options": design.options,
        "levers": sweep.names("lever"),
        "uncertainties": sweep.names("uncertainty"),
        "factors": [f.describe() for f in sweep.factors],
        "compositions": [g.describe() for g in sweep.compositions],
        "tied": [t.describe() for t in sweep.ties],
        "policies": [p.describe() for p in sweep.policies],
        "columns": {**columns_of(sweep.point_columns()),
                    **({POLICY: POLICY} if sweep.policies else {})},
        "outcomes": sweep.outcomes,
        "horizon_weeks": sweep.horizon,
        "replications": replications,
        "points": len(design.points),
        "root_seed": sweep.root_seed,
        "design_seed": sweep.design_seed,
        "seed_rule": SEED_RULE,
        "replication_seeds": [replication_seed(sweep.root_seed, k) for k in range(listed)],
        "agent_tables": list(sweep.spec.output.agent_tables),
        "options": {"reps": sweep.options.get("reps"), "set": dict(sweep.options.get("set", {}))},
        **versions(),
        **source(),
        "host": socket.gethostname(),
        "created_utc": utc_now(),
        "status": "running",
        "timings": {"sessions": [], "wall_time_s": 0.0, "run_time_s": 0.0},
        "base_parameters": sweep.base.model_dump(mode="json"),
    }


# what every reader of a manifest relies on, with its JSON type
REQUIRED = {"spec_name": str, "spec_hash": str, "design": str, "points": int,
            "replications": dict, "outcomes": list, "timings": dict}


def manifest_problem(manifest: Any) -> str | None:
    """What makes ``manifest`` unusable, or None."""
    if not isinstance(manifest, dict):
        return f"a JSON {type(manifest).__name__}, not an object"
    for key, kind in REQUIRED.items():
        if key not in manifest:
            return f"no '{key}'"
        if not isinstance(manifest[key], kind) or isinstance(manifest[key], bool):
            return f"'{key}' is not a {kind.__name__}"
    reps = manifest["replications"]
    needed = ("count",) if reps.get("mode") == "fixed" else ("min", "max")
    if reps.get("mode") not in ("fixed", "adaptive") or any(
            not isinstance(reps.get(k), int) for k in needed):
        return "'replications' is not a fixed count or an adaptive rule"
    if not isinstance(manifest["timings"].get("sessions", []), list):
        return "'timings.sessions' is not a list"
    return None


def read_manifest(path: Path) -> dict[str, Any]:
    """Read a sweep manifest, or raise a clear error when it is missing or damaged."""
    try:
        manifest = json.loads(path.read_bytes().decode("utf-8"))
    except FileNotFoundError:
        raise UserError(f"{path.parent}: not a sweep folder (no {path.name})") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise UserError(f"{path}: unreadable sweep manifest: {exc}") from None
    problem = manifest_problem(manifest)
    if problem:
        raise UserError(f"{path}: damaged sweep manifest ({problem}); it is written by "
                        "mentorsim sweep and cannot be rebuilt from the folder: run the "
                        "sweep again into a new folder")
    manifest["timings"].setdefault("sessions", [])
    return manifest


def start_session(manifest: dict[str, Any], backend: dict[str, Any], resume: bool
                  ) -> dict[str, Any]:
    """Append a session record (one per driver start) and return it."""
    session = {"started_utc": utc_now(), "resumed": resume, "host": socket.gethostname(),
               "pid": os.getpid(), "backend": backend, "status": "running",
               "mentorsim_version": versions()["mentorsim_version"], **source()}
    manifest["timings"]["sessions"].append(session)
    manifest["status"] = "running"
    if "columns" not in manifest:  # a folder started before factor columns were SQL-safe
        manifest["columns"] = columns_of(str(f["name"]) for f in manifest.get("factors", [])
                                         if isinstance(f, dict) and "name" in f)
    return session


def end_session(manifest: dict[str, Any], session: dict[str, Any], status: str,
                wall_time_s: float, run_time_s: float, done: int, failed: int) -> None:
    """Close the session record and update totals."""
    session.update(ended_utc=utc_now(), status=status, wall_time_s=round(wall_time_s, 3),
                   run_time_s=round(run_time_s, 3), runs_done=done, runs_failed=failed)
    sessions = manifest["timings"]["sessions"]
    manifest["timings"]["wall_time_s"] = round(sum(s.get("wall_time_s", 0) for s in sessions),
                                               3)
    manifest["timings"]["run_time_s"] = round(sum(s.get("run_time_s", 0) for s in sessions), 3)
    manifest["status"] = status


def save(path: Path, manifest: dict[str, Any]) -> None:
    """Write the manifest atomically and durably."""
    write_json(path, manifest, durable=True)
