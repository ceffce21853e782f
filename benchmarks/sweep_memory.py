"""Peak driver memory of a 100-run and a 1,000-run sweep (target: within 10%).

Run by hand (never from the test-suite):

    python benchmarks/sweep_memory.py [--sizes 100,1000] [--weeks 52] [--workers 2]

Each sweep runs in its own fresh Python process (so peaks do not carry over), using the
process pool: the models run in worker processes and only the driver is measured. For
each size it reports

* the driver's peak resident set size (``resource.getrusage(RUSAGE_SELF).ru_maxrss``,
  which excludes the workers), and its RSS just before the sweep started (imports);
* the peak of Python allocations traced by ``tracemalloc`` during the sweep, the part
  that would grow if the driver kept results in memory.

The sweeps are LHS designs of ``size / 2`` points x 2 replications, 52 weeks by default
so that the 1,000-run sweep takes a few minutes on 2 cores.
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


def child(runs: int, weeks: int, workers: int) -> None:
    """Run one sweep in this process and print its memory figures as JSON."""
    import resource
    import time
    import tracemalloc

    from sim.sweep.engine import run_sweep
    from sim.sweep.spec import load_spec

    with tempfile.TemporaryDirectory() as tmp:
        spec = Path(tmp) / "mem.toml"
        spec.write_text(textwrap.dedent(SPEC.format(points=runs // 2, weeks=weeks)))
        sweep = load_spec(spec)
        import sim.sweep.analysis  # noqa: F401 - imported before the baseline is taken

        before = _rss_mib()
        tracemalloc.start()
        start = time.perf_counter()
        report = run_sweep(sweep, Path(tmp) / "out", workers=workers, show_progress=False)
        elapsed = time.perf_counter() - start
        _, traced_peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    assert report.done == runs, report
    print(json.dumps({"runs": runs, "rss_before_mib": before,
                      "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                      "traced_peak_mib": traced_peak / 2**20, "seconds": elapsed}))


def main() -> None:
    """Run each size in a fresh process and compare."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100,1000")
    parser.add_argument("--weeks", type=int, default=52)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--child", type=int, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child is not None:
        child(args.child, args.weeks, args.workers)
        return
    results = []
    for size in (int(s) for s in args.sizes.split(",")):
        out = subprocess.run([sys.executable, __file__, "--child", str(size), "--weeks",
                              str(args.weeks), "--workers", str(args.workers)],
                             capture_output=True, text=True, check=True)
        result = json.loads(out.stdout.strip().splitlines()[-1])
        results.append(result)
        print(f"{size:>6} runs: driver peak RSS {result['peak_rss_mib']:6.1f} MiB "
              f"(before the sweep {result['rss_before_mib']:6.1f} MiB), traced Python "
              f"allocations peak {result['traced_peak_mib']:5.2f} MiB, "
              f"{result['seconds']:.0f} s")
    if len(results) >= 2:
        small, large = results[0], results[-1]
        ratio = large["peak_rss_mib"] / small["peak_rss_mib"]
        traced = large["traced_peak_mib"] / small["traced_peak_mib"]
        print(f"peak RSS {large['runs']} vs {small['runs']} runs: {ratio:.3f}x "
              f"(target within 10%); traced allocations: {traced:.2f}x")


if __name__ == "__main__":
    main()
