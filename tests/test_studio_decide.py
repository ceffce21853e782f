"""The studio's Decide page without a browser: the form made into a decision spec and
checked as ``mentorsim decide`` checks it (a message beside the field for what cannot be
used; a decision larger than the studio's bound refused with the command that runs it),
the page's own requests (the Flask test client posting what the browser would), the job a
decision starts, its progress in words, and a decision's folder in the page's words.

The decision's folder is written by hand here (the files :func:`sim.decide.folder.
write_decision` writes, with every kind of claim); a real decision runs in the browser
test (``tests/test_studio_decide_browser.py``).
"""

from __future__ import annotations

import doctest
import json
import tomllib
from pathlib import Path
from typing import Any

import dash
import pandas as pd
import plotly.graph_objects as go
import pytest
from dash.development.base_component import Component

from dashboards import allocation
from sim import toml_text
from sim.decide.decision import planned_runs
from sim.decide.spec import load_decision
from studio import decide_form, decide_job, decide_results
from studio.decide_form import PRESETS, SPEC_FILE, STUDIO_MAX_RUNS, DecideForm, check, spec_of
from studio.folder import WorkingFolder
from studio.jobs import Jobs, planned_of
from studio.layout import page
from studio.progress import Progress, read_progress

try:  # pytest's default "prepend" import mode puts tests/ itself on sys.path
    from studio_requests import callback_request, components, strings
except ModuleNotFoundError:  # pragma: no cover - when tests/ is imported as a package
    from tests.studio_requests import callback_request, components, strings

SESSIONS, STYLE = "supervision.sessions_per_month", "supervision.style"
TINY = {"decide-horizon": "52", "decide-worlds": "3", "decide-preset": "quick",
        "decide-objectives": ["abandonment_rate", "burnout_incidence_per_100_mentor_years"]}


@pytest.fixture
def work(tmp_path: Path) -> WorkingFolder:
    return WorkingFolder(tmp_path / "work")


def test_doctests_of_the_decide_modules() -> None:
    for module in (decide_form, decide_results, toml_text, allocation):
        result = doctest.testmod(module, optionflags=doctest.ELLIPSIS
                                 | doctest.NORMALIZE_WHITESPACE)
        assert result.failed == 0, module.__name__


# --- the form made into a spec ---------------------------------------------------------------
def test_the_form_offers_the_bundled_decision_and_its_spec_validates() -> None:
    bundled = load_decision(decide_form.BUNDLED)
    assert [v.key for v in decide_form.levers()] == [f.name for f in bundled.levers]
    checked = check(DecideForm())
    assert checked.ok, checked.messages
    spec = checked.spec
    assert list(spec["levers"]) == [f.name for f in bundled.levers]
    assert spec["levers"][STYLE] == ["managerial", "therapeutic"]
    assert spec["objectives"] == list(bundled.objectives)
    assert spec["thresholds"] == {k: {("min" if lo is not None else "max"): lo if lo is not None
                                      else hi} for k, (lo, hi) in bundled.thresholds.items()}
    assert spec["budget"] == {"multiples": list(bundled.multiples)}  # today's budget
    assert checked.decision.annual_gbp == bundled.today.funding.annual_budget_gbp
    assert checked.planned == planned_runs(checked.decision) <= STUDIO_MAX_RUNS


def test_what_is_typed_goes_into_the_spec() -> None:
    form = DecideForm(budget="90000", horizon="104", considered=[SESSIONS, STYLE],
                      bounds={SESSIONS: ("0.5", "2")}, matched="0.7", abandoned="0.3",
                      worlds="4", preset="quick",
                      objectives=["burnout_incidence_per_100_mentor_years", "abandonment_rate"])
    checked = check(form)
    assert checked.ok, checked.messages
    spec = checked.spec
    assert spec["budget"]["annual_gbp"] == 90000 and spec["horizon_weeks"] == 104
    assert spec["levers"] == {SESSIONS: {"range": [0.5, 2]}, STYLE: ["managerial",
                                                                      "therapeutic"]}
    # the outcomes in the bundled order: the first ticked there is optimised
    assert spec["objectives"] == ["abandonment_rate", "burnout_incidence_per_100_mentor_years"]
    assert spec["thresholds"] == {"mentees_matched_share": {"min": 0.7},
                                  "abandonment_rate": {"max": 0.3}}
    assert spec["constraints"] == {"mentees_matched_share": {"min": 0.7}}
    assert spec["worlds"] == {"count": 4} and spec["search"] == PRESETS[0].search()
    d = checked.decision
    assert (d.annual_gbp, d.today.run.weeks, d.worlds.count) == (90000, 104, 4)
    assert [(f.name, f.low, f.high, f.values) for f in d.levers] == [
        (SESSIONS, 0.5, 2.0, None), (STYLE, None, None, ("managerial", "therapeutic"))]


