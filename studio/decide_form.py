"""The Decide page's form: a budget, the levers to consider and the planner's thresholds,
made into a decision spec (:mod:`sim.decide.spec`) and checked as ``mentorsim decide``
checks one.

What the form offers comes from the bundled decision (:data:`BUNDLED`,
``scenarios/decisions/adult_probation_budget.toml``): its levers with their bounds, its
objectives, thresholds, budget multiples and horizon; nothing is listed twice. What is
typed is only parsed (:func:`studio.forms.parse_number`); the spec it makes is then
validated by :func:`sim.decide.spec.parse_decision` itself, whose message is put beside
the field it is about, and its runs (:func:`sim.decide.decision.planned_runs`) are held to
:data:`STUDIO_MAX_RUNS`: a larger decision is refused with the command
that runs it (``mentorsim decide``, which has no bound).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from sim import labels
from sim.decide.spec import DECISIONS_DIR, Decision
from sim.errors import UserError
from sim.metrics import METRICS
from sim.toml_text import inline_value, toml_key, toml_value
from studio.forms import FieldError, format_value, parse_number
from studio.messages import plain

STUDIO_MAX_RUNS = 1_000  # most runs a decision started here may take (the CLI has no bound)

BUNDLED = "adult_probation_budget"  # the decision whose levers and defaults the form offers
SOURCE = "the Decide form"  # how the spec's messages name it
SPEC_FILE = "decision.toml"  # the spec as a file (in the job folder, and downloaded)
MATCHED, ABANDONED = "mentees_matched_share", "abandonment_rate"
REOFFENDING = "reoffending_rate_12m"
# Reoffending within 12 months is seen only for people referred a year before the horizon:
# two years give a year of referrals, each followed for a year.
FOLLOW_UP_WEEKS = 104
DEFAULT_WORLDS = 10
CLI = "mentorsim decide decision.toml --out results/decide"


@dataclass(frozen=True)
class Preset:
    """A search size: how many candidate allocations are tried, and how hard the best are
    checked (:class:`sim.decide.spec.SearchSpec`)."""

    key: str
    name: str
    design_points: int
    design_reps: int
    confirm_reps: int
    finalists: int
    pareto: int

    def search(self) -> dict[str, int]:
        """The spec's ``[search]`` table."""
        return {"design_points": self.design_points, "design_reps": self.design_reps,
                "confirm_reps": self.confirm_reps, "finalists": self.finalists,
                "pareto": self.pareto}

    @property
    def words(self) -> str:
        """What it does, in words."""
        return (f"{self.name}: {self.design_points} candidate allocations tried in every "
                f"world; the best {self.finalists}, up to {self.pareto} trade-offs and "
                f"today's programme re-run {self.confirm_reps} times in every world")


# Sizes chosen so that the bundled decision (five budget multiples) with the default
# worlds stays within STUDIO_MAX_RUNS even at "thorough": per world, design points x
# replications + (2 x 5 multiples + finalists + 1 + Pareto) x confirmation replications =
# 42, 58 and 97 runs.
PRESETS: tuple[Preset, ...] = (
    Preset("quick", "Quick look", 12, 1, 2, 2, 2),
    Preset("standard", "Standard", 24, 1, 2, 3, 3),
    Preset("thorough", "Thorough", 40, 1, 3, 3, 5),
)
DEFAULT_PRESET = "standard"


def preset(key: str) -> Preset:
    """The preset named ``key``."""
    for p in PRESETS:
        if p.key == key:
            return p
    raise FieldError(f"{key!r} is not a search size: pick "
                     + ", ".join(p.name for p in PRESETS))


@lru_cache(maxsize=1)
def bundled() -> Decision:
    """The bundled decision, resolved (its levers, objectives and defaults)."""
    from sim.decide.spec import load_decision

    return load_decision(BUNDLED)


@dataclass(frozen=True)
class Lever:
    """A lever the form offers: a number with a range (``low``, ``high``), or a list of
    ``choices``."""

    key: str
    low: float | None = None
    high: float | None = None
    choices: tuple[Any, ...] = ()

    @property
    def title(self) -> str:
        """Its label with its unit in words (:func:`sim.labels.title`)."""
        return labels.title(self.key)

    @property
    def meaning(self) -> str:
        """Its declared meaning."""
        return labels.meaning(self.key)


