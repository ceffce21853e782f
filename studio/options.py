"""An option to compare: a name, its question and a set of lever changes.

An option is checked exactly as ``mentorsim validate START --set KEY=VALUE ...`` checks
it: its changes (after the "make it ours" numbers) become ``--set`` overrides of the
starting programme and go through :func:`sim.scenario.load_scenario`; each line of the
:class:`sim.errors.ScenarioError` it may raise is put beside the field whose override it
names, the others (checks across fields) above the option. A valid option also gets
:func:`sim.capacity.capacity_warnings` and its estimated annual cost against what its grant
pays (:func:`cost_line`, from :mod:`sim.capacity`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sim import labels
from sim.capacity import capacity_warnings, grant_annual_payment, planned_annual_spend
from sim.errors import ScenarioError
from sim.labels import money
from sim.params import ScenarioParams
from sim.scenario import Scenario
from sim.toml_text import toml_value
from studio.forms import Field, FieldError, parse_value
from studio.messages import field_message, plain
from studio.programme import Start, load_start

MAX_OPTIONS = 5
DEFAULT_LABELS = ("Current programme", "Option 2", "Option 3", "Option 4", "Option 5")
MAX_LABEL = 80  # characters of an option's name that are kept


@dataclass(frozen=True)
class Option:
    """One option as the page holds it.

    Attributes:
        label: its name as typed (shown as text, never as markup).
        question: the policy question it answers ("" to say it from the changes).
        changes: lever values that differ from the starting programme, by dotted key.
    """

    label: str
    question: str = ""
    changes: Mapping[str, Any] = field(default_factory=dict)


@dataclass
class Check:
    """What checking an option found.

    Attributes:
        name: its scenario name: the name as typed (what every output calls it).
        scenario: the validated scenario, or None when it does not validate.
        field_errors: messages by dotted key, to show beside the field.
        name_error: a message about its name, to show beside the name.
        errors: messages about the option as a whole.
        warnings: capacity and money warnings (a run still goes ahead).
        cost: the estimated annual cost against what the grant pays, in words.
    """

    name: str
    scenario: Scenario | None = None
    field_errors: dict[str, str] = field(default_factory=dict)
    name_error: str = ""
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    cost: str = ""

    @property
    def ok(self) -> bool:
        """Whether the option can be run."""
        return (self.scenario is not None and not self.errors and not self.field_errors
                and not self.name_error)


def scenario_name(label: str, index: int) -> str:
    """The option's name in every output: as typed (spaces at the ends and runs of
    spaces dropped), or "Option N" when left empty.

    Example:
        >>> scenario_name("  Budget cut  25% ", 3), scenario_name("", 0)
        ('Budget cut 25%', 'Current programme')
    """
    text = " ".join(str(label).split())[:MAX_LABEL]
    return text or DEFAULT_LABELS[index]


def option_name(label: str, index: int) -> str:
    """The option's file stem: its name in lower case with ``_`` for anything but
    letters and digits (a safe file name), or ``option_N``.

    Example:
        >>> option_name("Five years, therapeutic!", 1), option_name("<script>", 2)
        ('five_years_therapeutic', 'script')
        >>> option_name("  ", 2)
        'option_3'
    """
    slug = re.sub(r"[^a-z0-9]+", "_", str(label).lower()[:MAX_LABEL]).strip("_")[:40]
    return slug.strip("_") or f"option_{index + 1}"


def parse_fields(fields: Mapping[str, Field], raw: Mapping[str, Any]
                 ) -> tuple[dict[str, Any], dict[str, str]]:
    """Parse the typed values of ``fields``: (values given, messages by key)."""
    values, errors = {}, {}
    for key, value in raw.items():
        if key not in fields:
            continue  # only declared fields are ever read
        try:
            parsed = parse_value(fields[key], value)
        except FieldError as exc:
            errors[key] = str(exc)
        else:
            if parsed is not None:
                values[key] = parsed
    return values, errors


def set_overrides(values: Mapping[str, Any]) -> list[str]:
    """``--set`` texts for values: ``supervision.style="therapeutic"``.

    Example:
        >>> set_overrides({"supervision.sessions_per_month": 2, "supervision.style": "therapeutic"})
        ['supervision.sessions_per_month=2', 'supervision.style="therapeutic"']
    """
    return [f"{key}={toml_value(value)}" for key, value in values.items()]


def changes_in_words(changes: Mapping[str, Any]) -> str:
    """The changes in words, by label ("the starting programme as it is" when none).

    Example:
        >>> changes_in_words({"funding.grant_term_years": 5, "supervision.style": "therapeutic"})
        'grant length 5 years, supervision style therapeutic'
    """
    if not changes:
        return "the starting programme as it is"
    return ", ".join(f"{labels.label(key).lower()} {labels.value_text(key, value)}"
                     for key, value in changes.items())


def cost_line(p: ScenarioParams) -> str:
    """The estimated annual cost (every caseload full, the whole offer delivered) against
    what a grant pays a year (:mod:`sim.capacity`), in words."""
    spend, income = planned_annual_spend(p), grant_annual_payment(p)
    gap = income - spend
    verdict = (f"within it by {money(gap)}" if gap >= 0
               else f"over it by {money(-gap)}, so the budget may have to cut")
    budget = p.funding.annual_budget_gbp
    paid = ("" if abs(income - budget) < 0.5 else
            f" (the {money(budget)} annual budget, paid only in the weeks a grant runs: "
            "the money of the expected gaps between grants is spread over the grants)")
    return (f"Estimated cost with every caseload full: {money(spend)} a year, against "
            f"{money(income)} a year a grant pays{paid}: {verdict}.")


def _validate(start: Start, values: Mapping[str, Any], run: Mapping[str, Any] | None,
              own: Sequence[str]) -> tuple[Scenario | None, dict[str, str], list[str]]:
    """Load the start with ``values`` as overrides; messages for the keys in ``own`` go
    beside their fields, messages about other keys are left out (another form shows
    them), the rest are about the whole."""
    texts = dict(zip(values, set_overrides(values), strict=True))
    try:
        return load_start(start, list(texts.values()), dict(run or {})), {}, []
    except ScenarioError as exc:
        message = str(exc)
    by_key: dict[str, str] = {}
    general: list[str] = []
    for line in message.splitlines():
        key = next((k for k, t in texts.items() if line.startswith(f"--set {t}: ")), None)
        if key is None:
            general.append(plain(line.replace(f"{start.path}: ", "")
                                 .replace(str(start.path), start.name)))
        elif key in own:
            by_key[key] = field_message(line.removeprefix(f"--set {texts[key]}: "), key)
    return None, by_key, general


def check_local(start: Start, fields: Mapping[str, Field], raw: Mapping[str, Any],
                run: Mapping[str, Any] | None = None) -> tuple[dict[str, Any], dict[str, str],
                                                               list[str]]:
    """Check the "make it ours" numbers: (values, messages by key, other messages)."""
    values, errors = parse_fields(fields, raw)
    _scenario, by_key, general = _validate(start, values, run, list(values))
    return values, {**errors, **by_key}, general


def check_option(start: Start, local: Mapping[str, Any], option: Option, index: int,
                 run: Mapping[str, Any] | None = None,
                 field_errors: Mapping[str, str] | None = None) -> Check:
    """Check one option on top of the starting programme and the "make it ours" values.

    Args:
        start: the starting programme.
        local: the "make it ours" values (already parsed).
        option: the option (changes already parsed).
        index: its place on the page (0 is the reference).
        run: ``run`` table values (weeks, replications) from the run form.
        field_errors: messages from parsing its fields, kept beside them.
    """
    check = Check(scenario_name(option.label, index), field_errors=dict(field_errors or {}))
    values = {**local, **option.changes}
    scenario, by_key, general = _validate(start, values, run, list(option.changes))
    check.field_errors.update(by_key)
    check.errors += general
    if scenario is None and not by_key and not general:
        check.errors.append("the \"make it ours\" numbers do not validate: see the messages "
                            "there")
    if scenario is not None and not check.field_errors:
        check.scenario = scenario
        check.warnings = capacity_warnings(scenario.params)
        check.cost = cost_line(scenario.params)
    return check


def check_options(start: Start, local: Mapping[str, Any], options: Sequence[Option],
                  run: Mapping[str, Any] | None = None,
                  field_errors: Sequence[Mapping[str, str]] = ()) -> list[Check]:
    """Check every option, and that their names differ."""
    checks = [check_option(start, local, option, i, run,
                           field_errors[i] if i < len(field_errors) else {})
              for i, option in enumerate(options)]
    seen: dict[str, int] = {}
    for i, check in enumerate(checks):
        key = check.name.casefold()
        if key in seen:
            check.name_error = (f"option {seen[key] + 1} is also called "
                                f"\u201c{checks[seen[key]].name}\u201d: give each option "
                                "a name of its own")
        seen.setdefault(key, i)
    return checks