@pytest.mark.parametrize("preset", [p.key for p in PRESETS])
def test_every_search_size_fits_the_studio_with_the_default_worlds(preset: str) -> None:
    checked = check(DecideForm(preset=preset))
    assert checked.ok, checked.messages
    assert checked.planned <= STUDIO_MAX_RUNS


def test_the_spec_file_is_what_mentorsim_decide_reads(tmp_path: Path) -> None:
    spec = check(DecideForm(budget="90000", worlds="3", preset="quick")).spec
    path = decide_form.write_spec(tmp_path, spec)
    assert path.name == SPEC_FILE
    assert tomllib.loads(path.read_text(encoding="utf-8")) == spec
    assert "mentorsim decide decision.toml" in path.read_text(encoding="utf-8")
    from_file, from_form = load_decision(path), check(DecideForm(budget="90000", worlds="3",
                                                                 preset="quick")).decision
    assert (from_file.levers, from_file.objectives, from_file.thresholds,
            from_file.constraints, from_file.annual_gbp, from_file.search) == \
        (from_form.levers, from_form.objectives, from_form.thresholds,
         from_form.constraints, from_form.annual_gbp, from_form.search)


@pytest.mark.parametrize(("form", "where", "says"), [
    (DecideForm(budget="120,000"), "budget",
     "120,000: numbers are written without thousands separators: type 120000"),
    (DecideForm(budget="£120k"), "budget", "£120k: write money in pounds as a plain number"),
    (DecideForm(matched="80%"), "matched", "80%: write shares as a fraction: type 0.8"),
    (DecideForm(abandoned="1.5"), "abandoned", "1.5: a share is from 0 to 1"),
    (DecideForm(horizon="ten"), "horizon", "ten: not a number"),
    (DecideForm(horizon="26"), "horizon", "26: the horizon in weeks is from 52 to 1,040"),
    (DecideForm(horizon="60.5"), "horizon", "60.5: type a whole number"),
    (DecideForm(worlds="1"), "worlds", "1: the number of worlds is from 2 to"),
    (DecideForm(worlds="3.5"), "worlds", "3.5: type a whole number"),
    (DecideForm(bounds={SESSIONS: ("3", "1")}), f"lever:{SESSIONS}",
     "from 3 to 1: the first must be below the second"),
    (DecideForm(bounds={SESSIONS: ("two", "")}), f"lever:{SESSIONS}", "two: not a number"),
    # beyond what the parameter allows: mentorsim decide's own message, beside the lever
    (DecideForm(bounds={SESSIONS: ("0", "99")}), f"lever:{SESSIONS}",
     "to 99.0: must be 8 or less"),
    (DecideForm(choices={STYLE: ["therapeutic"]}), f"lever:{STYLE}",
     "tick at least two choices to choose between"),
    (DecideForm(considered=[]), "levers", "tick at least one lever"),
    (DecideForm(objectives=[]), "objectives", "tick at least one outcome"),
    (DecideForm(horizon="52"), "objectives",
     "Reoffending within 12 months needs a year's follow-up inside the horizon: choose a "
     "horizon of at least 104 weeks, or untick it"),
    (DecideForm(preset="huge"), "preset", "'huge' is not a search size: pick Quick look"),
])
def test_bad_input_gets_a_clear_message_beside_its_field(form: DecideForm, where: str,
                                                        says: str) -> None:
    checked = check(form)
    assert not checked.ok and checked.decision is None
    assert list(checked.messages) == [where], checked.messages
    assert checked.messages[where].startswith(says), checked.messages[where]