def levers() -> tuple[Lever, ...]:
    """The bundled decision's levers, in its order."""
    return tuple(Lever(f.name, choices=tuple(f.values)) if f.discrete
                 else Lever(f.name, f.low, f.high) for f in bundled().levers)


def choice_words(lever: Lever, choice: Any) -> str:
    """A choice in words: ``therapeutic``, ``5 years``."""
    return labels.value_text(lever.key, choice) if not isinstance(choice, str) \
        else format_value(choice)


def choice_value(choice: Any) -> str:
    """The value a checkbox carries for a choice (``5.0`` for five years)."""
    return str(choice)


def metric_label(name: str) -> str:
    """A metric's label as the page says it, with its unit in words."""
    declared = METRICS[name]
    unit = {"share": "share, 0 to 1", "GBP": "£"}.get(declared.unit,
                                                     labels.metric_unit_words(declared.unit))
    return f"{declared.label} ({unit})" if unit else declared.label


@dataclass
class DecideForm:
    """The form as typed (text as it is in the boxes, ticks as they are).

    Attributes:
        budget: a year's budget in pounds (empty: today's programme's).
        horizon: weeks (empty: the bundled decision's).
        considered: the levers ticked.
        bounds: a range lever's typed ``(from, to)`` (empty: the bundled bounds).
        choices: a choice lever's ticked choices (:func:`choice_value`; missing: all).
        objectives: the objectives ticked (the first is optimised).
        matched: referrals matched, at least (share; empty: the bundled threshold).
        abandoned: relationships abandoned, at most (share; empty: the bundled threshold).
        worlds: plausible worlds (empty: :data:`DEFAULT_WORLDS`, or fewer if fewer are
            stored).
        preset: the search size (:data:`PRESETS`).
    """

    budget: str = ""
    horizon: str = ""
    considered: list[str] = field(default_factory=lambda: [v.key for v in levers()])
    bounds: dict[str, tuple[str, str]] = field(default_factory=dict)
    choices: dict[str, list[str]] = field(default_factory=dict)
    objectives: list[str] = field(default_factory=lambda: list(bundled().objectives))
    matched: str = ""
    abandoned: str = ""
    worlds: str = ""
    preset: str = DEFAULT_PRESET


def stored_worlds() -> int | None:
    """The plausible worlds stored (None: none, so worlds are drawn from the declared
    plausible ranges)."""
    from studio.page_state import stored_worlds as stored

    return stored()


def worlds_note() -> str:
    """Where the worlds come from, and how many may be typed."""
    stored = stored_worlds()
    if stored is None:
        return ("No calibrated worlds are stored, so the worlds are drawn from the declared "
                "plausible ranges: type 2 to 1,000.")
    return (f"{stored:,} plausible worlds are stored (parameter sets consistent with the "
            f"calibration targets): type 2 to {stored:,}. Every candidate runs in each.")


def default_worlds() -> int:
    """The worlds a decision is made across unless typed: :data:`DEFAULT_WORLDS`, or as
    many as are stored when fewer are."""
    stored = stored_worlds()
    return max(2, min(DEFAULT_WORLDS, stored)) if stored else DEFAULT_WORLDS


def default_threshold(metric: str) -> tuple[str, float | None]:
    """(``min`` or ``max``, the bundled decision's value) of a threshold the form sets."""
    low, high = bundled().thresholds.get(metric, (None, None))
    return ("min", low) if metric == MATCHED else ("max", high)


def _number(raw: str, key: str, what: str, messages: dict[str, str], where: str,
            low: float, high: float, whole: bool = False) -> float | int | None:
    """A typed number (None when empty or wrong; the message goes to ``messages[where]``)."""
    text = (raw or "").strip()
    if not text:
        return None
    try:
        value = parse_number(text, key, whole)
    except FieldError as exc:
        messages[where] = str(exc)
        return None
    if whole and not isinstance(value, int):
        messages[where] = f"{text}: type a whole number, e.g. {int(low)}"
        return None
    if not low <= value <= high:
        messages[where] = f"{text}: {what} is from {low:,g} to {high:,g}"
        return None
    return value


