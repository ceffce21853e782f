"""What the page holds, parsed: the starting programme, "make it ours", the options.

The page's values arrive as Dash gives them (pattern-matched lists of ``{"id": ...,
"value": ...}``); :func:`form_of` collects them as typed into a
:class:`studio.form_state.Form` (what the browser keeps and a comparison file holds), and
:func:`read_page` parses that into a :class:`PageState` through
:func:`studio.forms.parse_value` only, keeping as changes just the values that differ
from the starting programme. :class:`Studio` is what every callback shares.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sim import labels
from sim.errors import UserError
from studio.folder import WorkingFolder
from studio.form_state import Form
from studio.form_state import Option as TypedOption
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

STAFF_POSTS = ("staff.coordinators_fte", "staff.supervisors_fte")


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


def _typed(value: Any) -> str:
    return "" if value is None else str(value)


def form_of(start: Any, local: Sequence[Mapping[str, Any]], staff_total: Any, count: Any,
            names: Sequence[Mapping[str, Any]], questions: Sequence[Mapping[str, Any]],
            fields: Sequence[Mapping[str, Any]], replications: Any, weeks: Any,
            worlds: Any = "", world_replications: Any = "") -> Form:
    """The page's values as typed (pattern-matched lists as Dash gives them)."""
    n = max(1, min(int(count or 1), MAX_OPTIONS))
    name_of = {int(e["id"]["option"]): _typed(e.get("value")) for e in names}
    question_of = {int(e["id"]["option"]): _typed(e.get("value")) for e in questions}
    typed = by_option(fields)
    options = [TypedOption(name_of.get(i, ""), question_of.get(i, ""),
                           {k: _typed(v) for k, v in typed.get(i, {}).items() if _typed(v)})
               for i in range(n)]
    return Form(str(start or "bundled:baseline"),
                {k: _typed(v) for k, v in by_key(local).items() if _typed(v)},
                _typed(staff_total), options, _typed(replications), _typed(weeks),
                _typed(worlds), _typed(world_replications))


def _whole_number(raw: Any, what: str) -> tuple[int | None, str]:
    """(the whole number typed, or None when empty; a message when it is not one)."""
    text = str(raw or "").strip()
    if not text:
        return None, ""
    if not text.isdigit() or len(text) > 6:
        return None, f"{what}: {text[:20]} is not a whole number; type digits, e.g. 10"
    return int(text), ""


def run_settings(start: Start, reps: Any, weeks: Any) -> tuple[dict[str, int], dict[str, str]]:
    """The run form's values (only those given) and its messages by field
    (``replications``, ``weeks``), checked as ``run --reps N --weeks N`` checks them."""
    settings: dict[str, int] = {}
    messages: dict[str, str] = {}
    for key, raw, what in (("replications", reps, labels.label("run.replications")),
                           ("weeks", weeks, labels.label("run.weeks"))):
        value, message = _whole_number(raw, what)
        if message:
            messages[key] = message
        elif value is not None:
            try:
                load_start(start, None, {key: value})
            except UserError:
                low, high = _run_limits(key)
                messages[key] = (f"{what}: {value:,} is not allowed; type a whole number "
                                 f"from {low:,} to {high:,}")
            else:
                settings[key] = value
    return settings, messages


WORLDS_LABEL = "Plausible worlds"
WORLD_REPS_LABEL = "Replications in each world"
BUILD_WORLDS = "build them with `mentorsim calibrate --worlds`"


def stored_worlds() -> int | None:
    """How many plausible worlds are stored (:func:`sim.worlds.load_worlds`), or None when
    no ensemble has been built (or it cannot be read)."""
    from sim.worlds import load_worlds

    try:
        return len(load_worlds())
    except (UserError, ValueError, KeyError, OSError):  # none, or a damaged file: none to run
        return None


def world_settings(worlds: Any, world_reps: Any) -> tuple[dict[str, int], dict[str, str], str]:
    """The run form's plausible worlds (empty or 0: none) and replications in each world
    (empty: the default of ``run --world-reps``), checked as ``run --worlds N --world-reps
    R`` checks them: whole numbers, worlds at most the number stored (only 0 when none is
    stored), replications within the declared limits of replications.

    Returns:
        ``{"worlds": N, "world_replications": R}`` when both are valid, the messages by
        field (``worlds``, ``world_replications``), and a note on the worlds stored.
    """
    from sim.across_worlds import DEFAULT_WORLD_REPS

    stored = stored_worlds()
    if stored is None:
        note = f"No plausible worlds are stored yet ({BUILD_WORLDS}): only 0 is allowed."
    else:
        some = f"{stored:,} plausible world{' is' if stored == 1 else 's are'}"
        note = (f"{some} stored (parameter sets consistent with the calibration targets): "
                f"type 0 to {stored:,}. Every option then also runs in each of that many "
                "worlds, as many times as the replications in each world say.")
    messages: dict[str, str] = {}
    count, message = _whole_number(worlds, WORLDS_LABEL)
    count = count or 0
    if message:
        messages["worlds"] = message
    elif count and stored is None:
        messages["worlds"] = (f"{WORLDS_LABEL}: none are stored yet, so only 0 is allowed "
                              f"({BUILD_WORLDS})")
    elif stored is not None and count > stored:
        messages["worlds"] = (f"{WORLDS_LABEL}: {count:,} is more than the {stored:,} stored; "
                              f"type a whole number from 0 to {stored:,}")
    reps, message = _whole_number(world_reps, WORLD_REPS_LABEL)
    low, high = _run_limits("replications")
    if message:
        messages["world_replications"] = message
    elif reps is not None and not low <= reps <= high:
        messages["world_replications"] = (f"{WORLD_REPS_LABEL}: {reps:,} is not allowed; "
                                          f"type a whole number from {low:,} to {high:,}")
    if messages:
        return {}, messages, note
    return {"worlds": count, "world_replications": reps or DEFAULT_WORLD_REPS}, {}, note


