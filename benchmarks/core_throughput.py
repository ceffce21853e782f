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

**Compiled mechanisms.** The weekly mechanisms are compiled by numba
(:mod:`sim.compiled`); a process pays once to load them from numba's on-disk cache (or to
compile them when the cache is empty). In every timed model run that cost is paid before
the clock, by :func:`sim.workers.warm_up` (what a pool worker does as it starts), and it
is measured on its own twice: loading from the cache, and compiling from scratch into an
empty ``NUMBA_CACHE_DIR``.

**As a user meets it.** The model alone is not what a user waits for: a run also builds its
tables and metrics and writes Parquet files. Three more measurements include them:

* *pipeline*: ``--pipeline-runs`` baseline-size runs in one (warmed) process, each through
  :func:`sim.runner.run_batch` as a worker does it (model, tables, metrics, the yearly
  table, Parquet packing); runs per CPU second, and each part's share of the time;
* *command line*: ``mentorsim run SCENARIO --reps 1 --weeks N --no-dashboard --workers 1``
  minus the same at ``--weeks 1`` (what the weeks themselves cost, outputs included, with
  start-up and the fixed costs taken away), against Boltzmann without collection at the
  agent-steps of the model-alone workload of that scenario and horizon;
* *comparison*: a crossed sweep of 6 options x ``--worlds`` worlds (default 100) x 5
  replications on 2 workers, through :func:`sim.sweep.engine.run_sweep`: each world a
  Latin-hypercube point over every declared effect-size and relationship uncertainty
  (their plausible ranges, as worlds are drawn until a calibrated ensemble exists), each
  option a bundled scenario's levers as a policy; wall time of the whole call (pool
  start-up and numba's load in each worker included);
* *demo --worlds*: ``mentorsim demo --worlds N`` against ``demo`` alone (wall and CPU);
* *decide* (``--decide SPEC``): ``mentorsim decide SPEC`` end to end, with its run count.

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

* command line, ``baseline`` 260 weeks: at least 3x Boltzmann's agent-steps per CPU second
  without collection; ``national`` 520 weeks: at least 5x;
* command line, ``national``: CPU per agent-step at 1,040 weeks within 10% of 260 weeks;
* the model alone, ``national x20``: CPU microseconds per agent-step at 1,040 weeks within
  10% of 260 weeks (cost grows linearly with the horizon);
* pipeline: building a run's tables, metrics and Parquet parts costs less than simulating it;
* 300 baseline runs on 2 workers in at most 18 s (the comparison's rate, scaled);
* start-up: ``run --no-dashboard`` CPU at most 1.5x ``import mesa, pandas``, and ``run``
  with its dashboard at most 1.2x importing the libraries its outputs need.

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
CLI_VS_BOLTZMANN = {"baseline": 3.0, "national": 5.0}  # agent-steps/CPU s, outputs written
LINEAR_TOLERANCE = 0.10  # cost per agent-step at 1,040 weeks within 10% of 260 weeks
STARTUP_RATIO = 1.5  # `run --no-dashboard --weeks 1` CPU <= 1.5 x `import mesa, pandas`
FLOOR_RATIO = 1.2  # `run --weeks 1` (with its dashboard) CPU <= 1.2 x the libraries' floor
RUNS_300_S = 18.0  # 300 baseline runs on 2 workers, wall seconds
# What `mentorsim run` writes its outputs with: the model (mesa, and numba, which compiles
# its mechanisms), the tables (pandas, pyarrow), the validated scenario (pydantic), the
# spreadsheet (openpyxl), the dashboard's figures (plotly) and its survival and
# competing-risks estimates (lifelines).
OUTPUT_LIBRARIES = ("mesa", "numba", "pandas", "pyarrow.parquet", "pydantic", "openpyxl",
                    "plotly.io", "lifelines")
# The comparison: the options (bundled scenarios, as policies), replications and workers.
OPTIONS = ("baseline", "long_term_investment", "therapeutic_supervision",
           "enhanced_training", "family_engagement", "no_supervision")
COMPARISON_REPS = 5
COMPARISON_WORKERS = 2
WORLD_SECTIONS = ("effects", "relationships")  # the uncertainties a world draws


# --- the child: one timed run in a fresh process -------------------------------------

def _warm() -> float:
    """Load the compiled mechanisms (:func:`sim.workers.warm_up`); its CPU seconds."""
    from sim.workers import warm_up

    cpu0 = time.process_time()
    warm_up()
    return time.process_time() - cpu0


def _run_mentorsim(spec: dict[str, Any]) -> dict[str, Any]:
    import sim
    from sim.model import MentoringModel
    from sim.scenario import load_scenario

    params = load_scenario(spec["scenario"], spec["overrides"],
                           {"weeks": spec["weeks"]}).params
    # A worker's steady state: the compiled mechanisms loaded before the clock.
    numba_load_cpu = _warm()

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
            "numba_load_cpu_s": numba_load_cpu}


