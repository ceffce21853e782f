"""The studio page: four steps, from a starting programme to results to take away.

Component ids are plain strings for single components and dictionaries for the repeated
ones (Dash pattern matching): ``{"type": "num", "option": 1, "key": "funding.
grant_term_years"}`` is option 2's grant-length field. :mod:`studio.callbacks` fills in
everything that depends on the starting programme. Every text that comes from a planner
is given to Dash as a string child, which React escapes; the page never renders markup
from a form.

Nothing typed is lost: the page's values are kept in the browser (``localStorage``) as
they change and put back when the page is opened again (:mod:`studio.callbacks`); a
comparison can be saved to a file and opened again, or put back from its results.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from dash import dcc, html

from sim.findings import caveat, key_findings
from studio.downloads import DOWNLOADS
from studio.folder import WorkingFolder
from studio.forms import GROUPS, Field, choice_id, format_value, lever_fields, local_fields
from studio.options import DEFAULT_LABELS, MAX_OPTIONS, Check
from studio.programme import starting_points
from studio.quick_options import QUICK_OPTIONS
from studio.run_controls import RunIds, results_picker, run_controls

DEFAULT_START = "bundled:baseline"
DEFAULT_OPTIONS = 2
RUN_IDS = RunIds(run="run", cancel="cancel", progress="progress", status="run-status",
                 poll="poll", job="job", step="step-run", pick="results-pick",
                 results="step-results")


def _help(field: Field) -> html.Details:
    """Meaning, range and source, and the key a scenario file writes (the secondary name)."""
    return html.Details([html.Summary("About this number"), html.P(field.help),
                         html.P(["In a scenario file: ", html.Code(field.key, className="key")],
                                className="meaning")], className="help")


def field_input(field: Field, id_: dict[str, Any], msg_id: dict[str, Any]) -> html.Div:
    """One field: its label and unit (:func:`sim.labels.title`), the input (text for
    numbers, radio buttons for yes/no and choices, the first meaning "as the programme"),
    its message and help."""
    title = html.Label(field.title, htmlFor=_dom_id(id_))
    if field.kind in ("number", "integer"):
        control: Any = dcc.Input(id=id_, type="text", inputMode="decimal", value="",
                                 autoComplete="off", debounce=False, maxLength=100,
                                 className="number")
        return html.Div([
            title, html.Div(field.meaning, className="meaning"), control,
            html.Div(id=msg_id, className="field-msg", role="alert"), _help(field),
        ], className="field", **{"data-key": field.key})
    # a choice is a group of radio buttons, named by its fieldset's legend
    control = dcc.RadioItems(id=id_, value="", inline=True, className="choices",
                             options=choice_options(field, None))
    return html.Fieldset([
        html.Legend(field.title), html.Div(field.meaning, className="meaning"), control,
        html.Div(id=msg_id, className="field-msg", role="alert"), _help(field),
    ], className="field", **{"data-key": field.key})


def choice_options(field: Field, current: Any) -> list[dict[str, str]]:
    """Radio options for a yes/no or choice field: "as the programme" first."""
    now = f" ({format_value(current)})" if current is not None else ""
    return [{"label": f"as the programme{now}", "value": ""}] + [
        {"label": format_value(c), "value": choice_id(c)} for c in field.choices]


def _dom_id(id_: dict[str, Any]) -> str:
    """The DOM id Dash gives a component with a dictionary id (for ``<label for>``)."""
    import json

    return json.dumps(id_, sort_keys=True, separators=(",", ":"))


def staff_total_field() -> html.Div:
    """"Staff in all": one number a planner may count staff in, split into the two kinds
    of post (:func:`studio.page_state.staff_split`)."""
    return html.Div([
        html.Label("Staff in all (full-time equivalent per agency)", htmlFor="staff-total"),
        html.Div("If you count your staff as one number (\u201c1.5 staff\u201d), type it "
                 "here: it is split into coordinator posts (recruiting, matching and "
                 "supporting relationships) and supervisor posts (supervising mentors).",
                 className="meaning"),
        dcc.Input(id="staff-total", type="text", inputMode="decimal", value="",
                  autoComplete="off", maxLength=20, className="number"),
        html.Div(id="staff-total-msg", className="field-msg", role="alert"),
        html.Div(id="staff-total-note", className="meaning", role="status"),
    ], className="field staff-total", **{"data-key": "staff-total"})


def upload_zone(id_: str, what: str, accept: str) -> html.Div:
    """A drop zone for one file; its file input is named after it (assets/a11y.js)."""
    return html.Div(dcc.Upload(id=id_, accept=accept, multiple=False, max_size=256 * 1024,
                               className="upload", children=html.Div(
                                   [f"{what}: drop it here or ", html.A("choose a file")])),
                    **{"data-upload-label": what})


def start_section(folder: WorkingFolder) -> html.Section:
    """Step 1: the starting programme and "make it ours"."""
    local: list[Any] = []
    for f in local_fields():
        if f.key == "staff.coordinators_fte":
            local.append(staff_total_field())
        local.append(field_input(f, {"type": "local" if f.kind in ("number", "integer")
                                     else "local-pick", "key": f.key},
                                 {"type": "local-msg", "key": f.key}))
    return html.Section([
        html.H2("1. Start from a programme"),
        html.P("Pick a bundled scenario, or a scenario file from the working folder (or "
               "upload one). Every option below starts from it."),
        html.Label("Programme to start from", htmlFor="start", className="sr-label"),
        dcc.Dropdown(id="start", options=starting_points(folder), value=DEFAULT_START,
                     clearable=False, searchable=True, className="start-pick"),
        upload_zone("upload", "Upload a scenario file (.toml)", ".toml"),
        html.Div(id="upload-msg", className="field-msg", role="alert"),
        html.Div(id="start-about", className="about"),
        html.H3("Make it ours"),
        html.P("The numbers that describe your programme; leave a box empty to keep the "
               "programme's own value (shown in grey). They apply to every option."),
        html.Div(local, className="fields local"),
        html.Div(id="local-general", className="option-errors", role="alert"),
    ], id="step-start")


def option_panel(index: int, groups: dict[str, list[Field]]) -> html.Div:
    """One option's panel: name, question, lever groups and its checks."""
    def one(field: Field) -> html.Div:
        kind = "num" if field.kind in ("number", "integer") else "pick"
        return field_input(field, {"type": kind, "option": index, "key": field.key},
                           {"type": "msg", "option": index, "key": field.key})

    blocks = [html.Details([
        html.Summary(id={"type": "group-summary", "option": index, "group": group},
                     children=group.capitalize()),
        html.P(GROUPS[group], className="meaning"),
        html.Div([one(f) for f in fields], className="fields"),
    ], className="group", **{"data-group": group}) for group, fields in groups.items()]
    reference = " (the reference: every other option is compared with it)" if index == 0 else ""
    return html.Div([
        html.H3(id={"type": "opt-title", "option": index}, children=DEFAULT_LABELS[index]),
        html.P(f"Option {index + 1}{reference}", className="meaning"),
        html.Div([
            html.Label("Name", htmlFor=_dom_id({"type": "opt-name", "option": index})),
            dcc.Input(id={"type": "opt-name", "option": index}, type="text", maxLength=80,
                      value=DEFAULT_LABELS[index], debounce=False, className="name"),
            html.Div(id={"type": "opt-name-msg", "option": index}, className="field-msg",
                     role="alert"),
            html.Label("Question it answers (optional)",
                       htmlFor=_dom_id({"type": "opt-question", "option": index})),
            dcc.Input(id={"type": "opt-question", "option": index}, type="text",
                      maxLength=300, value="", debounce=True, className="question"),
        ], className="naming"),
        *blocks,
        html.Div(id={"type": "opt-checks", "option": index}, className="checks",
                 role="status"),
        html.Button("Download this option as a scenario file",
                    id={"type": "opt-download", "option": index}, className="secondary"),
    ], id={"type": "opt-panel", "option": index}, className="option")


