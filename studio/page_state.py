"""What the page holds, parsed: the starting programme, "make it ours", the options.

The page's values arrive as Dash gives them (pattern-matched lists of ``{"id": ...,
"value": ...}``); :func:`read_page` turns them into a :class:`PageState` through
:func:`studio.forms.parse_value` only, keeping as changes just the values that differ
from the starting programme. :class:`Studio` is what every callback shares.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sim.errors import UserError
from studio.folder import WorkingFolder
from studio.forms import Field, all_fields, current_value, local_fields
from studio.jobs import Jobs
from studio.options import (
    DEFAULT_LABELS,
    MAX_OPTIONS,
    Option,
    check_local,
    parse_fields,
    set_overrides,
)
from studio.programme import Start, load_start, resolve_start


@dataclass
class Studio:
    """What the callbacks share: the working folder, the fields and the runs."""

    folder: WorkingFolder
    jobs: Jobs
    fields: dict[str, Field]
    local: dict[str, Field]


# --- reading the page --------------------------------------------------------------------
def by_key(entries: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """``{key: value}`` from a pattern-matched list of ``{"id": {..., "key": K}, "value":
    V}`` entries (as ``ctx.states_list`` and ``ctx.inputs_list`` give them)."""
    return {e["id"]["key"]: e.get("value") for e in entries}


def by_option(entries: Sequence[Mapping[str, Any]]) -> dict[int, dict[str, Any]]:
    """``{option: {key: value}}`` from a pattern-matched list of option fields."""
    out: dict[int, dict[str, Any]] = {}
    for e in entries:
        out.setdefault(int(e["id"]["option"]), {})[e["id"].get("key", "")] = e.get("value")
    return out


def _whole_number(raw: Any, what: str) -> tuple[int | None, str]:
    """(the whole number typed, or None when empty; a message when it is not one)."""
    text = str(raw or "").strip()
    if not text:
        return None, ""
    if not text.isdigit() or len(text) > 6:
        return None, f"{what} = {text[:20]}: type a whole number, e.g. 10"
    return int(text), ""


def run_settings(start: Start, reps: Any, weeks: Any) -> tuple[dict[str, int], list[str]]:
    """The run form's values (only those given) and its messages, checked as ``run
    --reps N --weeks N`` checks them."""
    settings: dict[str, int] = {}
    messages = []
    for key, raw in (("replications", reps), ("weeks", weeks)):
        value, message = _whole_number(raw, key)
        if message:
            messages.append(message)
        elif value is not None:
            settings[key] = value
    try:
        load_start(start, None, settings)
    except UserError as exc:
        messages += str(exc).splitlines()
        settings = {}
    return settings, messages


@dataclass
class PageState:
    """The page's values, parsed."""

    start: Start
    local: dict[str, Any]
    local_errors: dict[str, str]
    options: list[Option]
    option_errors: list[dict[str, str]]


def read_page(studio: Studio, start_ref: str, local_entries: Sequence[Mapping[str, Any]],
              count: int, names: Sequence[Any], questions: Sequence[Any],
              field_entries: Sequence[Mapping[str, Any]]) -> PageState:
    """Parse the page's values (``*_entries`` as pattern-matched state lists)."""
    start = resolve_start(studio.folder, start_ref)
    local, local_errors, general = check_local(start, studio.local, by_key(local_entries))
    if general:  # e.g. staff that cost more than the budget: shown under "make it ours"
        local_errors = {**local_errors, "": " ".join(general)}
    own = load_start(start).params  # only what differs from the programme is a change
    local = {k: v for k, v in local.items() if current_value(own, k) != v}
    base = None if local_errors else load_start(start, set_overrides(local)).params
    raw = by_option(field_entries)
    options, errors = [], []
    for i in range(max(1, min(count, MAX_OPTIONS))):
        values, field_errors = parse_fields(studio.fields, raw.get(i, {}))
        if base is not None:
            values = {k: v for k, v in values.items() if current_value(base, k) != v}
        label = str(names[i] if i < len(names) and names[i] is not None else "")[:80]
        question = str(questions[i] if i < len(questions) and questions[i] else "")[:300]
        options.append(Option(label or DEFAULT_LABELS[i], question, values))
        errors.append(field_errors)
    return PageState(start, local, local_errors, options, errors)


def make_studio(folder: WorkingFolder, workers: int | None = None) -> Studio:
    """The shared state of one studio."""
    return Studio(folder, Jobs(folder, workers), all_fields(),
                  {f.key: f for f in local_fields()})
