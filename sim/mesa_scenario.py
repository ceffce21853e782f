"""ProgrammeScenario: a programme as a Mesa 3.5 scenario object.

Mesa 3.5 keeps a model's inputs in a :class:`mesa.experimental.scenarios.Scenario`
(``model.scenario``), and its tools pass one back: SolaraViz's Reset rebuilds a model as
``type(model)(scenario=<a scenario of the same class>, **the page's parameters)``. A
:class:`ProgrammeScenario` holds what ``MentoringModel`` is built from the Mesa way: the
scenario file (``scenario_name``: a bundled name or a TOML path), keyword levers named
``section__key`` and the seed (``rng``); every ``MentoringModel`` records one as
``model.scenario``, with the seed it ran on.

Example:
    >>> from sim.model import MentoringModel
    >>> model = MentoringModel(scenario=ProgrammeScenario(
    ...     rng=7, scenario_name="baseline", run__weeks=26))
    >>> model.scenario.rng, model.scenario.scenario_name, model.p.run.weeks
    (7, 'baseline', 26)
"""

from __future__ import annotations

import os
from typing import Any

from mesa.experimental.scenarios import Scenario

DEFAULT_SCENARIO = "baseline"
# a Scenario's own entries, not model inputs
_OWN = frozenset({"model", "_scenario_id", "rng", "scenario_name"})


class ProgrammeScenario(Scenario):
    """A scenario file, keyword levers (``section__key``) and a seed (``rng``)."""

    scenario_name: str = DEFAULT_SCENARIO


def scenario_arguments(scenario: Any, rng: Any, levers: dict[str, Any]
                       ) -> tuple[str, Any, dict[str, Any]]:
    """``MentoringModel``'s scenario, seed and levers from what it was given: a scenario
    name or path, or a Mesa scenario object (a :class:`ProgrammeScenario`, or any
    ``Scenario`` whose entries are levers), whose seed and levers join the keyword ones.

    Raises:
        TypeError: a scenario of another kind, or a lever or seed given twice with two
            values (Mesa's own rule for ``rng``).
    """
    if isinstance(scenario, str | os.PathLike):
        return os.fspath(scenario), rng, levers
    if not isinstance(scenario, Scenario):
        raise TypeError(f"scenario must be a scenario name, a path to a scenario file or a "
                        f"mesa Scenario, not {type(scenario).__name__}")
    entries = {k: v for k, v in vars(scenario).items() if k not in _OWN}
    twice = sorted(k for k in set(entries) & set(levers) if entries[k] != levers[k])
    if twice:
        raise TypeError(f"{', '.join(twice)}: given by the scenario object and as a keyword, "
                        "with different values")
    given = scenario.rng
    if rng is not None and given is not None and rng != given:
        raise TypeError(f"rng = {rng!r} and scenario.rng = {given!r} differ; give one")
    name = getattr(scenario, "scenario_name", DEFAULT_SCENARIO)
    return os.fspath(name), given if rng is None else rng, {**entries, **levers}
