"""Assemble a results folder's figures into one self-contained, offline HTML page.

``write_dashboard(results_dir)`` writes ``results_dir/dashboard.html``: the scenario
comparison page, or the sweep explorer when the folder holds ``sweep_manifest.json``.
plotly.js is embedded once in the page head; figures are added as ``<div>``s without
their own copy, and a Content-Security-Policy forbids any network access so the page
behaves the same offline as online.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio
from plotly.offline import get_plotlyjs

from dashboards.closures import closure_table, closures_figure
from dashboards.competing_risks import competing_risks_figure, competing_risks_table
from dashboards.costs import cost_cards_html
from dashboards.headline import (
    VERDICT_CLASSES,
    describe_metric,
    headline_html,
    headline_table,
)
from dashboards.loading import (
    ComparisonResults,
    ResultsError,
    SweepResults,
    is_sweep_folder,
    load_comparison,
    load_sweep,
)
from dashboards.palette import (
    FONT_FAMILY,
    distinguish,
    humanise,
    scenario_colours,
    scenario_picker,
)
from dashboards.reading import glossary_html, how_to_read_html
from dashboards.sensitivity import rank_parameters, sensitivity_figure
from dashboards.surfaces import response_surface_figure
from dashboards.survival import (
    HAZARD_BIN_WEEKS,
    hazard_figure,
    hazard_table,
    survival_figure,
    survival_table,
)
from dashboards.timeseries import (
    OVER_TIME_PANELS,
    over_time_figure,
    summarise_events,
    weekly_quantiles,
)
from dashboards.tradeoffs import (
    TRADEOFF_METRICS,
    tradeoff_parallel_figure,
    tradeoff_scatter_figure,
    tradeoff_table,
)
from dashboards.value import value_figure, value_table
from dashboards.workforce import (
    burnout_figure,
    burnout_prevalence_quantiles,
    workforce_flows_figure,
    workforce_flows_table,
)
from dashboards.yearly import short_year_note, yearly_figure, yearly_html, yearly_summary
from sim.files import write_text_atomically
from sim.findings import caveat, key_findings, manifest_worlds, not_calibrated_notes

__all__ = [
    "DASHBOARD_FILE",
    "Dashboard",
    "ResultsError",
    "Section",
    "build_comparison_sections",
    "build_dashboard",
    "build_sweep_sections",
    "render_page",
    "write_dashboard",
]

DASHBOARD_FILE = "dashboard.html"
IDENTIFIER = re.compile(r"[a-z][a-z0-9_]*")  # a file stem such as long_term_investment
ENDINGS_HEADING = "What ends relationships, and when?"

# Surfaces over more parameters would need C(n, 2) heatmaps; the most influential six
# (15 pairs) cover what a reader can take in.
MAX_SURFACE_PARAMETERS = 6

PLOTLY_CONFIG: dict[str, Any] = {
    "displaylogo": False,
    "responsive": True,
    "toImageButtonOptions": {"format": "png", "scale": 2},
}

# Blocks every fetch, font, frame and connection: if anything in the page ever tried to
# reach the network the browser would refuse (and the browser tests would see it).
# 'unsafe-eval' because parts of plotly.js compile functions at run time.
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'unsafe-inline' 'unsafe-eval'; "
    "style-src 'unsafe-inline'; img-src data: blob:; font-src data:"
)


@dataclass(frozen=True)
class Section:
    """One block of the page: a question as heading, a one-sentence caption, and a
    figure and/or extra HTML (tables, notes)."""

    heading: str
    caption: str
    figure: go.Figure | None = None
    html: str = ""


@dataclass(frozen=True)
class Dashboard:
    """A rendered page and what it contains (``figure_count`` is what tests check)."""

    kind: str
    title: str
    html: str
    figure_count: int
    sections: tuple[Section, ...]


# --------------------------------------------------------------------------- comparison


def display_names(scenarios: Sequence[str]) -> dict[str, str]:
    """Readable scenario labels: a file-name style name is said in words
    (``long_term_investment`` → ``Long term investment``); a name a person wrote (a
    scenario file's ``name``, an option named in the studio: "Budget cut 25%") is shown
    exactly as written.

    Falls back to the raw names if two scenarios would get the same label.
    """
    labels = {s: humanise(s) if IDENTIFIER.fullmatch(s) else s for s in scenarios}
    if len(set(labels.values())) < len(labels):
        return {s: s for s in scenarios}
    return labels


def _relabel(results: ComparisonResults) -> tuple[ComparisonResults, list[str]]:
    labels = display_names(results.scenarios)

    def rename(frame: pd.DataFrame, *columns: str) -> pd.DataFrame:
        frame = frame.copy()
        for column in columns:
            frame[column] = frame[column].astype(str).map(lambda s: labels.get(s, s))
        return frame

    relabelled = ComparisonResults(
        path=results.path,
        manifest=results.manifest,
        weekly=rename(results.weekly, "scenario"),
        matches=rename(results.matches, "scenario"),
        mentors=rename(results.mentors, "scenario"),
        events=rename(results.events, "scenario"),
        summary=rename(results.summary, "scenario", "reference"),
        scenarios=[labels[s] for s in results.scenarios],
        weeks=results.weeks,
        yearly=None if results.yearly is None else rename(results.yearly, "scenario"),
        across=None if results.across is None else rename(results.across, "scenario",
                                                          "reference"),
    )
    return relabelled, relabelled.scenarios


def _replications(results: ComparisonResults) -> int:
    declared = results.manifest.get("replications")
    if isinstance(declared, int) and declared > 0:
        return declared
    return int(results.weekly.groupby("scenario")["replication"].nunique().max())


def build_comparison_sections(results: ComparisonResults) -> list[Section]:
    """All sections of the scenario comparison page, in reading order."""
    results, scenarios = _relabel(results)
    reps = _replications(results)
    reference = scenarios[0] if scenarios else ""
    paired = (
        f", and each difference compares an option with {reference} run on the same "
        "random numbers, also with a 95% confidence interval"
        if len(scenarios) > 1
        else ""
    )
    sections = [
        Section(
            "What does each option spend, and is the money enough?",
            "The average over the runs of the whole period's spending (charged as "
            "delivered), the spending a year, the money the commissioner paid and the "
            "reserves left at the end; a shortfall is money spent beyond the funding and the "
            "starting reserves (the table below gives each figure's 95% interval).",
            html=cost_cards_html(results.summary, scenarios),
        ),
        Section(
            "What changes, in numbers?",
            "Each measure is the mean over the replications with its 95% confidence "
            f"interval{paired}.",
            html=headline_html(headline_table(results.summary, scenarios), scenarios),
        )
    ]
    columns = [c for panel in OVER_TIME_PANELS for c in panel.columns]
    over_time = over_time_figure(
        weekly_quantiles(results.weekly, columns),
        summarise_events(results.events),
        scenarios,
        results.weeks,
        reps,
    )
    sections.append(
        Section(
            "How does each programme develop over time?",
            f"Lines show the middle run of {reps} (the median) and shaded bands the range of "
            "the middle 80% of runs, each option in its own colour, line pattern and marker; "
            "markers on the funding panel show when grants start, end or are renewed.",
            over_time,
            html=_picker_note(scenario_picker(over_time, scenarios)),
        )
    )
    if results.yearly is not None:
        sections.append(_yearly_section(results.yearly, scenarios, reps))
    sections.append(
        Section(
            "Why do relationships end?",
            "For every 100 relationships started, how many ended as planned, how many ended "
            "early through each of the six failure factors, how many ended for other reasons "
            "and how many were still running at the end.",
            closures_figure(closure_table(results.matches, scenarios), scenarios),
        )
    )
    survival = survival_table(results.matches, scenarios)
    lasting = survival_figure(survival, scenarios)
    sections.append(
        Section(
            "How long do relationships last?",
            "The share of relationships still going after a given number of weeks: a "
            "relationship still running when the run ended counts for as long as it was "
            "seen, one that ended at its planned point counts as ended, an extended one "
            "carries on; dots give the share that lasted at least 6 and 12 months, and the "
            "shaded band is the 95% interval of the share at each week, for the "
            "relationships of all runs taken together (see the glossary: survival curve).",
            lasting,
            html=_picker_note(scenario_picker(lasting, scenarios)),
        )
    )
    endings = competing_risks_figure(competing_risks_table(results.matches, scenarios),
                                     scenarios)
    sections.append(
        Section(
            ENDINGS_HEADING,
            "Of every 100 relationships started, how many had ended by a given week in each "
            "of four ways (as planned, early through one of the six failure factors, because "
            "the programme closed, or another way), counting each relationship under the one "
            "way it ended and those still running at the end for as long as they were seen, "
            "so that the four curves and the share still going (the chart above) add up to "
            "100 at every week; relationships of all runs taken together, with the 95% "
            "interval at each week as a shaded band (see the glossary: ways of ending).",
            endings,
            html=_picker_note(scenario_picker(endings, scenarios)),
        )
    )
    sections.append(
        Section(
            "When do relationships end?",
            "The weekly chance that a relationship still going ends, by its age in weeks "
            f"(pooled over {HAZARD_BIN_WEEKS}-week bins), with marks at 6 and 12 months, "
            "where adult and youth commitments usually fall.",
            hazard_figure(hazard_table(survival, scenarios), scenarios),
        )
    )
    sections.append(
        Section(
            "Who joins and who leaves the mentor workforce?",
            "Mentors joining, leaving for each reason and still active at the end, as the "
            "average per run with whiskers spanning the middle 80% of runs; each option's "
            "bars have their own colour and hatching.",
            workforce_flows_figure(workforce_flows_table(results.mentors, scenarios), scenarios),
        )
    )
    burnout = burnout_figure(burnout_prevalence_quantiles(results.weekly), scenarios,
                             results.weeks)
    sections.append(
        Section(
            "How many mentors are burnt out?",
            "The percentage of active mentors who are burnt out each week: the middle run "
            "(median) with a band covering the middle 80% of runs.",
            burnout,
            html=_picker_note(scenario_picker(burnout, scenarios)),
        )
    )
    values = value_table(results.summary, scenarios)
    missing = [
        m for m in ("cost_per_completed_match_gbp", "cost_per_linked_mentee_gbp")
        if m not in set(values["metric"])
    ]
    note = (
        f"<p class=\"note\">Not reported by this run: {html.escape(', '.join(missing))}.</p>"
        if missing
        else ""
    )
    sections.append(
        Section(
            "What does each result cost?",
            "Programme spending divided by the relationships completed as planned, by the "
            "mentees linked to services and by the years of mentoring delivered, as the "
            "average over the runs with a 95% confidence interval.",
            value_figure(values, scenarios),
            html=note,
        )
    )
    for section in sections:  # each scenario's pattern, marker and hatching: for print
        if section.figure is not None:
            distinguish(section.figure, scenarios)
    return sections


def _picker_note(text: str) -> str:
    """How to show or hide scenarios: on screen only (a printed page cannot be clicked)."""
    return f'<p class="note picker screen-only">{html.escape(text)}</p>'


YEARLY_HEADING = "Year by year: how do the key measures change?"
NO_YEARLY_NOTE = (
    "This results folder has no yearly.parquet (it was written before runs recorded "
    "their measures year by year), so the page has no year-by-year section."
)


def _yearly_section(yearly: pd.DataFrame, scenarios: Sequence[str], reps: int) -> Section:
    summary = yearly_summary(yearly, scenarios)
    figure = yearly_figure(summary, scenarios)
    if figure is None:
        return Section(
            YEARLY_HEADING,
            "This run's yearly.parquet holds none of the year-by-year measures with a "
            "value, so no year-by-year view is shown.",
        )
    return Section(
        YEARLY_HEADING,
        f"Each point is the average over the {reps} runs of a measure computed over that "
        "year only (the relationships started, the mentors' time and the money received or "
        "spent in the year) with whiskers for its 95% confidence interval; the table lists "
        "every measure by year (on screen, the menu above the chart picks the measure "
        "drawn).",
        figure,
        html=short_year_note(summary) + yearly_html(summary, scenarios),
    )


def _comparison_intro(results: ComparisonResults) -> tuple[str, str]:
    labels = display_names(results.scenarios)
    colours = scenario_colours(list(labels.values()))
    manifest = results.manifest
    declared = {
        str(s.get("name")): s for s in manifest.get("scenarios", []) if isinstance(s, dict)
    }
    items = []
    for name in results.scenarios:
        question = declared.get(name, {}).get("question") or "(no policy question recorded)"
        items.append(
            f'<li><span class="swatch" style="background:{colours[labels[name]]}"></span>'
            f"<strong>{html.escape(labels[name])}</strong>: "
            f"{html.escape(str(question))}</li>"
        )
    reps = _replications(results)
    years = results.weeks / 52
    intro = (
        _findings_html(results, labels)
        + _across_html(results, labels)
        + how_to_read_html(reps, results.weeks, labels[results.scenarios[0]]
                           if results.scenarios else "")
        + '<section class="intro"><h2>The options</h2><ul class="questions">'
        + "".join(items)
        + "</ul>"
        + f"<p>Each option was run {reps} times for {results.weeks} weeks ({years:.1f} "
        f"years). {html.escape(_date_line(manifest))}</p>"
        + (f'<p class="note">{html.escape(NO_YEARLY_NOTE)}</p>' if results.yearly is None else "")
        + "</section>"
    )
    if len(results.scenarios) == 1:
        title = f"Mentoring programme: {labels[results.scenarios[0]]}"
    else:
        others = len(results.scenarios) - 1
        title = (f"Mentoring programme options compared: {others} "
                 f"{'option' if others == 1 else 'options'} against "
                 f"{labels[results.scenarios[0]]}")
    return title, intro


def _findings_html(results: ComparisonResults, labels: Mapping[str, str]) -> str:
    """The key findings (``sim.findings``), first on the page: why an option's results are
    not calibrated, when its setting is not (:func:`sim.findings.not_calibrated_notes`);
    each sentence's clauses marked better, worse or no clear difference in words, and in
    colour beside them; then what they are (:func:`sim.findings.caveat`, with the
    plausible worlds the folder's manifest records), in the open, on screen and on paper."""
    said = (f'<p class="caveat">{html.escape(caveat(manifest_worlds(results.manifest)))}'
            "</p>")
    # said before the findings: a reader meets it before the numbers it qualifies
    flagged = "".join(f'<p class="not-calibrated"><strong>Not calibrated:</strong> '
                      f"{html.escape(note)}</p>"
                      for note in not_calibrated_notes(results.manifest, labels))
    try:
        findings = key_findings(results.summary, titles=labels)
    except (KeyError, ValueError):  # a summary.csv this version cannot read findings from
        findings = []
    if not findings:  # the numbers below are still the model's
        return f'<section class="findings">{flagged}{said}</section>'
    items = []
    for finding in findings:
        parts = []
        for clause in finding.clauses:
            badge = (f'<span class="verdict {clause.verdict}">{html.escape(clause.label)}</span>'
                     if clause.verdict in VERDICT_CLASSES else
                     f"<strong>{html.escape(clause.label)}:</strong> " if clause.label else "")
            parts.append(f"{badge}{html.escape(clause.text)}")
        css = finding.verdict if finding.verdict in (*VERDICT_CLASSES, "mixed") else "own"
        items.append(f'<li class="{css}"><strong>{html.escape(finding.title)}:</strong> '
                     + "; ".join(parts) + ".</li>")
    return ('<section class="findings"><h2>Key findings</h2>' + flagged
            + '<ul class="findings">'
            + "".join(items) + f'</ul>{said}<p class="note">Each difference compares two options '
            "run on the same random numbers, with its 95% confidence interval; \u201cno "
            "clear difference\u201d means the interval includes zero.</p></section>")


def _across_html(results: ComparisonResults, labels: Mapping[str, str]) -> str:
    """Right after the key findings, for a run across plausible worlds: per option and key
    outcome, in how many worlds it is better, worse or not clearly different, the
    difference with its interval over worlds and the replications' part apart, what it
    depends on most and where it would reverse (:func:`sim.across_worlds.sentences`)."""
    if results.across is None:
        return ""
    from sim.across_worlds import HOW_TO_READ, NO_LINES, heading, sentences

    lines = sentences(results.across, titles=labels) or [NO_LINES]
    items = "".join(f"<li>{html.escape(line)}</li>" for line in lines)
    return ('<section class="across-worlds">'
            f"<h2>{html.escape(heading(results.across))}</h2>"
            f'<p class="caption">{html.escape(HOW_TO_READ)}</p>'
            f'<ul class="across-worlds">{items}</ul></section>')


def _comparison_footer(results: ComparisonResults) -> str:
    manifest = results.manifest
    seeds = []
    labels = display_names(results.scenarios)
    for entry in manifest.get("scenarios", []):
        if isinstance(entry, dict):
            name = str(entry.get("name", "?"))
            seed_list = ", ".join(str(s) for s in entry.get("seeds", []) or [])
            seeds.append(
                f"<li>{html.escape(labels.get(name, name))}: {html.escape(seed_list) or '–'}</li>"
            )
    details = (
        "<details><summary>Seeds per scenario (replication order)</summary><ul>"
        + "".join(seeds)
        + "</ul></details>"
        if seeds
        else ""
    )
    return _footer(manifest, details)


# ------------------------------------------------------------------------------- sweep


def build_sweep_sections(results: SweepResults) -> list[Section]:
    """All sections of the sweep explorer page, in reading order."""
    manifest = results.manifest
    outcomes = [str(o) for o in manifest.get("outcomes", [])] or list(
        dict.fromkeys(results.point_summary["metric"])
    )
    sections: list[Section] = []
    sensitivity = results.sensitivity
    if sensitivity is None or sensitivity.empty:
        sections.append(
            Section(
                "Which parameters matter most?",
                "This sweep has no sensitivity.csv, so no sensitivity indices are shown.",
            )
        )
    else:
        morris = sensitivity_figure(sensitivity, "morris", outcomes)
        if morris is not None:
            sections.append(
                Section(
                    "Which parameters matter most? (Morris screening)",
                    "Longer blue bars (μ*) mean a parameter moves the chosen outcome more; a "
                    "long orange bar (σ) means its effect depends on the other parameters; "
                    "whiskers are 95% confidence intervals.",
                    morris,
                    html=_flag_note(sensitivity, "morris"),
                )
            )
        sobol = sensitivity_figure(sensitivity, "sobol", outcomes)
        if sobol is not None:
            sections.append(
                Section(
                    "How much of the uncertainty does each parameter explain? (Sobol indices)",
                    "ST is the share of the outcome's variance a parameter accounts for "
                    "including its interactions, S1 the share it explains on its own; "
                    "whiskers are 95% confidence intervals.",
                    sobol,
                    html=_flag_note(sensitivity, "sobol"),
                )
            )
    ranked = rank_parameters(
        sensitivity, results.parameters, outcomes[0] if outcomes else None
    )
    surface_parameters = ranked[:MAX_SURFACE_PARAMETERS]
    surface = response_surface_figure(
        results.points, results.point_summary, outcomes, surface_parameters,
        units=results.units,
    )
    if surface is not None:
        limited = (
            f" (the {MAX_SURFACE_PARAMETERS} most influential of {len(ranked)} parameters)"
            if len(ranked) > MAX_SURFACE_PARAMETERS
            else ""
        )
        sections.append(
            Section(
                "How does an outcome respond to two parameters together?",
                "Each cell is the mean outcome over the design points in that range of the two "
                "parameters, averaged over all other parameters; pick the outcome and the pair"
                f"{limited} from the drop-downs.",
                surface,
            )
        )
    table = tradeoff_table(results.points, results.point_summary, ranked)
    scatter = tradeoff_scatter_figure(table, ranked)
    if scatter is None:
        missing = [m for m in TRADEOFF_METRICS if m not in set(results.point_summary["metric"])]
        sections.append(
            Section(
                "What are the trade-offs between cost, early endings and burnout?",
                "This sweep did not record "
                + ", ".join(missing or TRADEOFF_METRICS)
                + ", so the trade-off views are not shown.",
            )
        )
    else:
        sections.append(
            Section(
                "What are the trade-offs between cost, early endings and burnout?",
                "Each dot is one design point, placed by cost per completed relationship and "
                "the share of relationships ending early and coloured by mentor burnout; rings "
                "mark the points below the chosen limits on both early endings and burnout "
                "(at first: below the median of both, dashed line = early-endings limit).",
                scatter,
            )
        )
        parallel = tradeoff_parallel_figure(table, ranked, results.units)
        sections.append(
            Section(
                "Which settings lead to the good trade-offs?",
                "Each line is one design point across cost, early endings, burnout and the "
                "parameters; early endings and burnout start filtered to below their medians, "
                "and dragging along any axis sets your own limits.",
                parallel,
            )
        )
    return sections


def _flag_note(sensitivity: pd.DataFrame, method: str) -> str:
    rows = sensitivity[
        (sensitivity["method"].str.lower() == method) & (sensitivity["flag"].astype(str) != "")
    ]
    if rows.empty:
        return ""
    items = "".join(
        f"<li>{html.escape(str(r.parameter))} → {html.escape(str(r.metric))}, "
        f"{html.escape(str(r.index))}: {html.escape(str(r.flag))}</li>"
        for r in rows.itertuples(index=False)
    )
    return (
        '<details class="note"><summary>⚠ Estimates flagged by the analysis '
        f"({len(rows)})</summary><ul>{items}</ul></details>"
    )


def _sweep_seeds(manifest: Mapping[str, Any]) -> str:
    seeds = manifest.get("replication_seeds") or []
    if not seeds:
        return ""
    rule = manifest.get("seed_rule")
    listed = ", ".join(str(s) for s in seeds)
    return (
        "<details><summary>Replication seeds (the same at every design point)</summary>"
        f"<p>{html.escape(listed)}</p>"
        + (f"<p>{html.escape(str(rule))}</p>" if rule else "")
        + "</details>"
    )


def _sweep_intro(results: SweepResults) -> tuple[str, str]:
    manifest = results.manifest
    spec = str(manifest.get("spec_name") or results.path.name)
    design = str(manifest.get("design") or "unknown design")
    reps = results.point_summary["replications"].median()
    reps_text = f"{reps:.0f}" if pd.notna(reps) else "?"

    def listing(key: str) -> str:
        names = [str(n) for n in manifest.get(key, [])]
        return ", ".join(f"<code>{html.escape(n)}</code>" for n in names) or "–"

    outcome_names = [
        f"{html.escape(describe_metric(str(o)).label)} (<code>{html.escape(str(o))}</code>)"
        for o in manifest.get("outcomes", [])
    ]
    question = manifest.get("question") or manifest.get("description")
    intro = (
        '<section class="intro"><h2>The sweep</h2>'
        + (f"<p>{html.escape(str(question))}</p>" if question else "")
        + "<ul>"
        + f"<li>Design: {html.escape(design)}, {len(results.points)} design points, "
        f"{reps_text} replications per point (median)</li>"
        + f"<li>Levers (what a programme controls): {listing('levers')}</li>"
        + f"<li>Uncertainties (what it does not control): {listing('uncertainties')}</li>"
        + f"<li>Outcomes: {', '.join(outcome_names) or '–'}</li>"
        + f"</ul><p>{html.escape(_date_line(manifest))}</p></section>"
    )
    return f"Sweep explorer: {spec}", intro


# ----------------------------------------------------------------------------- page


def _date_line(manifest: Mapping[str, Any]) -> str:
    created = manifest.get("created_utc")
    if created:
        try:
            stamp = datetime.fromisoformat(str(created).replace("Z", "+00:00"))
            return f"Results created {stamp.day} {stamp:%B %Y}."
        except ValueError:
            return f"Results created {created}."
    today = datetime.now(UTC)
    return f"Page generated {today.day} {today:%B %Y}."


def _footer(manifest: Mapping[str, Any], details: str) -> str:
    parts = [
        f"mentorsim {manifest.get('mentorsim_version', 'version unknown')}",
        f"root seed {manifest.get('root_seed', 'unknown')}",
    ]
    if manifest.get("git_commit"):
        parts.append(f"git commit {str(manifest['git_commit'])[:12]}")
    if manifest.get("mesa_version"):
        parts.append(f"Mesa {manifest['mesa_version']}")
    command = manifest.get("command")
    if command:
        # The manifest may hold the command as an argv list or as one string.
        text = " ".join(str(a) for a in command) if isinstance(command, list) else str(command)
        parts.append(f"command: {text}")
    return (
        "<footer><p>"
        + " · ".join(html.escape(str(p)) for p in parts)
        + "</p>"
        + details
        + "</footer>"
    )


CSS = f"""
body {{ font-family: {FONT_FAMILY}; margin: 0; color: #1a1a1a; background: #fafafa; }}
main {{ max-width: 1180px; margin: 0 auto; padding: 1rem 1.5rem 3rem; }}
header {{ background: #0b3c5d; color: #fff; padding: 1.2rem 1.5rem; }}
header h1 {{ margin: 0 auto; max-width: 1180px; font-size: 1.6rem; }}
section {{ background: #fff; border: 1px solid #ddd; border-radius: 6px; padding: 1rem 1.2rem;
  margin: 1rem 0; }}
h2 {{ margin: 0 0 .3rem; font-size: 1.25rem; }}
.caption {{ margin: 0 0 .6rem; color: #333; }}
.note {{ color: #555; font-size: .92rem; }}
.swatch {{ display: inline-block; width: .9em; height: .9em; border-radius: 2px;
  margin-right: .35em; vertical-align: -0.1em; }}
.questions li, .how-to-read li {{ margin: .3rem 0; }}
.table-wrap {{ overflow-x: auto; }}
.table-wrap:focus {{ outline: 3px solid #0b3c5d; outline-offset: 2px; }}
table.headline, table.data {{ border-collapse: collapse; width: 100%; font-size: .95rem; }}
table.headline th, table.headline td, table.data th, table.data td {{
  border-bottom: 1px solid #e3e3e3; padding: .45rem .6rem; text-align: left;
  vertical-align: top; }}
table.headline .value {{ font-size: 1.15rem; font-weight: 600; }}
table.headline .ci, table.data .ci, .metric-name {{ color: #555; font-size: .82rem; }}
table.headline .diff {{ margin-top: .2rem; font-size: .85rem; }}
table.yearly {{ font-size: .85rem; }}
table.yearly th, table.yearly td {{ padding: .3rem .45rem; }}
table.yearly td {{ font-weight: 600; white-space: nowrap; }}
table.yearly td small {{ display: block; font-weight: 400; color: #555; font-size: .76rem; }}
table.yearly tr.group-start > * {{ border-top: 2px solid #c8c8c8; }}
footer {{ color: #444; font-size: .85rem; border-top: 1px solid #ccc; margin-top: 2rem;
  padding-top: .6rem; }}
details.more {{ margin-top: .8rem; }}
details.more summary {{ cursor: pointer; color: #0b3c5d; }}
dl dt {{ font-weight: 600; margin-top: .4rem; }}
dl dd {{ margin-left: 1rem; color: #333; }}
code {{ font-size: .85em; background: #f0f0f0; padding: 0 .2em; border-radius: 3px; }}
.js-plotly-plot, .plotly-graph-div {{ max-width: 100%; }}
.cards {{ display: grid; grid-template-columns: repeat(auto-fill, minmax(15rem, 1fr));
  gap: .8rem; }}
.card {{ border: 1px solid #ddd; border-radius: 6px; padding: .6rem .8rem; }}
.card h3 {{ margin: 0 0 .4rem; font-size: 1.02rem; }}
.card dl {{ display: grid; grid-template-columns: auto auto; gap: .15rem .6rem; margin: 0; }}
.card dt {{ margin: 0; font-weight: 400; color: #444; }}
.card dd {{ margin: 0; font-weight: 600; text-align: right; }}
.card .shortfall {{ color: #9a3a00; }}
ul.findings {{ list-style: none; padding: 0; margin: 0; }}
ul.findings li {{ margin: .45rem 0; padding: .35rem .6rem; border-left: .35rem solid #888;
  background: #f6f6f6; font-size: 1.05rem; }}
p.caveat {{ margin: .6rem 0 .3rem; padding: .35rem .6rem; border: 1px solid #c8c8c8;
  border-radius: 4px; color: #222; }}
p.not-calibrated {{ margin: .45rem 0; padding: .35rem .6rem; border: 2px solid #B34700;
  border-radius: 4px; color: #222; }}
ul.across-worlds {{ padding-left: 1.2rem; margin: .3rem 0; }}
ul.across-worlds li {{ margin: .3rem 0; }}
.verdict {{ display: inline-block; font-size: .78rem; font-weight: 700; text-transform: uppercase;
  letter-spacing: .03em; padding: 0 .35em; border-radius: 3px; margin-right: .4em;
  color: #fff; background: #666; white-space: nowrap; }}
/* Okabe-Ito blue for better and vermillion for worse stay distinct for every common
   colour-vision deficiency; the word is always there too. */
.better {{ border-color: #0072B2 !important; }} .better .verdict, .verdict.better {{
  background: #0072B2; }}
.worse {{ border-color: #D55E00 !important; }} .worse .verdict, .verdict.worse {{
  background: #B34700; }}
.no_clear_difference .verdict, .verdict.no_clear_difference {{ background: #666; }}
table.headline .diff.better, table.headline .diff.worse,
table.headline .diff.no_clear_difference {{ border-left: .25rem solid #888; padding-left: .3rem; }}
.glossary dd {{ margin-bottom: .3rem; }}
@media (max-width: 640px) {{
  main {{ padding: .5rem .5rem 2rem; }}
  header {{ padding: .8rem; }} header h1 {{ font-size: 1.25rem; }}
  section {{ padding: .7rem .6rem; }}
  /* The headline table stacks: each measure, then one line per scenario (every
     column kept, labelled by its scenario). */
  table.headline, table.headline tbody, table.headline tr, table.headline th,
  table.headline td {{ display: block; width: auto; }}
  table.headline thead {{ display: none; }}
  table.headline tr {{ border-top: 2px solid #c8c8c8; padding: .3rem 0; }}
  table.headline td {{ border: 0; padding: .2rem .3rem; }}
  table.headline td::before {{ content: attr(data-scenario); display: block; font-size: .8rem;
    color: #0b3c5d; font-weight: 700; }}
  /* The year-by-year table keeps its columns (years need their headings): it scrolls
     sideways in its box, the measure and option columns staying in view. */
  table.yearly {{ font-size: .78rem; }}
  table.yearly th[scope="rowgroup"] {{ max-width: 7rem; }}
  table.yearly td::before {{ content: attr(data-year); display: block; font-size: .68rem;
    font-weight: 400; color: #0b3c5d; }}
}}
@page {{ size: A4; margin: 12mm; }}
@media print {{
  body {{ background: #fff; font-size: 10pt; }}
  header {{ background: #fff; color: #000; padding: 0 0 .3rem; border-bottom: 2px solid #0b3c5d; }}
  main {{ max-width: none; padding: 0; }}
  section {{ border: 0; padding: .3rem 0; margin: .4rem 0; }}
  /* A heading and its caption stay with what follows; a chart, a card, a finding or a
     table row is never split; a long section may run over pages (never a page left
     empty for a section taller than a page). */
  h2, h3, .caption {{ break-after: avoid; page-break-after: avoid; }}
  .keep, .js-plotly-plot, .plotly-graph-div, .card, ul.findings li, p.caveat, tr, dt, dd,
  p.not-calibrated, ul.across-worlds li,
  .how-to-read li {{ break-inside: avoid; page-break-inside: avoid; }}
  .table-wrap {{ overflow: visible; }}
  table.headline {{ table-layout: fixed; font-size: 7.5pt; width: 100%; }}
  table.headline th, table.headline td {{ padding: .15rem .25rem; overflow-wrap: normal;
    word-break: normal; hyphens: none; }}
  table.headline .value {{ font-size: 8.5pt; }}
  table.headline .ci, table.headline .diff {{ font-size: 6.5pt; }}
  table.yearly {{ font-size: 7pt; }}
  table.yearly td {{ white-space: normal; }}
  .verdict {{ font-size: 6pt; padding: 0 .2em; white-space: normal; overflow-wrap: normal;
    word-break: keep-all; }}
  .modebar-container, .updatemenu-container, .screen-only {{ display: none !important; }}
  details.more {{ display: none; }}
  footer {{ break-before: avoid; page-break-before: avoid; }}
  .verdict {{ -webkit-print-color-adjust: exact; print-color-adjust: exact; }}
}}
"""

# Printing lays the page out at the paper's width: each chart is redrawn to fit it and
# restored afterwards (plotly.js sizes a chart from its container only on a resize).
PRINT_SCRIPT = """
(function () {
  var PRINT_HEIGHT = 900;  // CSS px: an A4 page less its margins and a heading is ~990
  function fit(print) {
    document.querySelectorAll('.js-plotly-plot').forEach(function (div) {
      if (!window.Plotly) { return; }
      if (print) {
        // A chart taller than the printable height of an A4 page would be split.
        div.dataset.screenHeight = div.layout.height || '';
        Plotly.relayout(div, {width: div.parentElement.clientWidth, autosize: false,
                              height: Math.min(div.layout.height || PRINT_HEIGHT, PRINT_HEIGHT)});
      } else {
        var height = Number(div.dataset.screenHeight) || null;
        Plotly.relayout(div, {width: null, autosize: true, height: height});
      }
    });
  }
  window.addEventListener('beforeprint', function () { fit(true); });
  window.addEventListener('afterprint', function () { fit(false); });
  if (window.matchMedia) {
    window.matchMedia('print').addEventListener('change', function (e) { fit(e.matches); });
  }
})();
"""


def menu_select(figure: go.Figure, div_id: str) -> tuple[go.Figure, str]:
    """A chart's drop-down as a labelled ``<select>`` above it, and the chart without it.

    Plotly draws its menus inside the chart, where on a narrow screen they cover the
    legend; a select above the chart never does, is reached and worked by keyboard, and is
    not printed. Each option carries its button's arguments; choosing it calls the same
    plotly.js method (restyle, relayout or update) on the chart.
    """
    menus = figure.layout.updatemenus or ()
    if len(menus) != 1 or not menus[0].buttons:
        return figure, ""
    menu = menus[0]
    methods = {b.method for b in menu.buttons}
    if len(methods) != 1 or not methods <= {"restyle", "relayout", "update"}:
        return figure, ""
    active = menu.active if isinstance(menu.active, int) and menu.active >= 0 else 0
    options = "".join(
        f'<option value="{i}"{" selected" if i == active else ""} '
        f"data-args='{html.escape(json.dumps(list(b.args), default=_plain), quote=True)}'>"
        f"{html.escape(str(b.label))}</option>"
        for i, b in enumerate(menu.buttons))
    select = (f'<p class="figure-menu screen-only"><label for="{div_id}-menu">Show: </label>'
              f'<select id="{div_id}-menu" class="figure-menu" data-figure="{div_id}" '
              f'data-method="{methods.pop()}">{options}</select></p>')
    plain = go.Figure(figure)
    plain.layout.updatemenus = ()  # (update_layout with [] would keep it)
    return plain, select


def _plain(value: Any) -> Any:
    """JSON for the numpy values a button's arguments may hold."""
    return value.tolist() if hasattr(value, "tolist") else str(value)


MENU_SCRIPT = """
(function () {
  document.querySelectorAll('select.figure-menu').forEach(function (select) {
    select.addEventListener('change', function () {
      var div = document.getElementById(select.dataset.figure);
      var args = JSON.parse(select.options[select.selectedIndex].dataset.args);
      if (window.Plotly && div) { Plotly[select.dataset.method].apply(null, [div].concat(args)); }
    });
  });
})();
"""


def render_page(
    title: str, intro: str, sections: Sequence[Section], footer: str,
    menus_outside: bool = False,
) -> tuple[str, int]:
    """Render the whole page; returns the HTML and the number of Plotly figures in it.

    ``menus_outside``: a chart's drop-down becomes a select above it (:func:`menu_select`).
    """
    blocks = []
    figure_count = 0
    for section in sections:
        figure_html = ""
        if section.figure is not None:
            figure_count += 1
            figure, select = section.figure, ""
            if menus_outside:
                figure, select = menu_select(figure, f"figure-{figure_count}")
            figure_html = select + pio.to_html(
                figure,
                full_html=False,
                include_plotlyjs=False,
                include_mathjax=False,
                config=PLOTLY_CONFIG,
                div_id=f"figure-{figure_count}",
            )
        kind = ' class="has-figure"' if section.figure is not None else ""
        head = (f"<h2>{html.escape(section.heading)}</h2>"
                f'<p class="caption">{html.escape(section.caption)}</p>')
        # In print, a heading, its caption and its chart stay on one page together;
        # the tables after them may run on.
        if figure_html:
            head = f'<div class="keep">{head}{figure_html}</div>'
        blocks.append(f"<section{kind}>{head}{section.html}</section>")
    # plotly.js goes in once, in the head, before any figure script runs.
    plotly_js = f"<script>{get_plotlyjs()}</script>" if figure_count else ""
    page = (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        f'<meta http-equiv="Content-Security-Policy" content="{CONTENT_SECURITY_POLICY}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html.escape(title)}</title><style>{CSS}</style>{plotly_js}</head><body>"
        f"<header><h1>{html.escape(title)}</h1></header><main>{intro}"
        + "".join(blocks)
        + f"{footer}</main>"
        + (f"<script>{PRINT_SCRIPT}{MENU_SCRIPT}</script>" if figure_count else "")
        + "</body></html>\n"
    )
    return page, figure_count


def build_dashboard(results_dir: Path) -> Dashboard:
    """Load a results folder and render its page (sweep explorer or comparison)."""
    results_dir = Path(results_dir)
    if is_sweep_folder(results_dir):
        sweep = load_sweep(results_dir)
        sections = build_sweep_sections(sweep)
        title, intro = _sweep_intro(sweep)
        footer = _footer(sweep.manifest, _sweep_seeds(sweep.manifest))
        kind = "sweep"
    else:
        comparison = load_comparison(results_dir)
        sections = build_comparison_sections(comparison)
        title, intro = _comparison_intro(comparison)
        footer = glossary_html() + _comparison_footer(comparison)
        kind = "comparison"
    page, count = render_page(title, intro, sections, footer,
                              menus_outside=kind == "comparison")
    return Dashboard(kind, title, page, count, tuple(sections))


def write_dashboard(results_dir: Path) -> Path:
    """Write ``results_dir/dashboard.html`` atomically and return its path.

    Raises :class:`ResultsError` (a ``ValueError``) naming the missing or corrupt file.
    """
    dashboard = build_dashboard(results_dir)
    target = Path(results_dir) / DASHBOARD_FILE
    # Written next to the target and renamed, so a reader never sees a half-written page.
    write_text_atomically(target, dashboard.html, durable=True)
    return target
