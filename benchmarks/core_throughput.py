"""Core throughput and start-up: mentorsim against Mesa's Boltzmann model, CPU and wall.

Run by hand (never from the test-suite), one heavy process at a time on a shared machine:

    python benchmarks/core_throughput.py [--repeats 3] [--quick] [--seed 1] [--json PATH]

**Workloads.** Each mentorsim workload builds ``MentoringModel(params, seed)``, calls
``model.step()`` for ``params.run.weeks`` weeks, then ``model.finish()``; the timed region
is all three (build, steps, finish). An agent-step is one Mesa agent present for one step
(agencies, mentors on the books and mentees in the model), summed over every step the
model runs: an established programme's burn-in (``programme.burn_in_weeks``, run by the
constructor before week 1) is counted too, since its time is in the timed region (the
"steps" column); Boltzmann runs the same number of steps. The parameters come from the
project's own loading and validation (:func:`sim.scenario.load_scenario` with
``--set``-style overrides):

* ``baseline``: the bundled scenario, 260 weeks (its ``run.weeks``);
* ``national``: the bundled scenario, 520 weeks (its ``run.weeks``);
* ``national x20``: national's parameters with ``programme.agencies=20`` at 1,040 weeks,
  and the same at 260 weeks, for the linear-growth check.

Beside each mentorsim workload, Mesa's Boltzmann wealth example
(``mesa.examples.basic.boltzmann_wealth_model``) runs the same number of agent-steps: its
agent count is the workload's mean agents per step, for the workload's steps, on a square
grid with one agent per cell (the example's own density). It runs twice:

* *with collection*: the example unchanged, whose ``step`` calls
  ``datacollector.collect`` (model and agent reporters every step) and whose
  ``DataRecorder`` records agent wealth every step;
* *without collection*: a subclass whose ``step`` only does
  ``agents.shuffle_do("step")``, with the recorder's datasets disabled.

**Engines.** Each mentorsim workload runs twice: with the numpy mechanisms (what a process
running one model uses) and with the compiled kernels of ``sim.kernels`` (what a demo, a
sweep or a pool worker switches to once it has several runs to do). In the compiled run,
numba's import and the kernels' load from numba's on-disk cache happen before the clock,
in a three-week warm-up run, and their cost is printed separately: a worker pays it once.

**Method.** Every timed run is a fresh Python process (``--child``), so no run inherits
another's heap, caches or imports; imports and parameter loading happen before the clock
starts. The garbage collector stays on (as in a real run), after a ``gc.collect()`` just
before the clock starts, the same in every process. Runs are interleaved: each round runs
every workload once (mentorsim, Boltzmann with, Boltzmann without, then the next
workload), and the rounds repeat ``--repeats`` times (at least 3); each figure is the
minimum over the rounds, for CPU seconds (``time.process_time`` in the child) and wall
seconds (``time.perf_counter``) separately. Every repeat uses the same seed, so each
repeat does exactly the same work and the minimum removes noise, not model variation.

**Start-up.** ``mentorsim run baseline --reps 1 --weeks 1 --out DIR`` (a one-week run that
writes the tables and, by default, the dashboard) is timed as a subprocess beside a bare
``python -c "import mesa, pandas"``, interleaved, minimum over the repeats; CPU is the
child's user + system time from ``os.wait4`` (it includes any processes the child waits
for). ``mentorsim --help``, ``mentorsim validate baseline`` and the run with
``--no-dashboard`` are timed the same way for information, and so is the floor under
``run``: a bare ``python -c`` importing only the libraries its outputs are made with
(:data:`OUTPUT_LIBRARIES`), which no change to mentorsim's own code can go below.

**Targets** (from the speed issue), each printed with PASS or MISS:

* ``national``: at least 3x the agent-steps per CPU second of Boltzmann without
  collection;
* CPU microseconds per agent-step at 1,040 weeks within 10% of that at 260 weeks (20
  agencies both): cost grows linearly with the horizon;
* ``mentorsim run`` start-up at most 1.5x the CPU of ``import mesa, pandas``;
* and the earlier wall-clock targets: baseline (260 weeks) under 1 s, national (520
  weeks) under 10 s.

``--quick`` is a smoke run: one repeat (unless ``--repeats`` is given) and horizons a fifth
as long; its figures are not comparable with the targets. The ``sim`` package measured is
whichever ``python`` imports (run from another checkout with ``PYTHONPATH`` set to it).
"""

