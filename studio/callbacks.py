"""What the studio page does as fields change, buttons are pressed and runs progress.

Each callback reads the page's values, hands them to the studio's modules (forms,
options, scenario files, jobs, downloads) and puts words back on the page. Values from
the page are only ever parsed (:func:`studio.forms.parse_value`); option names become
file names only through :func:`studio.scenario_file.file_names`.

The form's values travel as a :class:`studio.form_state.Form`: collected from the page
(:func:`studio.page_state.form_of`), kept in the browser as they change (``remember``,
then ``localStorage``), and put back into the fields by one callback (``fill``) from
whatever asks: the browser's copy when the page opens, a saved comparison file, earlier
results, or a one-click option.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from dash import ALL, MATCH, Dash, Input, Output, State, ctx, dcc, html, no_update, set_props

from sim.errors import UserError
from sim.findings import manifest_worlds, not_calibrated_notes
from sim.spreadsheet import read_manifest, read_summary
from studio.downloads import OPTION_FILES, option_files
from studio.folder import WorkingFolder
from studio.following import register_following
from studio.form_state import ComparisonFileError, Form, comparison_text, read_comparison
from studio.form_state import Option as TypedOption
from studio.forms import GROUPS, current_value, plain_value
from studio.jobs import COMPARE, AlreadyRunningError, estimate_text, planned_runs
from studio.layout import (
    RUN_IDS,
    across_block,
    checks_block,
    choice_options,
    downloads_block,
    findings_block,
)
from studio.options import DEFAULT_LABELS, MAX_OPTIONS, check_local, check_options, set_overrides
from studio.page_state import (
    PageState,
    Studio,
    by_key,
    form_of,
    read_page,
    run_settings,
    staff_split,
    world_settings,
)
from studio.programme import describe, load_start, resolve_start, save_upload, starting_points
from studio.quick_options import QUICK_OPTIONS
from studio.scenario_file import file_name, file_names, option_text, write_run_files

PAGE_STATE = "page.json"  # in a run's job folder: the form as it was when the run started
STORAGE_KEY = "mentorsim-studio-form"  # the browser's copy of the form (localStorage)

# The page's values, as the states of a callback that reads the whole form.
FORM_STATES = [State("start", "value"), State({"type": "local", "key": ALL}, "value"),
               State({"type": "local-pick", "key": ALL}, "value"),
               State("staff-total", "value"), State("option-count", "data"),
               State({"type": "opt-name", "option": ALL}, "value"),
               State({"type": "opt-question", "option": ALL}, "value"),
               State({"type": "num", "option": ALL, "key": ALL}, "value"),
               State({"type": "pick", "option": ALL, "key": ALL}, "value"),
               State("reps", "value"), State("weeks", "value"),
               State("worlds", "value"), State("world-reps", "value")]


def _form(lists: list[Any]) -> Form:
    """The form from the thirteen entries of :data:`FORM_STATES` (as ``ctx.states_list``
    or ``ctx.inputs_list`` give them)."""
    (start, local, picks, staff, count, names, questions, nums, choices, reps,
     weeks, worlds, world_reps) = lists[:13]
    return form_of(start["value"], [*local, *picks], staff["value"], count["value"],
                   names, questions, [*nums, *choices], reps["value"], weeks["value"],
                   worlds["value"], world_reps["value"])


def _decoded(contents: str, filename: str) -> bytes:
    try:
        return base64.b64decode(contents.split(",", 1)[-1], validate=True)
    except (binascii.Error, ValueError):
        raise ComparisonFileError(f"{filename}: the upload arrived damaged; try again") from None


def _saved_form(studio: Studio, run: str) -> Form:
    """The form a run was started from (kept in its job folder)."""
    try:
        data = json.loads((studio.folder.job_dir(run) / PAGE_STATE).read_text("utf-8"))
    except (OSError, ValueError):
        raise ComparisonFileError(
            f"{run}: these results were not made in the studio (or are from an older "
            "version), so their options cannot be put back in the form; open the option "
            "files with \u201cUpload a scenario file\u201d instead") from None
    return Form.from_json(data, run)


# --- callbacks ---------------------------------------------------------------------------
def register(app: Dash, studio: Studio) -> None:
    """Wire the page's callbacks to ``studio``."""
    from studio import decide_callbacks

    _register_form(app, studio)
    _register_checks(app, studio)
    _register_runs(app, studio)
    _register_results(app, studio)
    decide_callbacks.register(app, studio)


