"""What the studio page does as fields change, buttons are pressed and runs progress.

Each callback reads the page's values, hands them to the studio's modules (forms,
options, scenario files, jobs, downloads) and puts words back on the page. Values from
the page are only ever parsed (:func:`studio.forms.parse_value`); option names become
file names only through :func:`studio.options.option_name`.
"""

from __future__ import annotations

import json
from typing import Any

from dash import ALL, MATCH, Dash, Input, Output, State, ctx, dcc, html, no_update

from sim.errors import UserError
from sim.spreadsheet import read_summary
from studio.downloads import OPTION_FILES, option_files
from studio.forms import GROUPS, current_value, plain_value
from studio.layout import checks_block, choice_options, downloads_block, findings_block
from studio.options import DEFAULT_LABELS, MAX_OPTIONS, check_local, check_options, set_overrides
from studio.page_state import PageState, Studio, by_key, read_page, run_settings
from studio.programme import describe, load_start, resolve_start, save_upload, starting_points
from studio.scenario_file import file_name, option_text, write_run_files

PAGE_STATE = "page.json"  # in a run's job folder: labels and changes as the page held them


def _labels(studio: Studio, run: str) -> dict[str, str]:
    """The options' names as the planner typed them, by scenario name, for a run."""
    try:
        page = json.loads((studio.folder.job_dir(run) / PAGE_STATE).read_text("utf-8"))
    except (OSError, ValueError, UserError):
        return {}
    return {str(k): str(v) for k, v in page.get("labels", {}).items()}


