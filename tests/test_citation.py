"""A release can be cited: licence, citation file, changelog and version agree; a result
records the code and library versions that made it."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import yaml

import sim
from sim.results import LIBRARIES, source, versions

ROOT = Path(__file__).resolve().parent.parent


def test_citation_licence_changelog_and_version_agree():
    citation = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    for key in ("cff-version", "message", "title", "authors", "version", "date-released",
                "license"):
        assert citation.get(key), key
    assert citation["version"] == sim.__version__
    assert citation["license"] == "MIT"
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert pyproject["project"]["license"]["text"] == "MIT"
    assert pyproject["tool"]["setuptools"]["dynamic"]["version"]["attr"] == "sim.__version__"
    assert (ROOT / "LICENSE").read_text(encoding="utf-8").startswith("MIT License")
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    latest = re.search(r"^## (\d+\.\d+\.\d+) \((\d{4}-\d{2}-\d{2})\)", changelog, re.M)
    assert latest and latest.group(1) == sim.__version__
    assert latest.group(2) == str(citation["date-released"])


def test_the_manifest_names_every_library_that_shapes_a_result(tmp_path, monkeypatch):
    recorded = versions()
    assert set(recorded["libraries"]) == set(LIBRARIES)
    assert {"SALib", "scipy", "numba", "numpy", "pandas", "mesa"} <= set(LIBRARIES)
    assert all(recorded["libraries"].values())  # all installed with mentorsim
    state = source()
    assert set(state) == {"git_commit", "git_dirty"}
    if state["git_commit"] is not None:
        assert isinstance(state["git_dirty"], bool)


def test_a_change_not_committed_is_recorded(tmp_path, monkeypatch):
    import subprocess

    import sim.results

    repo = tmp_path / "repo"
    (repo / "sim").mkdir(parents=True)
    (repo / "sim" / "__init__.py").write_text("x = 1\n")
    git = ["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@t"]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "commit", "-qm", "one"], check=True)
    monkeypatch.setattr(sim.results.sim, "__file__", str(repo / "sim" / "__init__.py"))
    assert sim.results.source()["git_dirty"] is False
    (repo / "sim" / "__init__.py").write_text("x = 2\n")
    assert sim.results.source()["git_dirty"] is True
