"""Form fields generated from the parameter declarations, and what typing in them means.

Every field of the options' forms is a **lever** declared in :mod:`sim.params` (its
meaning, unit, plausible range and source come from there, never from a second list), or
one of the few uncertainties a planner sets as they expect them (:data:`PLANNER_SET`);
they are grouped as a planner thinks of them (:data:`GROUPS`), each scenario section going
to one group, with the staff posts beside what they deliver. The "make it ours" form has
the few numbers that describe a local programme (:data:`LOCAL_FIELDS`).

What is typed is only ever *parsed*: a number (digits, a point, a sign, an exponent), yes
or no, or one of the declared choices (:func:`parse_value`). Nothing typed is evaluated,
and text that is not a number gets the scenario loader's spreadsheet-habit message
("numbers are written without thousands separators", ...).
"""

from __future__ import annotations

import math
import re
import typing
from dataclasses import dataclass
from typing import Any, Literal

from sim import labels
from sim.errors import ScenarioError
from sim.params import SECTIONS
from sim.scenario import parse_override
from studio.messages import plain

Kind = Literal["number", "integer", "yes/no", "choice"]

# The groups of the options' forms, in order, with what each is about.
GROUPS: dict[str, str] = {
    "funding": "Money, grant length, renewals and gaps, and what happens when money runs "
               "short",
    "training": "Training for mentors and for staff and managers",
    "supervision": "Supervision of mentors, and the supervisor posts that deliver it",
    "support": "Coordinator contacts with each match, and the coordinator posts",
    "matching": "How mentees are matched, caseloads and how long a match is meant to last",
    "mentors": "How many mentors, who they are and how they spend their time",
}
# Each scenario section's group; staff posts and programme size go beside what they do.
SECTION_GROUP = {"funding": "funding", "training": "training", "supervision": "supervision",
                 "support": "support", "matching": "matching", "mentors": "mentors",
                 "formats": "mentors", "programme": "matching"}
FIELD_GROUP = {"staff.supervisors_fte": "supervision", "staff.coordinators_fte": "support",
               "programme.target_mentors": "mentors"}

# Uncertainties a planner sets beside the levers: not the programme's to decide, but what
# its commissioner does when a grant ends is what a planner knows best, and whether an
# option holds up if grants are renewed less often, or gaps last longer, is a question they
# ask. Their declarations stay uncertainties (sweeps and the EMA adapter vary them as such).
PLANNER_SET: tuple[str, ...] = ("funding.renewal_probability", "funding.gap_weeks_mean")
# What the help of a field of PLANNER_SET adds: why it is there, though not a lever.
NOT_A_LEVER = ("Not the programme's to decide: set it to what you expect of the "
               "commissioner.")

# "Make it ours": the numbers that describe a local programme (labelled as everywhere else,
# from their declarations: sim.labels).
LOCAL_FIELDS: tuple[str, ...] = (
    "programme.referrals_per_year", "programme.target_mentors", "staff.coordinators_fte",
    "staff.supervisors_fte", "funding.annual_budget_gbp", "funding.grant_term_years",
    "programme.setting",
)
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
_INTEGER = re.compile(r"[+-]?\d+")
MAX_TEXT = 100  # characters of a typed value that are looked at


@dataclass(frozen=True)
class Field:
    """One form field, from one parameter declaration.

    Attributes:
        key: the dotted parameter key (``supervision.sessions_per_month``).
        label: its one label (:func:`sim.labels.label`); :attr:`title` adds the unit.
        meaning, unit, source: from the declaration.
        kind: how it is typed (:data:`Kind`).
        default: the declared default.
        choices: the declared choices (``choice``), or ``(True, False)`` (``yes/no``).
        plausible: the declared plausible range, if any.
        low, high: the declared hard limits (``ge``/``gt``, ``le``/``lt``), if any.
        group: the form group (:data:`GROUPS`).
        lever: whether the declaration is a lever (else the programme does not control it).
    """

    key: str
    label: str
    meaning: str
    unit: str
    source: str
    kind: Kind
    default: Any
    choices: tuple[Any, ...] = ()
    plausible: tuple[float, float] | None = None
    low: float | None = None
    high: float | None = None
    group: str = ""
    lever: bool = True

    @property
    def title(self) -> str:
        """The label with its unit in words, as every form and table shows it."""
        return labels.title(self.key)

    @property
    def help(self) -> str:
        """The help text: meaning, whose decision it is when not the programme's, plausible
        range and source."""
        parts = [self.meaning.rstrip(".") + "."]
        if not self.lever:
            parts.append(NOT_A_LEVER)
        if self.plausible:
            parts.append(f"Plausible range: {labels.value_text(self.key, self.plausible[0])} "
                         f"to {labels.value_text(self.key, self.plausible[1])}.")
        parts.append(f"Source: {self.source.rstrip('.')}.")
        return " ".join(parts)