def test_more_worlds_than_stored_are_refused() -> None:
    stored = decide_form.stored_worlds()
    if stored is None:
        pytest.skip("no plausible worlds are stored")
    checked = check(DecideForm(worlds=str(stored + 1), preset="quick"))
    assert checked.messages == {"worlds": f"{stored + 1}: the number of worlds is from 2 to "
                                          f"{stored}"}


def test_a_decision_over_the_studios_bound_is_refused_and_pointed_to_the_cli() -> None:
    checked = check(DecideForm(worlds="11", preset="thorough"))
    assert checked.decision is not None and not checked.ok
    assert checked.planned == planned_runs(checked.decision) > STUDIO_MAX_RUNS
    assert checked.messages == {"runs": decide_form.too_many_runs(checked.planned)}
    said = checked.messages["runs"]
    assert said.startswith(f"Up to {checked.planned:,} runs: the studio runs at most 1,000.")
    assert "mentorsim decide decision.toml --out results/decide" in said
    # the spec is still made, to download and run on the command line
    assert spec_of(DecideForm(worlds="11", preset="thorough"))[1] == {}


# --- the page's requests ---------------------------------------------------------------------
def _studio(work: WorkingFolder) -> tuple[dash.Dash, Any, list[Component]]:
    from studio.app import create_app

    app = create_app(work.root, workers=1)
    return app, app.server.test_client(), components(page(work))


def _post(client: Any, body: dict[str, Any]) -> dict[str, Any]:
    response = client.post("/_dash-update-component", json=body)
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    return response.get_json()["response"]


def _lever(kind: str, key: str) -> str:
    return json.dumps({"key": key, "type": kind}, sort_keys=True)


def test_the_page_has_both_pages_and_its_fields_labelled(work: WorkingFolder) -> None:
    layout = components(page(work))
    ids = {c.id if isinstance(c.id, str) else json.dumps(c.id, sort_keys=True)
           for c in layout}
    assert {"url", "nav-compare", "nav-decide", "compare-page", "decide-page",
            "decide-budget", "decide-horizon", "decide-worlds", "decide-preset",
            "decide-objectives", "decide-matched", "decide-abandoned", "decide-run",
            "decide-cancel", "decide-progress", "decide-status", "decide-pick"} <= ids
    for lever in decide_form.levers():
        assert _lever("decide-lever", lever.key) in ids
        kinds = ("decide-choices",) if lever.choices else ("decide-low", "decide-high")
        assert all(_lever(k, lever.key) in ids for k in kinds)
    labelled = {c.htmlFor for c in layout if type(c).__name__ == "Label"} | {
        c.htmlFor for c in _all(page(work)) if type(c).__name__ == "Label"}
    for box in ("decide-budget", "decide-horizon", "decide-worlds", "decide-matched",
                "decide-abandoned", "decide-pick"):
        assert box in labelled, box
    links = {c.id: c.href for c in layout if c.id in ("nav-compare", "nav-decide")}
    assert links == {"nav-compare": "/", "nav-decide": "/decide"}  # the page switch


def _all(node: Any) -> list[Component]:
    if isinstance(node, list | tuple):
        return [c for child in node for c in _all(child)]
    if not isinstance(node, Component):
        return []
    return [node, *_all(getattr(node, "children", None))]


def test_the_form_says_its_messages_and_estimate_as_it_is_typed(work: WorkingFolder) -> None:
    app, client, layout = _studio(work)
    key = next(k for k in app.callback_map if "decide-estimate.children" in k)

    def said(values: dict[str, Any]) -> dict[str, Any]:
        return _post(client, callback_request(app, layout, key, values, "decide-budget.value"))

    fine = said(TINY)
    assert fine["decide-estimate"]["children"].startswith("At most ")
    assert "runs of 52 weeks" in fine["decide-estimate"]["children"]
    assert fine["decide-check"]["children"] == []
    assert "plausible worlds" in fine["decide-worlds-note"]["children"]
    bad = said({**TINY, "decide-budget": "120,000", _lever("decide-high", SESSIONS): "99"})
    assert bad["decide-budget-msg"]["children"].endswith("type 120000")
    # the spec is checked as a whole once every field can be read
    assert _lever_messages(bad)[SESSIONS] == ""
    beyond = said({**TINY, _lever("decide-high", SESSIONS): "99"})
    assert _lever_messages(beyond)[SESSIONS] == "to 99.0: must be 8 or less"
    assert beyond["decide-estimate"]["children"] == ""
    # a lever not considered: its bounds and choices greyed
    off = said({**TINY, _lever("decide-lever", SESSIONS): [], _lever("decide-lever", STYLE): []})
    out = {json.loads(k)["type"] + ":" + json.loads(k)["key"]: v for k, v in off.items()
           if k.startswith("{")}
    assert out[f"decide-low:{SESSIONS}"] == {"disabled": True}
    assert out["decide-high:training.pre_match_hours"] == {"disabled": False}
    assert all(o["disabled"] for o in out[f"decide-choices:{STYLE}"]["options"])
    over = said({"decide-worlds": "11", "decide-preset": "thorough"})
    assert strings(over["decide-check"]["children"])[0].startswith("Up to 1,067 runs")


