"""A decision's folder in the page's words: the recommendation, today's allocation against
it as bars, its robustness, what would change it, the evidence worth buying and the
downloads, each claim with what it rests on beside it (the plausible worlds it held in, or
the evidence grade of the parameter it depends on: :func:`sim.across_worlds.evidence_grade`).

Everything is read from the folder :func:`sim.decide.folder.write_decision` wrote
(``answer.json``, ``options.parquet``, ``robustness.parquet``, ``evppi.parquet``); option
names are said as a planner would (:func:`option_title`), never shown as markup.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd
from dash import dcc, html

from sim import labels
from sim.metrics import METRICS
from studio.decide_form import FOLLOW_UP_WEEKS, REOFFENDING
from studio.downloads import DECISION_DOWNLOADS
from studio.messages import plain

TODAY = "today@1"
_ROLES = {"best": "The emulator's best", "least_money": "Least money meeting your thresholds"}


def option_title(name: str) -> str:
    """An option of a decision as the page names it.

    Example:
        >>> option_title("today@1"), option_title("today@0.5"), option_title("finalist2")
        ("Today's programme", "Today's programme on 0.5 × the budget", 'Finalist 2')
        >>> option_title("best@1.5"), option_title("pareto1"), option_title("best")
        ('Best on 1.5 × the budget', 'Trade-off 1', "The emulator's best")
    """
    if name == TODAY:
        return "Today's programme"
    found = re.fullmatch(r"(today|best)@([\d.]+)", name)
    if found:
        who = "Today's programme" if found.group(1) == "today" else "Best"
        return f"{who} on {found.group(2)} × the budget"
    found = re.fullmatch(r"(finalist|pareto)(\d+)", name)
    if found:
        return f"{'Finalist' if found.group(1) == 'finalist' else 'Trade-off'} {found.group(2)}"
    return _ROLES.get(name, name)


def metric_value(metric: str, value: float) -> str:
    """A metric's value as the page writes it: a share as a percentage, money in pounds.

    Example:
        >>> metric_value("abandonment_rate", 0.2495)
        '24.9%'
        >>> metric_value("cost_per_mentee_year_gbp", 1234.4)
        '£1,234'
    """
    if value is None or not math.isfinite(value):
        return "n/a"
    unit = METRICS[metric].unit if metric in METRICS else ""
    if unit == "share":
        return f"{100 * value:.1f}%"
    if unit.startswith("GBP"):
        return labels.money(value)
    return f"{value:,.3g}" if abs(value) < 1000 else f"{value:,.0f}"


def metric_difference(metric: str, value: float) -> str:
    """A difference in a metric: shares in percentage points, money in pounds.

    Example:
        >>> metric_difference("abandonment_rate", -0.033)
        '−3.3 percentage points'
        >>> metric_difference("abandonment_rate", 0.02)
        '2.0 percentage points'
    """
    if value is None or not math.isfinite(value):
        return "n/a"
    unit = METRICS[metric].unit if metric in METRICS else ""
    sign = "\u2212" if value < 0 else ""
    if unit == "share":
        return f"{sign}{abs(100 * value):.1f} percentage points"
    return sign + metric_value(metric, abs(value))


def _share(x: float) -> str:
    return f"{100 * x:.0f}%"


def _param(name: str) -> list[Any]:
    """An uncertain parameter: its label, then its key in small type."""
    try:
        said = labels.label(name)
    except (KeyError, ValueError):
        return [html.Code(name, className="key")]
    return [said, " (", html.Code(name, className="key"), ")"]


def _grade(grade: str) -> html.Span:
    return html.Span(f"evidence: {grade}", className="grade")


def _rests(text: str) -> html.Span:
    return html.Span(text, className="grade")


def _lever_text(row: pd.Series) -> str:
    """An option's levers in words: "supervision sessions 1.22, supervision style
    therapeutic"."""
    parts = []
    for column, value in row.items():
        if not str(column).startswith("lever:") or pd.isna(value):
            continue
        key = str(column).removeprefix("lever:")
        shown = round(float(value), 2) if isinstance(value, float) else value
        parts.append(f"{labels.label(key).lower()} {labels.value_text(key, shown)}")
    return ", ".join(parts)


