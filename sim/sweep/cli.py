"""Command-line front end of sweeps: ``sweep``, ``sweep-status`` and ``analyse``.

:func:`add_sweep_parsers` is called from :func:`sim.cli.build_parser`; the command
functions are listed in :data:`COMMANDS` and return the exit code (0 done, 1 done with
failed runs, 2 a user error, 74 a full or failing disk, 130 interrupted by Ctrl-C or
SIGTERM). Heavy imports happen inside the commands so ``mentorsim --help`` stays quick.
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sim.arguments import seconds
from sim.errors import EXIT_DISK, UserError
from sim.files import DISK_ERRNOS, check_free_space, disk_error_text


def _count(text: str, minimum: int = 1) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < minimum:
        raise argparse.ArgumentTypeError(f"must be at least {minimum}, got {value}")
    return value


def add_sweep_parsers(sub: Any) -> None:
    """Register ``sweep``, ``sweep-status`` and ``analyse`` on ``mentorsim``'s subparsers."""
    sweep = sub.add_parser(
        "sweep", help="run a sweep spec (design x replications); resumable",
        description="Run every point of a sweep spec, streaming results to --out. "
                    "Exit 0 when all runs finished, 1 when some failed for good, 2 on a "
                    "spec or option error, 130 when interrupted (resume with --resume).")
    sweep.add_argument("spec", metavar="SPEC",
                       help="a sweep spec (.toml) or the name of one in scenarios/sweeps/")
    sweep.add_argument("--out", type=Path, default=None, metavar="DIR",
                       help="sweep folder (default: a new folder under results/)")
    sweep.add_argument("--workers", type=_count, default=None, metavar="N",
                       help="local worker processes (default: all cores; 1 = serial)")
    sweep.add_argument("--scheduler", "--address", dest="scheduler", metavar="ADDRESS",
                       default=None,
                       help="run on a dask.distributed cluster, e.g. tcp://host:8786 "
                            "(needs the dask extra; --address, dask's own word, is the same)")
    sweep.add_argument("--reps", type=_count, default=None, metavar="N",
                       help="replications per point, instead of the spec's (kept in the "
                            "manifest; --resume must give the same)")
    sweep.add_argument("--set", dest="overrides", action="append", default=[],
                       metavar="KEY=VALUE",
                       help="fix a parameter the spec does not vary, as in its [set] "
                            "(run.weeks, run.seed, run.replications: the spec's horizon, "
                            "seed, replications); kept in the manifest")
    sweep.add_argument("--resume", action="store_true",
                       help="continue the sweep in --out: run only what is missing")
    sweep.add_argument("--top-up", action="store_true",
                       help="add replications to the sweep in --out: the same points and "
                            "seeds, up to --reps per point (runs already made are kept)")
    sweep.add_argument("--retries", type=lambda t: _count(t, 0), default=2, metavar="N",
                       help="extra attempts for a run that fails (default 2)")
    sweep.add_argument("--batch-size", type=_count, default=100, metavar="RUNS",
                       help="runs per part file (default 100)")
    sweep.add_argument("--flush-seconds", type=seconds, default=60.0, metavar="S",
                       help="commit finished runs at least this often (default 60)")
    sweep.add_argument("--progress-every", type=seconds, default=30.0, metavar="S",
                       help="seconds between progress records when not on a terminal "
                            "(default 30)")
    sweep.add_argument("--quiet", action="store_true", help="no progress output")
    sweep.add_argument("--dry-run", action="store_true",
                       help="validate the spec and show the plan; run nothing")

    status = sub.add_parser("sweep-status",
                            help="done / failed / remaining runs and throughput of a sweep")
    status.add_argument("folder", type=Path, metavar="DIR")
    status.add_argument("--failures", action="store_true",
                        help="also print each failed run's last traceback")

    analyse = sub.add_parser(
        "analyse", help="per-point summaries and sensitivity indices of a sweep",
        description="Write point_summary, convergence and (Morris or Sobol designs) "
                    "sensitivity tables into the sweep folder.")
    analyse.add_argument("folder", type=Path, metavar="DIR")
    analyse.add_argument("--outcomes", default=None, metavar="M1,M2",
                         help="metrics to analyse (default: the spec's outcomes)")
    analyse.add_argument("--resamples", type=_count, default=1000, metavar="N",
                         help="bootstrap resamples for index CIs (default 1000)")


def _plan_line(sweep: Any, design: Any) -> str:
    reps = sweep.replications
    count = (f"{reps.count} replication{'s' if reps.count != 1 else ''}" if not reps.adaptive else
             f"{reps.min}-{reps.max} replications (adaptive, CI half-width <= "
             f"{reps.rel_half_width:g} x mean)")
    runs = len(design.points) * reps.initial
    runs_text = f"{runs} runs" if not reps.adaptive else (
        f"{runs}-{len(design.points) * reps.maximum} runs")
    return (f"sweep {sweep.name}: {design.kind}, {len(design.points)} points x {count} = "
            f"{runs_text} of {sweep.horizon} weeks")


