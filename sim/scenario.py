"""Load scenario files: TOML, ``extends`` a parent, dotted ``--set`` overrides, validation.

A scenario file holds a ``question`` (the policy question it answers), an optional
``name`` (the scenario's name in every output; default the file's stem), an optional
``extends = "parent"`` (a bundled scenario name or a path), and tables named like the
sections of :class:`sim.params.ScenarioParams` that override only what differs.

A scenario given by a bare name (no ``.toml``, no folder) is looked up in the folder of the
file that ``extends`` it, then ``./scenarios/``, then the bundled scenarios; a file in the
current folder is never picked up by its bare name (so a bundled name always means the
bundled scenario), but the error for an unknown name points to ``./NAME.toml`` when it exists.
A file without its own ``question`` is labelled by its file name, never by its parent's.

Every mistake becomes a :class:`sim.errors.ScenarioError` whose message names the file (or
the ``--set`` option) that supplied the bad value, the key path, the value and what is
allowed, with a "did you mean" suggestion for misspelt keys. Values written with
spreadsheet habits (``120,000``, ``90%``, ``£120k``, ``TRUE``) are not valid TOML; the
message names the line and the fix instead of the parser's own words.
"""

from __future__ import annotations

import difflib
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from sim.errors import ScenarioError
from sim.params import SECTIONS, ScenarioParams, error_text

BUNDLED_DIR = Path(__file__).resolve().parent.parent / "scenarios"
TOP_LEVEL_KEYS = ("question", "name", "extends", "description")
MAX_NAME = 80  # characters of a scenario's name
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


@dataclass(frozen=True)
class Scenario:
    """A named, fully resolved scenario.

    Attributes:
        name: its name in every output (results tables, the report, the dashboard, the
            spreadsheet): the file's own ``name`` exactly as written ("Budget cut 25%"),
            else its file stem. Like the question, a parent's name is not inherited.
        question: the policy question the scenario answers: the file's own ``question``,
            or its name when the file states none (never the question of its parent).
        source: the file it came from (and any ``--set`` overrides).
        params: validated parameters.
    """

    name: str
    question: str
    source: str
    params: ScenarioParams
    overrides: dict[str, Any] = field(default_factory=dict)


def scenario_dirs() -> list[Path]:
    """Folders searched for a scenario given by name: ./scenarios, then the bundled one."""
    dirs = [Path.cwd() / "scenarios", BUNDLED_DIR]
    unique: list[Path] = []
    for d in dirs:
        if d.is_dir() and d.resolve() not in [u.resolve() for u in unique]:
            unique.append(d)
    return unique


def bundled_names() -> list[str]:
    """Names of the scenarios shipped with mentorsim."""
    return sorted(p.stem for p in BUNDLED_DIR.glob("*.toml"))


def resolve_path(ref: str, relative_to: Path | None = None) -> Path:
    """Turn a scenario name or path into a file path, or raise a clear error.

    A bare name (no ``.toml``, no folder) is looked up in ``relative_to`` (the folder of a
    file that ``extends`` it), then ``./scenarios/``, then the bundled scenarios. It never
    means a file in the current folder: give that by its path (``./NAME.toml``), and the
    error for an unknown name says so.

    Example:
        >>> resolve_path("baseline").name
        'baseline.toml'
    """
    candidate = Path(ref)
    if ref.endswith(".toml") or candidate.parent != Path("."):
        options = [candidate]
        if relative_to is not None and not candidate.is_absolute():
            options.insert(0, relative_to / candidate)
        for option in options:
            if option.is_file():
                return option
        raise ScenarioError(f"{ref}: no such scenario file")
    for folder in ([relative_to] if relative_to else []) + scenario_dirs():
        path = folder / f"{ref}.toml"
        if path.is_file():
            return path
    raise ScenarioError(_unknown_scenario(ref, look_in_cwd=relative_to is None))


def _unknown_scenario(ref: str, look_in_cwd: bool) -> str:
    names = bundled_names()
    listing = f"bundled scenarios: {', '.join(names)}"
    if look_in_cwd and (Path.cwd() / f"{ref}.toml").is_file():
        return (f"unknown scenario '{ref}' (did you mean ./{ref}.toml?): a name without .toml "
                "means a bundled scenario (a bundled name wins over a file of the same name), "
                f"so give a file by its path; {listing}")
    hint = difflib.get_close_matches(ref, names, n=1)
    suggestion = f" (did you mean '{hint[0]}'?)" if hint else ""
    return f"unknown scenario '{ref}'{suggestion}; {listing}"


