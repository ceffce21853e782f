"""One comparison: options (x plausible worlds) x replications, summarised and written.

``mentorsim run`` and ``demo`` (:mod:`sim.cli`) and the planners' web page run and write a
comparison through these two functions only, so the same options give the same files
whichever way they were started:

- :func:`run_comparison` runs every option for its replications on paired seeds
  (:func:`sim.runner.run_scenarios`), and, when asked, in each of the first ``worlds``
  plausible worlds (:func:`sim.across_worlds.compare`), then summarises and builds the
  manifest;
- :func:`write_comparison` writes the results folder's files: the tables,
  ``summary.csv``, ``manifest.json``, ``replications.parquet``, ``across_worlds.csv``
  (with worlds), ``summary.xlsx`` and, when asked, ``dashboard.html``.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from sim.progress import Progress
from sim.runner import Results, run_scenarios
from sim.scenario import Scenario
from sim.worlds import DEFAULT_WORLD_REPS


@dataclass
class Comparison:
    """What :func:`run_comparison` ran and found."""

    scenarios: list[Scenario]
    results: Results
    summary: pd.DataFrame
    manifest: dict[str, Any]
    across: pd.DataFrame | None  # one row per option x outcome across worlds (or None)
    simulated_s: float  # wall time of the simulations


def run_comparison(scenarios: Sequence[Scenario], workers: int, command: Sequence[str], *,
                   worlds: int = 0, world_reps: int = DEFAULT_WORLD_REPS,
                   bar: Progress | None = None, world_bar: Progress | None = None,
                   progress: bool = True,
                   worlds_file: Path | None = None) -> Comparison:
    """Run the options (the first is the reference; run settings from the first).

    Args:
        scenarios: validated options sharing one run section.
        workers: processes.
        command: the command line, for the manifest.
        worlds: plausible worlds to run every option in as well (0: none).
        world_reps: replications per option in each world.
        bar, world_bar: progress displays of the caller's own (default: on stderr).
        progress: show the default progress displays.
        worlds_file: the ensemble to read (default ``scenarios/calibration/worlds.csv``).
    """
    from sim.results import manifest_for
    from sim.summary import summarise

    run = scenarios[0].params.run
    start = time.perf_counter()
    results = run_scenarios(scenarios, run.replications, run.seed, workers, progress, bar)
    across = None
    if worlds:
        from sim.across_worlds import compare

        across = compare(scenarios, worlds, world_reps, run.seed, workers, progress,
                         worlds_file=worlds_file, bar=world_bar)
    simulated = time.perf_counter() - start
    summary = summarise(results.metrics, [s.name for s in scenarios])
    manifest = manifest_for(list(command), list(scenarios), results.seeds, run.seed,
                            run.replications, run.weeks, time.perf_counter() - start)
    if worlds:
        manifest["worlds"] = worlds
        manifest["world_replications"] = world_reps
    flagged = uncalibrated(scenarios)
    if flagged:
        manifest["not_calibrated"] = flagged
    return Comparison(list(scenarios), results, summary, manifest, across, simulated)


def uncalibrated(scenarios: Sequence[Scenario]) -> dict[str, str]:
    """Options in a setting the model is not calibrated for, with why (by name)."""
    from sim.calibration.targets import not_calibrated

    found = {s.name: not_calibrated(s.params.programme.setting) for s in scenarios}
    return {name: text for name, text in found.items() if text}


def write_comparison(folder: Path, comparison: Comparison,
                     dashboard: Callable[[Path], Any] | None = None) -> None:
    """Write the comparison's files into ``folder`` (a folder being built atomically);
    ``dashboard`` writes ``dashboard.html`` from the files (None: no dashboard)."""
    from sim.results import write_tables
    from sim.spreadsheet import write_spreadsheet

    c = comparison
    write_tables(folder, c.results.tables, c.summary, c.manifest, c.results.yearly,
                 c.results.replications())
    if c.across is not None:
        from sim.across_worlds import FILE

        c.across.to_csv(folder / FILE, index=False)
    # summary.xlsx, then the dashboard, from the files just written (across_worlds.csv too)
    write_spreadsheet(folder)
    if dashboard is not None:
        dashboard(folder)