# --- callbacks ---------------------------------------------------------------------------
def register(app: Dash, studio: Studio) -> None:
    """Wire the page's callbacks to ``studio``."""
    local_states = [State({"type": "local", "key": ALL}, "value"),
                    State({"type": "local-pick", "key": ALL}, "value")]
    page_states = [State("start", "value"), *local_states, State("option-count", "data"),
                   State({"type": "opt-name", "option": ALL}, "value"),
                   State({"type": "opt-question", "option": ALL}, "value"),
                   State({"type": "num", "option": ALL, "key": ALL}, "value"),
                   State({"type": "pick", "option": ALL, "key": ALL}, "value")]

    def page_from_states() -> PageState:
        s = ctx.states_list
        start_ref = s[0]["value"]
        local = [*s[1], *s[2]]
        count = int(s[3]["value"] or 1)
        names = [e["value"] for e in s[4]]
        questions = [e["value"] for e in s[5]]
        return read_page(studio, start_ref, local, count, names, questions, [*s[6], *s[7]])

    @app.callback(Output("start", "options"), Output("start", "value"),
                  Output("upload-msg", "children"),
                  Input("upload", "contents"), State("upload", "filename"),
                  prevent_initial_call=True)
    def upload(contents: str | None, filename: str | None) -> tuple[Any, Any, Any]:
        if not contents or not filename:
            return no_update, no_update, ""
        try:
            start, question = save_upload(studio.folder, str(filename), contents)
        except UserError as exc:
            return no_update, no_update, f"Not loaded: {exc}"
        return (starting_points(studio.folder), start.ref,
                f"Loaded {start.path.name}: {question}")

    @app.callback(Output("start-about", "children"),
                  Output({"type": "local", "key": ALL}, "placeholder"),
                  Output({"type": "local-pick", "key": ALL}, "options"),
                  Output({"type": "local-msg", "key": ALL}, "children"),
                  Output("local-general", "children"),
                  Input("start", "value"), Input({"type": "local", "key": ALL}, "value"),
                  Input({"type": "local-pick", "key": ALL}, "value"))
    def start_about(start_ref: str, _numbers: list[Any], _picks: list[Any]) -> tuple[Any, ...]:
        number_ids = [o["id"]["key"] for o in ctx.outputs_list[1]]
        pick_ids = [o["id"]["key"] for o in ctx.outputs_list[2]]
        msg_ids = [o["id"]["key"] for o in ctx.outputs_list[3]]
        try:
            start = resolve_start(studio.folder, start_ref)
            scenario = load_start(start)
        except UserError as exc:
            return ([html.P(f"Cannot use this programme: {exc}", className="option-errors")],
                    [""] * len(number_ids), [[] for _ in pick_ids], [""] * len(msg_ids), "")
        raw = {**by_key(ctx.inputs_list[1]), **by_key(ctx.inputs_list[2])}
        local, errors, general = check_local(start, studio.local, raw)
        shown = scenario
        if not errors and not general and local:
            shown = load_start(start, set_overrides(local))
        about = [html.P([html.Strong(f"{start.name}: "), scenario.question]),
                 html.Ul([html.Li(s) for s in describe(shown.params)])]
        if local and shown is not scenario:
            about.insert(1, html.P("With your numbers:", className="meaning"))
        p = scenario.params
        return (about,
                [plain_value(current_value(p, k)) for k in number_ids],
                [choice_options(studio.local[k], current_value(p, k)) for k in pick_ids],
                [errors.get(k, "") for k in msg_ids],
                [html.P(t) for t in general])

    @app.callback(Output({"type": "msg", "option": MATCH, "key": ALL}, "children"),
                  Output({"type": "opt-checks", "option": MATCH}, "children"),
                  Output({"type": "opt-title", "option": MATCH}, "children"),
                  Output({"type": "group-summary", "option": MATCH, "group": ALL}, "children"),
                  Output({"type": "num", "option": MATCH, "key": ALL}, "placeholder"),
                  Output({"type": "pick", "option": MATCH, "key": ALL}, "options"),
                  Input({"type": "num", "option": MATCH, "key": ALL}, "value"),
                  Input({"type": "pick", "option": MATCH, "key": ALL}, "value"),
                  Input({"type": "opt-name", "option": ALL}, "value"),
                  Input("start", "value"),
                  Input({"type": "local", "key": ALL}, "value"),
                  Input({"type": "local-pick", "key": ALL}, "value"),
                  Input("reps", "value"), Input("weeks", "value"))
    def option_checks(*_values: Any) -> tuple[Any, ...]:
        inputs = ctx.inputs_list
        index = int(ctx.outputs_list[1]["id"]["option"])
        msg_ids = [o["id"]["key"] for o in ctx.outputs_list[0]]
        groups = [o["id"]["group"] for o in ctx.outputs_list[3]]
        num_ids = [o["id"]["key"] for o in ctx.outputs_list[4]]
        pick_ids = [o["id"]["key"] for o in ctx.outputs_list[5]]
        names = [e["value"] for e in sorted(inputs[2], key=lambda e: e["id"]["option"])]
        label = str(names[index] or "")[:80] if index < len(names) else ""
        title = label.strip() or DEFAULT_LABELS[index]
        try:
            page = read_page(studio, inputs[3]["value"], [*inputs[4], *inputs[5]], index + 1,
                             names, [], [*inputs[0], *inputs[1]])
            settings, _ = run_settings(page.start, inputs[6]["value"], inputs[7]["value"])
            base = load_start(page.start, [] if page.local_errors
                              else set_overrides(page.local)).params
        except UserError as exc:
            blank = [""] * len(msg_ids)
            return (blank, [html.P(str(exc), className="option-errors")], title,
                    [g.capitalize() for g in groups], [""] * len(num_ids),
                    [no_update] * len(pick_ids))
        option = page.options[index]
        others = page.options[:index]
        checks = check_options(page.start, page.local, [*others, option], settings,
                               page.option_errors[:index + 1])
        check = checks[index]
        changed = {g: sum(1 for k in option.changes if studio.fields[k].group == g)
                   for g in GROUPS}
        summaries = [f"{g.capitalize()}" + (f" ({changed[g]} changed)" if changed[g] else "")
                     for g in groups]
        return ([check.field_errors.get(k, "") for k in msg_ids], checks_block(check), title,
                summaries, [plain_value(current_value(base, k)) for k in num_ids],
                [choice_options(studio.fields[k], current_value(base, k)) for k in pick_ids])

    @app.callback(Output("option-count", "data"),
                  Output({"type": "opt-panel", "option": ALL}, "style"),
                  Input("add-option", "n_clicks"), Input("remove-option", "n_clicks"),
                  State("option-count", "data"))
    def option_count(_add: Any, _remove: Any, count: int) -> tuple[int, list[dict[str, str]]]:
        count = int(count or 1)
        if ctx.triggered_id == "add-option":
            count = min(MAX_OPTIONS, count + 1)
        elif ctx.triggered_id == "remove-option":
            count = max(1, count - 1)
        return count, [{} if i < count else {"display": "none"} for i in range(MAX_OPTIONS)]

    @app.callback(Output("job", "data"), Output("poll", "disabled"),
                  Output("run-status", "children"), Output("run-fields-msg", "children"),
                  Input("run", "n_clicks"), *page_states, State("reps", "value"),
                  State("weeks", "value"), prevent_initial_call=True)
    def start_run(*_values: Any) -> tuple[Any, ...]:
        reps, weeks = ctx.states_list[8]["value"], ctx.states_list[9]["value"]
        try:
            page = page_from_states()
        except UserError as exc:
            return no_update, True, f"Cannot run: {exc}", ""
        settings, run_messages = run_settings(page.start, reps, weeks)
        if run_messages:
            return no_update, True, "Cannot run: fix the replications or horizon.", \
                [html.P(m) for m in run_messages]
        if page.local_errors:
            return no_update, True, "Cannot run: fix the \"make it ours\" numbers first.", ""
        checks = check_options(page.start, page.local, page.options, settings,
                               page.option_errors)
        bad = [f"option {i + 1} ({page.options[i].label})" for i, c in enumerate(checks)
               if not c.ok]
        if bad:
            return no_update, True, "Cannot run: fix " + ", ".join(bad) + " first.", ""
        if studio.jobs.running():
            return no_update, no_update, "A comparison is already running: wait for it or " \
                                         "cancel it.", ""
        run = studio.jobs.new_run_name([c.name for c in checks])
        job_dir = studio.folder.job_dir(run)
        files = write_run_files(job_dir / "options", page.start, page.local, page.options)
        keep = job_dir / OPTION_FILES
        keep.mkdir(parents=True, exist_ok=True)
        for i, (option, check) in enumerate(zip(page.options, checks, strict=True)):
            resolved = check.scenario.params.model_dump(mode="json") if check.scenario else None
            (keep / file_name(option, i)).write_text(
                option_text(page.start, page.local, option, i, True, resolved), "utf-8")
        (keep / "order.txt").write_text(
            "\n".join(file_name(o, i) for i, o in enumerate(page.options)) + "\n", "utf-8")
        (job_dir / PAGE_STATE).write_text(json.dumps({
            "start": page.start.ref, "local": page.local,
            "labels": {c.name: o.label for o, c in zip(page.options, checks, strict=True)},
        }, indent=2), "utf-8")
        first = checks[0].scenario.params.run  # with the run form's values, if given
        reps_n, weeks_n = first.replications, first.weeks
        studio.jobs.start(run, files, reps_n, weeks_n)
        return run, False, f"Started {run}: {len(files)} options × {reps_n} replications × " \
                           f"{weeks_n} weeks…", ""

    @app.callback(Output("job", "data", allow_duplicate=True),
                  Output("poll", "disabled", allow_duplicate=True),
                  Input("step-run", "id"), prevent_initial_call="initial_duplicate")
    def resume(_id: str) -> tuple[Any, Any]:
        """A page opened (or reloaded) while a comparison runs follows its progress."""
        run = studio.jobs.running()
        return (run, False) if run else (no_update, no_update)

    @app.callback(Output("run-status", "children", allow_duplicate=True),
                  Input("cancel", "n_clicks"), State("job", "data"), prevent_initial_call=True)
    def cancel_run(_clicks: Any, run: str | None) -> str:
        if run and studio.jobs.cancel(run):
            return "Cancelled: nothing was written."
        return "Nothing is running."

    @app.callback(Output("progress", "value"), Output("progress", "max"),
                  Output("run-status", "children", allow_duplicate=True),
                  Output("poll", "disabled", allow_duplicate=True),
                  Output("results-pick", "options"), Output("results-pick", "value"),
                  Output("run", "disabled"), Output("cancel", "disabled"),
                  Input("poll", "n_intervals"), State("job", "data"),
                  prevent_initial_call=True)
    def poll(_n: Any, run: str | None) -> tuple[Any, ...]:
        if not run:
            return no_update, no_update, no_update, True, no_update, no_update, False, True
        status = studio.jobs.status(run)
        planned = max(status.planned, 1)
        if not status.finished:
            return (str(status.done), str(planned), status.message, False, no_update,
                    no_update, True, False)
        runs = studio.folder.results_folders()
        options = [{"label": r, "value": r} for r in runs]
        if status.state == "done":
            done = [f"Done: {run}. ", html.A("See the results below.", href="#step-results")]
            return (str(planned), str(planned), done, True, options, run, False, True)
        return (str(status.done), str(planned), status.message, True, options, no_update,
                False, True)

    @app.callback(Output("findings", "children"), Output("result-downloads", "children"),
                  Output("dashboard-frame", "src"), Output("dashboard-frame", "style"),
                  Input("results-pick", "value"))
    def show_results(run: str | None) -> tuple[Any, ...]:
        hidden = {"display": "none"}
        if not run:
            return [], [], "", hidden
        try:
            folder = studio.folder.results(run)
            summary = read_summary(folder)
        except UserError as exc:
            return [html.P(str(exc))], [], "", hidden
        src = f"/studio/results/{run}/dashboard.html"
        shown = {} if (folder / "dashboard.html").is_file() else hidden
        return findings_block(summary, _labels(studio, run)), \
            downloads_block(run, option_files(studio.folder, run)), \
            src if shown == {} else "", shown

    @app.callback(Output("download", "data"),
                  Input({"type": "opt-download", "option": ALL}, "n_clicks"), *page_states,
                  prevent_initial_call=True)
    def download_option(clicks: list[Any], *_states: Any) -> Any:
        if not ctx.triggered_id or not any(clicks):
            return no_update
        index = int(ctx.triggered_id["option"])
        try:
            page = page_from_states()
        except UserError:
            return no_update
        if index >= len(page.options):
            return no_update
        option = page.options[index]
        check = check_options(page.start, page.local, page.options[:index + 1], None,
                              page.option_errors[:index + 1])[index]
        if check.scenario is None:
            return no_update
        resolved = check.scenario.params.model_dump(mode="json")
        text = option_text(page.start, page.local, option, index, True, resolved)
        return dcc.send_string(text, file_name(option, index))
