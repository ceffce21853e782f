"""What ends relationships, and when: cumulative incidence of competing endings.

A relationship ends one way only: once it has ended as planned it can no longer end early
or be closed with the programme. Counting the other endings as censored (a Kaplan–Meier
curve per ending) would overstate each route, so each ending's share is the Aalen–Johansen
cumulative incidence: of the relationships started, the share that had ended that way by
week t. Relationships still open at the horizon (``ongoing``) are censored. The endings
are the groups of the "why relationships end" chart (:data:`CLOSURE_CATEGORIES`), with
programme closure taken out of "other endings" because funders ask about it on its own.

The estimates and their 95% pointwise intervals come from lifelines'
``AalenJohansenFitter``, imported only when a curve is computed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from dashboards.palette import (
    CLOSURE_CATEGORIES,
    GROUP_FAILURE,
    GROUP_ONGOING,
    GROUP_OTHER,
    GROUP_PLANNED,
    empty_figure,
    rounded,
    scenario_colours,
    style_figure,
)
from dashboards.survival import (
    CONFIDENCE,
    MARKS_WEEKS,
    interval_bounds,
    percent,
    step_band,
)


@dataclass(frozen=True)
class Ending:
    """One competing way a relationship can end: a panel of the figure."""

    key: str
    title: str
    says: str  # the end of "... of every 100 started had ..." in hover text
    reasons: tuple[str, ...]


def _reasons(group: str, *, leave_out: tuple[str, ...] = ()) -> tuple[str, ...]:
    return tuple(r for c in CLOSURE_CATEGORIES if c.group == group for r in c.reasons
                 if r not in leave_out)


def _shorts(group: str, *, leave_out: tuple[str, ...]) -> str:
    return ", ".join(c.short.lower() for c in CLOSURE_CATEGORIES
                     if c.group == group and c.key not in leave_out)


CLOSED = "programme_closed"
# In panel order; a reason in none of them (outside the vocabulary) counts as "other", as
# it is shown under "Other endings" on the closures chart.
# (Titles are broken in two so that the panels' titles do not run into each other on a
# narrow screen.)
ENDINGS: tuple[Ending, ...] = (
    Ending("planned", "Ended as planned", "ended as planned", _reasons(GROUP_PLANNED)),
    Ending("failure", GROUP_FAILURE.replace(": ", ":<br>"),
           "ended early through one of the six failure factors", _reasons(GROUP_FAILURE)),
    Ending(CLOSED, "Programme closed<br>when its funding ended",
           "ended because the programme closed", (CLOSED,)),
    Ending("other", f"{GROUP_OTHER}:<br>{_shorts(GROUP_OTHER, leave_out=(CLOSED,))}",
           "ended another way", _reasons(GROUP_OTHER, leave_out=(CLOSED,))),
)
N_ENDINGS = len(ENDINGS)
CENSORED_REASONS = _reasons(GROUP_ONGOING)
TABLE_COLUMNS = ("scenario", "ending", "time", "incidence", "lower", "upper", "relationships")


def ending_codes(reasons: pd.Series | Sequence[str]) -> np.ndarray:
    """Code each closure reason as lifelines wants it: 0 for censored (still running at
    the end), else 1 + the index of its ending in :data:`ENDINGS`."""
    codes = {r: i + 1 for i, ending in enumerate(ENDINGS) for r in ending.reasons}
    other = 1 + [e.key for e in ENDINGS].index("other")
    text = pd.Series(np.asarray(reasons, dtype=object)).astype(str)
    coded = text.map(codes).fillna(other).where(~text.isin(CENSORED_REASONS), 0)
    return coded.to_numpy(int)


def cumulative_incidence(durations: np.ndarray | pd.Series, codes: np.ndarray | pd.Series,
                         endings: int = N_ENDINGS) -> pd.DataFrame:
    """Aalen–Johansen cumulative incidence of each ending code ``1..endings``.

    ``codes`` is 0 for a censored relationship, else its ending (see :func:`ending_codes`).
    Returns ``ending`` (the code), ``time``, ``incidence``, ``lower``, ``upper``: one row
    per ending and distinct time (just after that week's endings), starting at time 0.
    ``lower`` and ``upper`` are lifelines' 95% pointwise interval; where it gives none
    (before the first ending of that kind, or when everyone still at risk ends at once)
    both equal the estimate. At every time the incidences add up to one minus the
    Kaplan–Meier survival of :func:`dashboards.survival.kaplan_meier`.

    Example:
        >>> cumulative_incidence([2, 3, 3, 8], [1, 2, 0, 1], endings=2).query(
        ...     "time == 3")["incidence"].round(3).tolist()
        [0.25, 0.25]
    """
    t = np.asarray(durations, dtype=float)
    c = np.asarray(codes, dtype=int)
    keep = ~np.isnan(t)
    t, c = t[keep], c[keep]
    times, rank = np.unique(t, return_inverse=True)
    if times.size == 0 or times[0] > 0:
        times, rank = np.concatenate([[0.0], times]), rank + 1
    # lifelines' fitter "cannot handle" endings of different kinds at one time: it would
    # jitter them at random (seeding numpy's global generator) and so move some after the
    # relationships censored that week. The estimate depends only on the order of the
    # times, and the order of the kinds of ending within a week changes neither it nor
    # its interval (tests/test_dashboard_figures.py checks both), so the fitter is given
    # each relationship's week as a rank, each kind of ending at its own fraction of the
    # week and censorings after them all (so no ending sits at time 0, whose row
    # lifelines 0.30 always sets to zero). Curves are read after each week.
    position = rank + np.where(c > 0, c, endings + 1) / (endings + 2)
    read_at = np.arange(times.size) + (endings + 1) / (endings + 2)
    frames = []
    for code in range(1, endings + 1):
        if not (c == code).any():  # never happened: exactly zero, with nothing to fit
            zero = np.zeros(times.size)
            frames.append(pd.DataFrame({"ending": code, "time": times, "incidence": zero,
                                        "lower": zero, "upper": zero}))
            continue
        from lifelines import AalenJohansenFitter  # lazily, as in dashboards.survival

        fitter = AalenJohansenFitter(alpha=1.0 - CONFIDENCE).fit(
            position, c, event_of_interest=code)
        # The value in force at each read-off point (the last row at or before it).
        row = np.searchsorted(fitter.cumulative_density_.index.to_numpy(float), read_at,
                              side="right") - 1
        incidence = fitter.cumulative_density_.iloc[:, 0].to_numpy(float)[row]
        lower, upper = (bound[row] for bound in interval_bounds(fitter.confidence_interval_))
        frames.append(pd.DataFrame({
            "ending": code, "time": times, "incidence": incidence,
            "lower": np.where(np.isnan(lower), incidence, lower),
            "upper": np.where(np.isnan(upper), incidence, upper),
        }))
    return pd.concat(frames, ignore_index=True)


def competing_risks_table(matches: pd.DataFrame, scenarios: Sequence[str]) -> pd.DataFrame:
    """Cumulative incidence of each ending (:data:`ENDINGS`) per scenario, pooling the
    relationships of all replications.

    Returns ``scenario, ending`` (the ending's key), ``time, incidence, lower, upper``
    (shares, 0-1, just after the week's endings) and ``relationships`` (how many were
    started), one row per ending and distinct relationship length of the scenario. A
    scenario without relationships has no rows.
    """
    keys = {i + 1: ending.key for i, ending in enumerate(ENDINGS)}
    curves = []
    for scenario in scenarios:
        data = matches[matches["scenario"] == scenario]
        if data.empty:
            continue
        table = cumulative_incidence(data["duration_weeks"].to_numpy(float),
                                     ending_codes(data["closure_reason"]))
        for code, curve in table.groupby("ending", sort=True):
            curves.append(curve.assign(
                scenario=scenario, ending=keys[int(code)], relationships=len(data)))
    if not curves:
        return pd.DataFrame(columns=list(TABLE_COLUMNS))
    return pd.concat(curves, ignore_index=True)[list(TABLE_COLUMNS)]


def _drawn(*columns: list[float]) -> list[list[float]]:
    """The points of step curves that change anything drawn once rounded (and the last):
    ``columns`` are the x values then the y values (line, band) of one curve."""
    values = np.array(columns[1:], dtype=float)
    keep = np.ones(values.shape[1], dtype=bool)
    keep[1:-1] = (np.diff(values, axis=1)[:, :-1] != 0).any(axis=0)
    return [[v for v, k in zip(column, keep, strict=True) if k] for column in columns]


def competing_risks_figure(table: pd.DataFrame, scenarios: Sequence[str]) -> go.Figure:
    """Small multiples, one panel per ending: per scenario, the step curve of how many of
    every 100 relationships started had ended that way by each week, with its 95%
    pointwise interval as a light band (hidden with its scenario) and 6/12-month marks.
    The panels share their y axis, so a route's size can be compared across panels."""
    if table.empty:
        return empty_figure("No relationships were started in these results.")
    if table["incidence"].max() <= 0:
        return empty_figure("No relationship had ended by the end of these runs, so there "
                            "is nothing to tell apart.")
    colours = scenario_colours(scenarios)
    fig = make_subplots(rows=2, cols=2, subplot_titles=[e.title for e in ENDINGS],
                        vertical_spacing=0.16, horizontal_spacing=0.08,
                        shared_xaxes="all", shared_yaxes="all")
    longest = float(table["time"].max())
    for index, ending in enumerate(ENDINGS):
        row, col = index // 2 + 1, index % 2 + 1
        rows = table[table["ending"] == ending.key]
        for scenario in scenarios:
            curve = rows[rows["scenario"] == scenario]
            if curve.empty:
                continue
            x, y = rounded(curve["time"], 2), percent(curve["incidence"])
            low, high = percent(curve["lower"]), percent(curve["upper"])
            x, y, low, high = _drawn(x, y, low, high)
            fig.add_trace(step_band(x, low, high, colours[scenario], scenario),
                          row=row, col=col)
            fig.add_trace(go.Scatter(
                x=x, y=y, mode="lines",
                line={"shape": "hv", "color": colours[scenario], "width": 2},
                name=scenario, legendgroup=scenario, showlegend=index == 0,
                customdata=list(zip(low, high, strict=True)), meta=ending.says,
                hovertemplate=(
                    "<b>%{fullData.name}</b><br>By week %{x:.0f}: %{y:.1f} of every 100 "
                    f"started had %{{meta}}<br>{CONFIDENCE:.0%} interval "
                    "%{customdata[0]:.1f}–%{customdata[1]:.1f}<extra></extra>"),
            ), row=row, col=col)
        if rows["incidence"].max() <= 0:
            fig.add_annotation(text="None ended this way", showarrow=False, x=0.5, y=0.5,
                               xref=f"x{index + 1 if index else ''} domain",
                               yref=f"y{index + 1 if index else ''} domain",
                               font={"color": "#555555"})
    for week, label in MARKS_WEEKS:
        if week <= longest:  # a short run: no line beyond the data
            fig.add_vline(x=week, line={"color": "#666666", "dash": "dash", "width": 1},
                          row="all", col="all")
            fig.add_annotation(text=label, x=week, y=1, xref="x", yref="y domain",
                               xanchor="left", yanchor="top", showarrow=False)
    top = 100.0 * float(table["upper"].max())
    fig.update_yaxes(range=[0, min(100.0, 1.05 * top + 1.0)])
    fig.update_yaxes(title_text="Of every 100 started", col=1)
    fig.update_xaxes(title_text="Relationship length (weeks)", row=2)
    fig.update_xaxes(showticklabels=True)
    fig = style_figure(fig, height=720, legend_title="Scenario")
    # The legend sits above the subplot titles and the scenario picker's menu (which
    # report.py may add at the top right, just above the plots).
    fig.update_layout(legend={"y": 1.13}, margin={"t": 150})
    return fig
