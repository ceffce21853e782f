"""Explore every declared uncertainty and lever with EMA Workbench (pip install -e ".[ema]").

    python examples/ema_experiments.py                      # 16 scenarios x 4 policies
    python examples/ema_experiments.py --scenarios 4 --policies 2 --weeks 52 --reps 2

The adapter takes the parameters' declared plausible ranges, so nothing is retyped: EMA's
own Latin hypercube samples all of them, shares that must add up to 1 are sampled as a
composition, and a policy whose staff cost more than its budget is recorded as infeasible
(``feasible`` = 0) rather than run. Every experiment's replications run on the project's
common-random-number seeds, in ``--processes`` worker processes (EMA's
MultiprocessingEvaluator; 1 runs them here, in order).
"""

from __future__ import annotations

import argparse
import time
import warnings

import ema_workbench as ema
import numpy as np

from sim.ema import FEASIBLE, ema_model

OUTCOMES = ["premature_closure_rate", "mentor_burnout_prevalence", "total_spend_gbp"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenarios", type=int, default=16)
    parser.add_argument("--policies", type=int, default=4)
    parser.add_argument("--reps", type=int, default=2)
    parser.add_argument("--weeks", type=int, default=104)
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--seed", type=int, default=1, help="seed of EMA's samplers")
    args = parser.parse_args()
    model = ema_model("baseline", replications=args.reps, weeks=args.weeks,
                      outcomes=OUTCOMES)
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # EMA's notes on optional extras it lacks
        evaluator = (ema.SequentialEvaluator(model) if args.processes <= 1 else
                     ema.MultiprocessingEvaluator(model, n_processes=args.processes))
        with evaluator:
            experiments, outcomes = evaluator.perform_experiments(
                scenarios=args.scenarios, policies=args.policies,
                uncertainty_sampling_kwargs={"rng": args.seed},
                lever_sampling_kwargs={"rng": args.seed + 1})
    seconds = time.perf_counter() - start
    feasible = outcomes[FEASIBLE] == 1
    print(f"experiments: {len(experiments)} ({len(model.uncertainties)} uncertainties x "
          f"{len(model.levers)} levers sampled, {args.reps} replications each)")
    print(f"infeasible: {int((~feasible).sum())} (recorded, not run: the model refuses them)")
    print(f"failed: 0\ntime: {seconds:.1f} s")
    shares = outcomes["mentees__expectation_practical_share"] + outcomes[
        "mentees__expectation_emotional_share"] + outcomes[
        "mentees__expectation_activities_share"]
    print(f"expectation shares add up to 1 at every point: {bool(np.allclose(shares, 1))}")
    table = experiments.loc[feasible, ["supervision__sessions_per_month",
                                       "staff__supervisors_fte", "effects__exhaustion_load"]]
    table["burnout_prevalence"] = outcomes["mentor_burnout_prevalence"][feasible]
    print(table.head(8).round(3).to_string())


if __name__ == "__main__":  # process evaluators start workers: guard the entry point
    main()