def _run_numba(spec: dict[str, Any]) -> dict[str, Any]:
    """numba's one-off cost in a fresh process: importing it and loading (or, with an
    empty NUMBA_CACHE_DIR, compiling) every mechanism a run uses."""
    cpu0 = time.process_time()
    import numba  # noqa: F401

    imported = time.process_time() - cpu0
    import sim.runner  # noqa: F401 - the model's own imports, not numba's cost

    return {"numba_import_cpu_s": imported, "mechanisms_cpu_s": _warm()}


def _run_pipeline(spec: dict[str, Any]) -> dict[str, Any]:
    """Baseline-size runs as a worker does them, each part timed (CPU seconds)."""
    from sim.metrics import run_metrics, yearly_metrics
    from sim.model import MentoringModel
    from sim.runner import Job, RunOutput, pack
    from sim.scenario import load_scenario

    params = load_scenario(spec["scenario"], [], {"weeks": spec["weeks"]}).params
    _warm()
    parts = {"model": 0.0, "tables": 0.0, "metrics": 0.0, "parquet": 0.0}
    gc.collect()
    start = time.process_time()
    for k in range(spec["runs"]):
        t0 = time.process_time()
        model = MentoringModel(params, spec["seed"] + k, report_metrics=False)
        model.run_for(params.run.weeks)
        model.finish()
        t1 = time.process_time()
        tables = model.tables()
        t2 = time.process_time()
        metrics = run_metrics(tables, params)
        yearly = yearly_metrics(tables, params)
        t3 = time.process_time()
        for frame in (*tables.values(), yearly):
            frame.insert(0, "replication", k)
            frame.insert(0, "scenario", spec["scenario"])
        pack([RunOutput(Job(spec["scenario"], k, spec["seed"] + k, params), tables, metrics,
                        0.0, yearly)])
        t4 = time.process_time()
        for name, (a, b) in zip(parts, ((t0, t1), (t1, t2), (t2, t3), (t3, t4)), strict=True):
            parts[name] += b - a
    total = time.process_time() - start
    return {"runs": spec["runs"], "cpu_s": total, "parts_cpu_s": parts,
            "runs_per_cpu_s": spec["runs"] / total}


def comparison_spec(worlds: int, weeks: int) -> str:
    """The comparison's sweep spec: LHS worlds over the declared uncertainties of
    :data:`WORLD_SECTIONS`, crossed with the options' levers as policies."""
    from sim.ema import declared
    from sim.scenario import load_scenario

    base = load_scenario("baseline").params.model_dump()
    lines = ['extends = "baseline"', f"horizon_weeks = {weeks}", "seed = 1",
             'outcomes = ["abandonment_rate", "mentor_burnout_prevalence"]',
             f"replications = {COMPARISON_REPS}", "[design]", 'kind = "lhs"',
             f"samples = {worlds}", "[uncertainties]"]
    lines += [f'"{key}" = {{}}' for key, (kind, _) in declared("uncertainty").items()
              if key.split(".")[0] in WORLD_SECTIONS and kind in (int, float)]
    for option in OPTIONS:
        lines += ["[[policies]]", f'name = "{option}"']
        params = load_scenario(option).params.model_dump()
        for section, values in params.items():
            if section == "run":
                continue
            for name, value in values.items():
                if value != base[section][name] and isinstance(value, bool | int | float | str):
                    lines.append(f'"{section}.{name}" = {json.dumps(value)}')
    return "\n".join(lines) + "\n"