def _register_form(app: Dash, studio: Studio) -> None:
    """Keeping, filling, saving and opening the form."""
    # When the page opens: the browser's copy of the form, if it has one.
    app.clientside_callback(
        f"""function (_id) {{
            try {{
                var kept = window.localStorage.getItem({json.dumps(STORAGE_KEY)});
                return kept ? JSON.parse(kept) : window.dash_clientside.no_update;
            }} catch (e) {{ return window.dash_clientside.no_update; }}
        }}""",
        Output("form-fill", "data"), Input("step-start", "id"))
    # As the form changes: written to the browser's storage.
    app.clientside_callback(
        f"""function (form) {{
            if (form) {{
                try {{ window.localStorage.setItem({json.dumps(STORAGE_KEY)},
                                                    JSON.stringify(form)); }} catch (e) {{}}
            }}
            return Date.now();
        }}""",
        Output("persisted", "data"), Input("remembered", "data"), prevent_initial_call=True)

    inputs = [Input(s.component_id, s.component_property) for s in FORM_STATES]

    @app.callback(Output("remembered", "data"), *inputs, prevent_initial_call=True)
    def remember(*_values: Any) -> Any:
        return _form(ctx.inputs_list).to_json()

    # The fields are set with set_props, not declared as outputs: a callback with every
    # field of the page as its outputs costs the browser seconds each time the page opens,
    # and only the fields whose value changes are set.
    @app.callback(Output("form-msg", "children", allow_duplicate=True),
                  Input("form-fill", "data"), *FORM_STATES, prevent_initial_call=True)
    def fill(data: Any, *_states: Any) -> Any:
        """Put a form into the page: only the fields whose value changes are set."""
        if data is None:  # nothing kept yet
            return no_update
        try:
            form = Form.from_json(data, "the kept form")
        except ComparisonFileError as exc:  # nothing filled: each field left as it is
            return str(exc)
        states = list(ctx.states_list)
        count = int(states[4]["value"] or 1)
        states[4] = {**states[4], "value": MAX_OPTIONS}  # hidden panels' values too
        now = _form(states)
        starts = {o["value"] for o in starting_points(studio.folder)}
        changes: dict[Any, dict[str, Any]] = {}

        def put(id_: Any, value: Any, was: Any, prop: str = "value") -> None:
            if value != was:
                changes[json.dumps(id_, sort_keys=True) if isinstance(id_, dict) else id_] = \
                    {"id": id_, prop: value}

        if form.start in starts:
            put("start", form.start, now.start)
        for key, f in studio.local.items():
            kind = "local" if f.kind in ("number", "integer") else "local-pick"
            put({"type": kind, "key": key}, form.local.get(key, ""), now.local.get(key, ""))
        put("staff-total", form.staff_total, now.staff_total)
        put("option-count", len(form.options), count, "data")
        for i, old in enumerate(now.options):
            new = form.options[i] if i < len(form.options) else None
            put({"type": "opt-name", "option": i}, new.name if new else DEFAULT_LABELS[i],
                old.name)
            put({"type": "opt-question", "option": i}, new.question if new else "",
                old.question)
            for key in set(new.fields if new else ()) | set(old.fields):
                if key not in studio.fields:
                    continue
                kind = "num" if studio.fields[key].kind in ("number", "integer") else "pick"
                put({"type": kind, "option": i, "key": key},
                    new.fields.get(key, "") if new else "", old.fields.get(key, ""))
        put("reps", form.replications, now.replications)
        put("weeks", form.weeks, now.weeks)
        put("worlds", form.worlds, now.worlds)
        put("world-reps", form.world_replications, now.world_replications)
        for change in changes.values():
            id_ = change.pop("id")
            set_props(id_, change)
        if form.start in starts:
            # what filled the form (a file opened, earlier results put back) says so in
            # the same message line; clearing it here would race with that message
            return no_update
        return (f"{form.start.partition(':')[2]}: that programme is no longer here; the "
                "options were put back on the programme shown")

    @app.callback(Output("form-fill", "data", allow_duplicate=True),
                  Input({"type": "quick", "preset": ALL}, "n_clicks"), *FORM_STATES,
                  prevent_initial_call=True)
    def quick_add(clicks: list[Any], *_states: Any) -> Any:
        """One click adds a named option with its changes: into the first option that
        is still empty, else a new one."""
        if not ctx.triggered_id or not any(clicks):
            return no_update
        quick = QUICK_OPTIONS[int(ctx.triggered_id["preset"])]
        form = _form(ctx.states_list)
        try:
            page = read_page(studio, form)
            base = load_start(page.start, [] if page.local_errors
                              else set_overrides(page.local)).params
        except UserError:
            return no_update
        option = TypedOption(quick.name, "", quick.fields(base))
        empty = [i for i, o in enumerate(form.options) if i and not o.fields
                 and o.name in ("", DEFAULT_LABELS[i])]
        if empty:
            form.options[empty[0]] = option
        elif len(form.options) < MAX_OPTIONS:
            form.options.append(option)
        else:
            return no_update
        return form.to_json()

    @app.callback(Output("download-form", "data"), Input("save-form", "n_clicks"),
                  *FORM_STATES, prevent_initial_call=True)
    def save_form(_clicks: Any, *_states: Any) -> Any:
        form = _form(ctx.states_list)
        return dcc.send_string(comparison_text(form), "comparison.json")

    @app.callback(Output("form-fill", "data", allow_duplicate=True),
                  Output("form-msg", "children", allow_duplicate=True),
                  Input("open-form", "contents"), State("open-form", "filename"),
                  prevent_initial_call=True)
    def open_form(contents: str | None, filename: str | None) -> tuple[Any, Any]:
        if not contents or not filename:
            return no_update, ""
        try:
            form = read_comparison(_decoded(contents, filename), filename)
        except ComparisonFileError as exc:
            return no_update, f"Not opened: {exc}"
        return form.to_json(), f"Opened {filename}: its programme and options are in the form."

    @app.callback(Output("form-fill", "data", allow_duplicate=True),
                  Output("form-msg", "children", allow_duplicate=True),
                  Input("reopen", "n_clicks"), State("results-pick", "value"),
                  prevent_initial_call=True)
    def reopen(_clicks: Any, run: str | None) -> tuple[Any, Any]:
        if not run:
            return no_update, ""
        try:
            form = _saved_form(studio, run)
        except UserError as exc:
            return no_update, str(exc)
        return form.to_json(), f"The options of {run} are back in the form."

    @app.callback(Output("option-count", "data"),
                  Input("add-option", "n_clicks"), Input("remove-option", "n_clicks"),
                  State("option-count", "data"), prevent_initial_call=True)
    def option_count(_add: Any, _remove: Any, count: int) -> int:
        count = int(count or 1)
        if ctx.triggered_id == "add-option":
            return min(MAX_OPTIONS, count + 1)
        return max(1, count - 1)

    @app.callback(Output({"type": "opt-panel", "option": ALL}, "style"),
                  Input("option-count", "data"))
    def panels(count: Any) -> list[dict[str, str]]:
        shown = int(count or 1)
        return [{} if i < shown else {"display": "none"} for i in range(MAX_OPTIONS)]


