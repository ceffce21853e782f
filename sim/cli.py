"""The ``mentorsim`` command line: a thin layer over scenario loading, runner and results."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
import time
from pathlib import Path
from typing import Any

from sim.arguments import positive_int, seed
from sim.arguments import workers as capped_workers
from sim.calibration.cli import COMMANDS as CALIBRATION_COMMANDS
from sim.calibration.cli import add_calibration_parsers
from sim.decide.cli import COMMANDS as DECIDE_COMMANDS
from sim.decide.cli import add_decide_parser
from sim.errors import EXIT_DISK, UserError
from sim.sweep.cli import COMMANDS as SWEEP_COMMANDS
from sim.sweep.cli import add_sweep_parsers
from sim.worlds import DEFAULT_WORLD_REPS, DEFAULT_WORLDS

DEMO_SCENARIOS = ("baseline", "long_term_investment", "stop_start_grants",
                  "therapeutic_supervision", "enhanced_training", "unpaid_support_staff")


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # exit 2 with a one-line message, as argparse does
        self.print_usage(sys.stderr)
        self.exit(2, f"error: {message}\n")


def _add_run_options(p: argparse.ArgumentParser, default_reps: str) -> None:
    p.add_argument("--reps", type=positive_int, default=None,
                   help=f"replications per scenario ({default_reps})")
    p.add_argument("--weeks", type=positive_int, default=None,
                   help="horizon in weeks (default: the first scenario's run.weeks)")
    p.add_argument("--seed", type=seed, default=None,
                   help="root seed (default: the first scenario's run.seed)")
    p.add_argument("--workers", type=positive_int, default=None,
                   help="processes to use (default: all cores)")
    p.add_argument("--out", type=Path, default=None,
                   help="results folder to create (default: a new folder under results/)")
    p.add_argument("--no-dashboard", action="store_true", help="skip dashboard.html")
    p.add_argument("--worlds", type=positive_int, nargs="?", const=DEFAULT_WORLDS,
                   default=None, metavar="N",
                   help="also run every scenario in N plausible worlds (parameter sets the "
                        "calibration targets do not rule out, scenarios/calibration/"
                        f"worlds.csv; N = {DEFAULT_WORLDS} when not given) and report each "
                        "comparison across them")
    p.add_argument("--world-reps", type=positive_int, default=DEFAULT_WORLD_REPS,
                   metavar="R",
                   help=f"replications per scenario in each world (default {DEFAULT_WORLD_REPS})")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (exposed for tests and documentation)."""
    parser = _Parser(prog="mentorsim", description=(
        "Simulate criminal-justice mentoring programmes: compare scenarios on abandonment, "
        "burnout, reoffending and cost."))
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    sub.add_parser("scenarios", help="list the bundled scenarios and their policy questions")

    run = sub.add_parser("run", help="run scenarios and compare them on paired seeds")
    run.add_argument("scenarios", nargs="+", metavar="SCENARIO",
                     help="bundled scenario names or paths to .toml files; the first is the "
                          "reference for differences")
    run.add_argument("--set", dest="overrides", action="append", default=[],
                     metavar="KEY=VALUE", help="override a parameter in every scenario, e.g. "
                                               "--set supervision.sessions_per_month=0")
    _add_run_options(run, "default: the first scenario's run.replications")

    validate = sub.add_parser("validate", help="check scenario files; exit 2 if any is invalid")
    validate.add_argument("files", nargs="+", metavar="FILE")
    validate.add_argument("--set", dest="overrides", action="append", default=[],
                          metavar="KEY=VALUE")

    demo = sub.add_parser("demo", help="run the bundled comparison end to end")
    _add_run_options(demo, "default 20")

    metrics = sub.add_parser("metrics", help="list the outcome metrics with units")
    metrics.add_argument("--markdown", action="store_true")

    tables = sub.add_parser("tables", help="list the output tables' columns with types and "
                                           "units")
    tables.add_argument("--markdown", action="store_true",
                        help="print the column tables of docs/outputs.md")

    dashboard = sub.add_parser("dashboard", help="(re)write RESULTS/dashboard.html")
    dashboard.add_argument("results", type=Path)
    dashboard.add_argument("--pdf", action="store_true",
                           help="also print it to RESULTS/dashboard.pdf (A4) with Chromium")

    studio = sub.add_parser("studio", help="the planners' studio: a local web app in the "
                                           "browser (http://127.0.0.1:8050)")
    studio.add_argument("--port", type=positive_int, default=8050,
                        help="port on 127.0.0.1 to serve on (default 8050)")
    studio.add_argument("--no-browser", action="store_true",
                        help="serve only; do not open a browser")
    studio.add_argument("--folder", type=Path, default=Path("studio-results"),
                        help="working folder for results and uploads (default "
                             "./studio-results)")

    add_sweep_parsers(sub)
    add_calibration_parsers(sub)
    add_decide_parser(sub)
    return parser


def _cmd_scenarios(_args: argparse.Namespace) -> int:
    from sim.scenario import bundled_names, load_scenario

    names = bundled_names()
    width = max(len(n) for n in names)
    for name in names:
        print(f"{name:<{width}}  {load_scenario(name).question}")
    return 0