# Spreadsheet habits that are not TOML. Each maps a value as typed to an explanation and
# the value to write instead; the value is examined only when it is not quoted.
_BOOLEANS = {"true": "true", "yes": "true", "y": "true", "on": "true",
             "false": "false", "no": "false", "n": "false", "off": "false"}
_PERCENT = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)\s*%")
_MONEY = re.compile(r"(?P<pound>£|GBP)?\s*(?P<num>\d[\d,]*(?:\.\d+)?)\s*(?P<unit>k|m|bn)?"
                    r"\s*(?P<after>£|GBP)?", re.IGNORECASE)
_THOUSANDS = re.compile(r"[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?|[+-]?\d{1,3}(?: \d{3})+")
_DECIMAL_COMMA = re.compile(r"[+-]?\d+,\d+")
_LEADING_POINT = re.compile(r"[+-]?\.\d+")
_MULTIPLIERS = {"k": Decimal(1000), "m": Decimal(10) ** 6, "bn": Decimal(10) ** 9}
_HEADER = re.compile(r"\s*\[\[?\s*([A-Za-z0-9_.\- ]+?)\s*\]\]?\s*(?:#.*)?")
_ASSIGNMENT = re.compile(r"\s*([A-Za-z0-9_\-]+(?:\s*\.\s*[A-Za-z0-9_\-]+)*)\s*=\s*(.*)")


MAX_MESSAGE_LINES = 20  # problems listed at most; the rest are counted
MAX_SHOWN = 60  # characters of a value shown in a message


def _short(text: str) -> str:
    """``text``, cut to :data:`MAX_SHOWN` characters for a message."""
    return text if len(text) <= MAX_SHOWN else f"{text[:MAX_SHOWN - 3]}..."


def _plain(number: Decimal) -> str:
    """A number as TOML writes it: ``120000``, ``0.9`` (no exponent, no trailing zeros)."""
    return format(number.normalize(), "f")


def _number_habit(value: str) -> tuple[str, str] | None:
    """(what is wrong, the value to write) for a number written the spreadsheet way."""
    try:
        if _PERCENT.fullmatch(value):
            share = Decimal(value.rstrip("% ")) / 100
            return "write shares as a fraction", _plain(share)
        money = _MONEY.fullmatch(value)
        if money and (money["pound"] or money["after"] or money["unit"]):
            amount = Decimal(money["num"].replace(",", ""))
            amount *= _MULTIPLIERS.get((money["unit"] or "").lower(), Decimal(1))
            return "write money in pounds as a plain number", _plain(amount)
        if _THOUSANDS.fullmatch(value):
            return ("numbers are written without thousands separators",
                    _plain(Decimal(value.replace(",", "").replace(" ", ""))))
        if _DECIMAL_COMMA.fullmatch(value):
            return "write decimals with a point", _plain(Decimal(value.replace(",", ".")))
        if _LEADING_POINT.fullmatch(value):
            return "write a 0 before the decimal point", _plain(Decimal(value))
    except InvalidOperation:
        return None
    return None


def _value_habit(value: str) -> tuple[str, str] | None:
    """(what is wrong, the value to write) for an unquoted TOML value, or None."""
    word = _BOOLEANS.get(value.lower())
    if word is not None and value != word:
        return "yes/no values are written true or false, in lower case", word
    return _number_habit(value)


def _habit_lines(text: str) -> dict[int, str]:
    """Line number -> "key.path = value — explanation: key = fixed" for each habit found."""
    found: dict[int, str] = {}
    table = ""
    in_multiline = False
    for number, raw in enumerate(text.split("\n"), start=1):  # lines as tomllib counts them
        line = raw.removesuffix("\r")
        quotes = line.count('"""') + line.count("'''")
        if in_multiline or quotes % 2:
            in_multiline = in_multiline != bool(quotes % 2)
            continue
        header = _HEADER.fullmatch(line)
        if header:
            table = re.sub(r"\s*\.\s*", ".", header[1])
            continue
        assignment = _ASSIGNMENT.fullmatch(line)
        if not assignment:
            continue
        key = re.sub(r"\s*\.\s*", ".", assignment[1])
        value = assignment[2].split("#", 1)[0].strip()
        if not value or value[0] in "\"'[{":
            continue
        habit = _value_habit(value)
        if habit:
            key_path = f"{table}.{key}" if table else key
            found[number] = (f"{_short(key_path)} = {_short(value)} — {habit[0]}: "
                             f"{_short(key)} = {_short(habit[1])}")
    return found


