"""Load scenario files: TOML, ``extends`` a parent, dotted ``--set`` overrides, validation.

A scenario file holds a ``question`` (the policy question it answers), an optional
``extends = "parent"`` (a bundled scenario name or a path), and tables named like the
sections of :class:`sim.params.ScenarioParams` that override only what differs.

Every mistake becomes a :class:`sim.errors.ScenarioError` whose message names the file (or
the ``--set`` option) that supplied the bad value, the key path, the value and what is
allowed, with a "did you mean" suggestion for misspelt keys.
"""

from __future__ import annotations

import difflib
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from sim.errors import ScenarioError
from sim.params import SECTIONS, ScenarioParams

BUNDLED_DIR = Path(__file__).resolve().parent.parent / "scenarios"
TOP_LEVEL_KEYS = ("question", "extends", "description")


@dataclass(frozen=True)
class Scenario:
    """A named, fully resolved scenario.

    Attributes:
        name: short name (file stem), used in results tables.
        question: the policy question the scenario answers.
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
    """Turn a scenario name or path into a file path, or raise a clear error."""
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
    names = bundled_names()
    hint = difflib.get_close_matches(ref, names, n=1)
    suggestion = f" (did you mean '{hint[0]}'?)" if hint else ""
    raise ScenarioError(
        f"unknown scenario '{ref}'{suggestion}; bundled scenarios: {', '.join(names)}")


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(f"{path}: not valid TOML: {exc}") from None
    except OSError as exc:
        raise ScenarioError(f"{path}: cannot read: {exc.strerror}") from None


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


def _load_chain(path: Path, origins: dict[str, str], seen: tuple[Path, ...] = ()
                ) -> tuple[dict[str, Any], str]:
    """Read a file and its ``extends`` ancestors; return merged tables and the question."""
    resolved = path.resolve()
    if resolved in seen:
        chain = " -> ".join(str(p) for p in (*seen, resolved))
        raise ScenarioError(f"{path}: extends: circular chain {chain}")
    data = _read_toml(path)
    parent_ref = data.pop("extends", None)
    question = data.pop("question", None)
    data.pop("description", None)
    if parent_ref is None:
        tables: dict[str, Any] = {}
        parent_question = ""
    else:
        if not isinstance(parent_ref, str):
            raise ScenarioError(
                f"{path}: extends = {parent_ref!r}: must be a scenario name or a path (a string)")
        try:
            parent = resolve_path(parent_ref, relative_to=path.parent)
        except ScenarioError as exc:
            raise ScenarioError(f"{path}: extends = {parent_ref!r}: {exc}") from None
        tables, parent_question = _load_chain(parent, origins, (*seen, resolved))
    if question is not None and not isinstance(question, str):
        raise ScenarioError(f"{path}: question = {question!r}: must be a string")
    return _merge(tables, data, origins, str(path)), question or parent_question


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
        value = raw  # a bare word such as therapeutic
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
            shown = repr(value) if not isinstance(value, dict) else "a table"
            lines.append(f"{origin}: {path} = {shown}: {err['msg']}{_describe_field(loc)}")
    return "\n".join(lines)


def load_scenario(ref: str, overrides: list[str] | None = None,
                  run_overrides: dict[str, Any] | None = None) -> Scenario:
    """Load, merge and validate one scenario.

    Args:
        ref: a bundled scenario name (``baseline``) or a path to a TOML file.
        overrides: ``dotted.key=value`` strings, as given to ``--set``.
        run_overrides: values for the ``run`` table from command-line options
            (e.g. ``{"weeks": 104}``); ``None`` values are ignored.

    Returns:
        The validated :class:`Scenario`.

    Raises:
        ScenarioError: with a message naming the file, key path, value and what is allowed.

    Example:
        >>> load_scenario("baseline", ["supervision.sessions_per_month=0"]).params.supervision
        ... # doctest: +ELLIPSIS
        Supervision(sessions_per_month=0, ...)
    """
    path = resolve_path(ref)
    origins: dict[str, str] = {}
    tables, question = _load_chain(path, origins)
    applied: dict[str, Any] = {}
    for text in overrides or []:
        key, value = parse_override(text)
        tables = _merge(tables, _nest(key, value), origins, f"--set {text}")
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
    return Scenario(name=path.stem, question=question, source=source, params=params,
                    overrides=applied)