def format_value(value: Any) -> str:
    """A value as the form shows it: ``120,000``, ``0.5``, ``yes``, ``managerial``."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int):
        return f"{value:,}" if abs(value) >= 10_000 else str(value)
    if isinstance(value, float):
        return f"{value:g}"
    return labels.CHOICE_WORDS.get(str(value), str(value))


def plain_value(value: Any) -> str:
    """A value as it is typed into a field: ``120000``, ``0.5``, ``yes``, ``managerial``.

    Example:
        >>> plain_value(120000.0), plain_value(0.116), plain_value(True)
        ('120000', '0.116', 'yes')
    """
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    if isinstance(value, bool):
        return choice_id(value)
    return str(value)


def _limits(info: Any) -> tuple[float | None, float | None]:
    low = high = None
    for rule in info.metadata:
        for name in ("ge", "gt"):
            if getattr(rule, name, None) is not None:
                low = getattr(rule, name)
        for name in ("le", "lt"):
            if getattr(rule, name, None) is not None:
                high = getattr(rule, name)
    return low, high


def _field(section: str, name: str, info: Any) -> Field | None:
    extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
    annotation = info.annotation
    if annotation is bool:
        kind: Kind = "yes/no"
        choices: tuple[Any, ...] = (True, False)
    elif typing.get_origin(annotation) is Literal:
        kind, choices = "choice", typing.get_args(annotation)
    elif annotation is int:
        kind, choices = "integer", ()
    elif annotation is float:
        kind, choices = "number", ()
    else:
        return None  # lists (funding.cut_order) are edited in a scenario file
    key = f"{section}.{name}"
    plausible = extra.get("plausible")
    low, high = _limits(info)
    # meaning and source in the page's words: labels for keys, £ for GBP (studio.messages),
    # the field's choices as its buttons say them
    meaning = choices_in_words(plain(info.description or ""), choices)
    return Field(key=key, label=labels.label(key), meaning=meaning,
                 unit=str(extra.get("unit", "")), source=plain(str(extra.get("source", ""))),
                 kind=kind, default=info.default, choices=choices,
                 plausible=tuple(plausible) if plausible else None, low=low, high=high,
                 group=FIELD_GROUP.get(key, SECTION_GROUP.get(section, "")),
                 lever=extra.get("kind") == "lever")


def choices_in_words(text: str, choices: tuple[Any, ...]) -> str:
    """``text`` with each of ``choices`` it quotes (``'same_pot'``) said as the field's
    buttons say it, so the meaning beside them names what the planner sees.

    Example:
        >>> choices_in_words("'same_pot': one weekly rate", ("same_annual_rate", "same_pot"))
        '“the same pot over the horizon, gaps included”: one weekly rate'
    """
    for choice in choices:
        if isinstance(choice, str):
            text = text.replace(f"'{choice}'", f"\u201c{format_value(choice)}\u201d")
    return text


def all_fields() -> dict[str, Field]:
    """Every parameter that a form can show, by dotted key, in declaration order."""
    out = {}
    for section, model in SECTIONS.items():
        for name, info in model.model_fields.items():
            field = _field(section, name, info)
            if field is not None:
                out[field.key] = field
    return out


def lever_fields() -> dict[str, list[Field]]:
    """The options' fields: the levers and :data:`PLANNER_SET`, by form group
    (:data:`GROUPS` order), each group in declaration order.

    Example:
        >>> groups = lever_fields()
        >>> list(groups) == list(GROUPS)
        True
        >>> [f.key for f in groups["funding"]][:5]  # doctest: +NORMALIZE_WHITESPACE
        ['funding.annual_budget_gbp', 'funding.grant_term_years',
         'funding.renewal_probability', 'funding.gap_weeks_mean', 'funding.payment_rule']
    """
    out: dict[str, list[Field]] = {group: [] for group in GROUPS}
    for section, model in SECTIONS.items():
        for name, info in model.model_fields.items():
            field = _field(section, name, info)
            if field is not None and (field.lever or field.key in PLANNER_SET) \
                    and field.group in out:
                out[field.group].append(field)
    return out


def local_fields() -> list[Field]:
    """The "make it ours" fields."""
    fields = all_fields()
    return [fields[key] for key in LOCAL_FIELDS]


class FieldError(ValueError):
    """What was typed in a field is not a value of that field's kind."""