def cmd_sweep(args: argparse.Namespace) -> int:
    """``mentorsim sweep SPEC``."""
    from sim.arguments import workers as capped_workers
    from sim.sweep.designs import make_design
    from sim.sweep.engine import SweepInterruptedError, run_sweep
    from sim.sweep.spec import load_spec
    from sim.sweep.variants import check_points

    sweep = load_spec(args.spec, args.overrides, args.reps)
    if args.dry_run:
        design = make_design(sweep)
        check_points(sweep.base, design.points, sweep.source)
        print(_plan_line(sweep, design))
        print(f"levers: {', '.join(sweep.names('lever')) or '-'}")
        print(f"uncertainties: {', '.join(sweep.names('uncertainty')) or '-'}")
        for tie in sweep.ties:
            print(f"tied: {tie.name} follows {tie.follows}")
        for group in sweep.compositions:
            print(f"composition: {group.name} ({', '.join(group.parts)}: add up to 1)")
        if sweep.policies:
            print(f"crossed with policies: {', '.join(p.name for p in sweep.policies)}")
        print(f"outcomes: {', '.join(sweep.outcomes)}")
        return 0
    if args.resume and args.out is None:
        raise UserError("--resume needs --out DIR (the sweep folder to continue)")
    if args.top_up and (args.out is None or not (args.out / "sweep_manifest.json").is_file()):
        raise UserError("--top-up needs --out DIR, a sweep folder to add replications to")
    out = args.out or Path("results") / (
        f"{datetime.now(UTC).strftime('%Y%m%d-%H%M%S')}-{sweep.name}")
    if args.resume and not (out / "sweep_manifest.json").is_file():
        print(f"note: no sweep to resume in {out}; starting a new one", file=sys.stderr)
    workers = capped_workers(args.workers) if args.scheduler is None else 1
    check_free_space(out, sweep_bytes(sweep))
    try:
        report = run_sweep(sweep, out, workers=workers, scheduler=args.scheduler,
                           resume=args.resume, top_up=args.top_up, retries=args.retries,
                           batch_size=args.batch_size, flush_seconds=args.flush_seconds,
                           progress_every_s=args.progress_every, show_progress=not args.quiet)
    except SweepInterruptedError as exc:
        r = exc.report
        print(f"interrupted: {r.done} of {r.planned} runs are saved in {r.folder}; continue "
              f"with: mentorsim sweep {args.spec}{_again(args)} --resume --out {r.folder}",
              file=sys.stderr)
        return 130
    except OSError as exc:
        if exc.errno not in DISK_ERRNOS:
            raise
        print(f"error: {disk_error_text(exc)}; the runs committed before are kept: free some "
              f"space, then continue with: mentorsim sweep {args.spec}{_again(args)} --resume "
              f"--out {out}", file=sys.stderr)
        return EXIT_DISK
    print(_report_text(report))
    return 1 if report.failed else 0


def _again(args: argparse.Namespace) -> str:
    """The options a resumed sweep must repeat, as typed."""
    return "".join([f" --reps {args.reps}" if args.reps else "",
                    *(f" '--set={t}'" if " " in t else f" --set {t}" for t in args.overrides)])


def sweep_bytes(sweep: Any) -> int:
    """About how much disk a sweep's folder takes (its most replications): a run-level row
    and its ledger lines, about 3 kB a run (measured on the bundled specs), plus its
    agent tables (as much as a results folder's, :data:`sim.results.FOLDER_BYTES_PER_RUN_WEEK`
    per run-week)."""
    from sim.results import FOLDER_BYTES_PER_RUN_WEEK
    from sim.sweep.designs import design_size

    runs = design_size(sweep) * sweep.replications.maximum
    per_run = 3_000 + (FOLDER_BYTES_PER_RUN_WEEK * sweep.horizon
                       if sweep.spec.output.agent_tables else 0)
    return 1_000_000 + runs * per_run


def _report_text(report: Any) -> str:
    from sim.sweep.progress import format_duration
    from sim.sweep.seeds import run_id

    rate = report.session_done / report.wall_time_s if report.wall_time_s else 0.0
    lines = [f"done: {report.done} runs at {report.points} points, {report.failed} failed "
             f"({report.session_done} this session in {format_duration(report.wall_time_s)},"
             f" {rate * 60:.0f} runs/min on {report.backend})"]
    lines += [f"note: {note}" for note in report.notes]
    if report.orphans_removed:
        lines.append(f"note: removed {report.orphans_removed} uncommitted part files left by "
                     "an interrupted session (their runs were run again)")
    for error, keys in report.failures.items():
        shown = ", ".join(run_id(k) for k in keys[:5]) + (" ..." if len(keys) > 5 else "")
        lines.append(f"failed: {len(keys)} runs (point:replication {shown}): {error}")
    if report.failed:
        lines.append(f"tracebacks: mentorsim sweep-status {report.folder} --failures")
    lines.append(f"results: {report.folder}  (next: mentorsim analyse {report.folder})")
    return "\n".join(lines)


def cmd_sweep_status(args: argparse.Namespace) -> int:
    """``mentorsim sweep-status DIR``."""
    from sim.sweep.status import format_status, sweep_status

    print(format_status(sweep_status(args.folder), failures=args.failures))
    return 0


def cmd_analyse(args: argparse.Namespace) -> int:
    """``mentorsim analyse DIR``."""
    from sim.metrics import METRICS
    from sim.sweep.analysis import analyse
    from sim.sweep.storage import SweepFolder
    from sim.sweep.summary_text import analysis_text

    if not SweepFolder(args.folder).is_sweep():
        raise UserError(f"{args.folder}: not a sweep folder (no sweep_manifest.json)")
    outcomes = None
    if args.outcomes:
        outcomes = [o.strip() for o in args.outcomes.split(",") if o.strip()]
        unknown = [o for o in outcomes if o not in METRICS]
        if unknown:
            raise UserError(f"--outcomes: unknown metric {unknown[0]!r}; list them with "
                            "`mentorsim metrics`")
    result = analyse(args.folder, outcomes, resamples=args.resamples)
    print(analysis_text(args.folder, result))
    return 0


COMMANDS = {"sweep": cmd_sweep, "sweep-status": cmd_sweep_status, "analyse": cmd_analyse}
