"""Each lever's effect in the model against the range its source gives.

A lever's modelled effect must stay within what its evidence supports. The table below
names, for each lever, the outcome its source speaks to, the cited range of the effect
(a relative change) or, where the source gives a direction only, the direction, and the
source. ``python -m sim.lever_effects`` runs every comparison on paired seeds, writes the
record ``docs/records/lever_effects.json`` and the table in ``docs/ODD.md`` (section 8);
``tests/test_lever_effects.py`` checks the table is the record's, the record is the
model's as it is now, and each effect lies within its cited range or in its direction
(or its note says why it may not).

    python -m sim.lever_effects --reps 16 --workers 2
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from sim import claims

NAME = "lever_effects"
REFERENCE = "baseline"


@dataclass(frozen=True)
class LeverEffect:
    """One lever, one outcome: the comparison and what the evidence says of it.

    Attributes:
        lever: the lever in words.
        scenario: the option (a bundled scenario), with ``overrides`` (``--set`` texts).
        metric: the outcome.
        cited: the cited range of the relative change (option over reference, minus 1),
            or None when the source gives a direction only.
        direction: -1 if the source says the lever lowers the outcome, +1 if it raises it.
        source: the evidence, with its strength.
        within: ``"ratio"`` when the effect is the metric itself as a ratio to the same
            people without mentoring (no paired option), else ``"paired"``.
        note: why the effect may lie outside the cited range, if it does.
    """

    lever: str
    scenario: str
    metric: str
    cited: tuple[float, float] | None
    direction: int
    source: str
    overrides: tuple[str, ...] = ()
    within: str = "paired"
    note: str = ""

    @property
    def key(self) -> str:
        """The row's name in the record."""
        extra = "+".join(self.overrides)
        return f"{self.scenario}{'+' + extra if extra else ''}:{self.metric}"


SUPERVISION = ("evidence gap table of the project's evidence review: therapeutic "
               "supervision -10 to -30% on burnout or exits (an assumption: only qualitative "
               "and correlational evidence)")
LEVER_EFFECTS: tuple[LeverEffect, ...] = (
    LeverEffect("two therapeutic supervision sessions a month instead of one managerial "
                "(paid for)", "therapeutic_supervision", "mentor_burnout_prevalence",
                (-0.30, -0.10), -1, SUPERVISION),
    LeverEffect("the same", "therapeutic_supervision", "burnout_incidence_per_100_mentor_years",
                (-0.30, -0.10), -1, SUPERVISION),
    LeverEffect("the same", "therapeutic_supervision", "mentor_attrition_annual",
                (-0.30, -0.10), -1, SUPERVISION),
    LeverEffect("two hours a week of extra-role tasks", "unpaid_support_staff",
                "mentor_attrition_annual", (0.0, 0.62), 1,
                "Retaining peers (2025), PRJ 48(3), n = 454: extra tasks outside the peer "
                "role, odds ratio 2.91 for intending to leave; with 42% considering leaving "
                "that is a risk ratio of at most 1.62, and intention overstates leaving"),
    LeverEffect("the same", "unpaid_support_staff", "mentor_burnout_prevalence", None, 1,
                "Buck (2021): using mentors as unpaid support staff ('punitive dilution'); "
                "no published size"),
    LeverEffect("more training: 20 h before matching, 2 h a month, trained managers (paid "
                "for)", "enhanced_training", "median_match_weeks", None, 1,
                "Kupersmidt et al. (2017), 29,708 matches: training was the practice standard "
                "that predicted match length (correlational; no size for this contrast)"),
    LeverEffect("the same", "enhanced_training", "closure_share_relational_skills", None, -1,
                "Spencer (2007): relational skills; Kupersmidt et al. (2017) (direction "
                "only)"),
    LeverEffect("two support contacts a month instead of one", "baseline",
                "closure_share_agency_support", None, -1,
                "McQuillin & Lyons (2021), 1,451 programmes: training and support contacts "
                "predicted closure (correlational; NMRC rates match support inconclusive)",
                overrides=("support.contacts_per_month=2",)),
    LeverEffect("working with mentees' families (paid for)", "family_engagement",
                "closure_share_family_interference", None, -1,
                "DeWit et al. (2016): family support lowers closure; no trial of family "
                "engagement (an assumption whose range includes no effect)"),
    LeverEffect("no supervision at all", "no_supervision", "mentor_burnout_prevalence", None,
                1, "Buck (2021); evidence gap table (direction; size an assumption)"),
    LeverEffect("one five-year grant instead of two-year grants renewed half the time",
                "long_term_investment", "premature_closure_rate", None, -1,
                "RRCF evaluation (Ipsos MORI/McIvor 2015); Clinks State of the Sector (2023, "
                "2024): short funding disrupts services (direction only)"),
    LeverEffect("the programme, for everyone referred (against the same people without "
                "mentoring)", "baseline", "reoffences_itt_ratio", (-0.11, -0.04), -1,
                "Jolliffe & Farrington (2007): 4-11% (unverified); Peterborough social impact "
                "bond: -9% reconviction events", within="ratio"),
)