def _run_limits(key: str) -> tuple[int, int]:
    """The declared limits of ``run.<key>``."""
    field = all_fields()[f"run.{key}"]
    return int(field.low or 1), int(field.high or 1)


def staff_split(start: Start, local: Mapping[str, str], total: str
                ) -> tuple[dict[str, str], str, str]:
    """The posts a planner's "staff in all" means: (post values to use, a note saying the
    split, a message when it cannot be used).

    "1.5 staff" is split between coordinator and supervisor posts as the starting
    programme splits its own; a post typed in its own box is kept and the other is the
    rest of the total.

    Example:
        >>> from studio.programme import resolve_start
        >>> from studio.folder import WorkingFolder
        >>> import tempfile, pathlib
        >>> start = resolve_start(WorkingFolder(pathlib.Path(tempfile.mkdtemp())),
        ...                       "bundled:baseline")
        >>> staff_split(start, {}, "1.5")[0]
        {'staff.coordinators_fte': '1.125', 'staff.supervisors_fte': '0.375'}
    """
    text = total.strip()
    if not text:
        return {}, "", ""
    try:
        value = float(text)
    except ValueError:
        return {}, "", f"{text[:20]}: not a number; type digits, e.g. 1.5"
    if not math.isfinite(value) or value < 0 or value > 1000:
        return {}, "", f"{text[:20]}: type a number from 0 to 1,000"
    typed = {k: local.get(k, "").strip() for k in STAFF_POSTS}
    if all(typed.values()):
        return {}, "Both posts are typed below: the total is not used.", ""
    own = load_start(start).params
    shares = [float(current_value(own, k)) for k in STAFF_POSTS]
    split: dict[str, float] = {}
    for key, other in (STAFF_POSTS, STAFF_POSTS[::-1]):
        if typed[key]:
            try:
                split = {key: float(typed[key]), other: value - float(typed[key])}
            except ValueError:
                return {}, "", ""  # the post's own box says what is wrong
            if split[other] < 0:
                return {}, "", (f"{text}: less than the {typed[key]} "
                                f"{labels.label(key).lower()} typed below")
            break
    if not split:
        whole = sum(shares) or 1.0
        split = {k: value * s / whole for k, s in zip(STAFF_POSTS, shares, strict=True)}
    values = {k: f"{round(v, 3):g}" for k, v in split.items()}
    coordinators, supervisors = (values[k] for k in STAFF_POSTS)
    note = (f"= {coordinators} coordinator and {supervisors} supervisor full-time posts"
            + ("" if any(typed.values()) else
               f", split as the programme splits its own ({shares[0]:g} and {shares[1]:g})")
            + "; type either post below to split it your own way.")
    return values, note, ""


@dataclass
class PageState:
    """The page's values, parsed."""

    start: Start
    local: dict[str, Any]
    local_errors: dict[str, str]
    options: list[Option]
    option_errors: list[dict[str, str]]


def local_values(form: Form, start: Start) -> dict[str, Any]:
    """The "make it ours" values typed, with the staff total split into posts."""
    raw: dict[str, Any] = dict(form.local)
    split, _note, _message = staff_split(start, form.local, form.staff_total)
    for key, value in split.items():
        if not raw.get(key):  # a post typed in its own box stays as typed
            raw[key] = value
    return raw


def read_page(studio: Studio, form: Form) -> PageState:
    """Parse the page's values."""
    start = resolve_start(studio.folder, form.start)
    raw_local = local_values(form, start)
    local, local_errors, general = check_local(start, studio.local, raw_local)
    _split, _note, staff_message = staff_split(start, form.local, form.staff_total)
    if staff_message:
        local_errors = {**local_errors, "staff-total": staff_message}
    if general:  # e.g. staff that cost more than the budget: shown under "make it ours"
        local_errors = {**local_errors, "": " ".join(general)}
    own = load_start(start).params  # only what differs from the programme is a change
    local = {k: v for k, v in local.items() if current_value(own, k) != v}
    base = None if local_errors else load_start(start, set_overrides(local)).params
    options, errors = [], []
    for i, typed in enumerate(form.options[:MAX_OPTIONS]):
        values, field_errors = parse_fields(studio.fields, typed.fields)
        if base is not None:
            values = {k: v for k, v in values.items() if current_value(base, k) != v}
        label = typed.name[:80]
        options.append(Option(label or DEFAULT_LABELS[i], typed.question[:300], values))
        errors.append(field_errors)
    return PageState(start, local, local_errors, options, errors)


def make_studio(folder: WorkingFolder, workers: int | None = None) -> Studio:
    """The shared state of one studio."""
    return Studio(folder, Jobs(folder, workers), all_fields(),
                  {f.key: f for f in local_fields()})