def _run_comparison(spec: dict[str, Any]) -> dict[str, Any]:
    """The comparison's sweep in this process, wall seconds of the whole call."""
    from sim.sweep.engine import run_sweep
    from sim.sweep.spec import load_spec

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "comparison.toml"
        path.write_text(comparison_spec(spec["worlds"], spec["weeks"]))
        sweep = load_spec(path)
        wall0 = time.perf_counter()
        report = run_sweep(sweep, Path(tmp) / "out", workers=COMPARISON_WORKERS,
                           show_progress=False)
        wall = time.perf_counter() - wall0
    runs = spec["worlds"] * len(OPTIONS) * COMPARISON_REPS
    return {"wall_s": wall, "runs": runs, "done": report.done, "failed": report.failed,
            "runs_per_s": runs / wall}


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
    """Run one timed measurement in this (fresh) process and print its figures as JSON."""
    run = {"mentorsim": _run_mentorsim, "boltzmann": _run_boltzmann, "numba": _run_numba,
           "pipeline": _run_pipeline, "comparison": _run_comparison}[spec["kind"]]
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
                                                    runs[0]["agent_steps"])}


def workloads(quick: bool) -> list[Workload]:
    """The mentorsim workloads, horizons a fifth as long with ``quick``."""
    def weeks(n: int) -> int:
        return max(1, n // 5) if quick else n

    scale = [f"programme.agencies={SCALE_AGENCIES}"]
    return [
        Workload("baseline", "baseline", "baseline", weeks(260)),
        Workload("national", "national", "national", weeks(520)),
        Workload("national_260", "national, 260 weeks", "national", weeks(260),
                 boltzmann=False),
        Workload("national_1040", "national, 1,040 weeks", "national", weeks(1040),
                 boltzmann=False),
        Workload("scale_1040", f"national x{SCALE_AGENCIES} agencies", "national",
                 weeks(1040), scale),
        Workload("scale_260", f"national x{SCALE_AGENCIES} agencies", "national",
                 weeks(260), scale, boltzmann=False),
    ]


# The command-line workloads: the model-alone workload whose agent-steps each is rated by.
CLI_LOADS = ("baseline", "national", "national_260", "national_1040")


def _in_child(spec: dict[str, Any], env: dict[str, str] | None = None) -> dict[str, Any]:
    out = subprocess.run([sys.executable, __file__, "--child", json.dumps(spec)],
                         capture_output=True, text=True, env=env)
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
                            "overrides": w.overrides, "weeks": w.weeks, "seed": seed})
        _record(w, "mentorsim", result)
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


def measure_demo_worlds(worlds: int, tmp: str) -> dict[str, Any]:
    """``mentorsim demo --worlds N`` on :data:`COMPARISON_WORKERS` workers, and the same
    demo without worlds (wall and CPU seconds, one of each, dashboards included)."""
    from sim.worlds import DEFAULT_WORLD_REPS

    cli = _mentorsim_command() + ["demo", "--workers", str(COMPARISON_WORKERS)]
    alone = _timed_subprocess(cli + ["--out", str(Path(tmp) / "demo")], os.getcwd())
    timed = _timed_subprocess(cli + ["--worlds", str(worlds), "--out",
                                     str(Path(tmp) / "demo-worlds")], os.getcwd())
    return {"worlds": worlds, "world_reps": DEFAULT_WORLD_REPS, "workers": COMPARISON_WORKERS,
            "wall_s": timed["wall_s"], "cpu_s": timed["cpu_s"], "alone_wall_s": alone["wall_s"]}


