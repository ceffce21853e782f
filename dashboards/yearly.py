"""Year by year: key measures for each year of the run, per scenario, with 95% intervals.

Reads ``yearly.parquet`` (one row per scenario × replication × year, then one column per
metric of ``sim.metrics.METRICS`` computed over that year's weeks). Replications are
reduced to a mean and a Student-t 95% confidence interval per scenario and year (the
same interval as ``summary.csv``) before plotting. A drop-down built with Plotly's own
``updatemenus`` picks the measure, so the page needs no server; a compact HTML table
lists every offered measure by year, so a printed page shows them all.

Which measures are offered is decided here; labels, units and how values are written
come from the model's metric registry through :func:`dashboards.headline.describe_metric`.
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from dashboards.headline import MetricInfo, describe_metric, format_value, table_wrap
from dashboards.palette import (
    add_dropdown,
    interval_error_bars,
    scenario_colours,
    style_figure,
)
from sim.metrics import METRICS
from sim.summary import mean_ci

# The measures offered by year, in drop-down order: early endings, burnout, mentors lost,
# money in and out, reserves under strain, and whether support and supervision were
# delivered. Only those present in the file with at least one finite value are offered.
YEARLY_METRICS: tuple[str, ...] = (
    "premature_closure_rate",
    "burnout_incidence_per_100_mentor_years",
    "mentor_burnout_prevalence",
    "mentor_losses_all_cause_annual",
    "funding_received_gbp",
    "total_spend_gbp",
    "weeks_below_floor",
    "supervision_delivered_share",
    "support_delivered_share",
)

YEAR_COLUMNS: tuple[str, ...] = ("scenario", "replication", "year", "start_week", "end_week")
WEEKS_PER_YEAR = 52

SUMMARY_COLUMNS: tuple[str, ...] = (
    "metric", "scenario", "year", "start_week", "end_week", "mean", "ci_low", "ci_high",
    "replications",
)


def offered_metrics(yearly: pd.DataFrame, preferred: Sequence[str] = YEARLY_METRICS) -> list[str]:
    """The ``preferred`` metrics that are columns of ``yearly`` with a finite value."""
    offered = []
    for metric in preferred:
        if metric not in yearly.columns:
            continue
        values = pd.to_numeric(yearly[metric], errors="coerce").to_numpy(float)
        if np.isfinite(values).any():
            offered.append(metric)
    return offered


def yearly_summary(
    yearly: pd.DataFrame, scenarios: Sequence[str], metrics: Sequence[str] | None = None
) -> pd.DataFrame:
    """Mean and 95% confidence interval across replications per metric, scenario, year.

    ``metrics`` defaults to :func:`offered_metrics`. A year's ``start_week`` and
    ``end_week`` are its window (the last year may be shorter). Returns
    ``metric, scenario, year, start_week, end_week, mean, ci_low, ci_high,
    replications`` (``replications`` counts the finite values) in metric, scenario,
    year order; the interval is NaN when fewer than two replications have a value.
    """
    metrics = offered_metrics(yearly) if metrics is None else list(metrics)
    rows = []
    for metric in metrics:
        for scenario in scenarios:
            data = yearly[yearly["scenario"] == scenario]
            for year, group in data.groupby("year", sort=True):
                mean, low, high, n = mean_ci(pd.to_numeric(group[metric]).to_numpy(float))
                rows.append(
                    {
                        "metric": metric,
                        "scenario": scenario,
                        "year": int(year),
                        "start_week": int(group["start_week"].min()),
                        "end_week": int(group["end_week"].max()),
                        "mean": mean,
                        "ci_low": low,
                        "ci_high": high,
                        "replications": n,
                    }
                )
    return pd.DataFrame(rows, columns=list(SUMMARY_COLUMNS))


def year_windows(summary: pd.DataFrame) -> pd.DataFrame:
    """Each year's window: ``year, start_week, end_week, weeks`` in year order."""
    windows = (
        summary.groupby("year", sort=True)
        .agg(start_week=("start_week", "min"), end_week=("end_week", "max"))
        .reset_index()
    )
    windows["weeks"] = windows["end_week"] - windows["start_week"] + 1
    return windows


def _unit_words(metric: str, info: MetricInfo) -> str:
    """The unit after a label: ``%``, ``% a year``, ``£``, ``per 100 mentors a year``."""
    if info.kind == "proportion":
        return f"%{info.suffix}"
    if info.kind == "gbp":
        return f"£{info.suffix}"
    if info.kind == "weeks":
        return "weeks"
    declared = METRICS.get(metric)
    return info.suffix.strip() or (declared.unit if declared else "number")