def read(folder: Path) -> dict[str, Any]:
    """What a decision's folder holds for the page."""
    return {"answer": json.loads((folder / "answer.json").read_text(encoding="utf-8")),
            "options": pd.read_parquet(folder / "options.parquet"),
            "robustness": pd.read_parquet(folder / "robustness.parquet"),
            "evppi": pd.read_parquet(folder / "evppi.parquet")}


def primary_of(robustness: pd.DataFrame) -> str:
    """The objective the recommendation optimised (the first ``mean:`` column)."""
    found = [c.removeprefix("mean:") for c in robustness.columns if c.startswith("mean:")]
    return found[0] if found else "abandonment_rate"


def headline(data: dict[str, Any]) -> list[Any]:
    """The recommendation, and how it compares with today's programme."""
    answer, options = data["answer"], data["options"].set_index("option")
    chosen = answer["recommended"]
    row = options.loc[chosen]
    from dashboards.allocation import people

    primary = primary_of(data["robustness"])
    said = METRICS[primary].label.lower()
    worlds = int(answer.get("worlds") or 0)
    out: list[Any] = [html.H3("Recommended"), html.P([
        html.Strong(f"{option_title(chosen)} for {labels.money(row['annual_budget_gbp'])} a "
                    "year: "), f"{people(row)}; {_lever_text(row)}."], className="headline")]
    if not answer.get("constraints_met", True):
        out.append(html.P(
            "No option meets the constraints on average over the plausible worlds, today's "
            f"programme included: this is the best on {said} regardless. Widen the levers, "
            "add money or relax the constraints.", className="warnings"))
    vt = answer.get("versus_today")
    if vt:
        clear = vt["mc_low"] > 0 or vt["mc_high"] < 0
        better = (vt["difference"] < 0) == (METRICS[primary].better == "lower")
        out.append(html.P([
            f"Against today's programme on the same budget, {said} is "
            f"{metric_difference(primary, abs(vt['difference']))} "
            f"{'lower' if vt['difference'] < 0 else 'higher'} on average "
            f"({'better' if better else 'worse'}; in 95% of worlds the difference is between "
            f"{metric_difference(primary, vt['worlds_low'])} and "
            f"{metric_difference(primary, vt['worlds_high'])}). ",
            _rests(f"simulated: the sign holds in {_share(vt['worlds_better_share'])} of "
                   f"{worlds} plausible worlds; "
                   f"{'clear' if clear else 'not clear'} beyond the replications' noise")]))
    else:
        out.append(html.P("No proposal beat today's programme once re-run in every world: "
                          "keep today's allocation."))
    return out


def chart(data: dict[str, Any]) -> list[Any]:
    """Today's allocation against the recommended one: stacked bars, and the same numbers
    as a table."""
    from dashboards.allocation import allocation_figure, allocation_rows

    chosen = data["answer"]["recommended"]
    names = [TODAY] if chosen == TODAY else [TODAY, chosen]
    titles = ["Today's programme"] + ([] if chosen == TODAY
                                      else [f"Recommended: {option_title(chosen)}"])
    figure = allocation_figure(data["options"], names, titles)
    rows = allocation_rows(data["options"], names)
    table = html.Table([
        html.Caption("Planned spending a year at full caseloads, by what it buys"),
        html.Thead(html.Tr([html.Th("Spending on", scope="col"),
                            *[html.Th(t, scope="col") for t in titles]])),
        html.Tbody([html.Tr([html.Th(part, scope="row"),
                             *[html.Td(labels.money(v)) for v in values]])
                    for part, values in rows]),
    ], className="numbers")
    return [html.H3("Today's allocation and the recommended one"),
            html.Figure([dcc.Graph(id="decide-chart", figure=figure,
                                   config={"displaylogo": False, "responsive": True}),
                         html.Figcaption("Stacked bars: each part of a year's planned "
                                         "spending; under each bar the mentors and staff "
                                         "posts it pays for. The table below gives the "
                                         "same numbers.")],
                        className="chart"),
            table]