def _error_line(exc: tomllib.TOMLDecodeError) -> int | None:
    line = getattr(exc, "lineno", None)  # Python 3.14 adds it; 3.12 has it only in the text
    if isinstance(line, int):
        return line
    found = re.search(r"\(at line (\d+), column \d+\)", str(exc))
    return int(found[1]) if found else None


def toml_error_message(path: Path, text: str, exc: tomllib.TOMLDecodeError) -> str:
    """Explain a TOML syntax error: spreadsheet habits by line and fix, else the parser's words.

    Args:
        path: the file, as it is to be named in the message.
        text: its contents.
        exc: the error ``tomllib`` raised for ``text``.

    Returns:
        One line per problem: ``FILE line N: key.path = value — explanation: key = fix`` for
        each spreadsheet habit in the file (each is invalid TOML), led by the parser's message
        (with line and column) when the line it stopped at is not one of them.

    Example:
        >>> text = "[funding]\\nannual_budget_gbp = 120,000\\n"
        >>> try:
        ...     tomllib.loads(text)
        ... except tomllib.TOMLDecodeError as exc:
        ...     print(toml_error_message(Path("ours.toml"), text, exc))
        ... # doctest: +NORMALIZE_WHITESPACE
        ours.toml line 2: funding.annual_budget_gbp = 120,000 — numbers are written
        without thousands separators: annual_budget_gbp = 120000
    """
    habits = _habit_lines(text)
    lines = [f"{path} line {n}: {message}" for n, message in sorted(habits.items())]
    if _error_line(exc) not in habits:
        lines.insert(0, f"{path}: not valid TOML: {exc}")
    if len(lines) > MAX_MESSAGE_LINES:
        lines = [*lines[:MAX_MESSAGE_LINES], f"... and {len(lines) - MAX_MESSAGE_LINES} more "
                 "lines like these"]
    return "\n".join(lines)


MAX_FILE_BYTES = 1_000_000  # a scenario is a few KB; a bigger file is not one (answered fast)


def read_toml(path: Path, error: type[Exception] = ScenarioError,
              what: str = "file") -> dict[str, Any]:
    """Read a TOML file given by a person: scenario, sweep spec, calibration targets.

    Every way it can be unreadable becomes ``error`` (exit 2) naming the file: not found
    or not readable, larger than :data:`MAX_FILE_BYTES`, not UTF-8 (with the line), not
    TOML (spreadsheet habits by line and fix: :func:`toml_error_message`) or nested too
    deeply. A byte-order mark is accepted.

    Args:
        path: the file.
        error: the exception class to raise (:class:`ScenarioError` for scenarios,
            :class:`sim.errors.UserError` for other files).
        what: what the file is, for the size message.
    """
    try:
        with open(path, "rb") as fh:
            data = fh.read(MAX_FILE_BYTES + 1)
    except IsADirectoryError:
        raise error(f"{path}: is a folder, not a {what}") from None
    except OSError as exc:
        raise error(f"{path}: cannot read: {exc.strerror or exc}") from None
    if len(data) > MAX_FILE_BYTES:
        raise error(f"{path}: larger than {MAX_FILE_BYTES:,} bytes, too large for a {what} "
                    "(is it the right file?)")
    try:
        text = data.decode("utf-8-sig")  # a byte-order mark (Windows Notepad) means nothing
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise error(
            f"{path} line {line}: not UTF-8 text (byte 0x{data[exc.start]:02x}, e.g. a £ saved "
            "by a Windows program); save the file as UTF-8") from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise error(toml_error_message(path, text, exc)) from None
    except RecursionError:
        raise error(f"{path}: not valid TOML: arrays or tables nested too deeply") from None
    except ValueError as exc:  # e.g. an integer of more than 4,300 digits
        raise error(f"{path}: not valid TOML: {exc}") from None


