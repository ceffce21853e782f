"""What the Decide page does as its form changes, a decision runs and its results are read.

The form's values are collected into a :class:`studio.decide_form.DecideForm`, checked by
:func:`studio.decide_form.check` (the spec validated as ``mentorsim decide`` validates it,
its runs bounded) with each message beside its field; a decision starts only when nothing
is said. It runs as a studio job (:mod:`studio.decide_job`: the same worker, lock and
cancel as a comparison), followed by polling as a comparison is
(:func:`studio.following.register_following`), and its folder is put into words by
:mod:`studio.decide_results`. The page itself is shown at ``/decide`` and the comparison at
``/`` (one layout, the other page hidden, so nothing typed in either is lost).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from dash import ALL, Dash, Input, Output, State, ctx, dcc, html, no_update

from sim.errors import UserError
from studio import decide_job
from studio.decide_form import (
    SPEC_FILE,
    Checked,
    DecideForm,
    check,
    levers,
    spec_of,
    spec_text,
    worlds_note,
    write_spec,
)
from studio.decide_layout import CONSIDER, RUN_IDS, lever_choices
from studio.decide_results import decision_blocks
from studio.downloads import decision_options
from studio.folder import WorkingFolder
from studio.following import register_following
from studio.jobs import AlreadyRunningError
from studio.page_state import Studio

# The form's values, as the states of a callback that reads it all.
DECIDE_FORM = [State("decide-budget", "value"), State("decide-horizon", "value"),
               State({"type": "decide-lever", "key": ALL}, "value"),
               State({"type": "decide-low", "key": ALL}, "value"),
               State({"type": "decide-high", "key": ALL}, "value"),
               State({"type": "decide-choices", "key": ALL}, "value"),
               State("decide-objectives", "value"), State("decide-matched", "value"),
               State("decide-abandoned", "value"), State("decide-worlds", "value"),
               State("decide-preset", "value")]
FIELDS = ("budget", "horizon", "worlds", "matched", "abandoned", "objectives", "levers")


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _keyed(entries: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    return {e["id"]["key"]: e.get("value") for e in entries}


def form_of(lists: Sequence[Any]) -> DecideForm:
    """The form from the entries of :data:`DECIDE_FORM` (as ``ctx.states_list`` or
    ``ctx.inputs_list`` give them)."""
    (budget, horizon, consider, lows, highs, choices, objectives, matched, abandoned,
     worlds, preset) = lists[:11]
    ticked = _keyed(consider)
    low, high = _keyed(lows), _keyed(highs)
    return DecideForm(
        budget=_text(budget["value"]), horizon=_text(horizon["value"]),
        considered=[k for k, v in ticked.items() if CONSIDER in (v or [])],
        bounds={k: (_text(low.get(k)), _text(high.get(k))) for k in low},
        choices={k: [str(c) for c in v or []] for k, v in _keyed(choices).items()},
        objectives=list(objectives["value"] or []), matched=_text(matched["value"]),
        abandoned=_text(abandoned["value"]), worlds=_text(worlds["value"]),
        preset=_text(preset["value"]))


def _general(checked: Checked) -> Any:
    """The spec's own message, or the run bound's, under the run form."""
    said = [checked.messages[k] for k in ("spec", "runs", "preset") if k in checked.messages]
    return [html.P(m) for m in said]


def register(app: Dash, studio: Studio) -> None:
    """Wire the Decide page's callbacks to ``studio``."""
    _register_navigation(app)
    _register_form(app, studio)
    _register_runs(app, studio)
    _register_results(app, studio)


def _register_navigation(app: Dash) -> None:
    """``/decide`` shows the Decide page, anything else the comparison."""
    app.clientside_callback(
        """function (path) {
            var decide = /\\/decide\\/?$/.test(path || '');
            document.title = decide ? 'Decide \u00b7 mentorsim studio' : 'mentorsim studio';
            [['nav-compare', !decide], ['nav-decide', decide]].forEach(function (pair) {
                var link = document.getElementById(pair[0]);
                if (!link) { return; }
                if (pair[1]) { link.setAttribute('aria-current', 'page'); }
                else { link.removeAttribute('aria-current'); }
            });
            return [decide ? {display: 'none'} : {}, decide ? {} : {display: 'none'}];
        }""",
        Output("compare-page", "style"), Output("decide-page", "style"),
        Input("url", "pathname"))


