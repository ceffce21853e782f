"""Command-line front end: ``mentorsim calibrate [--check]`` and ``mentorsim params``.

:func:`add_calibration_parsers` is called from :func:`sim.cli.build_parser`; the command
functions are listed in :data:`COMMANDS` and return the exit code (``calibrate --check``:
0 when every enforced target is inside its range, 1 when any is outside). Heavy imports
happen inside the commands so ``mentorsim --help`` stays quick.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from sim.arguments import positive_int
from sim.errors import UserError


def add_calibration_parsers(sub: Any) -> None:
    """Register ``calibrate`` and ``params`` on ``mentorsim``'s subparsers."""
    calibrate = sub.add_parser(
        "calibrate", help="fit the baseline to published targets, or --check it",
        description="Without --check: search the uncertain parameters (Sobol design and "
                    "emulator-guided waves, then ABC rejection; about 20-40 minutes on 2 "
                    "cores), write "
                    "scenarios/calibration/fit.json and docs/calibration.md. With --check: "
                    "run the current defaults and print every target with the model's mean "
                    "and 95% interval; exit 1 when an enforced target is outside its range.")
    calibrate.add_argument("--check", action="store_true",
                           help="check the current defaults against the targets (a few minutes)")
    calibrate.add_argument("--worlds", action="store_true",
                           help="build the ensemble of plausible worlds by history matching "
                                "(waves, then confirmation by simulation; about 20-30 "
                                "minutes on 2 cores) and write scenarios/calibration/"
                                "worlds.csv and worlds.json")
    calibrate.add_argument("--more", type=positive_int, default=None, metavar="N",
                           help="with --worlds: confirm N more candidate worlds and add the "
                                "plausible ones to the stored ensemble (the waves are "
                                "reproduced from the seed)")
    calibrate.add_argument("--report", action="store_true",
                           help="rewrite the report from the last fit record and a fresh check "
                                "of its chosen values (no search)")
    calibrate.add_argument("--reps", type=positive_int, default=None,
                           help="replications per variant (--check) or per point in the "
                                "first wave (search); default from the targets file")
    calibrate.add_argument("--workers", type=positive_int, default=None,
                           help="processes to use (default: all cores)")
    calibrate.add_argument("--targets", type=Path, default=None,
                           help="targets file (default scenarios/calibration/targets.toml)")

    params = sub.add_parser("params", help="list every parameter with unit, default and source")
    params.add_argument("--markdown", action="store_true",
                        help="the full table (name, meaning, unit, default, plausible range, "
                             "kind, source) as in docs/parameters.md")


def _outputs(spec: Any) -> tuple[Path, Path]:
    """Where the fit record and the report go: scenarios/calibration/fit.json and
    docs/calibration.md for the bundled targets, beside the targets file otherwise."""
    from sim.calibration.report import REPORT_FILE
    from sim.calibration.targets import TARGETS_FILE

    fit_path = spec.path.with_name("fit.json")
    bundled = spec.path.resolve() == TARGETS_FILE.resolve()
    return fit_path, REPORT_FILE if bundled else spec.path.with_name("calibration.md")


def _defaults_vs_fit(spec: Any) -> list[str]:
    """Fitted parameters whose current default differs from the last fit's chosen value."""
    from sim.calibration.evaluate import variant_params
    from sim.calibration.fit import read_fit

    fit_path, _ = _outputs(spec)
    if not fit_path.exists():
        return [f"no fit record ({fit_path}); run `mentorsim calibrate`"]
    fit = read_fit(fit_path)
    params = variant_params(spec.variants[fit["settings"]["variants"][0]])
    out = []
    for name, value in spec.calibrated_point(fit).items():
        section, field = name.split(".")
        current = getattr(getattr(params, section), field)
        if current != value:
            out.append(f"{name}: default {current:g}, fitted {value:g}")
    return out


