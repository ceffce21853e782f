"""Everything typed on the page, as text: what the browser keeps across a reload, what a
saved comparison file holds, and what a run keeps beside its results.

A :class:`Form` is the page's values exactly as typed (``"120000"``, ``"therapeutic"``,
an option's name ``"Budget cut 25%"``), never parsed: parsing and checking are
:mod:`studio.page_state`'s. Its JSON (:meth:`Form.to_json`) is the *comparison file* a
planner saves and opens again (``{"format": "mentorsim-comparison", ...}``); reading one
(:func:`read_comparison`) checks its shape and sizes and names what is wrong, as the CLI
names what is wrong with a scenario file.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sim.errors import UserError

FORMAT = "mentorsim-comparison"
VERSION = 1
MAX_FILE_BYTES = 256 * 1024  # a comparison is a few kilobytes
MAX_TEXT = 300  # characters of any one value kept (a question is the longest)
MAX_OPTIONS = 5
MAX_FIELDS = 400  # values of one option (there are fewer levers than this)


class ComparisonFileError(UserError):
    """A comparison file that cannot be opened; the message says why and what to do."""


@dataclass
class Option:
    """One option as typed: name, question and field values by dotted key."""

    name: str = ""
    question: str = ""
    fields: dict[str, str] = field(default_factory=dict)


@dataclass
class Form:
    """The page's values as typed.

    Attributes:
        start: the starting programme (``bundled:baseline``, ``file:uploads/ours.toml``).
        local: the "make it ours" values by dotted key.
        staff_total: "staff in all", split between the two kinds of post.
        options: the options shown (the first is the reference).
        replications, weeks: the run form's values.
        worlds, world_replications: the run form's plausible worlds and replications in
            each world (empty in a file saved before they were on the form).
    """

    start: str = "bundled:baseline"
    local: dict[str, str] = field(default_factory=dict)
    staff_total: str = ""
    options: list[Option] = field(default_factory=lambda: [Option(), Option()])
    replications: str = ""
    weeks: str = ""
    worlds: str = ""
    world_replications: str = ""

    def to_json(self) -> dict[str, Any]:
        """The form as a comparison file's JSON (only what is filled in)."""
        return {
            "format": FORMAT, "version": VERSION, "start": self.start,
            "local": {k: v for k, v in self.local.items() if v},
            "staff_total": self.staff_total,
            "options": [{"name": o.name, "question": o.question,
                         "fields": {k: v for k, v in o.fields.items() if v}}
                        for o in self.options],
            "replications": self.replications, "weeks": self.weeks,
            "worlds": self.worlds, "world_replications": self.world_replications,
        }

    @classmethod
    def from_json(cls, data: Any, source: str = "the comparison") -> Form:
        """A form from JSON (a comparison file, the browser's copy, a run's record).

        Raises:
            ComparisonFileError: not a comparison, or values of the wrong kind or size;
                the message names ``source``, the key and what is allowed.
        """
        if not isinstance(data, Mapping) or data.get("format") != FORMAT:
            raise ComparisonFileError(
                f"{source}: not a saved comparison (a file saved by \u201cSave this "
                "comparison\u201d, with \"format\": \"mentorsim-comparison\")")
        options = data.get("options", [])
        if not isinstance(options, list) or not 1 <= len(options) <= MAX_OPTIONS:
            raise ComparisonFileError(f"{source}: options: a list of 1 to {MAX_OPTIONS} "
                                      "options")
        return cls(
            start=_text(data.get("start", "bundled:baseline"), f"{source}: start"),
            local=_values(data.get("local", {}), f"{source}: local"),
            staff_total=_text(data.get("staff_total", ""), f"{source}: staff_total"),
            options=[_option(o, f"{source}: options[{i}]") for i, o in enumerate(options)],
            replications=_text(data.get("replications", ""), f"{source}: replications"),
            weeks=_text(data.get("weeks", ""), f"{source}: weeks"),
            worlds=_text(data.get("worlds", ""), f"{source}: worlds"),
            world_replications=_text(data.get("world_replications", ""),
                                     f"{source}: world_replications"),
        )


def _text(value: Any, where: str) -> str:
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise ComparisonFileError(f"{where}: expected text or a number, got "
                                  f"{type(value).__name__}")
    text = str(value)
    if len(text) > MAX_TEXT:
        raise ComparisonFileError(f"{where}: longer than {MAX_TEXT} characters")
    return text


def _values(value: Any, where: str) -> dict[str, str]:
    if not isinstance(value, Mapping) or len(value) > MAX_FIELDS:
        raise ComparisonFileError(f"{where}: expected a table of at most {MAX_FIELDS} values")
    return {_text(k, where): _text(v, f"{where}: {k}") for k, v in value.items()}


def _option(value: Any, where: str) -> Option:
    if not isinstance(value, Mapping):
        raise ComparisonFileError(f"{where}: expected a table with name, question and fields")
    return Option(_text(value.get("name", ""), f"{where}: name"),
                  _text(value.get("question", ""), f"{where}: question"),
                  _values(value.get("fields", {}), f"{where}: fields"))


def read_comparison(raw: bytes, name: str) -> Form:
    """A saved comparison file's form.

    Raises:
        ComparisonFileError: too large, not UTF-8 JSON, nested too deeply or not a
            comparison; the message names the file and what is wrong.
    """
    if len(raw) > MAX_FILE_BYTES:
        raise ComparisonFileError(f"{name}: {len(raw):,} bytes is too large for a saved "
                                  f"comparison (at most {MAX_FILE_BYTES:,})")
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise ComparisonFileError(f"{name}: not UTF-8 text; is it the right file?") from None
    except RecursionError:
        raise ComparisonFileError(f"{name}: not a saved comparison: nested too "
                                  "deeply") from None
    except ValueError as exc:
        raise ComparisonFileError(f"{name}: not a saved comparison (not JSON: {exc})") from None
    return Form.from_json(data, name)


def comparison_text(form: Form) -> str:
    """The comparison file's text."""
    return json.dumps(form.to_json(), indent=2, ensure_ascii=False) + "\n"