def spec_of(form: DecideForm) -> tuple[dict[str, Any], dict[str, str]]:
    """The decision spec the form makes (a parsed-TOML table), and the messages of the
    fields that cannot be read, by field (``budget``, ``horizon``, ``lever:KEY``,
    ``levers``, ``objectives``, ``matched``, ``abandoned``, ``worlds``, ``preset``).

    Example:
        >>> spec, said = spec_of(DecideForm(budget="90000", worlds="3", preset="quick"))
        >>> spec["budget"]["annual_gbp"], spec["worlds"], said
        (90000, {'count': 3}, {})
    """
    d = bundled()
    messages: dict[str, str] = {}
    budget = _number(form.budget, "funding.annual_budget_gbp", "a year's budget", messages,
                     "budget", 1, 1e9)
    weeks = _number(form.horizon, "run.weeks", "the horizon in weeks", messages, "horizon",
                    52, 1040, whole=True)
    horizon = weeks if weeks is not None else d.today.run.weeks
    chosen: dict[str, Any] = {}
    for lever in levers():
        if lever.key not in form.considered:
            continue
        where = f"lever:{lever.key}"
        if lever.choices:
            ticked = form.choices.get(lever.key)
            values = [c for c in lever.choices
                      if ticked is None or choice_value(c) in ticked]
            if len(values) < 2:
                messages[where] = ("tick at least two choices to choose between (or untick "
                                   "the lever to keep today's programme's)")
            chosen[lever.key] = values
            continue
        typed = form.bounds.get(lever.key, ("", ""))
        low = _number(typed[0], lever.key, "", messages, where, -1e12, 1e12)
        high = _number(typed[1], lever.key, "", messages, where, -1e12, 1e12)
        low = lever.low if low is None else low
        high = lever.high if high is None else high
        if where not in messages and low is not None and high is not None and low >= high:
            messages[where] = (f"from {low:g} to {high:g}: the first must be below the "
                               "second (untick the lever to keep today's programme's value)")
        chosen[lever.key] = {"range": [low, high]}
    if not form.considered:
        messages["levers"] = "tick at least one lever to allocate the budget between"
    objectives = [m for m in d.objectives if m in form.objectives]
    if not objectives:
        messages["objectives"] = "tick at least one outcome to decide by"
    elif REOFFENDING in objectives and horizon < FOLLOW_UP_WEEKS:
        messages["objectives"] = (
            f"{METRICS[REOFFENDING].label} needs a year's follow-up inside the horizon: "
            f"choose a horizon of at least {FOLLOW_UP_WEEKS} weeks, or untick it")
    bounds: dict[str, dict[str, float]] = {}
    for metric, where, raw in ((MATCHED, "matched", form.matched),
                               (ABANDONED, "abandoned", form.abandoned)):
        side, default = default_threshold(metric)
        value = _number(raw, f"thresholds.{metric}", "a share", messages, where, 0, 1)
        value = default if value is None else value
        if value is not None:
            bounds[metric] = {side: value}
    stored = stored_worlds()
    worlds = _number(form.worlds, "worlds.count", "the number of worlds", messages, "worlds",
                     2, stored or 1000, whole=True)
    try:
        search = preset(form.preset).search()
    except FieldError as exc:
        messages["preset"], search = str(exc), {}
    spec: dict[str, Any] = {
        "name": "studio_decision",
        "question": f"How should {labels.money(budget or d.today.funding.annual_budget_gbp)}"
                    " a year be spent, how sure can we be, and what would change our mind?",
        "extends": d.base_name, "horizon_weeks": int(horizon), "objectives": objectives,
        "budget": {**({"annual_gbp": budget} if budget is not None else {}),
                   "multiples": list(d.multiples)},
        "levers": chosen,
        # the constraints the best allocation must meet: the bundled decision's, at the
        # planner's value where the form sets the same metric
        "constraints": {m: bounds.get(m, _bound(lo, hi))
                        for m, (lo, hi) in d.constraints.items()},
        "thresholds": bounds,
        "worlds": {"count": worlds if worlds is not None else default_worlds()},
        "search": search,
    }
    return spec, messages


def _bound(low: float | None, high: float | None) -> dict[str, float]:
    return {k: v for k, v in (("min", low), ("max", high)) if v is not None}


@dataclass(frozen=True)
class Checked:
    """The form checked: its spec, the decision when valid, its runs at most, and the
    messages by field (``spec`` for the spec as a whole, ``runs`` for its size)."""

    spec: dict[str, Any]
    decision: Decision | None
    planned: int
    messages: dict[str, str]

    @property
    def ok(self) -> bool:
        """Whether the decision may start in the studio."""
        return self.decision is not None and not self.messages


