"""The Decide page: a budget, the levers to consider and the planner's thresholds, then a
run with its progress, then the decision in words (:mod:`studio.decide_results`).

Component ids start with ``decide-``; a lever's are dictionaries (Dash pattern matching):
``{"type": "decide-low", "key": "supervision.sessions_per_month"}`` is the low end of
that lever's range. What the form offers comes from :mod:`studio.decide_form`; the page's
callbacks are in :mod:`studio.decide_callbacks`. The typed values are kept in the browser
(Dash's ``persistence``, in ``localStorage``), so a reload loses nothing.
"""

from __future__ import annotations

import json
from typing import Any

from dash import dcc, html

from sim import labels
from studio.decide_form import (
    ABANDONED,
    DEFAULT_PRESET,
    MATCHED,
    PRESETS,
    STUDIO_MAX_RUNS,
    Lever,
    bundled,
    choice_value,
    choice_words,
    default_threshold,
    default_worlds,
    levers,
    metric_label,
)
from studio.folder import WorkingFolder
from studio.run_controls import RunIds, results_picker, run_controls

KEEP = {"persistence": True, "persistence_type": "local"}  # kept in the browser
CONSIDER = "on"  # the value of a lever's "consider it" box when ticked
RUN_IDS = RunIds(run="decide-run", cancel="decide-cancel", progress="decide-progress",
                 status="decide-status", poll="decide-poll", job="decide-job",
                 step="decide-step-run", pick="decide-pick", results="decide-step-results")


def dom_id(id_: dict[str, Any]) -> str:
    """The DOM id Dash gives a component with a dictionary id (for ``<label for>``)."""
    return json.dumps(id_, sort_keys=True, separators=(",", ":"))


def _text_input(id_: Any, placeholder: str, numeric: str = "decimal") -> dcc.Input:
    return dcc.Input(id=id_, type="text", inputMode=numeric, value="", maxLength=40,
                     autoComplete="off", placeholder=placeholder, className="number", **KEEP)


def lever_field(lever: Lever) -> html.Fieldset:
    """One lever: whether to consider it, and its range (from, to) or its choices."""
    key = lever.key
    consider = dcc.Checklist(id={"type": "decide-lever", "key": key},
                             options=[{"label": "Consider it", "value": CONSIDER}],
                             value=[CONSIDER], className="choices consider", **KEEP)
    if lever.choices:
        what: list[Any] = [
            html.Div("Choices to consider:", className="meaning"),
            dcc.Checklist(id={"type": "decide-choices", "key": key},
                          options=lever_choices(lever),
                          value=[choice_value(c) for c in lever.choices], inline=True,
                          className="choices", **KEEP)]
    else:
        low_id, high_id = ({"type": f"decide-{end}", "key": key} for end in ("low", "high"))
        what = [html.Div([
            html.Label("From", htmlFor=dom_id(low_id)),
            _text_input(low_id, f"{lever.low:g}"),
            html.Label("to", htmlFor=dom_id(high_id)),
            _text_input(high_id, f"{lever.high:g}"),
        ], className="bounds")]
    return html.Fieldset([
        html.Legend(lever.title), html.Div(lever.meaning, className="meaning"), consider,
        *what,
        html.Div(id={"type": "decide-lever-msg", "key": key}, className="field-msg",
                 role="alert"),
    ], className="field lever", **{"data-key": key})


def lever_choices(lever: Lever, disabled: bool = False) -> list[dict[str, Any]]:
    """A choice lever's checkboxes (greyed when the lever is not considered)."""
    return [{"label": choice_words(lever, c), "value": choice_value(c), "disabled": disabled}
            for c in lever.choices]


def _number_field(id_: str, title: str, placeholder: str, meaning: str = "",
                  numeric: str = "decimal") -> list[Any]:
    return [html.Label(title, htmlFor=id_), _text_input(id_, placeholder, numeric),
            html.Div(id=f"{id_}-msg", className="field-msg", role="alert"),
            *([html.Div(meaning, className="meaning")] if meaning else [])]


