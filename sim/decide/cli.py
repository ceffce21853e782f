"""``mentorsim decide SPEC``: the command line of decision support.

Registered on ``mentorsim``'s subparsers by :func:`add_decide_parser`; the command is
listed in :data:`COMMANDS` and returns the exit code (0 done; 2 for a bad spec or folder,
from :func:`sim.cli.main`).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from sim.arguments import positive_int
from sim.errors import UserError


def add_decide_parser(sub: Any) -> None:
    """Register ``decide``."""
    decide = sub.add_parser(
        "decide", help="the best use of a fixed budget, robust across plausible worlds",
        description="Search the levers of a decision spec (scenarios/decisions/) on an "
                    "emulator of the model, confirm the best candidates by simulation in every "
                    "plausible world and write the answer: the recommended allocation, the "
                    "least money that meets the thresholds, the budget-outcome curve, a "
                    "Pareto set, robustness, what would change the decision and which "
                    "evidence is worth buying (docs/decide.md).")
    decide.add_argument("spec", metavar="SPEC", help="a decision spec: bundled name or path")
    decide.add_argument("--out", type=Path, default=None,
                        help="results folder to create (default: results/decide-NAME)")
    decide.add_argument("--workers", type=positive_int, default=None,
                        help="processes to use (default: all cores)")
    decide.add_argument("--scheduler", default=None, metavar="ADDRESS",
                        help="run the simulations on a dask.distributed cluster")
    decide.add_argument("--resume", action="store_true",
                        help="carry on the stages' runs (OUT.runs/) where they stopped")


def cmd_decide(args: argparse.Namespace) -> int:
    """Run a decision and write its folder."""
    from sim.decide.decision import run_decision
    from sim.decide.folder import summary, write_decision
    from sim.decide.spec import load_decision
    from sim.results import check_out_dir, new_folder
    from sim.runner import default_workers
    from sim.sweep.engine import SweepInterruptedError

    decision = load_decision(args.spec)
    out = args.out or Path("results") / f"decide-{decision.name}"
    check_out_dir(out)
    stages = out.parent / f"{out.name}.runs"
    if stages.exists() and not args.resume:
        raise UserError(f"{stages}: the runs of an earlier decision are here; add --resume "
                        "to carry on from them, or choose another --out")
    try:
        result = run_decision(decision, stages, args.workers or default_workers(),
                              args.scheduler, args.resume, progress=True)
    except SweepInterruptedError as exc:
        r = exc.report
        print(f"interrupted: {r.done} of {r.planned} runs of this stage are saved in "
              f"{stages}; continue with: mentorsim decide {args.spec} --out {out} --resume",
              file=sys.stderr)
        return 130
    with new_folder(out) as tmp:
        write_decision(tmp, result)
    print(summary(result))
    print(f"Wrote {out}/ (the runs are in {stages}/)", file=sys.stderr)
    return 0


COMMANDS = {"decide": cmd_decide}