from __future__ import annotations

import argparse
import gc
import json
import math
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

MIN_REPEATS = 3
SEED = 1
SCALE_AGENCIES = 20

# Targets from the speed issue.
NATIONAL_VS_BOLTZMANN = 3.0  # national agent-steps/s >= 3 x Boltzmann without collection
LINEAR_TOLERANCE = 0.10  # cost per agent-step at 1,040 weeks within 10% of 260 weeks
STARTUP_RATIO = 1.5  # `mentorsim run ... --weeks 1` CPU <= 1.5 x `import mesa, pandas`
# What `mentorsim run` writes its outputs with: the model (mesa), the tables (pandas,
# pyarrow), the validated scenario (pydantic), the spreadsheet (openpyxl), the dashboard's
# figures (plotly) and its survival and competing-risks estimates (lifelines).
OUTPUT_LIBRARIES = ("mesa", "pandas", "pyarrow.parquet", "pydantic", "openpyxl", "plotly.io",
                    "lifelines")
WALL_TARGETS_S = {"baseline": 1.0, "national": 10.0}  # earlier targets, wall seconds


# --- the child: one timed run in a fresh process -------------------------------------

def _run_mentorsim(spec: dict[str, Any]) -> dict[str, Any]:
    import sim
    from sim.model import MentoringModel
    from sim.scenario import load_scenario

    params = load_scenario(spec["scenario"], spec["overrides"],
                           {"weeks": spec["weeks"]}).params
    kernel_load_cpu = 0.0
    if spec.get("engine") == "numba":
        # A sweep worker's steady state: numba imported and the kernels loaded from its
        # on-disk cache (by a three-week run) before the clock; that cost is reported
        # separately, as the process's one-off kernel start-up.
        from sim import kernels

        cpu0 = time.process_time()
        kernels.use("numba")
        warm = MentoringModel(load_scenario(spec["scenario"], spec["overrides"],
                                            {"weeks": 3}).params, spec["seed"])
        warm.run_for(3)
        kernel_load_cpu = time.process_time() - cpu0
    class Counted(MentoringModel):
        """Counts agent-steps in every step, the burn-in's (run by the constructor) too."""

        agent_steps = 0
        steps_run = 0

        def step(self) -> None:
            super().step()
            self.agent_steps += len(self.agents)
            self.steps_run += 1

    gc.collect()
    cpu0, wall0 = time.process_time(), time.perf_counter()
    model = Counted(params, spec["seed"])
    build_cpu = time.process_time() - cpu0
    burn_in_agent_steps = model.agent_steps
    for _ in range(params.run.weeks):
        model.step()
    model.finish()
    cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
    return {"cpu_s": cpu, "wall_s": wall, "build_cpu_s": build_cpu,
            "agent_steps": model.agent_steps, "weeks": params.run.weeks,
            "measured_agent_steps": model.agent_steps - burn_in_agent_steps,
            "steps": model.steps_run, "sim": str(Path(sim.__file__).parent),
            "kernel_load_cpu_s": kernel_load_cpu}


def _run_boltzmann(spec: dict[str, Any]) -> dict[str, Any]:
    from mesa.examples.basic.boltzmann_wealth_model.model import (
        BoltzmannScenario,
        BoltzmannWealth,
    )

    class BoltzmannWithoutCollection(BoltzmannWealth):
        """The example with its DataCollector and DataRecorder switched off."""

        def __init__(self, scenario: BoltzmannScenario) -> None:
            super().__init__(scenario)
            for name in list(self.recorder.configs):
                self.recorder.disable_dataset(name)

        def step(self) -> None:
            self.agents.shuffle_do("step")

    agents, weeks = spec["agents"], spec["weeks"]
    side = max(10, round(math.sqrt(agents)))  # one agent per cell, as the example
    scenario = BoltzmannScenario(n=agents, width=side, height=side, rng=spec["seed"])
    cls = BoltzmannWealth if spec["collect"] else BoltzmannWithoutCollection
    gc.collect()
    cpu0, wall0 = time.process_time(), time.perf_counter()
    model = cls(scenario)
    build_cpu = time.process_time() - cpu0
    agent_steps = 0
    for _ in range(weeks):
        model.step()
        agent_steps += len(model.agents)
    cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
    return {"cpu_s": cpu, "wall_s": wall, "build_cpu_s": build_cpu, "agent_steps": agent_steps,
            "weeks": weeks, "steps": weeks}