def metric_title(metric: str) -> str:
    """Axis and table title of a metric: its registry label and unit in brackets."""
    info = describe_metric(metric)
    return f"{info.label} ({_unit_words(metric, info)})"


def _axis_layout(metric: str) -> dict[str, object]:
    info = describe_metric(metric)
    money = info.kind == "gbp"
    return {
        "yaxis.title.text": metric_title(metric),
        "yaxis.tickprefix": "£" if money else "",
        "yaxis.ticksuffix": "%" if info.kind == "proportion" else "",
        "yaxis.tickformat": ",.0f" if money else "",
    }


def _value(value: float, info: MetricInfo) -> str:
    """A value as in the table: its number with % or £, the unit being in the title."""
    return format_value(value, info.kind if info.kind != "weeks" else "number", "",
                        info.decimals)


def _scale(info: MetricInfo) -> float:
    return 100.0 if info.kind == "proportion" else 1.0


def _plotted(values: np.ndarray, info: MetricInfo) -> list[float]:
    """Values in the axis unit, rounded to what the hover shows (keeps the page small)."""
    digits = 0 if info.kind == "gbp" else info.decimals + 1
    return np.round(_scale(info) * values, digits).tolist()


def _hovertemplate(info: MetricInfo, with_ci: bool) -> str:
    """Hover text of one trace: scenario, year, mean and 95% CI in the metric's unit."""
    prefix = "£" if info.kind == "gbp" else ""
    number = ",.0f" if info.kind == "gbp" else f",.{info.decimals}f"
    percent = "%" if info.kind == "proportion" else ""
    unit = info.suffix if info.kind != "weeks" else " weeks"
    ci = (
        f"95% CI {prefix}%{{customdata[0]:{number}}}{percent} – "
        f"{prefix}%{{customdata[1]:{number}}}{percent}"
        if with_ci
        else "%{text}"
    )
    return (
        "<b>%{fullData.name}</b>, year %{x:.0f}"
        f"<br>{html.escape(info.label)}: {prefix}%{{y:{number}}}{percent}{unit}"
        f"<br>{ci}<extra></extra>"
    )


def yearly_figure(summary: pd.DataFrame, scenarios: Sequence[str]) -> go.Figure | None:
    """Mean of a measure in each year per scenario, with 95% CI whiskers; a drop-down
    picks the measure.

    One trace per metric and scenario (``legendgroup`` = scenario, ``meta`` = metric),
    only the first metric's visible at first. Scenarios are nudged apart around each
    year so their whiskers do not overlap. Returns None when ``summary`` has no rows.
    """
    if summary.empty:
        return None
    metrics = list(dict.fromkeys(summary["metric"]))
    shown = [s for s in scenarios if s in set(summary["scenario"])]
    colours = scenario_colours(scenarios)
    windows = year_windows(summary)
    width = min(0.08, 0.4 / max(1, len(shown)))
    offsets = {s: (i - (len(shown) - 1) / 2) * width for i, s in enumerate(shown)}
    fig = go.Figure()
    for number, metric in enumerate(metrics):
        info = describe_metric(metric)
        for scenario in shown:
            data = summary[(summary["metric"] == metric) & (summary["scenario"] == scenario)]
            data = data.sort_values("year")
            mean, low, high = (data[c].to_numpy(float) for c in ("mean", "ci_low", "ci_high"))
            with_ci = bool(np.isfinite(low).all() and np.isfinite(high).all())
            bars = interval_error_bars(
                np.asarray(_plotted(mean, info)), np.asarray(_plotted(low, info)),
                np.asarray(_plotted(high, info)),
            )
            # Where a year has no interval (one replication) the hover says so in words.
            text = None if with_ci else [
                f"95% CI {_value(lo, info)} – {_value(hi, info)}"
                if math.isfinite(lo) and math.isfinite(hi) else "no 95% CI (one replication)"
                for lo, hi in zip(low, high, strict=True)
            ]
            fig.add_trace(
                go.Scatter(
                    x=np.round(data["year"].to_numpy(float) + offsets[scenario], 3).tolist(),
                    y=_plotted(mean, info),
                    mode="lines+markers",
                    name=scenario,
                    legendgroup=scenario,
                    meta=metric,
                    visible=number == 0,
                    line={"color": colours[scenario]},  # markers take the line's colour
                    error_y={
                        **bars,
                        "array": np.round(bars["array"], 3).tolist(),
                        "arrayminus": np.round(bars["arrayminus"], 3).tolist(),
                        "color": colours[scenario],
                    },
                    customdata=np.column_stack(
                        [_plotted(low, info), _plotted(high, info)]
                    ).tolist() if with_ci else None,
                    text=text,
                    hovertemplate=_hovertemplate(info, with_ci),
                )
            )
    traces = len(shown)
    buttons = []
    for number, metric in enumerate(metrics):
        visible = [False] * (traces * len(metrics))
        visible[number * traces : (number + 1) * traces] = [True] * traces
        buttons.append(
            {
                "label": f"Measure: {describe_metric(metric).label}",
                "method": "update",
                "args": [{"visible": visible}, _axis_layout(metric)],
            }
        )
    first = _axis_layout(metrics[0])
    fig.update_xaxes(
        title_text="Year of the run",
        tickmode="array",
        tickvals=windows["year"].tolist(),
        ticktext=[
            f"Year {w.year}<br>weeks {w.start_week}–{w.end_week}"
            for w in windows.itertuples(index=False)
        ],
        range=[windows["year"].min() - 0.5, windows["year"].max() + 0.5],
        zeroline=False,
    )
    fig.update_yaxes(
        title_text=first["yaxis.title.text"],
        tickprefix=first["yaxis.tickprefix"],
        ticksuffix=first["yaxis.ticksuffix"],
        tickformat=first["yaxis.tickformat"],
        rangemode="tozero",
    )
    fig = style_figure(fig, height=440, legend_title="Scenario")
    if len(metrics) > 1:
        add_dropdown(fig, buttons)
    return fig


