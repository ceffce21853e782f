"""The studio's working folder: everything it reads or writes lies inside it.

Layout (``mentorsim studio --folder DIR``, default ``./studio-results``)::

    DIR/
      <results>/        one folder per comparison, exactly as `mentorsim run --out` writes it,
                        or per decision, as `mentorsim decide --out` writes it
      uploads/          scenario files uploaded in the browser
      *.toml            scenario files put here by hand (offered as starting programmes)
      .studio/<run>/    a run's job: its option files, progress and log

A name that comes from the browser (a results folder, an uploaded file, an option) is
checked against :data:`SAFE_NAME` (no path separators, no leading dot) and the resolved
path must lie inside the folder (:meth:`WorkingFolder.inside`), so neither ``../x`` nor a
symbolic link can lead out of it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from sim.errors import UserError

# Letters, digits, "_", "-" and "." (not first): no separators, no "..", no hidden files.
SAFE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,99}")
UPLOADS = "uploads"
JOBS = ".studio"
ANSWER = "answer.json"  # what marks a decision's folder (sim.decide.folder)


class FolderError(UserError):
    """A name or path the studio refuses: outside its working folder or not a plain name."""


def check_name(name: str, what: str = "name") -> str:
    """``name`` if it is a plain file or folder name, else :class:`FolderError`.

    Example:
        >>> check_name("ours.toml")
        'ours.toml'
        >>> check_name("../secret")
        Traceback (most recent call last):
        ...
        studio.folder.FolderError: ../secret: not a plain name ...
    """
    if not isinstance(name, str) or not SAFE_NAME.fullmatch(name) or ".." in name:
        raise FolderError(f"{name}: not a plain {what} (use letters, digits, '-', '_' and "
                          "'.', with no folder separators)")
    return name


class WorkingFolder:
    """The folder the studio works in.

    Args:
        root: the folder (created if missing).
    """

    def __init__(self, root: Path) -> None:
        self.root = Path(root).expanduser().resolve()
        self.root.mkdir(parents=True, exist_ok=True)

    def inside(self, path: Path) -> Path:
        """``path`` resolved (symbolic links followed), if it lies inside the folder."""
        resolved = Path(path).resolve()
        if not resolved.is_relative_to(self.root):
            raise FolderError(f"{path}: outside the studio's working folder {self.root}")
        return resolved

    def _contained(self, path: Path) -> bool:
        return path.resolve().is_relative_to(self.root)

    def child(self, *names: str) -> Path:
        """The path ``root/names...``, each name checked and the result contained."""
        for name in names:
            check_name(name)
        return self.inside(self.root.joinpath(*names))

    @property
    def uploads(self) -> Path:
        """Where uploaded scenario files go."""
        path = self.root / UPLOADS
        path.mkdir(exist_ok=True)
        return path

    def job_dir(self, run: str) -> Path:
        """The job folder of run ``run`` (not created)."""
        check_name(run, "run name")
        return self.inside(self.root / JOBS / run)

    def results(self, run: str) -> Path:
        """The results folder ``run``, which must exist and hold ``summary.csv``."""
        path = self.child(run)
        if not (path / "summary.csv").is_file():
            raise FolderError(f"{run}: no results folder of that name in {self.root}")
        return path

    def results_folders(self) -> list[str]:
        """Results folders in the working folder, newest first."""
        return self._folders_with("summary.csv")

    def decision(self, run: str) -> Path:
        """The decision's folder ``run``, which must exist and hold ``answer.json``."""
        path = self.child(run)
        if not (path / ANSWER).is_file():
            raise FolderError(f"{run}: no decision of that name in {self.root}")
        return path

    def decisions(self) -> list[str]:
        """Decisions' folders in the working folder, newest first."""
        return self._folders_with(ANSWER)

    def _folders_with(self, marker: str) -> list[str]:
        found = [p for p in self.root.iterdir()
                 if SAFE_NAME.fullmatch(p.name) and self._contained(p) and p.is_dir()
                 and (p / marker).is_file()]
        found.sort(key=lambda p: (p.stat().st_mtime, p.name), reverse=True)
        return [p.name for p in found]

    def scenario_files(self) -> Iterator[str]:
        """Scenario files offered as starting programmes: ``*.toml`` in the folder itself
        and in ``uploads/``, as paths relative to the folder."""
        for folder, prefix in ((self.root, ""), (self.root / UPLOADS, f"{UPLOADS}/")):
            if folder.is_dir():
                for path in sorted(folder.glob("*.toml")):
                    if SAFE_NAME.fullmatch(path.name) and self._contained(path) \
                            and path.is_file():
                        yield prefix + path.name

    def scenario_file(self, relative: str) -> Path:
        """A scenario file named as :meth:`scenario_files` names it."""
        parts = relative.split("/")
        if len(parts) > 2 or (len(parts) == 2 and parts[0] != UPLOADS):
            raise FolderError(f"{relative}: not a scenario file of the working folder")
        path = self.child(*parts)
        if path.suffix != ".toml" or not path.is_file():
            raise FolderError(f"{relative}: no such scenario file in {self.root}")
        return path