def child(spec: dict[str, Any]) -> None:
    """Run one timed run in this (fresh) process and print its figures as JSON."""
    run = _run_mentorsim if spec["kind"] == "mentorsim" else _run_boltzmann
    result = run(spec)
    result["peak_rss_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(result))


# --- the driver ------------------------------------------------------------------------

@dataclass
class Workload:
    """A mentorsim run and the two Boltzmann runs beside it, with their samples."""

    key: str
    label: str
    scenario: str
    weeks: int
    overrides: list[str] = field(default_factory=list)
    boltzmann: bool = True
    samples: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    agents: int | None = None  # mean agents per step, known after the first mentorsim run
    steps: int | None = None  # steps run, the burn-in's included (the same)

    def best(self, variant: str) -> dict[str, float]:
        """Minimum CPU and wall seconds over the samples, with the agent-steps."""
        runs = self.samples[variant]
        return {"cpu_s": min(r["cpu_s"] for r in runs), "wall_s": min(r["wall_s"] for r in runs),
                "build_cpu_s": min(r["build_cpu_s"] for r in runs),
                "steps_cpu_s": min(r["cpu_s"] - r["build_cpu_s"] for r in runs),
                "agent_steps": runs[0]["agent_steps"], "repeats": len(runs),
                "measured_agent_steps": runs[0].get("measured_agent_steps",
                                                    runs[0]["agent_steps"]),
                "kernel_load_cpu_s": min(r.get("kernel_load_cpu_s", 0.0) for r in runs)}


def workloads(quick: bool) -> list[Workload]:
    """The mentorsim workloads, horizons a fifth as long with ``quick``."""
    def weeks(n: int) -> int:
        return max(1, n // 5) if quick else n

    scale = [f"programme.agencies={SCALE_AGENCIES}"]
    return [
        Workload("baseline", "baseline", "baseline", weeks(260)),
        Workload("national", "national", "national", weeks(520)),
        Workload("scale_1040", f"national x{SCALE_AGENCIES} agencies", "national",
                 weeks(1040), scale),
        Workload("scale_260", f"national x{SCALE_AGENCIES} agencies", "national",
                 weeks(260), scale, boltzmann=False),
    ]


def _in_child(spec: dict[str, Any]) -> dict[str, Any]:
    out = subprocess.run([sys.executable, __file__, "--child", json.dumps(spec)],
                         capture_output=True, text=True)
    if out.returncode != 0:
        raise SystemExit(f"timed run {spec} failed:\n{out.stderr}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def _record(w: Workload, variant: str, result: dict[str, Any]) -> None:
    runs = w.samples.setdefault(variant, [])
    if runs and result["agent_steps"] != runs[0]["agent_steps"]:
        print(f"warning: {w.key} {variant}: {result['agent_steps']} agent-steps, "
              f"{runs[0]['agent_steps']} in the first repeat (same seed: not deterministic?)",
              file=sys.stderr)
    runs.append(result)


def measure_round(loads: list[Workload], seed: int) -> None:
    """One round: every workload's mentorsim run, then its two Boltzmann runs."""
    for w in loads:
        result = _in_child({"kind": "mentorsim", "scenario": w.scenario,
                            "overrides": w.overrides, "weeks": w.weeks, "seed": seed,
                            "engine": "numpy"})
        _record(w, "mentorsim", result)
        _record(w, "mentorsim_kernels", _in_child({
            "kind": "mentorsim", "scenario": w.scenario, "overrides": w.overrides,
            "weeks": w.weeks, "seed": seed, "engine": "numba"}))
        if w.agents is None:
            w.steps = result["steps"]
            w.agents = max(1, round(result["agent_steps"] / w.steps))
        if not w.boltzmann:
            continue
        for variant, collect in (("boltzmann_collect", True), ("boltzmann", False)):
            _record(w, variant, _in_child({"kind": "boltzmann", "agents": w.agents,
                                           "weeks": w.steps, "seed": seed,
                                           "collect": collect}))


def _timed_subprocess(argv: list[str], cwd: str) -> dict[str, float]:
    """CPU (user + system, from os.wait4) and wall seconds of one subprocess."""
    wall0 = time.perf_counter()
    proc = subprocess.Popen(argv, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    assert proc.stderr is not None
    err = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - wall0
    proc.returncode = os.waitstatus_to_exitcode(status)
    proc.stderr.close()
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} exited {proc.returncode}:\n{err.decode()}")
    return {"cpu_s": usage.ru_utime + usage.ru_stime, "wall_s": wall}


def _mentorsim_command() -> list[str]:
    script = Path(sys.executable).parent / "mentorsim"
    return [str(script)] if script.is_file() else [sys.executable, "-m", "sim"]


def measure_startup(repeats: int, tmp: str) -> dict[str, dict[str, Any]]:
    """Start-up commands, interleaved, ``repeats`` rounds; minimum CPU and wall of each."""
    cli = _mentorsim_command()
    commands: dict[str, Any] = {
        "bare": [sys.executable, "-c", "import mesa, pandas"],
        # The floor under `run`: importing only the libraries its outputs are made with,
        # before any of mentorsim's own code or work.
        "libraries": [sys.executable, "-c", f"import {', '.join(OUTPUT_LIBRARIES)}"],
        "run": lambda i: cli + ["run", "baseline", "--reps", "1", "--weeks", "1",
                                "--out", str(Path(tmp) / f"run-{i}")],
        "run_no_dashboard": lambda i: cli + ["run", "baseline", "--reps", "1", "--weeks",
                                             "1", "--no-dashboard", "--out",
                                             str(Path(tmp) / f"nodash-{i}")],
        "help": cli + ["--help"],
        "validate": cli + ["validate", "baseline"],
    }
    samples: dict[str, list[dict[str, float]]] = {name: [] for name in commands}
    for i in range(repeats):
        for name, argv in commands.items():
            samples[name].append(_timed_subprocess(argv(i) if callable(argv) else argv,
                                                   cwd=os.getcwd()))
    return {name: {"cpu_s": min(s["cpu_s"] for s in runs),
                   "wall_s": min(s["wall_s"] for s in runs), "repeats": len(runs),
                   "command": " ".join(commands[name](0) if callable(commands[name])
                                       else commands[name])}
            for name, runs in samples.items()}


def _verdict(ok: bool, quick: bool) -> str:
    if quick:  # a smoke run's figures say nothing about the targets
        return ("pass" if ok else "miss") + " (quick run)"
    return "PASS" if ok else "MISS"


def _source() -> str:
    """Which ``sim`` the children import, with its git commit when it is a checkout."""
    out = subprocess.run([sys.executable, "-c", "import sim, pathlib; "
                          "print(pathlib.Path(sim.__file__).resolve().parent.parent)"],
                         capture_output=True, text=True, check=True)
    root = out.stdout.strip()
    try:
        commit = subprocess.run(["git", "-C", root, "rev-parse", "--short", "HEAD"],
                                capture_output=True, text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", root, "status", "--porcelain", "--", "sim"],
                               capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return root
    return f"{root} @ {commit}{' + uncommitted changes in sim/' if dirty else ''}"


def report(loads: list[Workload], startup: dict[str, dict[str, Any]], quick: bool
           ) -> tuple[list[str], list[dict[str, Any]], dict[str, Any]]:
    """The table's lines, the targets with their verdicts, and the figures for --json."""
    lines = [f"{'run':<44}{'steps':>6}{'agents':>7}{'agent-steps':>12}{'CPU s':>8}"
             f"{'wall s':>8}{'agent-steps/CPU s':>18}{'CPU us/a-s':>11}{'vs Boltz':>9}"]
    figures: dict[str, Any] = {}
    for w in loads:
        rows = [("mentorsim", w.label), ("mentorsim_kernels", "  the same, compiled kernels")]
        if w.boltzmann:
            rows += [("boltzmann_collect", "  Boltzmann, with DataCollector"),
                     ("boltzmann", "  Boltzmann, without collection")]
        plain = w.best("boltzmann") if w.boltzmann else None
        entry: dict[str, Any] = {"weeks": w.weeks, "steps": w.steps, "agents": w.agents,
                                 "overrides": w.overrides, "scenario": w.scenario}
        for variant, label in rows:
            best = w.best(variant)
            best["rate_cpu"] = best["agent_steps"] / best["cpu_s"]
            best["rate_wall"] = best["agent_steps"] / best["wall_s"]
            best["us_per_agent_step_cpu"] = best["cpu_s"] / best["agent_steps"] * 1e6
            ratio = ""
            if plain is not None and variant != "boltzmann":
                best["ratio_vs_boltzmann"] = best["rate_cpu"] / (plain["agent_steps"]
                                                                 / plain["cpu_s"])
                ratio = f"{best['ratio_vs_boltzmann']:.2f}x"
            entry[variant] = best | {"samples": w.samples[variant]}
            lines.append(f"{label:<44}{w.steps:>6}{w.agents:>7}{best['agent_steps']:>12,}"
                         f"{best['cpu_s']:>8.2f}{best['wall_s']:>8.2f}"
                         f"{best['rate_cpu']:>18,.0f}{best['us_per_agent_step_cpu']:>11.2f}"
                         f"{ratio:>9}")
        figures[w.key] = entry

    lines.append("")
    lines.append(f"{'start-up (subprocess)':<44}{'CPU s':>8}{'wall s':>8}{'vs bare (CPU)':>15}")
    bare = startup["bare"]["cpu_s"]
    for name, label in (("bare", "python -c 'import mesa, pandas'"),
                        ("libraries", "  importing what run's outputs need (floor)"),
                        ("run", "mentorsim run baseline --reps 1 --weeks 1"),
                        ("run_no_dashboard", "  the same with --no-dashboard"),
                        ("help", "mentorsim --help"),
                        ("validate", "mentorsim validate baseline")):
        s = startup[name]
        lines.append(f"{label:<44}{s['cpu_s']:>8.3f}{s['wall_s']:>8.3f}"
                     f"{s['cpu_s'] / bare:>14.2f}x")
    figures["startup"] = startup

    national = figures["national"]["mentorsim"]["ratio_vs_boltzmann"]
    compiled = figures["national"]["mentorsim_kernels"]["ratio_vs_boltzmann"]
    short = figures["scale_260"]["mentorsim"]["us_per_agent_step_cpu"]
    long = figures["scale_1040"]["mentorsim"]["us_per_agent_step_cpu"]
    growth = long / short
    growth_compiled = (figures["scale_1040"]["mentorsim_kernels"]["us_per_agent_step_cpu"]
                       / figures["scale_260"]["mentorsim_kernels"]["us_per_agent_step_cpu"])
    # Without the build: the measured weeks' time over the measured weeks' agent-steps.
    steps_only = [figures[k]["mentorsim"]["steps_cpu_s"]
                  / figures[k]["mentorsim"]["measured_agent_steps"] * 1e6
                  for k in ("scale_1040", "scale_260")]
    startup_ratio = startup["run"]["cpu_s"] / bare
    weeks = {w.key: w.weeks for w in loads}
    targets = [
        {"target": f"national: agent-steps/CPU s >= {NATIONAL_VS_BOLTZMANN:g}x Boltzmann "
                   "without collection", "value": f"{national:.2f}x",
         "ok": national >= NATIONAL_VS_BOLTZMANN},
        {"target": "  the same with the compiled kernels (a sweep worker)",
         "value": f"{compiled:.2f}x", "ok": compiled >= NATIONAL_VS_BOLTZMANN},
        {"target": f"national x{SCALE_AGENCIES}: CPU us/agent-step at {weeks['scale_1040']} "
                   f"vs {weeks['scale_260']} weeks within {LINEAR_TOLERANCE:.0%}",
         "value": f"{long:.2f} / {short:.2f} us = {growth:.3f}",
         "ok": abs(growth - 1) <= LINEAR_TOLERANCE},
        {"target": "  the same with the compiled kernels",
         "value": f"{growth_compiled:.3f}", "ok": abs(growth_compiled - 1) <= LINEAR_TOLERANCE},
        {"target": f"start-up: mentorsim run CPU <= {STARTUP_RATIO:g}x import mesa, pandas",
         "value": f"{startup['run']['cpu_s']:.2f} / {bare:.2f} s = {startup_ratio:.2f}x",
         "ok": startup_ratio <= STARTUP_RATIO},
    ]
    for key, limit in WALL_TARGETS_S.items():
        wall = figures[key]["mentorsim"]["wall_s"]
        targets.append({"target": f"{key} ({weeks[key]} weeks): wall < {limit:g} s",
                        "value": f"{wall:.2f} s", "ok": wall < limit})
    lines.append("")
    lines.append(f"{'target':<72}{'measured':<26}verdict")
    for t in targets:
        t["verdict"] = _verdict(t["ok"], quick)
        lines.append(f"{t['target']:<72}{t['value']:<26}{t['verdict']}")
    build = {k: figures[k]["mentorsim"]["build_cpu_s"] for k in ("scale_260", "scale_1040")}
    lines.append(f"(the x{SCALE_AGENCIES} figures include the model build, "
                 f"{build['scale_1040']:.2f} / {build['scale_260']:.2f} CPU s at "
                 f"{weeks['scale_1040']} / {weeks['scale_260']} weeks; without it: "
                 f"{steps_only[0]:.2f} / {steps_only[1]:.2f} us = "
                 f"{steps_only[0] / steps_only[1]:.3f})")
    load = figures["national"]["mentorsim_kernels"]["kernel_load_cpu_s"]
    lines.append(f"(compiled kernels: numba's import and the kernels' load from its on-disk "
                 f"cache cost {load:.2f} CPU s once per process, before the clock)")
    return lines, targets, figures


def main() -> None:
    """Measure interleaved rounds, print the table and the targets, optionally write JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=None,
                        help=f"rounds; each figure is the minimum (default {MIN_REPEATS}, "
                             f"at least {MIN_REPEATS}; 1 with --quick)")
    parser.add_argument("--quick", action="store_true",
                        help="smoke run: horizons a fifth as long, one round; not comparable "
                             "with the targets")
    parser.add_argument("--seed", type=int, default=SEED, help="seed of every run")
    parser.add_argument("--json", type=Path, default=None, metavar="PATH",
                        help="also write every figure and sample to PATH")
    parser.add_argument("--child", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child is not None:
        child(json.loads(args.child))
        return
    repeats = args.repeats if args.repeats is not None else (1 if args.quick else MIN_REPEATS)
    if repeats < 1 or (repeats < MIN_REPEATS and not args.quick):
        parser.error(f"--repeats must be at least {MIN_REPEATS} (use --quick for a smoke run)")

    import mesa

    source = _source()
    load_before = os.getloadavg()[0]
    print(f"Python {platform.python_version()}, Mesa {mesa.__version__}, {platform.machine()}, "
          f"{os.cpu_count()} cores, load average {load_before:.2f}")
    print(f"sim: {source}")
    print(f"{repeats} interleaved round(s), each run in a fresh process, gc on; minimum of "
          f"each figure; seed {args.seed}{'; QUICK (shortened)' if args.quick else ''}\n",
          flush=True)
    loads = workloads(args.quick)
    start = time.perf_counter()
    for i in range(repeats):
        measure_round(loads, args.seed)
        print(f"round {i + 1}/{repeats} done ({time.perf_counter() - start:.0f} s)",
              file=sys.stderr)
    with tempfile.TemporaryDirectory() as tmp:
        startup = measure_startup(repeats, tmp)
    lines, targets, figures = report(loads, startup, args.quick)
    print("\n".join(lines))
    load_after = os.getloadavg()[0]
    print(f"\nload average after: {load_after:.2f}; {time.perf_counter() - start:.0f} s in all")
    if args.json:
        args.json.write_text(json.dumps({
            "python": platform.python_version(), "mesa": mesa.__version__,
            "machine": platform.machine(), "cores": os.cpu_count(), "sim": source,
            "repeats": repeats, "quick": args.quick, "seed": args.seed,
            "load_average": [load_before, load_after], "targets": targets,
            "figures": figures}, indent=2))
        print(f"figures: {args.json}")


if __name__ == "__main__":
    main()
