"""Peak driver memory of a 1,000-run and a 10,000-run sweep (target: within 10%).

Run by hand (never from the test-suite):

    python benchmarks/sweep_memory.py [--sizes 1000,10000] [--weeks 4] [--workers 2]

Each sweep runs in its own fresh Python process (so peaks do not carry over), using the
process pool: the models run in worker processes and only the driver is measured. For
each size it reports

* the driver's peak resident set size (``resource.getrusage(RUSAGE_SELF).ru_maxrss``,
  which excludes the workers), and its RSS just before the sweep started (imports);
* the peak of Python allocations traced by ``tracemalloc`` during the sweep, the part
  that would grow if the driver kept results in memory (``--no-trace`` skips it, as
  tracing slows the driver down).

The sweeps are LHS designs of ``size / 2`` points x 2 replications. What is measured is
the driver's book-keeping per run (tasks, results, commits, the ledger, the end-of-sweep
summaries), not the model, so the runs are made as short as the model allows: a
``--weeks`` horizon of 4 and no burn-in (``programme.burn_in_weeks = 0`` in ``[set]``).
The 10,000-run sweep then takes a few minutes on 2 cores.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

SPEC = """
    extends = "baseline"
    horizon_weeks = {weeks}
    seed = 1
    outcomes = ["abandonment_rate", "mentor_burnout_prevalence"]
    replications = 2
    [set]
    "programme.burn_in_weeks" = {burn_in}
    [design]
    kind = "lhs"
    samples = {points}
    [levers]
    "funding.grant_term_years" = {{}}
    "supervision.sessions_per_month" = {{}}
    "support.contacts_per_month" = {{}}
    [uncertainties]
    "effects.quality_growth" = {{}}
"""


def _rss_mib() -> float:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def child(runs: int, weeks: int, burn_in: int, workers: int, trace: bool) -> None:
    """Run one sweep in this process and print its memory figures as JSON."""
    import resource
    import time
    import tracemalloc

    from sim.sweep.engine import run_sweep
    from sim.sweep.spec import load_spec

    with tempfile.TemporaryDirectory() as tmp:
        spec = Path(tmp) / "mem.toml"
        spec.write_text(textwrap.dedent(SPEC.format(points=runs // 2, weeks=weeks,
                                                    burn_in=burn_in)))
        sweep = load_spec(spec)
        import sim.sweep.analysis  # noqa: F401 - imported before the baseline is taken

        before = _rss_mib()
        if trace:
            tracemalloc.start()
        start = time.perf_counter()
        report = run_sweep(sweep, Path(tmp) / "out", workers=workers, show_progress=False)
        elapsed = time.perf_counter() - start
        traced_peak = tracemalloc.get_traced_memory()[1] if trace else 0
        tracemalloc.stop()
    assert report.done == runs, report
    print(json.dumps({"runs": runs, "rss_before_mib": before,
                      "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                      "traced_peak_mib": traced_peak / 2**20, "seconds": elapsed,
                      "backend": report.backend}))


def main() -> None:
    """Run each size in a fresh process and compare."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000")
    parser.add_argument("--weeks", type=int, default=4)
    parser.add_argument("--burn-in", type=int, default=0,
                        help="programme.burn_in_weeks of every run (default 0)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--no-trace", action="store_true",
                        help="do not trace Python allocations (faster)")
    parser.add_argument("--child", type=int, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child is not None:
        child(args.child, args.weeks, args.burn_in, args.workers, not args.no_trace)
        return
    print(f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f}; runs of "
          f"{args.weeks} weeks (burn-in {args.burn_in}), {args.workers} workers")
    results = []
    for size in (int(s) for s in args.sizes.split(",")):
        command = [sys.executable, __file__, "--child", str(size), "--weeks", str(args.weeks),
                   "--burn-in", str(args.burn_in), "--workers", str(args.workers)]
        out = subprocess.run(command + (["--no-trace"] if args.no_trace else []),
                             capture_output=True, text=True, check=True)
        result = json.loads(out.stdout.strip().splitlines()[-1])
        results.append(result)
        traced = (f", traced Python allocations peak {result['traced_peak_mib']:5.2f} MiB"
                  if not args.no_trace else "")
        print(f"{size:>6} runs: driver peak RSS {result['peak_rss_mib']:6.1f} MiB "
              f"(before the sweep {result['rss_before_mib']:6.1f} MiB){traced}, "
              f"{result['seconds']:.0f} s ({size / result['seconds'] * 60:.0f} runs/min)")
    if len(results) >= 2:
        small, large = results[0], results[-1]
        ratio = large["peak_rss_mib"] / small["peak_rss_mib"]
        line = (f"peak RSS {large['runs']} vs {small['runs']} runs: {ratio:.3f}x "
                "(target within 10%)")
        if not args.no_trace:
            traced_ratio = large["traced_peak_mib"] / small["traced_peak_mib"]
            line += f"; traced allocations: {traced_ratio:.2f}x"
        print(line)
    print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
