"""Over time: relationships, waiting list, mentors and funding, median and 10–90% band.

Replications are reduced to three quantiles per scenario and week *before* plotting, so
the page size depends on scenarios × weeks, not on the number of replications.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from dashboards.palette import (
    EVENT_STYLES,
    band_trace,
    humanise,
    rounded,
    scenario_colours,
    style_figure,
)

QUANTILES: tuple[float, float, float] = (0.1, 0.5, 0.9)
BAND_LABEL = "10–90% band"  # the band's trace name after the scenario's
WEEKS_PER_YEAR = 52


@dataclass(frozen=True)
class TimeAxis:
    """How weeks are shown on an x axis: in weeks, or in years for long horizons."""

    unit: str
    divisor: float

    @property
    def title(self) -> str:
        """Axis title with its unit."""
        return "Time since start (years)" if self.unit == "years" else "Time since start (weeks)"

    @property
    def short(self) -> str:
        """A short axis title, for small multiples (which stay readable on a phone)."""
        return "Years" if self.unit == "years" else "Weeks"

    def x(self, weeks: np.ndarray | pd.Series) -> np.ndarray:
        """Convert week numbers to axis positions."""
        return np.asarray(weeks, dtype=float) / self.divisor


def time_axis(weeks: int) -> TimeAxis:
    """Years from two years up (easier to read for funders), weeks for shorter runs."""
    if weeks >= 2 * WEEKS_PER_YEAR:
        return TimeAxis("years", float(WEEKS_PER_YEAR))
    return TimeAxis("weeks", 1.0)


@dataclass(frozen=True)
class Panel:
    """One small-multiple panel of the over-time figure."""

    title: str
    y_title: str
    columns: tuple[str, ...]
    dashes: tuple[str, ...] = ("solid",)
    money: bool = False


# The panel titles say what is counted (the hover text in full); titles and axis titles
# stay short so four panels fit a phone's width.
OVER_TIME_PANELS: tuple[Panel, ...] = (
    Panel("Relationships", "Number", ("active_matches",)),
    Panel("Waiting list", "Number", ("waiting_mentees",)),
    # burnt-out mentors have a chart of their own ("How many mentors are burnt out?"),
    # so each line here is one scenario, drawn in its own pattern
    Panel("Active mentors", "Number", ("active_mentors",)),
    Panel("Reserves", "£", ("funding_balance_gbp",), money=True),
)

SERIES_LABELS: dict[str, str] = {
    "active_matches": "Active relationships",
    "waiting_mentees": "Mentees on the waiting list",
    "active_mentors": "Active mentors",
    "burnt_out_mentors": "Burnt-out mentors",
    "funding_balance_gbp": "Funding balance",
    "burnout_prevalence": "Share of active mentors burnt out",
}


def weekly_quantiles(
    weekly: pd.DataFrame,
    columns: Sequence[str],
    quantiles: tuple[float, float, float] = QUANTILES,
) -> pd.DataFrame:
    """Per scenario, week and column: low, median and high quantile across replications.

    Returns a long table with columns ``scenario, week, variable, low, median, high,
    replications`` (``replications`` counts the non-missing values behind each row).
    """
    low_q, mid_q, high_q = quantiles
    long = weekly.melt(
        id_vars=["scenario", "week"], value_vars=list(columns), var_name="variable"
    ).dropna(subset=["value"])
    grouped = long.groupby(["scenario", "week", "variable"], sort=True)["value"]
    out = grouped.quantile([low_q, mid_q, high_q]).unstack()
    out.columns = ["low", "median", "high"]
    out["replications"] = grouped.count()
    return out.reset_index()


def summarise_events(events: pd.DataFrame) -> pd.DataFrame:
    """Count, per scenario, event type and week, how many replications saw the event.

    Returns ``scenario, event, week, replications``.
    """
    if events.empty:
        return pd.DataFrame(columns=["scenario", "event", "week", "replications"])
    counted = (
        events.groupby(["scenario", "event", "week"])["replication"].nunique().rename(
            "replications"
        )
    )
    return counted.reset_index()


def over_time_figure(
    quantiles: pd.DataFrame,
    events: pd.DataFrame,
    scenarios: Sequence[str],
    weeks: int,
    replications: int | None = None,
) -> go.Figure:
    """Small multiples of the weekly series: median line and 10–90% band per scenario.

    ``quantiles`` comes from :func:`weekly_quantiles` (with the panel columns) and
    ``events`` from :func:`summarise_events`; events are marked on the funding panel.
    """
    axis = time_axis(weeks)
    colours = scenario_colours(scenarios)
    fig = make_subplots(
        rows=2, cols=2, subplot_titles=[p.title for p in OVER_TIME_PANELS],
        vertical_spacing=0.14, horizontal_spacing=0.1,
    )
    for index, panel in enumerate(OVER_TIME_PANELS):
        row, col = divmod(index, 2)
        row, col = row + 1, col + 1
        for scenario in scenarios:
            colour = colours[scenario]
            for column, dash in zip(panel.columns, panel.dashes, strict=True):
                data = quantiles[
                    (quantiles["scenario"] == scenario) & (quantiles["variable"] == column)
                ].sort_values("week")
                if data.empty:
                    continue
                x = axis.x(data["week"])
                # Rounded to what the hover text shows (pounds, tenths): the page is smaller.
                low, mid, high = (rounded(data[c], 0 if panel.money else 1)
                                  for c in ("low", "median", "high"))
                fig.add_trace(band_trace(x, low, high, colour, scenario, BAND_LABEL),
                              row=row, col=col)
                number = "£%{y:,.0f}" if panel.money else "%{y:,.1~f}"
                low_high = (
                    "£%{customdata[1]:,.0f} – £%{customdata[2]:,.0f}" if panel.money
                    else "%{customdata[1]:,.1~f} – %{customdata[2]:,.1~f}"
                )
                fig.add_trace(
                    go.Scatter(
                        x=x,
                        y=mid,
                        mode="lines",
                        line={"color": colour, "dash": dash, "width": 2},
                        name=scenario,
                        legendgroup=scenario,
                        # One legend entry per scenario for the whole figure.
                        showlegend=index == 0,
                        customdata=list(zip(data["week"].astype(int).tolist(), low, high,
                                            strict=True)),
                        meta=SERIES_LABELS.get(column, humanise(column)),
                        hovertemplate=(
                            "<b>%{fullData.name}</b> – %{meta}<br>Week %{customdata[0]:.0f}"
                            f"<br>Median: {number}<br>10–90% of replications: {low_high}"
                            "<extra></extra>"
                        ),
                    ),
                    row=row,
                    col=col,
                )
        fig.update_yaxes(title_text=panel.y_title, row=row, col=col)
        fig.update_xaxes(title_text=axis.short, row=row, col=col)
    _add_event_markers(fig, quantiles, events, scenarios, axis, replications)
    fig.update_yaxes(rangemode="tozero")
    fig = style_figure(fig, height=820, legend_title="Scenario")
    # Two legend rows (scenarios, event symbols) need room above the subplot titles.
    fig.update_layout(legend={"y": 1.07}, margin={"t": 130})
    return fig


def _add_event_markers(
    fig: go.Figure,
    quantiles: pd.DataFrame,
    events: pd.DataFrame,
    scenarios: Sequence[str],
    axis: TimeAxis,
    replications: int | None,
) -> None:
    """Mark funding events on the funding panel, at that scenario's median balance."""
    if events.empty:
        return
    colours = scenario_colours(scenarios)
    funding = quantiles[quantiles["variable"] == "funding_balance_gbp"].set_index(
        ["scenario", "week"]
    )["median"]
    for event in dict.fromkeys(events["event"].astype(str)):
        label, symbol = EVENT_STYLES.get(event, (humanise(event), "star"))
        # A grey legend-only entry per event type: the markers themselves take the
        # scenario's colour, so a coloured legend symbol would suggest one scenario.
        fig.add_trace(
            go.Scatter(
                x=[None], y=[None], mode="markers", name=label, legendgroup=f"event-{event}",
                marker={"symbol": symbol, "size": 9, "color": "#999999",
                        "line": {"color": "#000000", "width": 1}},
                hoverinfo="skip",
            ),
            row=2,
            col=2,
        )
    for (scenario, event), data in events.groupby(["scenario", "event"], sort=False):
        if scenario not in colours:
            continue
        label, symbol = EVENT_STYLES.get(str(event), (humanise(str(event)), "star"))
        keys = list(zip([scenario] * len(data), data["week"], strict=True))
        y = funding.reindex(keys).to_numpy(float)
        of = f" of {replications}" if replications else ""
        fig.add_trace(
            go.Scatter(
                x=axis.x(data["week"]),
                y=np.nan_to_num(y, nan=0.0),
                mode="markers",
                marker={
                    "symbol": symbol, "size": 9, "color": colours[scenario],
                    "line": {"color": "#000000", "width": 1},
                },
                name=label,
                legendgroup=f"event-{event}",
                # The scenario's own: the scenario picker shows or hides it with the lines.
                uid=f"scenario:{scenario}:{event}",
                showlegend=False,
                customdata=np.column_stack(
                    [data["week"].to_numpy(float), data["replications"].to_numpy(float)]
                ),
                hovertemplate=(
                    f"<b>{scenario}</b><br>{label} in week %{{customdata[0]:.0f}}"
                    f"<br>in %{{customdata[1]:.0f}}{of} replications<extra></extra>"
                ),
            ),
            row=2,
            col=2,
        )
