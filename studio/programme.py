"""The starting programme: a bundled scenario or a scenario file in the working folder.

A starting point is named ``bundled:NAME`` or ``file:RELATIVE`` (a path relative to the
working folder, see :meth:`studio.folder.WorkingFolder.scenario_files`). Before a file is
loaded, every file its ``extends`` chain reads is checked to lie in the working folder or
among the bundled scenarios (:func:`check_chain`), so a scenario file cannot make the
studio read anything else. :func:`describe` says the programme's key numbers in words.
"""

from __future__ import annotations

import base64
import binascii
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from sim.capacity import grant_annual_payment, planned_annual_spend
from sim.errors import ScenarioError, UserError
from sim.files import file_mode
from sim.params import ScenarioParams
from sim.scenario import (
    BUNDLED_DIR,
    Scenario,
    bundled_names,
    load_scenario,
    read_toml,
    resolve_path,
)
from studio.folder import FolderError, WorkingFolder, check_name
from studio.forms import format_value

MAX_UPLOAD_BYTES = 256 * 1024  # a scenario file is a few kilobytes


@dataclass(frozen=True)
class Start:
    """A starting programme.

    Attributes:
        ref: how the page names it (``bundled:baseline``, ``file:uploads/ours.toml``).
        name: its scenario name (the file's stem).
        path: its file, resolved.
        bundled: whether it is one of the bundled scenarios.
    """

    ref: str
    name: str
    path: Path
    bundled: bool


def starting_points(folder: WorkingFolder) -> list[dict[str, str]]:
    """Options for the starting-programme picker: bundled scenarios, then the working
    folder's scenario files."""
    out = [{"label": f"{name} (bundled)", "value": f"bundled:{name}"} for name in bundled_names()]
    out += [{"label": f"{rel} (in the working folder)", "value": f"file:{rel}"}
            for rel in folder.scenario_files()]
    return out


def resolve_start(folder: WorkingFolder, ref: str) -> Start:
    """The starting programme ``ref`` names, with its ``extends`` chain checked."""
    kind, _, rest = str(ref).partition(":")
    if kind == "bundled" and rest in bundled_names():
        return Start(ref, rest, (BUNDLED_DIR / f"{rest}.toml").resolve(), True)
    if kind == "file":
        path = folder.scenario_file(rest)
        check_chain(folder, path)
        return Start(ref, path.stem, path, False)
    raise FolderError(f"{ref}: not a bundled scenario or a file of the working folder")


def _allowed(folder: WorkingFolder, path: Path) -> bool:
    resolved = path.resolve()
    return resolved.is_relative_to(folder.root) or resolved.is_relative_to(BUNDLED_DIR.resolve())


def check_chain(folder: WorkingFolder, path: Path, depth: int = 0) -> None:
    """Refuse a scenario file whose ``extends`` chain leaves the working folder and the
    bundled scenarios (or is deeper than 20 files)."""
    if depth > 20:
        raise ScenarioError(f"{path}: extends: a chain of more than 20 files")
    if not _allowed(folder, path):
        raise FolderError(f"{path}: the studio reads only scenario files in its working "
                          f"folder ({folder.root}) and the bundled scenarios")
    # read as the CLI reads it: a file too large, not UTF-8, not TOML or nested too deeply
    # gets the message `mentorsim validate` gives
    data = read_toml(path, ScenarioError, "scenario file")
    parent = data.get("extends")
    if not isinstance(parent, str):
        return
    try:
        resolved = resolve_path(parent, relative_to=path.parent)
    except ScenarioError:
        return  # likewise
    if not _allowed(folder, resolved):
        raise FolderError(f"{path.name}: extends = {parent!r} leads outside the working "
                          "folder; the studio reads only files in it and the bundled scenarios")
    check_chain(folder, resolved, depth + 1)


def load_start(start: Start, overrides: list[str] | None = None,
               run_overrides: dict[str, object] | None = None) -> Scenario:
    """Load the starting programme with ``--set``-style overrides (as ``validate`` does)."""
    return load_scenario(str(start.path), overrides, run_overrides)


