"""What a person reads for a parameter: one label per input, and units in plain words.

Every parameter has exactly one label: the ``label`` its declaration in :mod:`sim.params`
gives (the planner's name for it: "Annual budget", "Supervisor posts"), or else its name
in words ("Setup weeks"). Its unit is said in words from the declared unit
("GBP/agency/year" is "£ a year per agency"), and :func:`title` puts the two together as
every form, table and message shows them: "Annual budget (£ a year per agency)". The
dotted key (``funding.annual_budget_gbp``) is what a scenario file writes; it is shown
only beside the label, as the secondary name.

:func:`value_text` writes a value in its unit (money with "£" and thousands separators,
yes/no, the declared choices in words), so a message says "£100,000", never "GBP 100,000"
or "100000.0".
"""

from __future__ import annotations

import math
from functools import cache
from typing import Any

from sim.params import SECTIONS

_UNIT_SUFFIXES = ("_gbp", "_fte")

# Units said in words where the token rule below would read awkwardly.
UNIT_WORDS: dict[str, str] = {
    "GBP": "£",
    "FTE/agency": "full-time equivalent per agency",
    "0-1": "0 to 1",
    "share": "a share, 0 to 1",
    "probability": "a chance, 0 to 1",
    "probability/year": "a chance a year, 0 to 1",
    "probability/week": "a chance a week, 0 to 1",
    "x": "times",
    "category": "",
    "yes/no": "",
    "integer": "",
    "list": "",
    "weeks of budget": "weeks of budget",
    "contacts/match/month": "contacts a month per relationship",
    "mentor-hours/mentee/week": "mentor hours a week per mentee",
}
# How each part of a unit "a/b/c" is said: the first part as it is (money as £, FTE as
# full-time equivalent), a time as "a year", anything else as "per agency".
_PARTS = {"GBP": "£", "FTE": "full-time equivalent", "match": "relationship"}
_TIMES = {"year": "a year", "month": "a month", "week": "a week", "hour": "an hour"}

# Choices in words (the value written to a file stays the declared one).
CHOICE_WORDS: dict[str, str] = {
    "adult_probation": "adults on probation", "prison_leavers": "people leaving prison",
    "youth_justice": "young people in youth justice", "therapeutic": "therapeutic",
    "managerial": "managerial",
    "same_annual_rate": "the same yearly rate while a grant runs",
    "same_pot": "the same pot over the horizon, gaps included",
    "reserves": "bridge on reserves", "close": "close the programme",
    "skeleton": "run a skeleton service", "established": "established", "new": "new",
    # the steps of funding.cut_order
    "leisure": "leisure activities", "ongoing_training": "ongoing training",
    "support_contacts": "support contacts", "supervision_sessions": "supervision sessions",
    "vacancies": "leaving vacant posts unfilled", "recruitment": "recruitment",
    "extra_role": "extra-role tasks for mentors", "closure": "closing the programme",
}


def _declaration(key: str) -> tuple[str, Any]:
    section, _, name = key.partition(".")
    model = SECTIONS.get(section)
    info = model.model_fields.get(name) if model is not None else None
    if info is None:
        raise KeyError(f"{key}: not a parameter")
    return name, info


def _extra(info: Any) -> dict[str, Any]:
    return info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}


def words_of(name: str) -> str:
    """A parameter name in words: ``setup_weeks`` -> ``Setup weeks``.

    Example:
        >>> words_of("annual_budget_gbp"), words_of("sessions_per_month")
        ('Annual budget', 'Sessions per month')
    """
    for suffix in _UNIT_SUFFIXES:
        name = name.removesuffix(suffix)
    text = name.replace("_", " ")
    return text[:1].upper() + text[1:]


@cache
def label(key: str) -> str:
    """The one label of parameter ``key`` (its declared label, else its name in words).

    Example:
        >>> label("funding.annual_budget_gbp"), label("funding.setup_weeks")
        ('Annual budget', 'Setup weeks')
    """
    name, info = _declaration(key)
    return str(_extra(info).get("label") or words_of(name))


def unit_of(key: str) -> str:
    """The declared unit of parameter ``key``."""
    return str(_extra(_declaration(key)[1]).get("unit", ""))


def unit_words(unit: str) -> str:
    """A declared unit in words ("" for categories and yes/no).

    Example:
        >>> unit_words("GBP/agency/year"), unit_words("FTE/agency")
        ('£ a year per agency', 'full-time equivalent per agency')
        >>> unit_words("sessions/mentor/month"), unit_words("weeks")
        ('sessions a month per mentor', 'weeks')
    """
    if unit in UNIT_WORDS:
        return UNIT_WORDS[unit]
    first, *rest = unit.split("/")
    times = [_TIMES[p] for p in rest if p in _TIMES]
    per = [f"per {_PARTS.get(p, p)}" for p in rest if p not in _TIMES]
    return " ".join([_PARTS.get(first, first), *times, *per]).strip()


def title(key: str) -> str:
    """The label with the unit in words, as forms and tables show it:
    "Annual budget (£ a year per agency)"; a choice or yes/no has no unit.

    Example:
        >>> title("funding.grant_term_years"), title("supervision.style")
        ('Grant length (years)', 'Supervision style')
    """
    unit = unit_words(unit_of(key))
    return f"{label(key)} ({unit})" if unit else label(key)


def meaning(key: str) -> str:
    """The declared meaning of parameter ``key``."""
    return str(_declaration(key)[1].description or "")


def money(value: float, decimals: int = 0) -> str:
    """An amount of money as every message writes it: ``£100,000``, ``−£297``.

    Example:
        >>> money(100000.0), money(-297.4)
        ('£100,000', '−£297')
    """
    sign = "\u2212" if round(value, decimals) < 0 else ""
    return f"{sign}£{abs(value):,.{decimals}f}"


def value_text(key: str, value: Any) -> str:
    """A value of parameter ``key`` in words: ``£100,000``, ``0.5``, ``yes``,
    ``therapeutic``, ``5 years``.

    Example:
        >>> value_text("funding.annual_budget_gbp", 100000.0)
        '£100,000'
        >>> value_text("supervision.style", "therapeutic"), value_text("run.weeks", 260)
        ('therapeutic', '260 weeks')
    """
    unit = unit_of(key)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, str):
        return CHOICE_WORDS.get(value, value)
    if not isinstance(value, int | float) or not math.isfinite(value):
        return str(value)
    if unit.startswith("GBP"):
        return money(value, 0 if float(value).is_integer() or abs(value) >= 100 else 2)
    number = f"{int(value):,}" if float(value).is_integer() else f"{value:g}"
    if unit in ("weeks", "years", "hours") or unit.startswith("weeks of"):
        return f"{number} {unit.replace('s', '', 1) if value == 1 else unit}"
    return number


# Metric units (sim.metrics) in the words a report uses: rates per mentor-year are per
# mentors a year, agency-weeks are weeks (added up over agencies).
METRIC_UNIT_WORDS: dict[str, str] = {
    "per 100 mentor-years": "per 100 mentors a year",
    "per 100 relationship-years": "per 100 relationships a year",
    "mentor-years": "years of mentors' time",
    "agency-weeks": "weeks, added up over agencies",
    "mentors/FTE": "mentors per full-time staff post",
}


def metric_unit_words(unit: str) -> str:
    """A metric's unit in words ("per 100 mentor-years" is "per 100 mentors a year").

    Example:
        >>> metric_unit_words("per 100 mentor-years"), metric_unit_words("weeks")
        ('per 100 mentors a year', 'weeks')
    """
    return METRIC_UNIT_WORDS.get(unit, unit)