def levers_section() -> html.Section:
    """Step 1: the budget and the levers to allocate it between."""
    today = bundled().today
    budget = today.funding.annual_budget_gbp
    return html.Section([
        html.H2("1. The budget and the levers"),
        html.P(["Every candidate allocation is today's programme (the bundled ",
                html.Code(bundled().base_name), " scenario: "
                f"{today.programme.target_mentors} mentors, "
                f"{today.staff.coordinators_fte:g} coordinator and "
                f"{today.staff.supervisors_fte:g} supervisor posts, "
                f"{labels.money(budget)} a year) with the levers ticked below set within "
                "their bounds, and the budget spent in full: a richer offer per mentor is "
                "paid for with fewer mentors (the model's own unit costs)."]),
        html.Div(_number_field("decide-budget", "Budget a year (£)",
                               f"{budget:.0f} (today's programme's)",
                               "Leave it empty for today's programme's budget."),
                 className="run-fields"),
        html.H3("Levers to consider"),
        html.P("An unticked lever keeps today's programme's value. Leave a bound empty "
               "for the one shown in grey.", className="meaning"),
        html.Div([lever_field(lever) for lever in levers()], className="fields"),
        html.Div(id="decide-levers-msg", className="field-msg", role="alert"),
    ], id="decide-step-levers")


def thresholds_section() -> html.Section:
    """Step 2: the outcomes to decide by and the planner's thresholds."""
    d = bundled()
    objectives = [{"label": metric_label(m), "value": m} for m in d.objectives]

    def box(metric: str, id_: str, words: str) -> list[Any]:
        side, value = default_threshold(metric)
        return _number_field(id_, f"{metric_label(metric).split(' (')[0]}: {words} "
                                  "(share, 0 to 1)",
                             f"{value:g} (the bundled decision's)" if value is not None else "")

    return html.Section([
        html.H2("2. What matters, and your thresholds"),
        html.Fieldset([
            html.Legend("Outcomes to decide by"),
            html.Div("The first ticked is what the recommended allocation does best on; the "
                     "others shape the trade-off options.", className="meaning"),
            dcc.Checklist(id="decide-objectives", options=objectives,
                          value=list(d.objectives), className="choices stacked", **KEEP),
            html.Div(id="decide-objectives-msg", className="field-msg", role="alert"),
        ], className="field"),
        html.P("An option meets your thresholds in a plausible world when it does at least "
               "this well there; the recommended allocation must also match at least that "
               "share of referrals on average. Type 0 (or 1) for no limit.",
               className="meaning"),
        html.Div([*box(MATCHED, "decide-matched", "at least"),
                  *box(ABANDONED, "decide-abandoned", "at most")], className="run-fields"),
    ], id="decide-step-thresholds")


def run_section() -> html.Section:
    """Step 3: the horizon, the worlds and the search size; start, progress, cancel."""
    presets = [{"label": p.words, "value": p.key} for p in PRESETS]
    return html.Section([
        html.H2("3. How hard to look, and run"),
        html.P(f"The studio runs decisions of at most {STUDIO_MAX_RUNS:,} runs, in the "
               "background; for more, download the decision as a spec file and run it with "
               "mentorsim decide on the command line."),
        html.Div([
            *_number_field("decide-horizon", "Horizon (weeks)",
                           f"{bundled().today.run.weeks} (the bundled decision's)",
                           numeric="numeric"),
            *_number_field("decide-worlds", "Plausible worlds", f"{default_worlds()}",
                           numeric="numeric"),
            html.Div(id="decide-worlds-note", className="meaning", role="status"),
        ], className="run-fields"),
        html.Fieldset([
            html.Legend("Search size"),
            dcc.RadioItems(id="decide-preset", options=presets, value=DEFAULT_PRESET,
                           className="choices stacked", **KEEP),
        ], className="field"),
        html.P(id="decide-estimate", className="meaning", role="status"),
        html.Div(id="decide-check", className="option-errors", role="alert"),
        *run_controls(RUN_IDS, "Find the best allocation", poll_ms=1000,
                      more=[html.Button("Download this decision as a spec file",
                                        id="decide-save-spec", className="secondary")],
                      after=[dcc.Download(id="decide-download-spec")],
                      progress_label="Progress of the decision"),
    ], id=RUN_IDS.step)


def results_section(folder: WorkingFolder) -> html.Section:
    """Step 4: the decision in words, the allocations as bars, and the downloads."""
    return html.Section([
        html.H2("4. The decision"),
        *results_picker(RUN_IDS, "Decisions in the working folder", folder.decisions(),
                        "Find the best allocation, or pick an earlier decision"),
        html.Div(id="decide-answer", className="decision"),
    ], id=RUN_IDS.results)


def decide_page(folder: WorkingFolder) -> html.Div:
    """The whole Decide page (shown at ``/decide``)."""
    return html.Div([
        html.P("How should a fixed budget be split between mentors and how each is trained, "
               "supervised and supported, how sure can we be, and what would change the "
               "answer? Candidates are searched on an emulator of the model and the best "
               "re-run in every plausible world.", className="intro"),
        levers_section(), thresholds_section(), run_section(), results_section(folder),
    ], id="decide-page", style={"display": "none"})