def options_section() -> html.Section:
    """Step 2: up to five options, each a set of lever changes."""
    groups = lever_fields()
    quick = [html.Button(q.name, id={"type": "quick", "preset": i}, className="secondary",
                         title="Adds an option with this change, named so")
             for i, q in enumerate(QUICK_OPTIONS)]
    return html.Section([
        html.H2("2. Options to compare"),
        html.P(f"Up to {MAX_OPTIONS} options. Each is the starting programme with the changes "
               "you type; leave a box empty for no change. Open a group to see its "
               "numbers; messages appear beside a number as you type, and capacity and "
               "money warnings under each option."),
        html.Div([html.Span("Add an option in one click:", className="quick-label"), *quick],
                 className="buttons quick", role="group",
                 **{"aria-label": "Add an option in one click"}),
        html.Div([html.Button("Add an empty option", id="add-option", className="secondary"),
                  html.Button("Remove the last option", id="remove-option",
                              className="secondary")], className="buttons"),
        dcc.Store(id="option-count", data=DEFAULT_OPTIONS),
        html.Div([option_panel(i, groups) for i in range(MAX_OPTIONS)], className="options"),
    ], id="step-options")


def run_section() -> html.Section:
    """Step 3: replications, horizon, plausible worlds, run, progress and cancel."""
    return html.Section([
        html.H2("3. Run"),
        html.P("Every option runs on the same random numbers (paired replications), in the "
               "background: the page stays usable while it runs. With plausible worlds, "
               "every option also runs in each of them (parameter sets the calibration "
               "targets do not rule out), so the findings take in uncertainty in the "
               "model's parameters."),
        html.Div([
            html.Label("Replications (runs of each option)", htmlFor="reps"),
            dcc.Input(id="reps", type="text", inputMode="numeric", value="", maxLength=6,
                      className="number"),
            html.Div(id="reps-msg", className="field-msg", role="alert"),
            html.Label("Horizon (weeks)", htmlFor="weeks"),
            dcc.Input(id="weeks", type="text", inputMode="numeric", value="", maxLength=6,
                      className="number"),
            html.Div(id="weeks-msg", className="field-msg", role="alert"),
            html.Label("Plausible worlds (0 = none)", htmlFor="worlds"),
            dcc.Input(id="worlds", type="text", inputMode="numeric", value="", maxLength=6,
                      className="number"),
            html.Div(id="worlds-msg", className="field-msg", role="alert"),
            html.Div(id="worlds-note", className="meaning", role="status"),
            html.Label("Replications in each world", htmlFor="world-reps"),
            dcc.Input(id="world-reps", type="text", inputMode="numeric", value="",
                      maxLength=6, className="number"),
            html.Div(id="world-reps-msg", className="field-msg", role="alert"),
        ], className="run-fields"),
        html.P(id="estimate", className="meaning", role="status"),
        *run_controls(RUN_IDS, "Run the comparison", poll_ms=700),
        dcc.Store(id="scrolled", data=None),
    ], id=RUN_IDS.step)