def measure_decide(spec: str, tmp: str) -> dict[str, Any]:
    """``mentorsim decide SPEC`` on :data:`COMPARISON_WORKERS` workers: wall and CPU
    seconds and the runs it took (from its ``answer.json``)."""
    out = Path(tmp) / "decide"
    timed = _timed_subprocess(_mentorsim_command() + [
        "decide", spec, "--workers", str(COMPARISON_WORKERS), "--out", str(out)], os.getcwd())
    runs = json.loads((out / "answer.json").read_text())["runs"]
    return {"spec": spec, "workers": COMPARISON_WORKERS, "runs": runs, **timed}


def measure_cli(loads: dict[str, Workload], repeats: int, tmp: str) -> dict[str, Any]:
    """``run SCENARIO --weeks N --no-dashboard`` minus the same at one week, interleaved,
    minimum CPU of each over ``repeats`` rounds."""
    cli = _mentorsim_command()

    def argv(scenario: str, weeks: int, tag: str) -> list[str]:
        return cli + ["run", scenario, "--reps", "1", "--weeks", str(weeks), "--workers",
                      "1", "--no-dashboard", "--out", str(Path(tmp) / tag)]

    samples: dict[str, list[float]] = {}
    for i in range(repeats):
        for key in CLI_LOADS:
            w = loads[key]
            for tag, weeks in ((key, w.weeks), (f"{w.scenario}_1", 1)):
                if tag.endswith("_1") and len(samples.get(tag, [])) > i:
                    continue  # one one-week run per scenario and round
                run = _timed_subprocess(argv(w.scenario, weeks, f"{tag}-{i}"), os.getcwd())
                samples.setdefault(tag, []).append(run["cpu_s"])
    out: dict[str, Any] = {}
    for key in CLI_LOADS:
        w = loads[key]
        full, one = min(samples[key]), min(samples[f"{w.scenario}_1"])
        out[key] = {"cpu_s": full, "one_week_cpu_s": one, "weeks_cpu_s": full - one,
                    "agent_steps": w.best("mentorsim")["measured_agent_steps"]}
    return out


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