def _register_checks(app: Dash, studio: Studio) -> None:
    """Messages as the planner types: the programme, "make it ours", each option."""
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
                  Output("staff-total", "placeholder"),
                  Output("staff-total-msg", "children"), Output("staff-total-note", "children"),
                  Input("start", "value"), Input({"type": "local", "key": ALL}, "value"),
                  Input({"type": "local-pick", "key": ALL}, "value"),
                  Input("staff-total", "value"))
    def start_about(start_ref: str, _numbers: list[Any], _picks: list[Any],
                    staff_total: Any) -> tuple[Any, ...]:
        number_ids = [o["id"]["key"] for o in ctx.outputs_list[1]]
        pick_ids = [o["id"]["key"] for o in ctx.outputs_list[2]]
        msg_ids = [o["id"]["key"] for o in ctx.outputs_list[3]]
        try:
            start = resolve_start(studio.folder, start_ref)
            scenario = load_start(start)
        except UserError as exc:
            return ([html.P(f"Cannot use this programme: {exc}", className="option-errors")],
                    [""] * len(number_ids), [[] for _ in pick_ids], [""] * len(msg_ids), "",
                    "", "", "")
        typed = {**by_key(ctx.inputs_list[1]), **by_key(ctx.inputs_list[2])}
        typed = {k: "" if v is None else str(v) for k, v in typed.items()}
        split, note, staff_message = staff_split(start, typed, str(staff_total or ""))
        raw = {**typed, **{k: v for k, v in split.items() if not typed.get(k)}}
        local, errors, general = check_local(start, studio.local, raw)
        shown = scenario
        if not errors and not general and local and not staff_message:
            shown = load_start(start, set_overrides(local))
        about = [html.P([html.Strong(f"{start.name}: "), scenario.question]),
                 html.Ul([html.Li(s) for s in describe(shown.params)])]
        if local and shown is not scenario:
            about.insert(1, html.P("With your numbers:", className="meaning"))
        p = scenario.params
        posts = sum(float(current_value(p, k)) for k in ("staff.coordinators_fte",
                                                         "staff.supervisors_fte"))
        return (about,
                [split.get(k) or plain_value(current_value(p, k)) for k in number_ids],
                [choice_options(studio.local[k], current_value(p, k)) for k in pick_ids],
                [errors.get(k, "") for k in msg_ids],
                [html.P(t) for t in general], f"{posts:g}", staff_message, note)

    @app.callback(Output({"type": "msg", "option": MATCH, "key": ALL}, "children"),
                  Output({"type": "opt-checks", "option": MATCH}, "children"),
                  Output({"type": "opt-title", "option": MATCH}, "children"),
                  Output({"type": "opt-name-msg", "option": MATCH}, "children"),
                  Output({"type": "group-summary", "option": MATCH, "group": ALL}, "children"),
                  Output({"type": "num", "option": MATCH, "key": ALL}, "placeholder"),
                  Output({"type": "pick", "option": MATCH, "key": ALL}, "options"),
                  Input({"type": "num", "option": MATCH, "key": ALL}, "value"),
                  Input({"type": "pick", "option": MATCH, "key": ALL}, "value"),
                  Input({"type": "opt-name", "option": ALL}, "value"),
                  Input("start", "value"),
                  Input({"type": "local", "key": ALL}, "value"),
                  Input({"type": "local-pick", "key": ALL}, "value"),
                  Input("staff-total", "value"),
                  Input("reps", "value"), Input("weeks", "value"))
    def option_checks(*_values: Any) -> tuple[Any, ...]:
        inputs = ctx.inputs_list
        index = int(ctx.outputs_list[1]["id"]["option"])
        msg_ids = [o["id"]["key"] for o in ctx.outputs_list[0]]
        groups = [o["id"]["group"] for o in ctx.outputs_list[4]]
        num_ids = [o["id"]["key"] for o in ctx.outputs_list[5]]
        pick_ids = [o["id"]["key"] for o in ctx.outputs_list[6]]
        names = sorted(inputs[2], key=lambda e: e["id"]["option"])
        label = str(names[index]["value"] or "")[:80] if index < len(names) else ""
        title = " ".join(label.split()) or DEFAULT_LABELS[index]
        form = form_of(inputs[3]["value"], [*inputs[4], *inputs[5]], inputs[6]["value"],
                       index + 1, names, [], [*inputs[0], *inputs[1]], inputs[7]["value"],
                       inputs[8]["value"])
        try:
            page = read_page(studio, form)
            settings, _ = run_settings(page.start, inputs[7]["value"], inputs[8]["value"])
            base = load_start(page.start, [] if page.local_errors
                              else set_overrides(page.local)).params
        except UserError as exc:
            blank = [""] * len(msg_ids)
            return (blank, [html.P(str(exc), className="option-errors")], title, "",
                    [g.capitalize() for g in groups], [""] * len(num_ids),
                    [no_update] * len(pick_ids))
        option = page.options[index]
        checks = check_options(page.start, page.local, page.options[:index + 1], settings,
                               page.option_errors[:index + 1])
        check = checks[index]
        changed = {g: sum(1 for k in option.changes if studio.fields[k].group == g)
                   for g in GROUPS}
        summaries = [f"{g.capitalize()}" + (f" ({changed[g]} changed)" if changed[g] else "")
                     for g in groups]
        return ([check.field_errors.get(k, "") for k in msg_ids], checks_block(check), title,
                check.name_error, summaries,
                [plain_value(current_value(base, k)) for k in num_ids],
                [choice_options(studio.fields[k], current_value(base, k)) for k in pick_ids])

    @app.callback(Output("reps-msg", "children"), Output("weeks-msg", "children"),
                  Output("reps", "placeholder"), Output("weeks", "placeholder"),
                  Output("estimate", "children"),
                  Output("worlds-msg", "children"), Output("world-reps-msg", "children"),
                  Output("worlds-note", "children"), Output("worlds", "placeholder"),
                  Output("world-reps", "placeholder"),
                  Input("reps", "value"), Input("weeks", "value"), Input("start", "value"),
                  Input("option-count", "data"), Input("worlds", "value"),
                  Input("world-reps", "value"))
    def run_form(reps: Any, weeks: Any, start_ref: str, count: Any, worlds: Any,
                 world_reps: Any) -> tuple[Any, ...]:
        """The run form's messages as it is typed, its defaults, the plausible worlds
        stored, and how long a run of it would take on this machine (its runs in worlds
        counted)."""
        from sim.across_worlds import DEFAULT_WORLD_REPS

        in_worlds, world_messages, note = world_settings(worlds, world_reps)
        said = (world_messages.get("worlds", ""), world_messages.get("world_replications", ""),
                note, "0 (none)", f"{DEFAULT_WORLD_REPS}")
        try:
            start = resolve_start(studio.folder, start_ref)
            own = load_start(start).params.run
        except UserError:
            return "", "", "", "", "", *said
        settings, messages = run_settings(start, reps, weeks)
        replications = settings.get("replications", own.replications)
        horizon = settings.get("weeks", own.weeks)
        runs = planned_runs(max(1, int(count or 1)), replications,
                            in_worlds.get("worlds", 0), in_worlds.get("world_replications", 0))
        return (messages.get("replications", ""), messages.get("weeks", ""),
                f"{own.replications} (the programme's)", f"{own.weeks} (the programme's)",
                estimate_text(runs, horizon, studio.jobs.workers), *said)