def results_section(folder: WorkingFolder) -> html.Section:
    """Step 4: key findings, downloads and the dashboard."""
    return html.Section([
        html.H2("4. Results"),
        *results_picker(RUN_IDS, "Results in the working folder", folder.results_folders(),
                        "Run a comparison, or pick earlier results"),
        html.Div([html.Button("Put this comparison back in the form", id="reopen",
                              className="secondary", disabled=True),
                  html.Button("Save the comparison in the form as a file", id="save-form",
                              className="secondary")], className="buttons"),
        upload_zone("open-form", "Open a saved comparison (.json)", ".json"),
        html.Div(id="form-msg", className="field-msg", role="alert"),
        dcc.Download(id="download-form"),
        html.Div(id="findings", className="findings"),
        html.Div(id="result-downloads", className="downloads"),
        html.Iframe(id="dashboard-frame", src="", title="Comparison dashboard",
                    className="dashboard-frame",
                    style={"display": "none"}),
    ], id=RUN_IDS.results)


def navigation() -> html.Nav:
    """The studio's two pages: comparing options (``/``) and deciding how to spend a
    budget (``/decide``); the page shown is marked ``aria-current`` by
    :mod:`studio.decide_callbacks`."""
    return html.Nav([
        dcc.Link("Compare options", href="/", id="nav-compare"),
        dcc.Link("Decide: the best use of a budget", href="/decide", id="nav-decide"),
    ], className="pages", **{"aria-label": "Studio pages"})


def page(folder: WorkingFolder) -> html.Div:
    """The whole page: both pages of the studio, the one not asked for hidden."""
    from studio.decide_layout import decide_page

    return html.Div([
        dcc.Location(id="url", refresh=False),
        html.Header([html.H1("mentorsim studio"), navigation(),
                     html.P(f"Working folder: {folder.root}", className="folder")]),
        html.Main([html.Div([start_section(folder), options_section(), run_section(),
                             results_section(folder)], id="compare-page"),
                   decide_page(folder)]),
        dcc.Download(id="download"),
        # the form's values: put into the fields (fill), and as they change kept in the
        # browser (remembered, then written to localStorage)
        dcc.Store(id="form-fill", data=None),
        dcc.Store(id="remembered", data=None),
        dcc.Store(id="persisted", data=None),
    ])