def _options() -> list[tuple[str, tuple[str, ...]]]:
    seen: list[tuple[str, tuple[str, ...]]] = [(REFERENCE, ())]
    for row in LEVER_EFFECTS:
        if (row.scenario, row.overrides) not in seen:
            seen.append((row.scenario, row.overrides))
    return seen


def _label(scenario: str, overrides: tuple[str, ...]) -> str:
    return "+".join((scenario, *overrides))


def compute(reps: int, seed: int, workers: int) -> dict[str, Any]:
    """Run every comparison on paired seeds; the record (see the module)."""
    import numpy as np

    from sim.runner import run_scenarios
    from sim.scenario import load_scenario

    scenarios = [dataclasses.replace(load_scenario(name, list(overrides)),
                                     name=_label(name, overrides))
                 for name, overrides in _options()]
    metrics = run_scenarios(scenarios, reps, seed, workers, progress=False).metrics
    rows = {}
    for row in LEVER_EFFECTS:
        if row.within == "ratio":  # the metric is already with / without mentoring
            values = metrics[metrics["scenario"] == REFERENCE][row.metric].to_numpy(float) - 1
            rows[row.key] = {"relative": float(np.mean(values)),
                             "relative_half_width": claims.spread(values), "n": len(values),
                             "option": float(np.mean(values) + 1), "reference": 1.0}
            continue
        p = claims.paired(metrics, REFERENCE, _label(row.scenario, row.overrides), row.metric)
        rows[row.key] = {**p.as_json(), "relative": p.relative,
                         "relative_half_width": p.relative_half_width}
    return {"reps": reps, "seed": seed, "reference": REFERENCE,
            "fingerprint": claims.fingerprint(), "rows": rows}


def verdict(row: LeverEffect, result: dict[str, float]) -> str:
    """``within``, ``outside`` (of the cited range), ``as cited`` / ``against`` (a
    direction), judged on the mean effect."""
    effect = result["relative"]
    if row.cited is not None:
        low, high = row.cited
        return "within" if low <= effect <= high else "outside"
    return "as cited" if effect * row.direction > 0 else "against"


def markdown(record: dict[str, Any]) -> str:
    """The table for the ODD."""
    lines = [f"Modelled effects: paired differences over `{record['reference']}` on "
             f"{record['reps']} replications (root seed {record['seed']}), as a relative "
             "change with its 95% interval (Monte Carlo only). Written by `python -m "
             "sim.lever_effects`; `tests/test_lever_effects.py` checks it.", "",
             "| lever | outcome | cited | modelled | | source |", "|---|---|---|---|---|---|"]
    for row in LEVER_EFFECTS:
        result = record["rows"][row.key]
        cited = (f"{row.cited[0]:+.0%} to {row.cited[1]:+.0%}" if row.cited is not None
                 else ("lower" if row.direction < 0 else "higher"))
        effect, half = result["relative"], result["relative_half_width"]
        modelled = f"{effect:+.0%} ({effect - half:+.0%} to {effect + half:+.0%})"
        note = f" {row.note}" if row.note else ""
        lines.append(f"| {row.lever} | `{row.metric}` | {cited} | {modelled} | "
                     f"{verdict(row, result)}{note} | {row.source} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Compute the record and write it and the table in docs/ODD.md."""
    return claims.run_script(NAME, "docs/ODD.md", __doc__.splitlines()[0], compute, markdown, 16,
                             argv)


if __name__ == "__main__":
    raise SystemExit(main())