def _lever_messages(response: dict[str, Any]) -> dict[str, str]:
    """The messages beside the levers, by lever, from a callback's response."""
    return {json.loads(k)["key"]: v["children"] for k, v in response.items()
            if k.startswith("{") and "decide-lever-msg" in k}


def _start_key(app: dash.Dash) -> str:
    return next(k for k in app.callback_map if app.callback_map[k]["inputs"][:1]
                == [{"id": "decide-run", "property": "n_clicks"}])


def test_a_refused_decision_starts_nothing(work: WorkingFolder) -> None:
    app, client, layout = _studio(work)
    body = callback_request(app, layout, _start_key(app),
                            {"decide-run": 1, "decide-worlds": "11",
                             "decide-preset": "thorough"}, "decide-run.n_clicks")
    out = _post(client, body)
    assert out["decide-status"]["children"].startswith("Cannot start: Up to 1,067 runs: the "
                                                       "studio runs at most 1,000")
    assert "mentorsim decide" in out["decide-status"]["children"]
    bad = _post(client, callback_request(app, layout, _start_key(app),
                                         {"decide-run": 1, "decide-matched": "80%"},
                                         "decide-run.n_clicks"))
    assert bad["decide-status"]["children"] == ("Cannot start: 80%: write shares as a "
                                                "fraction: type 0.8")
    jobs = work.root / ".studio"
    assert not jobs.exists() or not any(p.is_dir() for p in jobs.iterdir())


def test_a_decision_starts_as_a_studio_job_with_its_spec(work: WorkingFolder) -> None:
    app, client, layout = _studio(work)
    values = {**TINY, "decide-run": 1, _lever("decide-lever", "training.pre_match_hours"): []}
    out = _post(client, callback_request(app, layout, _start_key(app), values,
                                         "decide-run.n_clicks"))
    run = out["decide-job"]["data"]
    try:
        assert out["decide-status"]["children"].startswith(f"Started {run}: up to ")
        assert out["decide-poll"]["disabled"] is False
        job = work.job_dir(run)
        spec = json.loads((job / "job.json").read_text(encoding="utf-8"))
        assert spec["kind"] == "decide" and app.studio.jobs.kind(run) == "decide"
        decision = load_decision(spec["spec"])
        assert "training.pre_match_hours" not in [f.name for f in decision.levers]
        assert spec["planned"] == planned_runs(decision)
        assert sum(n for _, n in spec["stages"]) == spec["planned"]
        assert spec["command"] == ["mentorsim", "decide", SPEC_FILE, "--out", run,
                                   "--workers", "1"]
        assert set(spec["estimate"]) == {"design", "search", "confirm", "write", "overhead"}
        # the comparison page does not follow it
        assert app.studio.jobs.running() == run
    finally:
        app.studio.jobs.cancel(run)
    assert app.studio.jobs.running() is None and not work.job_dir(run).exists()


def test_the_spec_downloads_even_when_too_large_for_the_studio(work: WorkingFolder) -> None:
    app, client, layout = _studio(work)
    key = next(k for k in app.callback_map if k.startswith("..decide-download-spec.data")
               or "decide-download-spec.data" in k)
    out = _post(client, callback_request(app, layout, key,
                                         {"decide-save-spec": 1, "decide-worlds": "11",
                                          "decide-preset": "thorough"},
                                         "decide-save-spec.n_clicks"))
    sent = out["decide-download-spec"]["data"]
    assert sent["filename"] == SPEC_FILE
    assert tomllib.loads(sent["content"])["worlds"] == {"count": 11}