def _register_form(app: Dash, studio: Studio) -> None:
    """Messages beside the fields, the worlds note and the estimate, as the form changes."""
    inputs = [Input(s.component_id, s.component_property) for s in DECIDE_FORM]

    @app.callback(Output({"type": "decide-lever-msg", "key": ALL}, "children"),
                  *[Output(f"decide-{f}-msg", "children") for f in FIELDS],
                  Output("decide-check", "children"), Output("decide-estimate", "children"),
                  Output("decide-worlds-note", "children"),
                  Output({"type": "decide-low", "key": ALL}, "disabled"),
                  Output({"type": "decide-high", "key": ALL}, "disabled"),
                  Output({"type": "decide-choices", "key": ALL}, "options"), *inputs)
    def check_form(*_values: Any) -> tuple[Any, ...]:
        form = form_of(ctx.inputs_list)
        checked = check(form)
        keys = [o["id"]["key"] for o in ctx.outputs_list[0]]
        said = checked.messages
        estimate = ""
        if checked.decision is not None:
            estimate = decide_job.estimate_text(checked.decision, checked.planned,
                                                studio.jobs.workers)
        # a lever not considered keeps today's value: its bounds and choices are greyed
        off = {v.key: v.key not in form.considered for v in levers()}
        bounds = [[off[o["id"]["key"]] for o in ctx.outputs_list[i]]
                  for i in (len(FIELDS) + 4, len(FIELDS) + 5)]
        choices = [lever_choices(v, off[v.key]) for o in ctx.outputs_list[len(FIELDS) + 6]
                   for v in levers() if v.key == o["id"]["key"]]
        return ([said.get(f"lever:{k}", "") for k in keys],
                *[said.get(f, "") for f in FIELDS], _general(checked), estimate,
                worlds_note(), *bounds, choices)

    @app.callback(Output("decide-download-spec", "data"),
                  Output("decide-check", "children", allow_duplicate=True),
                  Input("decide-save-spec", "n_clicks"), *DECIDE_FORM,
                  prevent_initial_call=True)
    def save_spec(_clicks: Any, *_states: Any) -> tuple[Any, Any]:
        spec, messages = spec_of(form_of(ctx.states_list))
        if messages:
            return no_update, [html.P("Not saved: fix the fields with a message first.")]
        return dcc.send_string(spec_text(spec), SPEC_FILE), no_update


def _register_runs(app: Dash, studio: Studio) -> None:
    """Starting, following and cancelling a decision."""
    @app.callback(Output("decide-job", "data"), Output("decide-poll", "disabled"),
                  Output("decide-status", "children"),
                  Input("decide-run", "n_clicks"), *DECIDE_FORM, prevent_initial_call=True)
    def start(_clicks: Any, *_states: Any) -> tuple[Any, ...]:
        checked = check(form_of(ctx.states_list))
        if not checked.ok or checked.decision is None:
            first = next(iter(checked.messages.values()), "the form is not complete")
            return no_update, True, f"Cannot start: {first}"
        run = studio.jobs.new_run_name(["decision"])
        try:
            studio.jobs.launch(run, lambda job_dir: [write_spec(job_dir, checked.spec)],
                               decide_job.settings(run, checked.decision, studio.jobs.workers))
        except AlreadyRunningError:
            return no_update, no_update, ("A comparison or decision is already running: wait "
                                          "for it or cancel it.")
        return run, False, f"Started {run}: up to {checked.planned:,} runs…"

    register_following(app, studio, RUN_IDS, decide_job.KIND, WorkingFolder.decisions,
                       "See the decision below.")


def _register_results(app: Dash, studio: Studio) -> None:
    """The decision shown, with its downloads."""
    @app.callback(Output("decide-answer", "children"), Input("decide-pick", "value"))
    def show(run: str | None) -> Any:
        if not run:
            return []
        try:
            folder = studio.folder.decision(run)
            files = decision_options(studio.folder, run)
            has_spec = (studio.folder.job_dir(run) / SPEC_FILE).is_file()
            return decision_blocks(folder, run, files, has_spec)
        except (UserError, OSError, ValueError, KeyError) as exc:
            return [html.P(f"Cannot show {run}: {exc}", className="option-errors")]