# --- content that depends on what the page holds ---------------------------------------
def checks_block(check: Check) -> list[Any]:
    """An option's checks, as page content (text only)."""
    out: list[Any] = []
    if check.errors or check.field_errors:
        n = len(check.field_errors)
        items = list(check.errors) + ([f"{n} field{'s' if n != 1 else ''} to fix: see the "
                                       "messages beside them"] if n else [])
        out.append(html.Div([html.Strong("Not valid yet: "),
                             html.Ul([html.Li(t) for t in items])], className="option-errors"))
    if check.warnings:
        out.append(html.Div([html.Strong("Warnings (the run still goes ahead): "),
                             html.Ul([html.Li(t) for t in check.warnings])],
                            className="warnings"))
    if check.cost:
        out.append(html.P(check.cost, className="cost"))
    if check.ok and not check.warnings:
        out.append(html.P("Valid: the staff and money can deliver this offer.",
                          className="ok"))
    return out


def findings_block(summary: Any, worlds: int | None = None,
                   not_calibrated: Sequence[str] = ()) -> list[Any]:
    """The key findings (:func:`sim.findings.key_findings`), options named as the planner
    named them: first why an option's results are not calibrated, when its setting is not
    (``not_calibrated``: :func:`sim.findings.not_calibrated_notes`); each sentence's parts
    with their verdicts in words (and colour), and what each option cost; then what they
    are (:func:`sim.findings.caveat` of ``worlds``, the plausible worlds the results
    folder records)."""
    said = html.P(caveat(worlds), className="caveat")
    flagged = [html.P([html.Strong("Not calibrated: "), note], className="not-calibrated")
               for note in not_calibrated]
    try:
        found = key_findings(summary)
    except ValueError as exc:
        return [*flagged, html.P(f"No key findings: {exc}"), said]
    items = []
    for finding in found:
        parts: list[Any] = [html.Strong(f"{finding.title}: ")]
        for i, clause in enumerate(finding.clauses):
            if i:
                parts.append("; ")
            if clause.verdict in ("better", "worse", "no_clear_difference"):
                parts += [html.Span(clause.label, className=f"verdict {clause.verdict}"), " "]
            elif clause.label:
                parts.append(html.Strong(f"{clause.label}: "))
            parts.append(clause.text)
        parts.append(".")
        items.append(html.Li(parts, className=finding.verdict or "reference"))
    return [html.H3("Key findings"), *flagged, html.Ul(items, className="findings-list"), said]


def across_block(table: Any) -> list[Any]:
    """Right after the key findings, for results run across plausible worlds
    (``across_worlds.csv``, :func:`sim.across_worlds.read`; None: nothing): per option and
    key outcome, in how many worlds it is better, worse or not clearly different, the
    difference over worlds with the replications' part apart, what it depends on most and
    where it would reverse (:func:`sim.across_worlds.sentences`)."""
    if table is None:
        return []
    from sim.across_worlds import HOW_TO_READ, NO_LINES, heading, sentences

    lines = sentences(table) or [NO_LINES]
    return [html.H3(heading(table)),
            html.P(HOW_TO_READ, className="meaning"),
            html.Ul([html.Li(line) for line in lines], className="across-worlds")]


def downloads_block(run: str, option_files: Sequence[str]) -> list[Any]:
    """Links to a results folder's downloads."""
    links = [html.Li(html.A(what, href=f"/studio/download/{run}/{kind}", download=""))
             for kind, what in DOWNLOADS.items()]
    links += [html.Li(html.A(f"option {name} as a scenario file",
                             href=f"/studio/download/{run}/options/{name}", download=""))
              for name in option_files]
    return [html.H3("Downloads"), html.Ul(links),
            html.P(["The dashboard is below; ",
                    html.A("open it in its own tab", href=f"/studio/results/{run}/"
                           "dashboard.html", target="_blank", rel="noopener"),
                    " to print it."], className="meaning")]
