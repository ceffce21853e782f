"""TOML text for the scenario and spec files the project writes (the planners' web page's
downloads, a decision's option files): scalars, lists of scalars and one level of tables
(the shape of a scenario file). The standard library reads TOML but cannot write it;
:func:`document_text` is checked against ``tomllib`` by the tests."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

_ESCAPES = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f",
            "\r": "\\r"}


def toml_string(text: str) -> str:
    """``text`` as a TOML basic string (quotes, backslashes and control characters
    escaped).

    Example:
        >>> print(toml_string('say "hi"\\n'))
        "say \\"hi\\"\\n"
    """
    out = []
    for ch in text:
        if ch in _ESCAPES:
            out.append(_ESCAPES[ch])
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def toml_value(value: Any) -> str:
    """A scalar or a list of scalars as TOML.

    Example:
        >>> toml_value(True), toml_value(2), toml_value(0.5), toml_value("therapeutic")
        ('true', '2', '0.5', '"therapeutic"')
    """
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"{value!r}: TOML scenario values must be finite numbers")
        return repr(value)
    if isinstance(value, str):
        return toml_string(value)
    if isinstance(value, Sequence):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    raise TypeError(f"cannot write {type(value).__name__} {value!r} as a scenario value")


def toml_key(name: str) -> str:
    """A key as TOML: bare when it can be, else quoted (``"supervision.style"``)."""
    return name if name.replace("_", "").replace("-", "").isalnum() and name.isascii() \
        else toml_string(name)


def _printable(text: str) -> str:
    """A comment's text without control characters (TOML allows none in comments)."""
    return "".join(" " if ord(ch) < 0x20 or ord(ch) == 0x7F else ch for ch in text)


def document_text(doc: Mapping[str, Any], comments: Sequence[str] = ()) -> str:
    """A scenario document as TOML: top-level values first, then one ``[table]`` each.

    Args:
        doc: top-level scalars (``question``, ``extends``) and tables of scalars.
        comments: lines written first, each as a ``#`` comment.

    Example:
        >>> print(document_text({"extends": "baseline", "funding": {"grant_term_years": 5}}))
        extends = "baseline"
        <BLANKLINE>
        [funding]
        grant_term_years = 5
        <BLANKLINE>
    """
    lines = [f"# {_printable(c)}".rstrip() for text in comments
             for c in text.splitlines() or [""]]
    tables = {k: v for k, v in doc.items() if isinstance(v, Mapping)}
    for key, value in doc.items():
        if key not in tables:
            lines.append(f"{toml_key(key)} = {toml_value(value)}")
    for name, table in tables.items():
        if not table:
            continue
        lines += ["", f"[{toml_key(name)}]"]
        for key, value in table.items():
            if isinstance(value, Mapping):
                raise TypeError(f"{name}.{key}: nested tables are not part of a scenario file")
            lines.append(f"{toml_key(key)} = {toml_value(value)}")
    return "\n".join(lines) + "\n"


def inline_value(value: Any) -> str:
    """A scalar, a list of scalars or a table of them as TOML on one line (an inline
    table, as a decision spec writes a lever's range or a threshold).

    Example:
        >>> inline_value({"range": [0, 2]}), inline_value(["managerial", "therapeutic"])
        ('{ range = [0, 2] }', '["managerial", "therapeutic"]')
    """
    if isinstance(value, Mapping):
        return "{ " + ", ".join(f"{toml_key(k)} = {toml_value(v)}"
                                for k, v in value.items()) + " }"
    return toml_value(value)
