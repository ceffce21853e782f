"""What moves each of Spencer's (2007) six failure factors: a lever and an uncertainty each.

A planner needs to know which lever acts on which way relationships fail, and a researcher
which unknown could change the answer. This table says, for each factor, one programme
lever and one uncertain quantity that move its closures, with the two values compared and
the mechanism between them. ``tests/test_failure_drivers.py`` checks each direction on
paired seeds, and the ODD's table (``docs/ODD.md``) is :func:`markdown_table`'s output.
"""

from __future__ import annotations

from dataclasses import dataclass

from sim.vocabulary import FAILURE_FACTORS


@dataclass(frozen=True)
class Driver:
    """A parameter moved from ``low`` to ``high``, and whether that raises the factor's
    closures (``raises``) or lowers them."""

    parameter: str
    low: object
    high: object
    raises: bool
    mechanism: str
    also: tuple[str, ...] = ()  # ``--set`` texts held fixed in both runs

    def overrides(self, which: str) -> list[str]:
        """The ``--set`` texts for the ``low`` or ``high`` run."""
        value = self.low if which == "low" else self.high
        text = ("true" if value else "false") if isinstance(value, bool) else repr(value)
        return [*self.also, f"{self.parameter}={text}"]


@dataclass(frozen=True)
class FactorDrivers:
    """One failure factor: its closure reasons, a lever and an uncertainty that move it."""

    factor: str
    lever: Driver
    uncertainty: Driver

    @property
    def reasons(self) -> tuple[str, ...]:
        """The closure reasons recorded for this factor."""
        return tuple(r for r, f in FAILURE_FACTORS.items() if f == self.factor)


FAILURE_DRIVERS: tuple[FactorDrivers, ...] = (
    FactorDrivers(
        "abandonment",
        Driver("mentors.extra_role_hours_per_week", 0.0, 2.0, raises=True,
               mechanism="extra-role tasks add to mentors' workload: more are overloaded or "
                         "burnt out and stop turning up, and mentees get less of their time"),
        Driver("relationships.crisis_weekly", 0.005, 0.03, raises=True,
               mechanism="more crises in mentees' lives end contact"),
    ),
    FactorDrivers(
        "motivation",
        Driver("training.pre_match_hours", 2.0, 24.0, raises=False,
               mechanism="a more skilled mentor encourages more small steps and reads low "
                         "motivation less often as not wanting help"),
        Driver("mentees.motivation_mean", 0.35, 0.65, raises=False,
               mechanism="fewer mentees start, or fall, below the motivation threshold"),
    ),
    FactorDrivers(
        "expectations",
        Driver("matching.expectation_setting", False, True, raises=False,
               mechanism="agreeing expectations at matching narrows the gap"),
        Driver("effects.expectation_hazard", 0.005, 0.04, raises=True,
               mechanism="a given gap in expectations ends relationships more often (STAR "
                         "gives the direction only; the strength is uncertain)"),
    ),
    FactorDrivers(
        "relational_skills",
        Driver("training.pre_match_hours", 2.0, 24.0, raises=False,
               mechanism="pre-match training raises relational skill"),
        Driver("mentors.skill_mean", 0.35, 0.65, raises=False,
               mechanism="recruits bring more relational skill"),
    ),
    FactorDrivers(
        "family",
        Driver("support.family_engagement", False, True, raises=False,
               mechanism="working with families removes part of their pull"),
        Driver("mentees.family_interference_prevalence", 0.1, 0.4, raises=True,
               mechanism="more mentees' families pull them away"),
    ),
    FactorDrivers(
        "agency_support",
        Driver("support.contacts_per_month", 0.5, 2.0, raises=False,
               mechanism="more coordinator contacts close the support deficit"),
        Driver("support.contacts_needed_per_month", 1.0, 3.0, raises=True,
               mechanism="a match needs more contacts before it feels supported"),
    ),
)


def markdown_table() -> str:
    """The table as Markdown (for docs/ODD.md, which a test keeps in step with it)."""
    lines = ["| failure factor | closure reasons | lever (low -> high) "
             "| uncertainty (low -> high) |", "|---|---|---|---|"]

    def cell(d: Driver) -> str:
        arrow = "more" if d.raises else "fewer"
        fixed = f" (with {', '.join(f'`{a}`' for a in d.also)})" if d.also else ""
        return (f"`{d.parameter}` {d.low} -> {d.high}{fixed}: {arrow} closures "
                f"({d.mechanism})")

    for f in FAILURE_DRIVERS:
        reasons = ", ".join(f"`{r}`" for r in f.reasons)
        lines.append(f"| {f.factor} | {reasons} | {cell(f.lever)} | {cell(f.uncertainty)} |")
    return "\n".join(lines) + "\n"
