"""The studio's plausible worlds: "Plausible worlds (0 = none)" and "Replications in each
world" in step 3, checked as ``run --worlds N --world-reps R`` checks them (whole numbers;
at most the worlds stored, only 0 when none is), counted in the run's estimate, written to
job.json and the equivalent command line, and kept with the rest of the form.

The page is exercised without a browser, through its own requests (the Flask test client
posting what the browser would post for a callback), on the layout the studio serves; a
toy ensemble of 3 worlds stands in for the stored one.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import dash
import pytest
from dash.development.base_component import Component

from sim.across_worlds import DEFAULT_WORLD_REPS
from sim.worlds import PARAMETER_PREFIX, write_table
from studio.folder import WorkingFolder
from studio.form_state import Form
from studio.jobs import Jobs, planned_runs
from studio.layout import page
from studio.page_state import world_settings
from studio.programme import resolve_start
from studio.scenario_file import write_run_files

try:  # pytest's default "prepend" import mode puts tests/ itself on sys.path
    from studio_requests import callback_request, components, fill_form
except ModuleNotFoundError:  # pragma: no cover - when tests/ is imported as a package
    from tests.studio_requests import callback_request, components, fill_form

STORED = 3


@pytest.fixture
def work(tmp_path: Path) -> WorkingFolder:
    return WorkingFolder(tmp_path / "work")


@pytest.fixture
def three_worlds(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A stored ensemble of three worlds."""
    rows = [{"world": i, PARAMETER_PREFIX + "effects.novice_strain": 0.01 * i,
             PARAMETER_PREFIX + "effects.stress_insecurity": 0.1 + 0.1 * i}
            for i in range(STORED)]
    path = write_table(rows, tmp_path / "worlds.csv")
    monkeypatch.setattr("sim.worlds.WORLDS_FILE", path)
    return path