def _register_runs(app: Dash, studio: Studio) -> None:
    """Starting, following and cancelling the run."""
    @app.callback(Output("job", "data"), Output("poll", "disabled"),
                  Output("run-status", "children"),
                  Input("run", "n_clicks"), *FORM_STATES, prevent_initial_call=True)
    def start_run(*_values: Any) -> tuple[Any, ...]:
        form = _form(ctx.states_list[0:])
        try:
            page = read_page(studio, form)
        except UserError as exc:
            return no_update, True, f"Cannot run: {exc}"
        settings, run_messages = run_settings(page.start, form.replications, form.weeks)
        if run_messages:
            return no_update, True, "Cannot run: fix the replications or horizon (see the " \
                                    "message beside it)."
        in_worlds, world_messages, _note = world_settings(form.worlds, form.world_replications)
        if world_messages:
            return no_update, True, "Cannot run: fix the plausible worlds or the replications " \
                                    "in each world (see the message beside it)."
        if page.local_errors:
            return no_update, True, "Cannot run: fix the \u201cmake it ours\u201d numbers " \
                                    "first (see the messages beside them)."
        checks = check_options(page.start, page.local, page.options, settings,
                               page.option_errors)
        bad = [f"option {i + 1} ({c.name})" for i, c in enumerate(checks) if not c.ok]
        if bad:
            return no_update, True, "Cannot run: fix " + ", ".join(bad) + " first (see the " \
                                    "messages beside the fields)."
        run = studio.jobs.new_run_name([c.name for c in checks])
        first = checks[0].scenario.params.run  # with the run form's values, if given
        names = file_names(page.options)

        def prepare(job_dir: Any) -> list[Any]:
            files = write_run_files(job_dir / "options", page.start, page.local, page.options)
            keep = job_dir / OPTION_FILES
            keep.mkdir(parents=True, exist_ok=True)
            for i, (option, check, name) in enumerate(zip(page.options, checks, names,
                                                          strict=True)):
                resolved = check.scenario.params.model_dump(mode="json") \
                    if check.scenario else None
                (keep / name).write_text(
                    option_text(page.start, page.local, option, i, True, resolved), "utf-8")
            (keep / "order.txt").write_text("\n".join(names) + "\n", "utf-8")
            (job_dir / PAGE_STATE).write_text(json.dumps(form.to_json(), indent=2), "utf-8")
            return files

        worlds, world_reps = in_worlds["worlds"], in_worlds["world_replications"]
        try:
            studio.jobs.start(run, prepare, first.replications, first.weeks, worlds=worlds,
                              world_replications=world_reps)
        except AlreadyRunningError:
            return no_update, no_update, "A comparison or decision is already running: " \
                                         "wait for it or cancel it."
        across = (f", and in {worlds} plausible world{'s' if worlds != 1 else ''} × "
                  f"{world_reps} replication{'s' if world_reps != 1 else ''}" if worlds else "")
        return run, False, f"Started {run}: {len(checks)} options × {first.replications} " \
                           f"replications × {first.weeks} weeks{across}…"

    # A run refused for a field: the first message is opened, scrolled to and focused.
    app.clientside_callback(
        """function (status) {
            var text = (typeof status === 'string') ? status : '';
            if (text.indexOf('Cannot run') !== 0) { return window.dash_clientside.no_update; }
            var found = Array.from(document.querySelectorAll(
                '.field-msg, .option-errors, .local-general')).find(function (el) {
                    return el.textContent.trim() && el.offsetParent !== null ||
                           el.textContent.trim() && el.closest('details');
                });
            if (!found) { return window.dash_clientside.no_update; }
            var details = found.closest('details');
            while (details) { details.open = true; details = details.parentElement &&
                              details.parentElement.closest('details'); }
            var field = found.closest('.field, .naming, .run-fields, .option') || found;
            field.scrollIntoView({block: 'center'});
            var input = field.querySelector('input');
            if (input) { input.focus({preventScroll: true}); }
            return Date.now();
        }""",
        Output("scrolled", "data"), Input("run-status", "children"), prevent_initial_call=True)

    register_following(app, studio, RUN_IDS, COMPARE, WorkingFolder.results_folders,
                       "See the results below.")