def report(loads: list[Workload], startup: dict[str, dict[str, Any]], cli: dict[str, Any],
           extra: dict[str, Any], quick: bool
           ) -> tuple[list[str], list[dict[str, Any]], dict[str, Any]]:
    """The tables' lines, the targets with their verdicts, and the figures for --json."""
    lines = [f"{'the model alone':<44}{'steps':>6}{'agents':>7}{'agent-steps':>12}"
             f"{'CPU s':>8}{'wall s':>8}{'agent-steps/CPU s':>18}{'CPU us/a-s':>11}"
             f"{'vs Boltz':>9}"]
    figures: dict[str, Any] = {}
    for w in loads:
        rows = [("mentorsim", w.label)]
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
    by_key = {w.key: w for w in loads}
    # Boltzmann's CPU per agent-step without collection, from the same horizon's workload.
    boltzmann_us = {key: figures[key]["boltzmann"]["cpu_s"] / figures[key]["boltzmann"][
        "agent_steps"] for key in ("baseline", "national")}

    lines.append("")
    lines.append(f"{'the command line, outputs written':<44}{'CPU s':>8}{'1 week':>8}"
                 f"{'weeks':>8}{'agent-steps':>12}{'CPU us/a-s':>11}{'vs Boltz':>9}")
    for key in CLI_LOADS:
        c = cli[key]
        c["us_per_agent_step_cpu"] = c["weeks_cpu_s"] / c["agent_steps"] * 1e6
        rated = boltzmann_us.get(key)
        ratio = ""
        if rated is not None:
            c["ratio_vs_boltzmann"] = rated * 1e6 / c["us_per_agent_step_cpu"]
            ratio = f"{c['ratio_vs_boltzmann']:.2f}x"
        lines.append(f"{'run ' + by_key[key].label + ' --no-dashboard':<44}{c['cpu_s']:>8.2f}"
                     f"{c['one_week_cpu_s']:>8.2f}{c['weeks_cpu_s']:>8.2f}"
                     f"{c['agent_steps']:>12,}{c['us_per_agent_step_cpu']:>11.2f}{ratio:>9}")
    figures["cli"] = cli

    pipe = extra["pipeline"]
    parts = pipe["parts_cpu_s"]
    lines.append("")
    lines.append(f"pipeline: {pipe['runs']} baseline runs in one process, "
                 f"{pipe['runs_per_cpu_s']:.2f} runs per CPU second; CPU s per run: "
                 + ", ".join(f"{name} {value / pipe['runs']:.3f}"
                             for name, value in parts.items()))
    numba = extra["numba"]
    lines.append(f"numba, once per process: import {numba['load']['numba_import_cpu_s']:.2f} "
                 f"CPU s; mechanisms loaded from the cache {numba['load']['mechanisms_cpu_s']:.2f}"
                 f" CPU s, compiled from scratch {numba['compile']['mechanisms_cpu_s']:.2f} CPU s")
    comparison = extra.get("comparison")
    if comparison:
        lines.append(f"comparison: {len(OPTIONS)} options x {comparison['worlds']} worlds x "
                     f"{COMPARISON_REPS} replications = {comparison['runs']} runs on "
                     f"{COMPARISON_WORKERS} workers: {comparison['wall_s']:.1f} s wall "
                     f"({comparison['runs_per_s']:.1f} runs/s; {comparison['failed']} failed)")
    demo = extra.get("demo_worlds")
    if demo:
        lines.append(f"demo --worlds {demo['worlds']} (x {demo['world_reps']} replications) on "
                     f"{demo['workers']} workers: {demo['wall_s']:.1f} s wall, "
                     f"{demo['cpu_s']:.1f} CPU s; demo alone {demo['alone_wall_s']:.1f} s wall "
                     f"({demo['wall_s'] / demo['alone_wall_s']:.1f}x)")
    decide = extra.get("decide")
    if decide:
        lines.append(f"decide {decide['spec']} on {decide['workers']} workers: {decide['runs']:,} "
                     f"runs, {decide['wall_s']:.1f} s wall, {decide['cpu_s']:.1f} CPU s "
                     f"({decide['runs'] / decide['wall_s']:.1f} runs/s)")
    figures |= extra

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

    weeks = {w.key: w.weeks for w in loads}
    short = figures["scale_260"]["mentorsim"]["us_per_agent_step_cpu"]
    long = figures["scale_1040"]["mentorsim"]["us_per_agent_step_cpu"]
    cli_growth = (cli["national_1040"]["us_per_agent_step_cpu"]
                  / cli["national_260"]["us_per_agent_step_cpu"])
    no_dash = startup["run_no_dashboard"]["cpu_s"] / bare
    floor = startup["run"]["cpu_s"] / startup["libraries"]["cpu_s"]
    outputs = parts["tables"] + parts["metrics"] + parts["parquet"]
    targets = []
    for key, limit in CLI_VS_BOLTZMANN.items():
        ratio = cli[key]["ratio_vs_boltzmann"]
        targets.append({"target": f"command line, {key} ({weeks[key]} weeks): agent-steps/CPU "
                                  f"s >= {limit:g}x Boltzmann without collection",
                        "value": f"{ratio:.2f}x", "ok": ratio >= limit})
    targets += [
        {"target": f"command line, national: CPU us/agent-step at {weeks['national_1040']} "
                   f"vs {weeks['national_260']} weeks within {LINEAR_TOLERANCE:.0%}",
         "value": f"{cli_growth:.3f}", "ok": abs(cli_growth - 1) <= LINEAR_TOLERANCE},
        {"target": f"model alone, national x{SCALE_AGENCIES}: CPU us/agent-step at "
                   f"{weeks['scale_1040']} vs {weeks['scale_260']} weeks within "
                   f"{LINEAR_TOLERANCE:.0%}",
         "value": f"{long:.2f} / {short:.2f} us = {long / short:.3f}",
         "ok": abs(long / short - 1) <= LINEAR_TOLERANCE},
        {"target": "pipeline: tables, metrics and Parquet cost less than the model",
         "value": f"{outputs:.2f} vs {parts['model']:.2f} CPU s",
         "ok": outputs < parts["model"]},
        {"target": f"start-up: run --no-dashboard CPU <= {STARTUP_RATIO:g}x import mesa, "
                   "pandas", "value": f"{no_dash:.2f}x", "ok": no_dash <= STARTUP_RATIO},
        {"target": f"start-up: run (dashboard) CPU <= {FLOOR_RATIO:g}x the libraries' floor",
         "value": f"{floor:.2f}x", "ok": floor <= FLOOR_RATIO},
    ]
    if comparison:
        scaled = comparison["wall_s"] * 300 / comparison["runs"]
        targets.append({"target": f"300 baseline runs on {COMPARISON_WORKERS} workers <= "
                                  f"{RUNS_300_S:g} s (the comparison's rate)",
                        "value": f"{scaled:.1f} s", "ok": scaled <= RUNS_300_S})
    lines.append("")
    lines.append(f"{'target':<92}{'measured':<26}verdict")
    for t in targets:
        t["verdict"] = _verdict(t["ok"], quick)
        lines.append(f"{t['target']:<92}{t['value']:<26}{t['verdict']}")
    return lines, targets, figures