def _say(text: str) -> None:
    """A warning or note on stderr, wrapped between words on a terminal (never mid-word)."""
    if sys.stderr.isatty():
        import shutil
        import textwrap

        width = min(shutil.get_terminal_size((80, 24)).columns, 100)
        text = textwrap.fill(text, width, subsequent_indent="  ", break_long_words=False,
                             break_on_hyphens=False)
    print(text, file=sys.stderr)


def _cmd_validate(args: argparse.Namespace) -> int:
    from sim.capacity import demand_warnings, money_warning, staff_warnings
    from sim.scenario import load_scenario

    failed = 0
    for ref in args.files:
        try:
            scenario = load_scenario(ref, args.overrides)
        except UserError as exc:
            print(f"invalid: {exc}", file=sys.stderr)
            failed += 1
        else:
            print(f"ok: {scenario.source} ({scenario.name}: {scenario.question})")
            for text in staff_warnings(scenario.params) + demand_warnings(scenario.params):
                _say(f"warning: {scenario.name}: {text}")
            money = money_warning(scenario.params)
            if money:  # a projection at full caseloads: a run says whether the budget cut
                _say(f"note: {scenario.name}: {money}")
    return 2 if failed else 0


def _write_dashboard(folder: Path) -> Path | None:
    """Write ``folder/dashboard.html``; the core runs without the plotting package."""
    try:
        from dashboards.loading import ResultsError
        from dashboards.report import write_dashboard
    except ImportError as exc:
        print(f"note: no dashboard written ({exc})", file=sys.stderr)
        return None
    try:
        return write_dashboard(folder)
    except ResultsError as exc:
        raise UserError(str(exc)) from None


def _run(refs: list[str], overrides: list[str], args: argparse.Namespace,
         default_reps: int | None, label: str | list[str]) -> int:
    """Run and report; ``label`` names the default results folder (a list: the
    scenarios' names, joined by :func:`sim.results.folder_label`)."""
    from sim.progress import plan_line
    from sim.scenario import load_scenario

    first = load_scenario(refs[0], overrides, {"weeks": args.weeks, "seed": args.seed,
                                               "replications": args.reps or default_reps})
    run = first.params.run
    shared = {"weeks": run.weeks, "seed": run.seed, "replications": run.replications}
    scenarios = [first] + [load_scenario(r, overrides, shared) for r in refs[1:]]
    names = [s.name for s in scenarios]
    if len(set(names)) != len(names):
        raise UserError(f"scenario names must differ, got {', '.join(names)}")
    workers = capped_workers(args.workers)
    # said before the model and the data stack load (they take a second or two)
    print(plan_line(len(scenarios), run.replications, run.weeks, workers), file=sys.stderr,
          flush=True)
    planned = time.perf_counter()

    from sim.capacity import demand_warnings, staff_warnings
    from sim.comparison import run_comparison, uncalibrated, write_comparison
    from sim.findings import manifest_worlds
    from sim.metrics import HEADLINE
    from sim.progress import record_run
    from sim.results import (
        check_out_dir,
        default_out_dir,
        folder_bytes,
        folder_label,
        new_folder,
    )
    from sim.terminal import print_report, print_summary

    out = args.out or default_out_dir(label if isinstance(label, str) else folder_label(label))
    check_out_dir(out)
    _clean_partials(out.parent)
    # What staff cannot deliver is certain, and a design far out of line with its demand is
    # worth saying before minutes of running; whether the money binds only the run can say
    # (the key findings say how much was spent, left unspent and cut).
    for scenario in scenarios:
        for text in staff_warnings(scenario.params) + demand_warnings(scenario.params):
            _say(f"warning: {scenario.name}: {text}")
    for name, text in uncalibrated(scenarios).items():
        _say(f"note: {name}: {text}")
    start = time.perf_counter()
    # claimed before simulating: a clash over --out or too little disk is said at once
    with new_folder(out, folder_bytes(len(scenarios) * run.replications, run.weeks)) as folder:
        comparison = run_comparison(scenarios, workers, sys.argv, worlds=args.worlds or 0,
                                    world_reps=args.world_reps)
        simulated = start + comparison.simulated_s
        write_comparison(folder, comparison,
                         None if args.no_dashboard else _write_dashboard)
    # what this machine took, for the next estimates (sim.progress.measured)
    written = time.perf_counter()
    world_runs = len(scenarios) * (args.worlds or 0) * args.world_reps
    record_run(len(scenarios) * run.replications + world_runs, run.weeks, workers,
               simulated - start, written - simulated, start - planned)
    summary, across = comparison.summary, comparison.across
    # what the findings' caveat says their intervals hold
    worlds = manifest_worlds(comparison.manifest)
    print_report(summary, HEADLINE, worlds=worlds)
    print(f"ran {len(scenarios)} scenarios × {run.replications} replications × {run.weeks} "
          f"weeks in {time.perf_counter() - start:.1f} s")
    if across is not None:
        from sim.across_worlds import heading, sentences

        print(f"\n{heading(across)}; simulated comparisons under the model's stated "
              "assumptions:")
        for line in sentences(across):
            print(f"  {line}")
    print(f"results: {out}")
    if (out / "dashboard.html").exists():
        print(f"dashboard: {out / 'dashboard.html'}")
    print()
    # the last lines: what matters, still on screen when it ends
    print_summary(summary, worlds=worlds)
    return 0