def cmd_calibrate(args: argparse.Namespace) -> int:
    """``mentorsim calibrate [--check]``."""
    from sim.calibration import check as checking
    from sim.calibration import fit as fitting
    from sim.calibration import report
    from sim.calibration.targets import load_spec
    from sim.runner import default_workers

    spec = load_spec(args.targets)
    workers = args.workers or default_workers()
    if args.check:
        result = checking.run_check(spec, workers, args.reps)
        print(checking.text_table(result))
        print(checking.summary_line(result, workers))
        for line in _defaults_vs_fit(spec):
            print(f"note: {line}", file=sys.stderr)
        return 0 if result.passed else 1

    if args.worlds:
        return _build_worlds(spec, workers, args.more)

    fit_path, report_path = _outputs(spec)
    if args.report:
        record = fitting.read_fit(fit_path)
        check = checking.run_check(spec, workers, args.reps,
                                   point=spec.calibrated_point(record))
        report.write(report.build(spec, record, check, workers, _report_notes(spec.path)),
                     report_path)
        print(checking.text_table(check))
        print(checking.summary_line(check, workers))
        print(f"report: {report_path}")
        return 0 if check.passed else 1

    waves = ", ".join(f"{n} x {r}" for n, r in spec.fit.waves)
    print(f"searching {len(spec.fit.parameters)} parameters in waves of points x replications "
          f"({waves}) on {', '.join(spec.fitted_variants)} with {workers} worker(s)")
    previous = fitting.read_fit(fit_path) if fit_path.exists() else {}
    result = fitting.run_fit(spec, workers, args.reps)
    # A rerun starts from calibrated defaults; keep the values from before calibration.
    result.defaults_before.update({name: value for name, value in
                                   previous.get("defaults_before", {}).items()
                                   if name in result.defaults_before})
    fitting.write_fit(result, fit_path)
    record = fitting.read_fit(fit_path)
    check = checking.run_check(spec, workers, point=result.rounded)
    notes = _report_notes(spec.path)
    report.write(report.build(spec, record, check, workers, notes), report_path)
    print(checking.text_table(check))
    print(checking.summary_line(check, workers))
    print(f"fit: {fit_path} ({result.runs} runs, {result.wall_time_s / 60:.1f} min); "
          f"report: {report_path}")
    changes = _defaults_vs_fit(spec)
    if changes:
        print("set these defaults in sim/params.py (and scenarios/baseline.toml where it sets "
              "them):\n  " + "\n  ".join(changes))
    return 0 if check.passed else 1


def _build_worlds(spec: Any, workers: int, more: int | None = None) -> int:
    """``calibrate --worlds [--more N]``: build (or top up), write and describe the
    ensemble."""
    import dataclasses
    import json

    from sim.calibration import ensemble
    from sim.worlds import read_table

    worlds_path = spec.path.with_name("worlds.csv")
    before = None
    if more:
        if not worlds_path.exists():
            raise UserError(f"{worlds_path}: no ensemble to top up; run `mentorsim calibrate "
                            "--worlds` first")
        before = ensemble.Ensemble(read_table(worlds_path),
                                   json.loads(worlds_path.with_suffix(".json").read_text()))
        spec = dataclasses.replace(spec, worlds=dataclasses.replace(spec.worlds, draws=more))
    s = spec.worlds
    waves = ", ".join(f"{n} x {r}" for n, r in s.waves)
    print(f"history matching {len(spec.fit.parameters)} fitted parameters in waves of points x "
          f"replications ({waves}), then {s.draws} candidate worlds x {s.confirm_reps} "
          f"replications, cutoff I <= {s.cutoff:g}, with {workers} worker(s)")
    built = ensemble.build(spec, workers, skip=before.record["draws_run"] if before else 0)
    if before is not None:
        built = ensemble.top_up(before, built, spec.worlds.keep)
    ensemble.write(built, worlds_path, worlds_path.with_suffix(".json"))
    r = built.record
    for wave in r["waves"]:
        print(f"wave {wave['wave']}: {wave['points']} points x {wave['reps']}: "
              f"{wave['simulated_not_ruled_out']} simulated not ruled out; emulators keep "
              f"{100 * wave['not_ruled_out_share']:.2f}% of the box ({wave['rule']})")
    print(f"screened in (moved a target in wave 1, so history-matched): "
          f"{', '.join(r['screened_in']) or 'none'}; {len(r['free_parameters'])} free "
          "uncertainties drawn for every world")
    print(f"confirmed: {r['confirmed_plausible']} of {r['draws_run']} drawn worlds plausible; the "
          f"defaults {'are' if r['defaults_plausible'] else 'are NOT'} plausible (largest I "
          f"{max(r['defaults_implausibility'].values()):.2f}); {r['kept']} kept in "
          f"{worlds_path} ({r['runs']} runs, {r['wall_time_s'] / 60:.1f} min)")
    return 0


def _report_notes(path: Path) -> str:
    import tomllib

    return tomllib.loads(path.read_text()).get("report", {}).get("notes", "")


def cmd_params(args: argparse.Namespace) -> int:
    """``mentorsim params [--markdown]``."""
    from sim.paramdoc import markdown, text

    print(markdown() if args.markdown else text(), end="" if args.markdown else "\n")
    return 0


COMMANDS = {"calibrate": cmd_calibrate, "params": cmd_params}
