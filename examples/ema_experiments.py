"""Explore uncertainties and levers with EMA Workbench (pip install -e ".[ema]").

    python examples/ema_experiments.py

The adapter takes the parameters' declared plausible ranges, so nothing is retyped;
every experiment's replications run on the project's common-random-number seeds.
"""

from __future__ import annotations

import ema_workbench as ema

from sim.ema import ema_model

if __name__ == "__main__":
    model = ema_model(
        "baseline", replications=2, weeks=104,
        uncertainties=["effects.exhaustion_load", "relationships.crisis_risk_exponent"],
        # Sessions beyond what the supervisors can deliver change nothing, so vary both.
        levers=["supervision.sessions_per_month", "staff.supervisors_fte"],
        outcomes=["premature_closure_rate", "mentor_burnout_prevalence"],
    )
    with ema.SequentialEvaluator(model) as evaluator:
        experiments, outcomes = evaluator.perform_experiments(scenarios=3, policies=2)
    means = ema.process_replications(outcomes)
    experiments["burnout_prevalence"] = means["mentor_burnout_prevalence"]
    print(experiments[["effects__exhaustion_load", "relationships__crisis_risk_exponent",
                       "supervision__sessions_per_month", "staff__supervisors_fte",
                       "burnout_prevalence"]]
          .round(3).to_string())