def _read_toml(path: Path) -> dict[str, Any]:
    data = read_toml(path, ScenarioError, "scenario file")
    if not data:
        raise ScenarioError(
            f"{path}: the file is empty (no question, extends or values); a scenario states "
            "what it changes, e.g. extends = \"baseline\" and a [section] with a key")
    return data


def _merge(base: dict[str, Any], over: dict[str, Any], origins: dict[str, str], label: str,
           prefix: str = "") -> dict[str, Any]:
    merged = dict(base)
    for key, value in over.items():
        path = f"{prefix}{key}"
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value, origins, label, prefix=f"{path}.")
        else:
            merged[key] = value
            origins[path] = label
    return merged


def _own_name(path: Path, name: Any) -> str:
    """A file's ``name``: text of 1 to :data:`MAX_NAME` characters on one line."""
    if not isinstance(name, str):
        raise ScenarioError(f"{path}: name = {name!r}: must be text (in quotes), e.g. "
                            'name = "Budget cut 25%"')
    text = name.strip()
    if not text or len(text) > MAX_NAME or _CONTROL.search(text):
        raise ScenarioError(f"{path}: name = {name[:MAX_NAME + 20]!r}: must be 1 to "
                            f"{MAX_NAME} characters on one line")
    return text


def _load_chain(path: Path, origins: dict[str, str], seen: tuple[Path, ...] = ()
                ) -> tuple[dict[str, Any], str, str]:
    """Read a file and its ``extends`` ancestors; return merged tables and the file's own
    question and name (``""`` when it states none: a parent's are not inherited)."""
    resolved = path.resolve()
    if resolved in seen:
        chain = " -> ".join(str(p) for p in (*seen, resolved))
        raise ScenarioError(f"{path}: extends: circular chain {chain}")
    data = _read_toml(path)
    parent_ref = data.pop("extends", None)
    question = data.pop("question", None)
    name = data.pop("name", None)
    own_name = "" if name is None else _own_name(path, name)
    data.pop("description", None)
    if parent_ref is None:
        tables: dict[str, Any] = {}
    else:
        if not isinstance(parent_ref, str):
            raise ScenarioError(
                f"{path}: extends = {parent_ref!r}: must be a scenario name or a path (a string)")
        try:
            parent = resolve_path(parent_ref, relative_to=path.parent)
            tables, _, _ = _load_chain(parent, origins, (*seen, resolved))
        except ScenarioError as exc:  # named with the file that extends it
            if str(path) in str(exc):
                raise
            raise ScenarioError(f"{path}: extends = {parent_ref!r}: {exc}") from None
    if question is not None and not isinstance(question, str):
        raise ScenarioError(f"{path}: question = {question!r}: must be a string")
    return _merge(tables, data, origins, str(path)), (question or "").strip(), own_name


def parse_override(text: str) -> tuple[str, Any]:
    """Parse ``dotted.key=value`` (the value in TOML syntax; bare words are strings).

    Example:
        >>> parse_override("supervision.sessions_per_month=0")
        ('supervision.sessions_per_month', 0)
    """
    if "=" not in text:
        raise ScenarioError(f"--set {text}: expected dotted.key=value, "
                            "e.g. --set supervision.sessions_per_month=2")
    key, raw = text.split("=", 1)
    key, raw = key.strip(), raw.strip()
    if not key or any(not part for part in key.split(".")):
        raise ScenarioError(f"--set {text}: '{key}' is not a dotted key like section.name")
    try:
        value = tomllib.loads(f"v = {raw}")["v"]
    except tomllib.TOMLDecodeError:
        habit = _number_habit(raw)
        if habit:
            raise ScenarioError(f"--set {_short(text)}: {habit[0]}: --set "
                                f"{key}={_short(habit[1])}") from None
        value = raw  # a bare word such as therapeutic
    except (RecursionError, ValueError) as exc:  # nested too deeply, 4,300+ digits
        raise ScenarioError(f"--set {_short(text)}: not a value: {_short(str(exc))}") from None
    return key, value


