"""Sweep throughput: runs per minute with 1 and 2 workers, and the speed-up.

Run by hand (never from the test-suite):

    python benchmarks/sweep_throughput.py [--runs 240] [--weeks 260] [--workers 1,2]
                                          [--repeats 3]

Each measurement runs the same LHS sweep (``--runs`` points x 1 replication of the
baseline scenario, five levers varied) into a fresh temporary folder through
:func:`sim.sweep.engine.run_sweep`, and times the whole call: design, pool start-up,
runs, commits and the end-of-sweep summaries. ``1`` worker runs serially in the driver
process; more workers use the spawn-based process pool (runs go to it in batches, see
:func:`sim.sweep.engine.runs_per_task`). Target on an idle 2-core machine: 2 workers at
least 1.8x the runs per minute of 1 worker. The default 240 runs (about 100 s serially)
keep the pool's fixed start-up cost small next to the runs.

The worker counts are measured in turn, ``--repeats`` times (interleaved, so a change in
the machine's load hits all of them alike), and the fastest of each is compared. The load
average is printed before and after, because other processes on the machine change the
numbers. Pool start-up (spawning the workers and importing the model in each) is also
timed on its own, so the steady-state rate can be told apart from the fixed cost.
"""

from __future__ import annotations

import argparse
import os
import platform
import tempfile
import textwrap
import time
from pathlib import Path

SPEC = """
    extends = "baseline"
    horizon_weeks = {weeks}
    seed = 1
    outcomes = ["abandonment_rate", "mentor_burnout_prevalence"]
    replications = 1
    [design]
    kind = "lhs"
    samples = {runs}
    [levers]
    "funding.grant_term_years" = {{}}
    "supervision.sessions_per_month" = {{}}
    "support.contacts_per_month" = {{}}
    "training.pre_match_hours" = {{}}
    "mentors.extra_role_hours_per_week" = {{}}
"""


def measure(runs: int, weeks: int, workers: int) -> float:
    """Seconds for one sweep of ``runs`` runs with ``workers`` workers."""
    from sim.sweep.engine import run_sweep
    from sim.sweep.spec import load_spec

    with tempfile.TemporaryDirectory() as tmp:
        spec = Path(tmp) / "bench.toml"
        spec.write_text(textwrap.dedent(SPEC.format(runs=runs, weeks=weeks)))
        sweep = load_spec(spec)
        start = time.perf_counter()
        report = run_sweep(sweep, Path(tmp) / "out", workers=workers, show_progress=False)
        elapsed = time.perf_counter() - start
    assert report.done == runs, report
    return elapsed


def _warm(_task: int) -> int:
    import sim.runner  # noqa: F401 - what a worker imports before its first run
    import sim.sweep.worker  # noqa: F401

    return os.getpid()


def pool_startup(workers: int) -> float:
    """Seconds to start a spawn-based pool and import the model in every worker."""
    from sim.sweep.executors import local_backend

    start = time.perf_counter()
    backend = local_backend(workers)
    pids: set[int] = set()
    while len(pids) < workers:  # tasks of a fresh pool spread over its processes
        pids |= set(backend.executor.map(_warm, range(workers * 4)))
    elapsed = time.perf_counter() - start
    backend.close()
    return elapsed


def main() -> None:
    """Measure and print runs per minute for each worker count."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=240)
    parser.add_argument("--weeks", type=int, default=260)
    parser.add_argument("--workers", default="1,2")
    parser.add_argument("--repeats", type=int, default=3,
                        help="measurements per worker count, interleaved (default 3)")
    args = parser.parse_args()
    counts = [int(w) for w in args.workers.split(",")]
    print(f"python {platform.python_version()}, {os.cpu_count()} cores, "
          f"load average {os.getloadavg()[0]:.2f}; {args.runs} runs of {args.weeks} weeks, "
          f"{args.repeats} repeat(s)")
    times: dict[int, list[float]] = {w: [] for w in counts}
    for repeat in range(args.repeats):
        for workers in counts:
            times[workers].append(measure(args.runs, args.weeks, workers))
            print(f"  repeat {repeat + 1}, {workers} worker(s): {times[workers][-1]:6.1f} s "
                  f"(load average {os.getloadavg()[0]:.2f})", flush=True)
    rates: dict[int, float] = {}
    steady: dict[int, float] = {}
    for workers in counts:
        elapsed = min(times[workers])
        startup = pool_startup(workers) if workers > 1 else 0.0
        rates[workers] = args.runs / elapsed * 60
        steady[workers] = args.runs / (elapsed - startup) * 60
        print(f"{workers} worker(s): fastest {elapsed:6.1f} s  {rates[workers]:7.1f} runs/min"
              + (f"  (pool start-up {startup:.1f} s; without it {steady[workers]:.1f} runs/min)"
                 if startup else ""))
    base = rates.get(1)
    if base:
        for workers, rate in rates.items():
            if workers > 1:
                print(f"speed-up {workers} vs 1 worker: {rate / base:.2f}x (target >= 1.8x); "
                      f"without pool start-up {steady[workers] / base:.2f}x")
    print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