# Where a message of parse_decision belongs on the form: the first key path it names.
_PLACES: tuple[tuple[str, str], ...] = (
    (r"levers\.([a-z_]+\.[a-z_]+)", "lever:{0}"), (r"\bbudget\b", "budget"),
    (r"\bhorizon_weeks\b", "horizon"), (r"\bworlds\b", "worlds"),
    (r"(?:thresholds|constraints)\." + MATCHED, "matched"),
    (r"(?:thresholds|constraints)\." + ABANDONED, "abandoned"),
    (r"\bobjectives\b", "objectives"), (r"\bsearch\b", "preset"),
)


def placed(message: str) -> tuple[str, str]:
    """(field, message in the page's words) of a :class:`UserError` of the spec.

    Example:
        >>> placed("the Decide form: levers.supervision.sessions_per_month: range[1] = 99: "
        ...        "must be 8 or less")
        ('lever:supervision.sessions_per_month', 'to 99: must be 8 or less')
    """
    text = message.removeprefix(f"{SOURCE}: ")
    for pattern, where in _PLACES:
        found = re.search(pattern, text)
        if found:
            key = where.format(*found.groups())
            if key.startswith("lever:"):
                text = text.removeprefix(f"levers.{found.group(1)}: ")
                text = text.replace("range[0] = ", "from ").replace("range[1] = ", "to ")
            return key, plain(text)
    return "spec", plain(text)


def too_many_runs(planned: int) -> str:
    """The message of a decision larger than the studio runs."""
    return (f"Up to {planned:,} runs: the studio runs at most {STUDIO_MAX_RUNS:,}. Choose "
            "fewer worlds or a smaller search, or download this decision as a spec file and "
            f"run it on the command line, which has no limit: {CLI}")


def check(form: DecideForm) -> Checked:
    """Parse the form, validate its spec as ``mentorsim decide`` does and bound its runs."""
    from sim.decide.decision import planned_runs
    from sim.decide.spec import parse_decision

    spec, messages = spec_of(form)
    if messages:
        return Checked(spec, None, 0, messages)
    try:
        # read as if it lay beside the bundled decisions: `extends` names a bundled scenario
        decision = parse_decision(spec, SOURCE, DECISIONS_DIR / SPEC_FILE)
    except UserError as exc:
        where, text = placed(str(exc))
        return Checked(spec, None, 0, {where: text})
    planned = planned_runs(decision)
    if planned > STUDIO_MAX_RUNS:
        return Checked(spec, decision, planned, {"runs": too_many_runs(planned)})
    return Checked(spec, decision, planned, {})


def spec_text(spec: Mapping[str, Any], comments: Sequence[str] = ()) -> str:
    """A decision spec as TOML (what ``mentorsim decide`` reads): top-level values, then
    one table each, a lever's range or a threshold as an inline table.

    Example:
        >>> print(spec_text({"name": "x", "levers": {"supervision.style": ["managerial",
        ...                  "therapeutic"]}, "thresholds": {"abandonment_rate": {"max": 0.25}}}))
        name = "x"
        <BLANKLINE>
        [levers]
        "supervision.style" = ["managerial", "therapeutic"]
        <BLANKLINE>
        [thresholds]
        abandonment_rate = { max = 0.25 }
        <BLANKLINE>
    """
    lines = [f"# {c}" for c in comments]
    lines += [f"{toml_key(k)} = {toml_value(v)}" for k, v in spec.items()
              if not isinstance(v, Mapping)]
    for table, values in spec.items():
        if isinstance(values, Mapping) and values:
            lines += ["", f"[{toml_key(table)}]"]
            lines += [f"{toml_key(k)} = {inline_value(v)}" for k, v in values.items()]
    return "\n".join(lines) + "\n"


def write_spec(folder: Path, spec: Mapping[str, Any]) -> Path:
    """Write the spec as :data:`SPEC_FILE` in ``folder``; its path."""
    path = folder / SPEC_FILE
    path.write_text(spec_text(spec, [
        "A decision made in mentorsim studio's Decide page; run it again, or with more",
        f"worlds and a larger search, with: {CLI}"]), encoding="utf-8")
    return path
