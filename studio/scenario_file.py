"""An option written as a scenario TOML file that ``mentorsim validate`` accepts.

Two forms of the same scenario:

- **portable** (what a planner downloads): ``extends = "<bundled name>"`` and only the
  values that differ (the "make it ours" numbers, then the option's changes), so the file
  reads as the change it is and works wherever mentorsim is installed. A starting
  programme that is a file of the working folder is copied in: its own tables with the
  changes on top, extending what it extends when that is a bundled scenario; otherwise
  (it extends another local file) every resolved value is written.
- **for a run** (:func:`write_run_files`): the same values, extending the starting file by
  its absolute path, so the run reads exactly the file the page checked and nothing else.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from sim.scenario import bundled_names
from sim.toml_text import document_text
from studio.options import Option, changes_in_words, option_name, scenario_name
from studio.programme import Start

TOP_LEVEL = ("question", "name", "extends", "description")


def _nest(values: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    tables: dict[str, dict[str, Any]] = {}
    for key, value in values.items():
        section, name = key.split(".", 1)
        tables.setdefault(section, {})[name] = value
    return tables


def _merge(base: Mapping[str, Any], over: Mapping[str, Any]) -> dict[str, Any]:
    merged = {k: dict(v) if isinstance(v, Mapping) else v for k, v in base.items()}
    for key, value in over.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), dict):
            merged[key].update(value)
        else:
            merged[key] = dict(value) if isinstance(value, Mapping) else value
    return merged


def question_of(option: Option, index: int) -> str:
    """The option's question: as typed, else its name and changes in words."""
    typed = " ".join(option.question.split())
    if typed:
        return typed
    return f"{scenario_name(option.label, index)}: {changes_in_words(option.changes)}"


def option_document(start: Start, local: Mapping[str, Any], option: Option, index: int,
                    portable: bool = True, resolved: Mapping[str, Any] | None = None
                    ) -> dict[str, Any]:
    """The option as a scenario document (see the module docstring for the two forms).

    Args:
        start: the starting programme.
        local: the "make it ours" values, by dotted key.
        option: the option.
        index: its place on the page.
        portable: the downloadable form (else the form for a run).
        resolved: every parameter of the validated option (``params.model_dump(mode=
            "json")``), needed only when a local starting file extends another local file.
    """
    changes = _nest({**local, **option.changes})
    doc: dict[str, Any] = {"name": scenario_name(option.label, index),
                           "question": question_of(option, index)}
    if not portable:
        return {**doc, "extends": str(start.path), **changes}
    if start.bundled:
        return {**doc, "extends": start.name, **changes}
    own = tomllib.loads(start.path.read_text(encoding="utf-8-sig"))
    parent = own.get("extends")
    tables = {k: v for k, v in own.items() if k not in TOP_LEVEL}
    if parent is None:
        return {**doc, **_merge(tables, changes)}
    if isinstance(parent, str) and parent in bundled_names():
        return {**doc, "extends": parent, **_merge(tables, changes)}
    if resolved is None:
        raise ValueError(f"{start.path.name} extends {parent!r}: pass the resolved values")
    return {**doc, **{k: v for k, v in resolved.items() if isinstance(v, Mapping)}}


def _comments(start: Start, portable: bool) -> list[str]:
    origin = f"the bundled scenario {start.name}" if start.bundled else f"{start.path.name}"
    lines = [f"Written by mentorsim studio from {origin}.",
             "Only the values that differ from it are written; every other value is its own."
             if portable or start.bundled else "Run file: it extends the checked file by path.",
             "Check it with: mentorsim validate THIS_FILE.toml"]
    return lines


def option_text(start: Start, local: Mapping[str, Any], option: Option, index: int,
                portable: bool = True, resolved: Mapping[str, Any] | None = None) -> str:
    """The option's scenario file as text (see :func:`option_document`)."""
    doc = option_document(start, local, option, index, portable, resolved)
    return document_text(doc, _comments(start, portable))


def file_name(option: Option, index: int) -> str:
    """The option's file name: its name as a file stem (:func:`studio.options.option_name`)
    and ``.toml``; a stem that is a bundled scenario's name gets ``_option`` after it, so
    a file beside it that extends the bundled scenario by name reads the bundled one."""
    stem = option_name(option.label, index)
    if stem in bundled_names():
        stem += "_option"
    return f"{stem}.toml"


def file_names(options: Sequence[Option]) -> list[str]:
    """Every option's file name, made distinct ("cut.toml", "cut_2.toml") when two names
    differ only in what a file name cannot hold ("Cut 25%", "Cut 25")."""
    names: list[str] = []
    for i, option in enumerate(options):
        name = file_name(option, i)
        n = 2
        while name in names:
            name = f"{file_name(option, i).removesuffix('.toml')}_{n}.toml"
            n += 1
        names.append(name)
    return names


def write_run_files(folder: Path, start: Start, local: Mapping[str, Any],
                    options: Sequence[Option]) -> list[Path]:
    """Write each option's run file into ``folder`` (created); returns their paths."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i, (option, name) in enumerate(zip(options, file_names(options), strict=True)):
        path = folder / name
        path.write_text(option_text(start, local, option, i, portable=False), encoding="utf-8")
        paths.append(path)
    return paths
