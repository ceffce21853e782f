"""Bundled spec files found by name: ``scenarios/sweeps/NAME.toml``,
``scenarios/decisions/NAME.toml`` (in the working folder first, then the package's)."""

from __future__ import annotations

import difflib
from pathlib import Path

from sim.errors import UserError


def find_file(ref: str, bundled: Path, what: str) -> Path:
    """``ref`` as a path when it is a file, else the file ``NAME.toml`` in
    ``./scenarios/<bundled's folder name>/`` or in ``bundled``.

    Raises:
        UserError: naming ``ref``, the nearest bundled name and every bundled name, e.g.
            "x: no such decision spec (did you mean 'y'?); bundled: y, z".
    """
    path = Path(ref)
    if path.is_file():
        return path
    for folder in (Path.cwd() / "scenarios" / bundled.name, bundled):
        candidate = folder / f"{ref}.toml"
        if candidate.is_file():
            return candidate
    names = sorted(p.stem for p in bundled.glob("*.toml"))
    hint = difflib.get_close_matches(path.stem, names, n=1)
    suggestion = f" (did you mean '{hint[0]}'?)" if hint else ""
    raise UserError(f"{ref}: no such {what}{suggestion}; bundled {what}s: "
                    f"{', '.join(names) or 'none'}")