# --- progress --------------------------------------------------------------------------------
def test_progress_is_counted_across_the_stages(tmp_path: Path) -> None:
    path = tmp_path / "progress.jsonl"
    records = [{"event": "stage", "stage": "starting", "time": 100.0},
               {"event": "stage", "stage": "design", "planned": 30, "time": 102.0},
               {"event": "progress", "done": 30, "planned": 30, "elapsed_s": 4.0},
               {"event": "stage", "stage": "confirm", "planned": 78, "time": 110.0},
               {"event": "progress", "done": 40, "planned": 78, "elapsed_s": 5.0}]
    path.write_text("".join(json.dumps(r) + "\n" for r in records) + '{"event": "pro')
    progress = read_progress(path)
    assert (progress.done, progress.stage_done, progress.stage) == (70, 40, "confirm")
    assert progress.announced == {"design": 30, "confirm": 78} and progress.since == 110.0
    spec = {"stages": [["design", 36], ["confirm", 90]], "planned": 126}
    assert planned_of(spec, progress) == 108  # each stage as it announced itself
    assert planned_of(spec, Progress()) == 126 and planned_of({"planned": 7}, progress) == 7


def test_the_time_left_says_the_stage_and_moves_to_what_is_measured() -> None:
    spec = {"stages": [["design", 36], ["confirm", 90]], "workers": 1,
            "estimate": {"design": 10.0, "search": 4.0, "confirm": 20.0, "write": 2.0,
                         "overhead": 2.0}}
    now = 1000.0
    say = decide_job.running_message
    assert say(Progress(0, "starting", now - 1), spec, now) == \
        "Starting: loading the model… (about 38s in all)"
    assert say(Progress(0, "design", now - 1, announced={"design": 36}), spec, now) == \
        "Step 1 of 2, trying candidate allocations: 0 of 36 runs done; about 35s left"
    # the design took twice its prior: the confirmation's prior is doubled
    slow = say(Progress(36, "design", now - 21, stage_done=36, announced={"design": 36},
                        stage_elapsed=20.0), spec, now)
    assert slow == ("All 36 candidate runs done; searching the emulator for the best "
                    "allocations; about 45s left")
    later = say(Progress(36, "design", now - 23, stage_done=36, announced={"design": 36},
                         stage_elapsed=20.0), spec, now)
    assert later.endswith("about 43s left")  # the search's time counts down
    assert say(Progress(76, "confirm", now - 5, rate=8.0, stage_done=40,
                        announced={"confirm": 80}), spec, now).startswith(
        "Step 2 of 2, re-running the best options in every world: 40 of 80 runs done; about ")
    assert say(Progress(80, "writing", now - 1), spec, now).startswith("All runs done; writing")


# --- a decision's folder in words ------------------------------------------------------------
def _option(name: str, role: str, mentors: int, staff: float, style: str) -> dict[str, Any]:
    parts = {"staff": staff, "mentors": 10_000.0, "training": 3_000.0, "supervision": 6_000.0,
             "support": 4_000.0, "activities": 15_000.0, "family": 0.0}
    return {"option": name, "role": role, "budget_multiple": 1.0,
            "annual_budget_gbp": 120_000.0, "mentors": mentors, "coordinators_fte": 1.25,
            "supervisors_fte": 0.65, "planned_annual_spend_gbp": sum(parts.values()),
            **{f"spend:{k}": v for k, v in parts.items()},
            f"lever:{SESSIONS}": 1.2222, f"lever:{STYLE}": style}