@pytest.fixture
def no_worlds(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No ensemble built yet."""
    monkeypatch.setattr("sim.worlds.WORLDS_FILE", tmp_path / "nowhere" / "worlds.csv")


# --- the checks ------------------------------------------------------------------------------
@pytest.mark.parametrize(("worlds", "reps", "settings"), [
    ("", "", {"worlds": 0, "world_replications": DEFAULT_WORLD_REPS}),
    ("0", "", {"worlds": 0, "world_replications": DEFAULT_WORLD_REPS}),
    (" 3 ", "2", {"worlds": 3, "world_replications": 2}),
    ("1", "10000", {"worlds": 1, "world_replications": 10_000}),
])
def test_whole_numbers_up_to_the_worlds_stored_are_taken(three_worlds: Path, worlds: str,
                                                         reps: str, settings: dict[str, int]
                                                         ) -> None:
    got, messages, note = world_settings(worlds, reps)
    assert (got, messages) == (settings, {})
    assert note.startswith("3 plausible worlds are stored") and "type 0 to 3" in note


@pytest.mark.parametrize(("worlds", "reps", "field", "says"), [
    ("4", "", "worlds", "Plausible worlds: 4 is more than the 3 stored; type a whole number "
                        "from 0 to 3"),
    ("two", "", "worlds", "Plausible worlds: two is not a whole number; type digits, e.g. 10"),
    ("-1", "", "worlds", "Plausible worlds: -1 is not a whole number"),
    ("2.5", "", "worlds", "Plausible worlds: 2.5 is not a whole number"),
    ("2", "0", "world_replications", "Replications in each world: 0 is not allowed; type a "
                                      "whole number from 1 to 10,000"),
    ("2", "10001", "world_replications", "Replications in each world: 10,001 is not allowed"),
    ("2", "5x", "world_replications", "Replications in each world: 5x is not a whole number"),
])
def test_anything_else_gets_a_message_beside_its_field(three_worlds: Path, worlds: str,
                                                       reps: str, field: str, says: str
                                                       ) -> None:
    got, messages, _note = world_settings(worlds, reps)
    assert got == {} and list(messages) == [field]
    assert messages[field].startswith(says)


def test_with_no_worlds_stored_only_0_is_allowed_and_the_field_says_so(no_worlds: None
                                                                       ) -> None:
    got, messages, note = world_settings("", "")
    assert (got["worlds"], messages) == (0, {})
    assert note == ("No plausible worlds are stored yet (build them with `mentorsim "
                    "calibrate --worlds`): only 0 is allowed.")
    got, messages, _note = world_settings("1", "")
    assert got == {}
    assert messages["worlds"] == ("Plausible worlds: none are stored yet, so only 0 is "
                                  "allowed (build them with `mentorsim calibrate --worlds`)")


# --- the page --------------------------------------------------------------------------------
def _studio(work: WorkingFolder) -> tuple[dash.Dash, Any, list[Component]]:
    from studio.app import create_app

    app = create_app(work.root, workers=1)
    return app, app.server.test_client(), components(page(work))


def _key(app: dash.Dash, output: str) -> str:
    """The callback that sets ``output`` (e.g. ``"estimate.children"``)."""
    return next(k for k in app.callback_map if output in k)


def _post(client: Any, body: dict[str, Any]) -> dict[str, Any]:
    response = client.post("/_dash-update-component", json=body)
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    return response.get_json()["response"]


def test_the_page_has_both_fields_labelled(work: WorkingFolder) -> None:
    layout = components(page(work))
    labels = {c.htmlFor: c.children for c in _labels(page(work))}
    assert labels["worlds"] == "Plausible worlds (0 = none)"
    assert labels["world-reps"] == "Replications in each world"
    ids = {c.id for c in layout if isinstance(c.id, str)}
    assert {"worlds", "world-reps", "worlds-msg", "world-reps-msg", "worlds-note"} <= ids


def _labels(node: Any) -> list[Component]:
    """Every label of a layout."""
    if isinstance(node, list | tuple):
        return [c for child in node for c in _labels(child)]
    if not isinstance(node, Component):
        return []
    own = [node] if type(node).__name__ == "Label" else []
    return own + _labels(getattr(node, "children", None))


def test_the_run_form_says_its_messages_and_counts_the_runs_in_worlds(
        work: WorkingFolder, three_worlds: Path) -> None:
    app, client, layout = _studio(work)
    key = _key(app, "estimate.children")

    def said(worlds: str, reps: str) -> dict[str, Any]:
        values = {"reps": "2", "weeks": "26", "worlds": worlds, "world-reps": reps}
        return _post(client, callback_request(app, layout, key, values, "worlds.value"))

    out = said("3", "2")
    # two options: 2 replications each, and 2 in each of 3 worlds
    assert f"for {planned_runs(2, 2, 3, 2)} runs of 26 weeks" in out["estimate"]["children"]
    assert planned_runs(2, 2, 3, 2) == 16
    assert out["worlds-msg"]["children"] == "" and out["world-reps-msg"]["children"] == ""
    assert out["worlds-note"]["children"].startswith("3 plausible worlds are stored")
    assert out["worlds"]["placeholder"] == "0 (none)"
    assert out["world-reps"]["placeholder"] == str(DEFAULT_WORLD_REPS)
    assert "for 4 runs of 26 weeks" in said("", "")["estimate"]["children"]
    too_many = said("4", "0")
    assert too_many["worlds-msg"]["children"].startswith("Plausible worlds: 4 is more than")
    assert too_many["world-reps-msg"]["children"].startswith(
        "Replications in each world: 0 is not allowed")


def _wait_cancelled(app: dash.Dash, run: str) -> None:
    """Stop the run started (its worker runs the real ensemble, not the toy one)."""
    app.studio.jobs.cancel(run)
    assert app.studio.jobs.running() is None


def test_run_writes_them_to_job_json_and_the_command_line(work: WorkingFolder,
                                                          three_worlds: Path) -> None:
    app, client, layout = _studio(work)
    key = next(k for k in app.callback_map
               if app.callback_map[k]["inputs"][:1] == [{"id": "run", "property": "n_clicks"}])
    values = {"run": 1, "reps": "2", "weeks": "26", "worlds": "3", "world-reps": "2"}
    refused = _post(client, callback_request(app, layout, key, {**values, "worlds": "4"},
                                             "run.n_clicks"))
    assert refused["run-status"]["children"].startswith(
        "Cannot run: fix the plausible worlds or the replications in each world")
    assert not (work.root / ".studio").exists() or not any(
        p.is_dir() for p in (work.root / ".studio").iterdir())  # nothing started

    out = _post(client, callback_request(app, layout, key, values, "run.n_clicks"))
    run = out["job"]["data"]
    try:
        assert out["run-status"]["children"].endswith(
            "2 options × 2 replications × 26 weeks, and in 3 plausible worlds × 2 "
            "replications…")
        job = work.job_dir(run)
        spec = json.loads((job / "job.json").read_text(encoding="utf-8"))
        assert (spec["worlds"], spec["world_replications"]) == (3, 2)
        assert spec["planned"] == 16
        command = spec["command"]
        assert command[command.index("--reps"):] == ["--reps", "2", "--weeks", "26",
                                                     "--worlds", "3", "--world-reps", "2",
                                                     "--out", run]
        kept = Form.from_json(json.loads((job / "page.json").read_text(encoding="utf-8")))
        assert (kept.worlds, kept.world_replications) == ("3", "2")
    finally:
        _wait_cancelled(app, run)


def test_a_run_without_worlds_has_no_worlds_in_its_command(work: WorkingFolder,
                                                           three_worlds: Path) -> None:
    from studio.options import Option

    jobs = Jobs(work, workers=1)
    start = resolve_start(work, "bundled:baseline")
    jobs.start("plain", lambda job: write_run_files(job / "options", start, {},
                                                     [Option("A"), Option("B")]), 2, 26)
    try:
        spec = json.loads((work.job_dir("plain") / "job.json").read_text(encoding="utf-8"))
        assert (spec["worlds"], spec["planned"]) == (0, 4)
        assert "--worlds" not in spec["command"] and "--world-reps" not in spec["command"]
    finally:
        jobs.cancel("plain")


# --- kept with the form ----------------------------------------------------------------------
def test_they_are_kept_saved_and_put_back_with_the_form(work: WorkingFolder) -> None:
    form = Form(worlds="3", world_replications="2")
    again = Form.from_json(json.loads(json.dumps(form.to_json())))
    assert (again.worlds, again.world_replications) == ("3", "2")
    older = {k: v for k, v in form.to_json().items()
             if k not in ("worlds", "world_replications")}
    assert (Form.from_json(older).worlds, Form.from_json(older).world_replications) == ("", "")
    app, client, layout = _studio(work)
    put = fill_form(app, client, layout, form.to_json())
    assert put["worlds"] == {"value": "3"} and put["world-reps"] == {"value": "2"}
    remember = next(k for k in app.callback_map if k.startswith("remembered.data"))
    body = callback_request(app, layout, remember, {"worlds": "7", "world-reps": "4"},
                            "worlds.value")
    kept = _post(client, body)["remembered"]["data"]
    assert (kept["worlds"], kept["world_replications"]) == ("7", "4")