def yearly_html(summary: pd.DataFrame, scenarios: Sequence[str]) -> str:
    """Every offered measure by year and scenario as a compact HTML table.

    Measures down (one row per scenario), years across; each cell is the mean with its
    95% confidence interval below in small type. Empty string when ``summary`` has no
    rows.
    """
    if summary.empty:
        return ""
    colours = scenario_colours(scenarios)
    shown = [s for s in scenarios if s in set(summary["scenario"])]
    windows = year_windows(summary)
    years = windows["year"].tolist()
    head = "".join(
        f'<th scope="col">Year {w.year}<div class="ci">weeks {w.start_week}–{w.end_week}'
        "</div></th>"
        for w in windows.itertuples(index=False)
    )
    body = []
    for metric in dict.fromkeys(summary["metric"]):
        info = describe_metric(metric)
        rows = summary[summary["metric"] == metric]
        definition = html.escape(info.definition)
        title = f' title="{definition}"' if definition else ""
        for i, scenario in enumerate(shown):
            by_year = rows[rows["scenario"] == scenario].set_index("year")
            cells = []
            for year in years:
                # data-year labels the cell when a narrow screen scrolls the headings away
                if year not in by_year.index:
                    cells.append(f'<td data-year="Year {year}">–</td>')
                    continue
                r = by_year.loc[year]
                # Kept terse: a 5-scenario, 5-year page has 225 of these cells.
                if math.isfinite(r["ci_low"]) and math.isfinite(r["ci_high"]):
                    ci = (
                        f"<small>{html.escape(_value(r['ci_low'], info))} – "
                        f"{html.escape(_value(r['ci_high'], info))}</small>"
                    )
                else:  # fewer than two replications with a value: no interval
                    n = int(r["replications"])
                    ci = f"<small>{n} replication</small>" if n == 1 else ""
                cells.append(f'<td data-year="Year {year}">'
                             f"{html.escape(_value(r['mean'], info))}{ci}</td>")
            measure = (
                f'<th scope="rowgroup" rowspan="{len(shown)}"{title}>'
                f"{html.escape(metric_title(metric))}</th>"
                if i == 0
                else ""
            )
            row_class = ' class="group-start"' if i == 0 else ""
            body.append(
                f"<tr{row_class}>{measure}<th scope=\"row\">"
                f'<span class="swatch" style="background:{colours[scenario]}"></span>'
                f"{html.escape(scenario)}</th>{''.join(cells)}</tr>"
            )
    return (
        f'{table_wrap("Key measures year by year")}<table class="data yearly"><thead><tr>'
        '<th scope="col">Measure</th><th scope="col">Option</th>'
        f"{head}</tr></thead><tbody>{''.join(body)}</tbody></table></div>"
    )


def short_year_note(summary: pd.DataFrame) -> str:
    """A note when the last year is shorter than 52 weeks (its totals cover part of a
    year); empty string otherwise."""
    if summary.empty:
        return ""
    last = year_windows(summary).iloc[-1]
    weeks = int(last["weeks"])
    if weeks >= WEEKS_PER_YEAR:
        return ""
    return (
        f'<p class="note">Year {int(last["year"])} covers only weeks {int(last["start_week"])}'
        f"–{int(last['end_week'])} ({weeks} of {WEEKS_PER_YEAR} weeks), so its totals, such "
        "as money received and spent or weeks below the reserve floor, are for part of a "
        "year.</p>"
    )