def _clean_partials(parent: Path) -> None:
    """Remove half-built results folders that killed runs left in ``parent``; mention the
    ones whose builder cannot be checked."""
    from sim.files import clean_stale_partials

    removed, unknown = clean_stale_partials(parent)
    for path in removed:
        print(f"note: removed {path}, left unfinished by a run that was stopped",
              file=sys.stderr)
    for path in unknown:
        print(f"note: {path} is an unfinished results folder of another run (another machine "
              "or an older mentorsim); remove it once that run is over", file=sys.stderr)


def _cmd_run(args: argparse.Namespace) -> int:
    return _run(args.scenarios, args.overrides, args, None,
                [Path(s).stem for s in args.scenarios])


def _cmd_demo(args: argparse.Namespace) -> int:
    return _run(list(DEMO_SCENARIOS), [], args, 20, "demo")


def _cmd_metrics(args: argparse.Namespace) -> int:
    from sim.metrics import METRICS, markdown_table

    if args.markdown:
        print(markdown_table(), end="")
    else:
        for m in METRICS.values():
            print(f"{m.name:<42} {m.unit:<12} {m.definition}")
    return 0


def _cmd_tables(args: argparse.Namespace) -> int:
    from sim.tables import markdown, text

    if args.markdown:
        print(markdown(), end="")
    else:
        print(text())
    return 0


def _cmd_dashboard(args: argparse.Namespace) -> int:
    if not args.results.is_dir():
        raise UserError(f"{args.results}: no such results folder")
    path = _write_dashboard(args.results)
    if path is None:
        return 1
    print(f"dashboard: {path}")
    if args.pdf:
        from dashboards.pdf import PdfError, write_pdf
        try:
            print(f"pdf: {write_pdf(path)}")
        except PdfError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 1
    return 0


def _cmd_studio(args: argparse.Namespace) -> int:
    try:
        from studio.app import serve
    except ImportError as exc:  # the studio is a separate package over the core
        raise UserError(f"the studio cannot start ({exc}); reinstall with "
                        "pip install -e .") from None
    return serve(args.port, args.folder, open_browser=not args.no_browser)


COMMANDS: dict[str, Any] = {
    "scenarios": _cmd_scenarios, "run": _cmd_run, "validate": _cmd_validate,
    "demo": _cmd_demo, "metrics": _cmd_metrics, "tables": _cmd_tables,
    "dashboard": _cmd_dashboard, "studio": _cmd_studio,
    **CALIBRATION_COMMANDS,
    **DECIDE_COMMANDS,
    **SWEEP_COMMANDS,
}


class _Interrupt:
    """Ctrl-C and SIGTERM raise ``KeyboardInterrupt`` and leave a mark that they came.

    The mark matters because a compiled library may catch the ``KeyboardInterrupt`` raised
    inside it and raise its own error instead (pydantic, building a schema mid-import, raises
    ``SchemaError``); after a signal, any error is the interrupt's, not a traceback."""

    seen = False

    @classmethod
    def handle(cls, _signum: int, _frame: Any) -> None:
        cls.seen = True
        raise KeyboardInterrupt


def _interrupted(main_thread: bool) -> int:
    # one line, and a second Ctrl-C while the process winds down is not a traceback
    if main_thread:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
    files = sys.modules.get("sim.files")  # imported only by commands that write
    done = list(getattr(files, "PUBLISHED", ())) if files else []
    if done:
        print(f"interrupted after {', '.join(map(str, done))} was written complete",
              file=sys.stderr)
    else:
        print("interrupted: nothing was written", file=sys.stderr)
    return 130


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``mentorsim`` and ``python -m sim``; returns the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    # SIGTERM (a scheduler, `kill`, a closing terminal) stops a command as Ctrl-C does:
    # the same one line, the same clean-up, nothing half-written
    main_thread = threading.current_thread() is threading.main_thread()
    previous = ({s: signal.signal(s, _Interrupt.handle) for s in (signal.SIGINT, signal.SIGTERM)}
                if main_thread else {})
    _Interrupt.seen = False
    files = sys.modules.get("sim.files")
    if files:  # what an earlier command in this process wrote is not this one's
        files.PUBLISHED.clear()
    try:
        return COMMANDS[args.command](args)
    except UserError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return _interrupted(main_thread)
    except Exception as exc:
        if _Interrupt.seen:
            return _interrupted(main_thread)
        from sim.files import DISK_ERRNOS, disk_error_text

        if not isinstance(exc, OSError) or exc.errno not in DISK_ERRNOS:
            raise
        print(f"error: {disk_error_text(exc)}; nothing was written (free some space, or "
              "choose --out on another disk)", file=sys.stderr)
        return EXIT_DISK
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