def save_upload(folder: WorkingFolder, filename: str, contents: str) -> tuple[Start, str]:
    """Save a scenario file uploaded in the browser into ``uploads/`` and load it.

    Args:
        folder: the working folder.
        filename: the name the browser gives (a plain ``NAME.toml``; no folders).
        contents: what ``dcc.Upload`` gives: ``data:...;base64,DATA``.

    Returns:
        The starting point and its question.

    Raises:
        FolderError: a name with folders or not ending ``.toml``, or too large a file.
        ScenarioError: the file does not validate (the message ``validate`` gives);
            nothing is kept.
    """
    check_name(filename, "file name")
    if not filename.endswith(".toml"):
        raise FolderError(f"{filename}: a scenario file's name ends in .toml")
    try:
        data = base64.b64decode(contents.split(",", 1)[-1], validate=True)
    except (binascii.Error, ValueError):
        raise FolderError(f"{filename}: the upload arrived damaged; try again") from None
    if len(data) > MAX_UPLOAD_BYTES:
        raise FolderError(f"{filename}: {len(data):,} bytes is too large for a scenario file")
    target = folder.inside(folder.uploads / filename)
    # staged under a name of its own: two uploads of one name at once never share a file,
    # and the file kept is the one that was checked
    handle, name = tempfile.mkstemp(prefix=".upload-", suffix=".toml", dir=folder.uploads)
    staging = folder.inside(Path(name))
    with os.fdopen(handle, "wb") as out:
        out.write(data)
    os.chmod(staging, file_mode())  # an ordinary file once kept, not mkstemp's private one
    try:
        check_chain(folder, staging)
        scenario = load_scenario(str(staging))
    except UserError as exc:  # said of the file as uploaded, not of its staging copy
        staging.unlink(missing_ok=True)
        message = str(exc).replace(str(staging), filename).replace(staging.name, filename)
        raise type(exc)(message) from None
    except BaseException:
        staging.unlink(missing_ok=True)
        raise
    staging.replace(target)
    rel = target.relative_to(folder.root).as_posix()
    question = scenario.question if scenario.question != staging.stem else target.stem
    return Start(f"file:{rel}", target.stem, target, False), question


def _money(value: float) -> str:
    return f"£{value:,.0f}"


def _times(value: float) -> str:
    words = {1.0: "once", 2.0: "twice"}
    return words.get(float(value), f"{format_value(value)} times")


def describe(params: ScenarioParams) -> list[str]:
    """The programme's key numbers, in words (one sentence each).

    Example:
        >>> describe(ScenarioParams())[1]
        'Funding: £120,000 a year in 2-year grants, renewed half the time.'
    """
    p = params
    agencies = "One agency" if p.programme.agencies == 1 else f"{p.programme.agencies} agencies"
    each = "" if p.programme.agencies == 1 else " each"
    paid = ("none of them paid" if p.mentors.paid_peer_share == 0
            else f"{p.mentors.paid_peer_share:.0%} of them paid")
    renew = p.funding.renewal_probability
    renewal = {0.5: "half the time"}.get(renew, f"{renew:.0%} of the time")
    supervision = ("no supervision" if p.supervision.sessions_per_month == 0 else
                   f"{p.supervision.style} supervision {_times(p.supervision.sessions_per_month)}"
                   " a month")
    spend, income = planned_annual_spend(p), grant_annual_payment(p)
    contacts = p.support.contacts_per_month
    return [
        f"{agencies} working with {format_value(p.programme.setting)}: "
        f"{format_value(p.programme.referrals_per_year)} referrals a year{each}, "
        f"{p.programme.target_mentors} mentors{each} ({p.mentors.peer_share:.0%} peer mentors "
        f"with lived experience, {paid}).",
        f"Funding: {_money(p.funding.annual_budget_gbp)} a year{each} in "
        f"{format_value(p.funding.grant_term_years)}-year grants, renewed {renewal}.",
        f"Staff: {format_value(p.staff.coordinators_fte)} coordinator and "
        f"{format_value(p.staff.supervisors_fte)} supervisor full-time equivalents{each}; "
        f"{supervision}; {format_value(contacts)} support contact{'' if contacts == 1 else 's'}"
        f" a month for each match; {format_value(p.training.pre_match_hours)} hours of training "
        "before a first match.",
        f"Relationships are meant to last {p.programme.planned_match_weeks} weeks; a volunteer "
        f"mentors up to {p.matching.caseload_cap_volunteer} people at once.",
        f"Estimated spending with every mentor's caseload full: {_money(spend)} a year{each}, "
        f"against {_money(income)} a year while a grant runs.",
    ]