@pytest.fixture
def decision_folder(work: WorkingFolder) -> str:
    """A decision's folder as write_decision writes it, with every kind of claim."""
    run = "20260101-000000-decision"
    folder = work.root / run
    (folder / "options").mkdir(parents=True)
    answer = {
        "decision": "studio_decision", "worlds": 3, "runs": 114, "recommended": "finalist1",
        "runner_up": "best", "versus_today": {
            "difference": -0.033, "mc_low": -0.05, "mc_high": -0.015, "worlds_low": -0.045,
            "worlds_high": -0.019, "worlds_better_share": 1.0},
        "what_would_change": {
            "drivers": [{"parameter": "effects.novice_strain", "rho": 0.62, "p": 0.01,
                         "grade": "assumption"}],
            "switching": {"parameter": "effects.novice_strain", "value": 0.021,
                          "range": [0.0, 0.05], "grade": "assumption"},
            "box": {"text": "effects.novice_strain > 0.03", "coverage": 0.8, "density": 0.9},
            "fails_share": 0.4},
        "least_money": {"budget_multiple": 0.75, "annual_budget_gbp": 90_000.0,
                        "meets_on_average": True, "satisficing": 0.67},
        "evpi": {"value_per_reoffence_gbp": 31_000.0, "evpi_gbp": 52_000.0,
                 "evpi_gbp_per_year": 10_400.0, "evpi_low_gbp": 40_000.0,
                 "evpi_high_gbp": 70_000.0}}
    (folder / "answer.json").write_text(json.dumps(answer), encoding="utf-8")
    pd.DataFrame([_option("today@1", "today", 25, 75_350.0, "managerial"),
                  _option("best", "best", 21, 80_975.0, "therapeutic"),
                  _option("finalist1", "finalist", 30, 74_225.0, "therapeutic")]
                 ).to_parquet(folder / "options.parquet")
    pd.DataFrame([{"option": o, "role": r, "mean": m, "low_percentile": m + 0.06,
                   "satisficing": s, "meets_constraints": c, "regret_mean": m - 0.2,
                   "regret_p90": m - 0.18, "mean:abandonment_rate": m,
                   "mean:burnout_incidence_per_100_mentor_years": 50.0}
                  for o, r, m, s, c in (("today@1", "today", 0.28, 0.0, False),
                                        ("best", "best", 0.25, 0.67, True),
                                        ("finalist1", "finalist", 0.214, 1.0, True))]
                 ).to_parquet(folder / "robustness.parquet")
    pd.DataFrame([{"parameters": "effects.novice_strain", "size": 1, "evppi_gbp": 20_000.0,
                   "evppi_gbp_per_year": 4_000.0, "grade": "assumption"},
                  {"parameters": "effects.novice_strain + effects.stress_insecurity",
                   "size": 2, "evppi_gbp": 30_000.0, "evppi_gbp_per_year": 6_000.0,
                   "grade": "assumption; direction published, size assumed"}]
                 ).to_parquet(folder / "evppi.parquet")
    (folder / "decision.xlsx").write_bytes(b"PK-not-really")
    for name in ("finalist1", "least_money"):
        (folder / "options" / f"{name}.toml").write_text(f'question = "{name}"\n')
    return run


def test_the_decision_is_said_in_words_with_what_each_claim_rests_on(
        work: WorkingFolder, decision_folder: str) -> None:
    from studio.downloads import decision_options

    files = decision_options(work, decision_folder)
    assert files == ["finalist1.toml", "least_money.toml"]
    blocks = decide_results.decision_blocks(work.decision(decision_folder), decision_folder,
                                            files, has_spec=False)
    text = " ".join(strings(blocks))
    assert "Finalist 1 for £120,000 a year:" in text
    assert "30 mentors, 1.25 coordinator and 0.65 supervisor posts; supervision sessions " \
           "1.22, supervision style therapeutic." in text
    assert ("relationships abandoned is 3.3 percentage points lower on average (better; in "
            "95% of worlds the difference is between \u22124.5 percentage points and "
            "\u22121.9 percentage points)") in text
    assert "simulated: the sign holds in 100% of 3 plausible worlds; clear beyond" in text
    # what would change it, and the evidence worth buying: each with its grade beside it
    assert "Its advantage over today reverses if " in text and "beyond 0.021" in text
    assert strings(blocks).count("evidence: assumption") == 3  # switching, driver, evppi
    assert "evidence: assumption; direction published, size assumed" in text
    assert "£52,000 for the programme (£10,400 a year)" in text
    assert "About £90,000 a year (0.75 × the budget) meets your thresholds" in text
    assert "Finalist 1 (recommended)" in text and "Today's programme" in text
    assert "These are simulated comparisons" in text
    links = [c.href for c in _all(blocks) if type(c).__name__ == "A"]
    assert links == [f"/studio/decision/{decision_folder}/decision.xlsx",
                     f"/studio/decision/{decision_folder}/options/finalist1.toml",
                     f"/studio/decision/{decision_folder}/options/least_money.toml"]