def parse_value(field: Field, raw: Any) -> Any:
    """The value typed or picked in ``field``; None when left empty (no change).

    Only parses: a number (int for integer fields when written without a point), yes/no
    (``True``/``False``) or one of the declared choices. Range checks are left to the
    scenario validation, so the messages are those of ``mentorsim validate``.

    Raises:
        FieldError: not a number, or not one of the choices; the message names the fix.

    Example:
        >>> f = all_fields()["funding.grant_term_years"]
        >>> parse_value(f, " 5 "), parse_value(f, "2.5"), parse_value(f, "")
        (5, 2.5, None)
    """
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    if field.kind in ("yes/no", "choice"):
        for choice in field.choices:
            if raw == choice or (isinstance(raw, str) and raw == choice_id(choice)):
                return choice
        raise FieldError(f"{str(raw)[:MAX_TEXT]!r} is not one of the choices: pick "
                         + ", ".join(format_value(c) for c in field.choices))
    return parse_number(raw, field.key, field.kind == "integer")


def parse_number(raw: Any, key: str, integer: bool = False) -> float | int:
    """A number typed for parameter (or form value) ``key``: an int when written without a
    point. Spreadsheet habits (``120,000``, ``90%``, ``£120k``) get the scenario loader's
    fix; ``integer`` only changes the example a message gives.

    Raises:
        FieldError: not a number.

    Example:
        >>> parse_number("0.8", "decide.matched"), parse_number(" 3 ", "decide.worlds")
        (0.8, 3)
    """
    if isinstance(raw, bool):
        raise FieldError("type a number")
    if isinstance(raw, int | float):
        value: float | int = raw
    else:
        text = str(raw).strip()[:MAX_TEXT]
        if _INTEGER.fullmatch(text):
            value = int(text)
        elif _NUMBER.fullmatch(text):
            value = float(text)
        else:
            raise FieldError(_not_a_number(key, text, integer))
    if isinstance(value, float) and not math.isfinite(value):
        raise FieldError(f"{raw}: too large to be a number here; type digits, e.g. 2")
    return value


def _not_a_number(key: str, text: str, integer: bool = False) -> str:
    """The scenario loader's message for a spreadsheet habit (``120,000``, ``90%``,
    ``£120k``), else a plain one. The text is parsed as TOML there, never run."""
    try:
        parse_override(f"{key}={text}")
    except ScenarioError as exc:
        # "--set KEY=TEXT: why: --set KEY=FIX" said for a form: "TEXT: why: type FIX"
        message = str(exc).removeprefix(f"--set {key}={text}: ")
        return f"{text}: " + message.replace(f"--set {key}=", "type ")
    example = "2" if integer else "0.5"
    return f"{text}: not a number; type digits, e.g. {example}"


def choice_id(choice: Any) -> str:
    """The value a radio button carries for a choice (``yes``/``no`` for yes/no)."""
    if isinstance(choice, bool):
        return "yes" if choice else "no"
    return str(choice)


def current_value(params: Any, key: str) -> Any:
    """A dotted key's value in validated parameters."""
    section, name = key.split(".", 1)
    return getattr(getattr(params, section), name)