def robustness(data: dict[str, Any]) -> list[Any]:
    """How robust each option on today's budget is, in words and as a table."""
    rob = data["robustness"]
    primary = primary_of(rob)
    said = METRICS[primary].label
    chosen = data["answer"]["recommended"]
    worlds = int(data["answer"].get("worlds") or 0)
    byname = rob.set_index("option")
    out: list[Any] = [html.H3("How robust")]
    if chosen in byname.index and TODAY in byname.index:
        r, t = byname.loc[chosen], byname.loc[TODAY]
        out.append(html.P([
            f"{option_title(chosen)} meets your thresholds in {_share(r['satisficing'])} of "
            f"the {worlds} plausible worlds (today's programme: {_share(t['satisficing'])}). "
            f"In the worst tenth of worlds {said.lower()} is "
            f"{metric_value(primary, r['low_percentile'])} (today's: "
            f"{metric_value(primary, t['low_percentile'])}); on average it is "
            f"{metric_difference(primary, r['regret_mean'])} worse than the best option in "
            "each world. ",
            _rests(f"simulated across {worlds} plausible worlds")]))
    head = ["Option", f"{said} on average", "In the worst tenth of worlds",
            "Meets your thresholds in", "Worse than the best in each world: on average",
            "… in 9 worlds of 10 at most", "Meets the constraints on average"]
    body = [html.Tr([html.Th(option_title(str(row.option))
                             + (" (recommended)" if row.option == chosen else ""), scope="row"),
                     html.Td(metric_value(primary, row.mean)),
                     html.Td(metric_value(primary, row.low_percentile)),
                     html.Td(f"{_share(row.satisficing)} of worlds"),
                     html.Td(metric_difference(primary, row.regret_mean)),
                     html.Td(metric_difference(primary, row.regret_p90)),
                     html.Td("yes" if row.meets_constraints else "no")])
            for row in rob.itertuples()]
    out.append(html.Div(html.Table([
        html.Caption(f"Every option on today's budget, re-run in each of {worlds} worlds"),
        html.Thead(html.Tr([html.Th(h, scope="col") for h in head])),
        html.Tbody(body)], className="numbers"), className="table-scroll", tabIndex="0",
        role="region", **{"aria-label": "How robust each option is"}))
    return out


def what_would_change(data: dict[str, Any]) -> list[Any]:
    """What would change the recommendation, each with its evidence grade."""
    change = data["answer"].get("what_would_change") or {}
    items: list[Any] = []
    s = change.get("switching")
    if s:
        items.append(html.Li(["Its advantage over today reverses if ", *_param(s["parameter"]),
                              f" is beyond {s['value']:.4g} (plausible range "
                              f"{s['range'][0]:g} to {s['range'][1]:g}). ",
                              _grade(s["grade"])]))
    for d in change.get("drivers") or []:
        items.append(html.Li(["It depends on ", *_param(d["parameter"]),
                              f" (rank correlation {d['rho']:+.2f} across the worlds). ",
                              _grade(d["grade"])]))
    box = change.get("box")
    if box:
        items.append(html.Li([f"It fails (misses a threshold, or does worse than today) mainly "
                              f"where {plain(box['text'])}. ",
                              _rests(f"found in the worlds: covers {_share(box['coverage'])} "
                                     f"of the failures, {_share(box['density'])} of the "
                                     "worlds there fail")]))
    elif change.get("fails_share") == 0:
        items.append(html.Li(["It meets your thresholds and does at least as well as today "
                              "in every plausible world. ",
                              _rests("simulated across the plausible worlds")]))
    elif "fails_share" in change:
        why = ("too few worlds differ to look for the region of the parameters to blame"
               if change.get("box_sought") is False else
               "with no clear region of the parameters to blame")
        items.append(html.Li([f"It misses a threshold or does worse than today in "
                              f"{_share(change['fails_share'])} of worlds, {why}. ",
                              _rests("simulated across the plausible worlds")]))
    if not items:
        items.append(html.Li("Nothing in the plausible worlds clearly changes it."))
    return [html.H3("What would change this"), html.Ul(items, className="claims")]