def test_a_decision_no_option_of_which_meets_the_constraints_says_so(
        work: WorkingFolder, decision_folder: str) -> None:
    folder = work.root / decision_folder
    answer = json.loads((folder / "answer.json").read_text(encoding="utf-8"))
    said = "No option meets the constraints on average over the plausible worlds"
    text = " ".join(strings(decide_results.headline(decide_results.read(folder))))
    assert said not in text  # this decision's recommendation meets them
    (folder / "answer.json").write_text(json.dumps({**answer, "constraints_met": False}),
                                        encoding="utf-8")
    text = " ".join(strings(decide_results.headline(decide_results.read(folder))))
    assert said in text and "regardless" in text


def test_today_and_the_recommended_allocation_are_stacked_bars(
        work: WorkingFolder, decision_folder: str) -> None:
    blocks = decide_results.chart(decide_results.read(work.decision(decision_folder)))
    graph = next(c for c in _all(blocks) if type(c).__name__ == "Graph")
    figure = go.Figure(graph.figure)
    assert figure.layout.barmode == "stack"
    parts = [t.name for t in figure.data]
    assert parts == [allocation.SPEND_PARTS[p] for p in allocation.SPEND_PARTS
                     if p != "family"]  # no option spends on families
    assert all(t.type == "bar" and len(t.x) == 2 for t in figure.data)
    assert figure.data[0].x[0].startswith("<b>Today's programme</b><br>25 mentors")
    assert figure.data[0].x[1].startswith("<b>Recommended: Finalist 1</b><br>30 mentors")
    assert list(figure.data[0].y) == [75_350.0, 74_225.0]
    table = " ".join(strings(blocks))
    assert "Planned spending in all" in table and "£113,350" in table


def test_a_decisions_files_download_and_nothing_else(work: WorkingFolder,
                                                      decision_folder: str) -> None:
    app, client, _layout = _studio(work)
    got = client.get(f"/studio/decision/{decision_folder}/decision.xlsx")
    assert got.status_code == 200 and got.data == b"PK-not-really"
    assert f'filename="{decision_folder}-decision.xlsx"' in got.headers["Content-Disposition"]
    got = client.get(f"/studio/decision/{decision_folder}/options/least_money.toml")
    assert got.status_code == 200 and got.data == b'question = "least_money"\n'
    assert client.get(f"/studio/decision/{decision_folder}/decision.toml").status_code == 404
    for bad in ("answer.json", "..%2Fsecret", "%2Fetc%2Fpasswd"):
        got = client.get(f"/studio/decision/{decision_folder}/{bad}")
        assert "Content-Disposition" not in got.headers, bad  # refused, or the page
    assert client.get(f"/studio/decision/{decision_folder}/options/answer.json"
                      ).status_code == 404
    assert client.get("/studio/decision/nothing-here/decision.xlsx").status_code == 404
    assert work.decisions() == [decision_folder] and work.results_folders() == []
    show = next(k for k in app.callback_map if k.startswith("decide-answer.children"))
    out = _post(client, callback_request(app, components(page(work)), show,
                                         {"decide-pick": decision_folder},
                                         "decide-pick.value"))
    assert "Recommended" in strings(out["decide-answer"]["children"])


def test_jobs_kind_tells_a_comparison_from_a_decision(work: WorkingFolder) -> None:
    jobs = Jobs(work, workers=1)
    work.job_dir("a").mkdir(parents=True)
    (work.job_dir("a") / "job.json").write_text('{"run": "a"}')
    assert jobs.kind("a") == "compare" and jobs.kind("missing") == "compare"


@pytest.mark.parametrize(("change", "says"), [
    ({"fails_share": 0.5, "box_sought": False},
     "in 50% of worlds, too few worlds differ to look for the region"),
    ({"fails_share": 0.5, "box_sought": True}, "with no clear region of the parameters"),
    ({"fails_share": 0.0}, "does at least as well as today in every plausible world"),
    ({}, "Nothing in the plausible worlds clearly changes it."),
])
def test_what_would_change_says_why_no_region_is_named(change: dict[str, Any],
                                                      says: str) -> None:
    data = {"answer": {"what_would_change": {"drivers": [], "switching": None, "box": None,
                                             **change}}}
    assert says in " ".join(strings(decide_results.what_would_change(data)))
