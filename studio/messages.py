"""Messages a planner meets, in plain words: labels for keys, £ for money, the fix.

The studio checks everything as ``mentorsim validate`` does (:mod:`sim.scenario`), whose
messages are written for a scenario file: they name dotted keys, say "GBP" and quote the
validation library ("Input should be greater than or equal to 0"). :func:`plain` says the
same thing as the page shows it: each key becomes its label (:func:`sim.labels.label`),
money is "£1,234", a range is "0 or more", the bracketed meaning and unit (already beside
the field) are left out. :func:`keys_in` lists the keys a message names, which the page
shows as the secondary name, in small type, for someone who edits the file.
"""

from __future__ import annotations

import re

from sim import labels
from sim.params import SECTIONS

_KEY = re.compile(r"\b(" + "|".join(SECTIONS) + r")\.([a-z_][a-z0-9_]*)\b")
_NAME = re.compile(r"(?<![.\w])([a-z]+(?:_[a-z0-9]+)+)\b")  # a bare parameter name


def _unique_names() -> dict[str, str]:
    """Parameter names that belong to one section only, with their dotted keys."""
    seen: dict[str, list[str]] = {}
    for section, model in SECTIONS.items():
        for name in model.model_fields:
            seen.setdefault(name, []).append(f"{section}.{name}")
    return {name: keys[0] for name, keys in seen.items() if len(keys) == 1}


_UNIQUE = _unique_names()
_MONEY = re.compile(r"\bGBP ?(-?[\d,]+(?:\.\d+)?)(/year)?")
_KEY_VALUE = re.compile(_KEY.pattern + r" = (-?[\d,]+(?:\.\d+)?)\b")
_HINT = re.compile(r" \[[^\[\]]*; unit: [^\[\]]*\]")
# Phrases of the validation library (pydantic), in plain words.
_PHRASES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"Input should be greater than or equal to (\S+)"), r"must be \1 or more"),
    (re.compile(r"Input should be greater than (\S+)"), r"must be more than \1"),
    (re.compile(r"Input should be less than or equal to (\S+)"), r"must be \1 or less"),
    (re.compile(r"Input should be less than (\S+)"), r"must be less than \1"),
    (re.compile(r"Input should be "), "must be "),
)


def _label_of(match: re.Match[str]) -> str:
    key = f"{match.group(1)}.{match.group(2)}"
    try:
        return labels.label(key).lower()
    except KeyError:
        return key


def keys_in(message: str) -> list[str]:
    """The parameter keys a message names, in order, once each."""
    found = [f"{m.group(1)}.{m.group(2)}" for m in _KEY.finditer(message)]
    return [k for k in dict.fromkeys(found) if _declared(k)]


def _declared(key: str) -> bool:
    try:
        labels.label(key)
    except KeyError:
        return False
    return True


def plain(message: str) -> str:
    """A validation or capacity message in the words the page uses.

    Example:
        >>> plain("staff.supervisors_fte = -1: Input should be greater than or equal to 0 "
        ...       "[Supervisor posts for mentors; unit: FTE/agency]")
        'supervisor posts = −1: must be 0 or more'
        >>> plain("staff cost GBP 79,500/year exceeds funding.annual_budget_gbp = 75,000")
        'staff cost £79,500 a year exceeds annual budget of £75,000'
    """
    text = _HINT.sub("", message)
    for pattern, words in _PHRASES:
        text = pattern.sub(words, text)
    text = _MONEY.sub(lambda m: f"£{m.group(1)}" + (" a year" if m.group(2) else ""), text)
    text = _KEY_VALUE.sub(_money_value, text)
    text = re.sub(r"(?<![\w.])-(?=\d)", "\u2212", text)  # a true minus sign
    text = _KEY.sub(_label_of, text)
    return _NAME.sub(lambda m: labels.label(_UNIQUE[m.group(1)]).lower()
                     if m.group(1) in _UNIQUE else m.group(1), text)


def _money_value(match: re.Match[str]) -> str:
    """``funding.annual_budget_gbp = 75,000`` as "annual budget of £75,000" (other keys
    keep their "= value" for :func:`_label_of`)."""
    key = f"{match.group(1)}.{match.group(2)}"
    if not _declared(key) or not labels.unit_of(key).startswith("GBP"):
        return match.group(0)
    amount = float(match.group(3).replace(",", ""))
    return f"{labels.label(key).lower()} of {labels.money(amount)}"


def field_message(text: str, key: str) -> str:
    """A message about one field, shown beside it: without the field's own key and
    label at the start (the field is right there), in plain words.

    Example:
        >>> field_message("staff.supervisors_fte = -1: Input should be greater than or "
        ...               "equal to 0", "staff.supervisors_fte")
        '−1: must be 0 or more'
    """
    text = text.removeprefix(f"{key} = ")
    return plain(text)