def evidence(data: dict[str, Any]) -> list[Any]:
    """The evidence worth buying: EVPI, and EVPPI of the parameters that matter most."""
    e = data["answer"].get("evpi")
    out: list[Any] = [html.H3("Evidence worth buying")]
    if not e:
        out.append(html.P(f"Not valued: {METRICS[REOFFENDING].label.lower()} needs a year's "
                          "follow-up inside the horizon (a horizon of at least "
                          f"{FOLLOW_UP_WEEKS} weeks), and what is worth buying is valued in "
                          "reoffences averted."))
        return out
    out.append(html.P([
        f"Knowing the model's uncertain parameters for certain would be worth about "
        f"{labels.money(e['evpi_gbp'])} for the programme ({labels.money(e['evpi_gbp_per_year'])}"
        f" a year) at {labels.money(e['value_per_reoffence_gbp'])} per proven reoffence "
        f"averted ({labels.money(e['evpi_low_gbp'])} to {labels.money(e['evpi_high_gbp'])} "
        "across that value's plausible range). ",
        _rests("an upper bound: it counts the noise left in a world's mean")]))
    rows = data["evppi"].sort_values("evppi_gbp", ascending=False)
    items = []
    for row in rows.itertuples():
        names = str(row.parameters).split(" + ")
        said: list[Any] = []
        for i, name in enumerate(names):
            said += ([" and "] if i else []) + _param(name)
        items.append(html.Li([*said, f": {labels.money(row.evppi_gbp)} "
                              f"({labels.money(row.evppi_gbp_per_year)} a year). ",
                              _grade(str(row.grade))]))
    if items:
        out += [html.P("Learning one of these (or them together) for certain would be "
                       "worth:"), html.Ul(items, className="claims")]
    return out


def least_money(data: dict[str, Any]) -> list[Any]:
    """The least money that meets the thresholds."""
    lm = data["answer"].get("least_money")
    if not lm:
        return []
    money = (f"About {labels.money(lm['annual_budget_gbp'])} a year "
             f"({lm['budget_multiple']:.2f} × the budget)")
    said = (f"{money} meets your thresholds on average over the worlds. " if
            lm["meets_on_average"] else
            f"The least money the search found to meet them, {money[0].lower()}{money[1:]}, "
            "does not meet them on average once re-run in every world. ")
    return [html.H3("The least money that meets your thresholds"), html.P([
        said, _rests(f"met in {_share(lm['satisficing'])} of the plausible worlds")])]


def downloads(run: str, option_files: Sequence[str], has_spec: bool) -> list[Any]:
    """Links to the decision's spreadsheet, spec and each recommended option."""
    links = [html.Li(html.A(what, href=f"/studio/decision/{run}/{kind}", download=""))
             for kind, what in DECISION_DOWNLOADS.items()
             if kind != "decision.toml" or has_spec]
    links += [html.Li(html.A(f"{option_title(Path(name).stem)} as a scenario file ({name})",
                             href=f"/studio/decision/{run}/options/{name}", download=""))
              for name in option_files]
    return [html.H3("Downloads"), html.Ul(links, className="decision-downloads")]


def decision_blocks(folder: Path, run: str, option_files: Sequence[str],
                    has_spec: bool) -> list[Any]:
    """The whole decision as page content."""
    from sim.findings import caveat

    data = read(folder)
    worlds = int(data["answer"].get("worlds") or 0)
    return [*headline(data), *chart(data), *robustness(data), *what_would_change(data),
            *evidence(data), *least_money(data), *downloads(run, option_files, has_spec),
            html.P(caveat(worlds), className="caveat")]
