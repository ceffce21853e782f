"""Core throughput: baseline (5 years) and national (10 years) against Mesa's Boltzmann model.

Run by hand (never from the test-suite):

    python benchmarks/core_throughput.py [--repeats 3]

For each model it reports wall time and agent-steps per second, where an agent-step is one
Mesa agent present for one step (agencies, mentors on the books and mentees in the model,
summed over weeks). Mesa's own Boltzmann wealth example is then run, in the same process,
with the same number of agent-steps, so the ratio says how much work a mentorsim agent-step
does compared with a minimal Mesa agent. Targets on a 2-core machine: baseline 260 weeks
under 1 s, national 520 weeks under 10 s.
"""

from __future__ import annotations

import argparse
import gc
import math
import platform
import time

import mesa

from sim.model import MentoringModel
from sim.scenario import load_scenario


def time_mentorsim(name: str, seed: int) -> tuple[float, int]:
    """Wall time of one full run (model build included) and its agent-steps."""
    params = load_scenario(name).params
    gc.collect()
    gc.disable()
    try:
        start = time.perf_counter()
        model = MentoringModel(params, seed)
        agent_steps = 0
        for _ in range(params.run.weeks):
            model.step()
            agent_steps += len(model.agents)
        model.finish()
        model.weekly_frame()
        elapsed = time.perf_counter() - start
    finally:
        gc.enable()
    return elapsed, agent_steps


def time_boltzmann(agent_steps: int, agents: int, seed: int) -> tuple[float, int]:
    """Mesa's Boltzmann wealth example with ``agents`` agents for agent_steps/agents steps."""
    from mesa.examples.basic.boltzmann_wealth_model.model import (
        BoltzmannScenario,
        BoltzmannWealth,
    )

    side = max(10, round(math.sqrt(agents)))  # the example's density: 1 agent per cell
    steps = max(1, round(agent_steps / agents))
    gc.collect()
    gc.disable()
    try:
        start = time.perf_counter()
        model = BoltzmannWealth(BoltzmannScenario(n=agents, width=side, height=side, rng=seed))
        model.run_for(steps)
        elapsed = time.perf_counter() - start
    finally:
        gc.enable()
    return elapsed, agents * steps


def main() -> None:
    """Run the benchmark and print a table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3, help="runs per model (best is kept)")
    args = parser.parse_args()
    print(f"Python {platform.python_version()}, Mesa {mesa.__version__}, "
          f"{platform.machine()}, best of {args.repeats}")
    print(f"{'model':<34}{'wall s':>9}{'agent-steps':>14}{'agent-steps/s':>16}{'ratio':>8}")
    for name, target in (("baseline", 1.0), ("national", 10.0)):
        runs = [time_mentorsim(name, seed) for seed in range(1, args.repeats + 1)]
        elapsed, steps = min(runs)
        weeks = load_scenario(name).params.run.weeks
        agents = round(steps / weeks)
        boltz = min(time_boltzmann(steps, agents, seed) for seed in range(1, args.repeats + 1))
        ours_rate = steps / elapsed
        boltz_rate = boltz[1] / boltz[0]
        status = "ok" if elapsed < target else f"OVER target {target:g} s"
        print(f"{name + f' ({weeks} weeks)':<34}{elapsed:>9.3f}{steps:>14,}{ours_rate:>16,.0f}"
              f"{'':>8}  {status}")
        print(f"{f'  Boltzmann ({agents} agents)':<34}{boltz[0]:>9.3f}{boltz[1]:>14,}"
              f"{boltz_rate:>16,.0f}{ours_rate / boltz_rate:>8.2f}")


if __name__ == "__main__":
    main()