def _register_results(app: Dash, studio: Studio) -> None:
    """The results shown and the files to take away."""
    @app.callback(Output("findings", "children"), Output("result-downloads", "children"),
                  Output("dashboard-frame", "src"), Output("dashboard-frame", "style"),
                  Output("reopen", "disabled"),
                  Input("results-pick", "value"))
    def show_results(run: str | None) -> tuple[Any, ...]:
        hidden = {"display": "none"}
        if not run:
            return [], [], "", hidden, True
        try:
            folder = studio.folder.results(run)
            summary = read_summary(folder)
        except UserError as exc:
            return [html.P(str(exc))], [], "", hidden, True
        try:
            manifest = read_manifest(folder)
        except UserError:  # a damaged manifest: the caveat claims no more than one set
            manifest = {}
        from sim.across_worlds import read as read_across

        try:
            across = across_block(read_across(folder))
        except UserError as exc:  # a damaged across_worlds.csv: said where it would be
            across = [html.P(str(exc))]
        src = f"/studio/results/{run}/dashboard.html"
        shown = {} if (folder / "dashboard.html").is_file() else hidden
        found = findings_block(summary, manifest_worlds(manifest),
                               not_calibrated_notes(manifest))
        return found + across, \
            downloads_block(run, option_files(studio.folder, run)), \
            src if shown == {} else "", shown, False

    @app.callback(Output("download", "data"),
                  Input({"type": "opt-download", "option": ALL}, "n_clicks"), *FORM_STATES,
                  prevent_initial_call=True)
    def download_option(clicks: list[Any], *_states: Any) -> Any:
        if not ctx.triggered_id or not any(clicks):
            return no_update
        index = int(ctx.triggered_id["option"])
        try:
            page: PageState = read_page(studio, _form(ctx.states_list))
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
        return dcc.send_string(text, file_names(page.options)[index]
                               if index < len(page.options) else file_name(option, index))