def main() -> None:
    """Measure interleaved rounds, print the tables and the targets, optionally write JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=None,
                        help=f"rounds; each figure is the minimum (default {MIN_REPEATS}, "
                             f"at least {MIN_REPEATS}; 1 with --quick)")
    parser.add_argument("--quick", action="store_true",
                        help="smoke run: horizons a fifth as long, one round, 4 worlds; not "
                             "comparable with the targets")
    parser.add_argument("--seed", type=int, default=SEED, help="seed of every run")
    parser.add_argument("--worlds", type=int, default=None,
                        help="worlds of the comparison (default 100; 0 leaves it out)")
    parser.add_argument("--demo-worlds", type=int, default=None,
                        help="worlds of the timed `demo --worlds` (default 30, the documented "
                             "default; 2 with --quick; 0 leaves it out)")
    parser.add_argument("--decide", default=None, metavar="SPEC",
                        help="also time `mentorsim decide SPEC` (e.g. adult_probation_budget, "
                             "about 6 minutes on 2 cores)")
    parser.add_argument("--pipeline-runs", type=int, default=20,
                        help="baseline runs of the pipeline measurement (default 20)")
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
    worlds = args.worlds if args.worlds is not None else (4 if args.quick else 100)
    if args.demo_worlds is None:
        from sim.worlds import DEFAULT_WORLDS

        args.demo_worlds = 2 if args.quick else DEFAULT_WORLDS

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
    extra: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        startup = measure_startup(repeats, tmp)
        cli = measure_cli({w.key: w for w in loads}, repeats, tmp)
        loaded = [_in_child({"kind": "numba"}) for _ in range(repeats)]
        compiled = [_in_child({"kind": "numba"}, {**os.environ, "NUMBA_CACHE_DIR": str(
            Path(tmp) / f"numba-{i}")}) for i in range(repeats)]
        if args.demo_worlds > 0:
            print(f"demo --worlds {args.demo_worlds} ...", file=sys.stderr, flush=True)
            extra["demo_worlds"] = measure_demo_worlds(args.demo_worlds, tmp)
        if args.decide:
            print(f"decide {args.decide} ...", file=sys.stderr, flush=True)
            extra["decide"] = measure_decide(args.decide, tmp)
    extra["numba"] = {"load": {k: min(r[k] for r in loaded) for k in loaded[0]},
                      "compile": {k: min(r[k] for r in compiled) for k in compiled[0]}}
    extra["pipeline"] = min((_in_child({"kind": "pipeline", "scenario": "baseline",
                                        "weeks": loads[0].weeks, "seed": args.seed,
                                        "runs": args.pipeline_runs})
                             for _ in range(repeats)), key=lambda r: r["cpu_s"])
    if worlds > 0:
        print(f"comparison: {worlds} worlds ...", file=sys.stderr, flush=True)
        extra["comparison"] = _in_child({"kind": "comparison", "worlds": worlds,
                                         "weeks": loads[0].weeks}) | {"worlds": worlds}
    lines, targets, figures = report(loads, startup, cli, extra, args.quick)
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