def _nest(key: str, value: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    node = out
    parts = key.split(".")
    for part in parts[:-1]:
        node = node.setdefault(part, {})
    node[parts[-1]] = value
    return out


def _allowed_keys(loc: tuple[Any, ...]) -> list[str]:
    model: type[BaseModel] = ScenarioParams
    for part in loc[:-1]:
        sub = model.model_fields.get(str(part))
        if sub is None or not (isinstance(sub.annotation, type)
                               and issubclass(sub.annotation, BaseModel)):
            return []
        model = sub.annotation
    return list(model.model_fields)


def _describe_field(loc: tuple[Any, ...]) -> str:
    if len(loc) != 2 or loc[0] not in SECTIONS:
        return ""
    info = SECTIONS[str(loc[0])].model_fields.get(str(loc[1]))
    if info is None:
        return ""
    extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
    return f" [{info.description}; unit: {extra.get('unit', '?')}]"


def _format_errors(exc: ValidationError, origins: dict[str, str], default_origin: str) -> str:
    lines = []
    for err in exc.errors():
        loc = tuple(err["loc"])
        path = ".".join(str(p) for p in loc)
        origin = default_origin
        for i in range(len(loc), 0, -1):
            prefix = ".".join(str(p) for p in loc[:i])
            if prefix in origins:
                origin = origins[prefix]
                break
        if err["type"] == "extra_forbidden":
            allowed = _allowed_keys(loc)
            hint = difflib.get_close_matches(str(loc[-1]), allowed, n=1, cutoff=0.5)
            where = ".".join(str(p) for p in loc[:-1]) or "the top level"
            msg = f"unknown key '{path}'"
            if hint:
                msg += f" (did you mean '{hint[0]}'?)"
            msg += f"; allowed in {where}: {', '.join(allowed)}"
            if not loc[:-1]:
                msg += ", " + ", ".join(TOP_LEVEL_KEYS)
            lines.append(f"{origin}: {msg}")
        elif not loc:
            lines.append(f"{origin}: {err['msg'].removeprefix('Value error, ')}")
        else:
            value = err.get("input")
            shown = ("a table" if isinstance(value, dict) else
                     str(value).lower() if isinstance(value, bool) else repr(value))
            lines.append(f"{origin}: {path} = {shown}: {error_text(err)}{_describe_field(loc)}")
    return "\n".join(lines)


def load_scenario(ref: str, overrides: list[str] | None = None,
                  run_overrides: dict[str, Any] | None = None,
                  values: Mapping[str, Any] | None = None) -> Scenario:
    """Load, merge and validate one scenario.

    Args:
        ref: a bundled scenario name (``baseline``) or a path to a TOML file.
        overrides: ``dotted.key=value`` strings, as given to ``--set``.
        run_overrides: values for the ``run`` table from command-line options
            (e.g. ``{"weeks": 104}``); ``None`` values are ignored.
        values: ``{"dotted.key": value}`` given from Python (the model's keyword levers),
            applied after ``overrides`` and validated the same way.

    Returns:
        The validated :class:`Scenario`.

    Raises:
        ScenarioError: with a message naming the file, key path, value and what is allowed.

    Example:
        >>> load_scenario("baseline", ["supervision.sessions_per_month=0"]).params.supervision
        ... # doctest: +ELLIPSIS
        Supervision(sessions_per_month=0.0, ...)
    """
    path = resolve_path(ref)
    origins: dict[str, str] = {}
    tables, question, name = _load_chain(path, origins)
    applied: dict[str, Any] = {}
    for text in overrides or []:
        key, value = parse_override(text)
        tables = _merge(tables, _nest(key, value), origins, f"--set {text}")
        applied[key] = value
    for key, value in (values or {}).items():
        if type(value).__module__ == "numpy" and hasattr(value, "item"):
            value = value.item()  # a NumPy scalar (np.arange levels): its Python value
        tables = _merge(tables, _nest(key, value), origins,
                        f"keyword argument {key.replace('.', '__')}")
        applied[key] = value
    for key, value in (run_overrides or {}).items():
        if value is not None:
            tables = _merge(tables, {"run": {key: value}}, origins, f"--{key} {value}")
            applied[f"run.{key}"] = value
    try:
        params = ScenarioParams.model_validate(tables)
    except ValidationError as exc:
        raise ScenarioError(_format_errors(exc, origins, str(path))) from None
    source = str(path) + "".join(f" --set {t}" for t in overrides or [])
    return Scenario(name=name or path.stem, question=question or name or path.stem, source=source,
                    params=params, overrides=applied)
