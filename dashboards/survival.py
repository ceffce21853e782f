"""How long relationships last: Kaplan–Meier survival of relationship length.

Relationships still open at the horizon (``closure_reason == 'ongoing'``) are censored:
we know they lasted *at least* ``duration_weeks``. Every other ending counts as an end.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from dashboards.palette import empty_figure, scenario_colours, style_figure

# Six and twelve months, the marks the issue asks for.
MARKS_WEEKS: tuple[tuple[int, str], ...] = ((26, "6 months"), (52, "12 months"))


def kaplan_meier(durations: np.ndarray | pd.Series, ended: np.ndarray | pd.Series) -> pd.DataFrame:
    """Kaplan–Meier estimate of the share of relationships still going after t weeks.

    ``ended`` is True for an observed ending and False for a censored (ongoing)
    relationship. Returns one row per distinct time with ``time, at_risk, ended,
    censored, survival``, starting with ``time = 0, survival = 1``. At tied times,
    endings are counted before censorings (the usual convention: a relationship
    censored at t was still at risk at t).
    """
    t = np.asarray(durations, dtype=float)
    e = np.asarray(ended, dtype=bool)
    keep = ~np.isnan(t)
    t, e = t[keep], e[keep]
    if t.size == 0:
        return pd.DataFrame(
            {"time": [0.0], "at_risk": [0], "ended": [0], "censored": [0], "survival": [1.0]}
        )
    times, inverse = np.unique(t, return_inverse=True)
    ended_at = np.bincount(inverse, weights=e.astype(float), minlength=times.size)
    total_at = np.bincount(inverse, minlength=times.size).astype(float)
    censored_at = total_at - ended_at
    # Everyone with time >= t is at risk at t: reverse cumulative count.
    at_risk = np.cumsum(total_at[::-1])[::-1]
    survival = np.cumprod(1.0 - ended_at / at_risk)
    frame = pd.DataFrame(
        {
            "time": times,
            "at_risk": at_risk.astype(int),
            "ended": ended_at.astype(int),
            "censored": censored_at.astype(int),
            "survival": survival,
        }
    )
    if times[0] > 0:
        start = pd.DataFrame(
            {"time": [0.0], "at_risk": [int(t.size)], "ended": [0], "censored": [0],
             "survival": [1.0]}
        )
        frame = pd.concat([start, frame], ignore_index=True)
    return frame


def survival_at(curve: pd.DataFrame, week: float) -> float:
    """Survival (share still going) just after ``week``, read off a KM step curve."""
    before = curve[curve["time"] <= week]
    return float(before["survival"].iloc[-1]) if not before.empty else 1.0


def share_reaching(curve: pd.DataFrame, week: float) -> float:
    """Share of relationships that lasted at least ``week`` weeks, P(T >= week).

    This is the curve just *before* ``week``: a relationship completed as planned at
    exactly 26 weeks did last 6 months, although it is no longer going after week 26.
    """
    before = curve[curve["time"] < week]
    return float(before["survival"].iloc[-1]) if not before.empty else 1.0


def survival_table(matches: pd.DataFrame, scenarios: Sequence[str]) -> pd.DataFrame:
    """Kaplan–Meier curve per scenario, pooling relationships across replications."""
    curves = []
    for scenario in scenarios:
        data = matches[matches["scenario"] == scenario]
        curve = kaplan_meier(
            data["duration_weeks"].to_numpy(float),
            (data["closure_reason"].astype(str) != "ongoing").to_numpy(),
        )
        curve.insert(0, "scenario", scenario)
        curves.append(curve)
    if not curves:
        return pd.DataFrame(columns=["scenario", "time", "at_risk", "ended", "censored",
                                     "survival"])
    return pd.concat(curves, ignore_index=True)


def survival_figure(table: pd.DataFrame, scenarios: Sequence[str]) -> go.Figure:
    """Step curves of the percentage of relationships still going, with 6/12-month marks."""
    if table.empty or table["at_risk"].max() == 0:
        return empty_figure("No relationships were started in these results.")
    colours = scenario_colours(scenarios)
    fig = go.Figure()
    for scenario in scenarios:
        curve = table[table["scenario"] == scenario]
        if curve.empty:
            continue
        fig.add_trace(
            go.Scatter(
                x=curve["time"].to_numpy(float),
                y=100.0 * curve["survival"].to_numpy(float),
                mode="lines",
                line={"shape": "hv", "color": colours[scenario], "width": 2},
                name=scenario,
                legendgroup=scenario,
                customdata=np.column_stack(
                    [curve["at_risk"].to_numpy(float), curve["ended"].to_numpy(float)]
                ),
                hovertemplate=(
                    "<b>%{fullData.name}</b><br>After %{x:.0f} weeks: %{y:.1f}% still going"
                    "<br>%{customdata[0]:,.0f} at risk, %{customdata[1]:,.0f} ended this week"
                    "<extra></extra>"
                ),
            )
        )
        marks = [(w, lbl) for w, lbl in MARKS_WEEKS if w <= curve["time"].max()]
        # Dots sit on the vertical mark lines at the share that reached that length.
        if marks:
            values = [100.0 * share_reaching(curve, w) for w, _ in marks]
            fig.add_trace(
                go.Scatter(
                    x=[w for w, _ in marks],
                    y=values,
                    mode="markers",
                    marker={"color": colours[scenario], "size": 9,
                            "line": {"color": "#000000", "width": 1}},
                    name=f"{scenario} at 6 and 12 months",
                    legendgroup=scenario,
                    showlegend=False,
                    text=[lbl for _, lbl in marks],
                    hovertemplate=(
                        "<b>" + scenario + "</b><br>Lasted at least %{text}: %{y:.1f}%"
                        "<extra></extra>"
                    ),
                )
            )
    longest = float(table["time"].max())
    for week, label in MARKS_WEEKS:
        if week > longest:  # a short run: no line beyond the data
            continue
        fig.add_vline(
            x=week, line={"color": "#666666", "dash": "dash", "width": 1},
            annotation_text=label, annotation_position="top right",
        )
    fig.update_xaxes(title_text="Relationship length (weeks)", rangemode="tozero")
    fig.update_yaxes(title_text="Relationships still going (%)", range=[0, 102])
    return style_figure(fig, height=480, legend_title="Scenario")


HAZARD_BIN_WEEKS = 4  # weeks pooled per point of the hazard curve, so it is readable


def hazard_table(table: pd.DataFrame, scenarios: Sequence[str],
                 width: int = HAZARD_BIN_WEEKS) -> pd.DataFrame:
    """Weekly closure hazard per scenario in bins of ``width`` weeks, read off the
    Kaplan–Meier curves: ``1 - (S(end) / S(start)) ** (1 / width)``, the constant weekly
    chance of ending that takes survival from the bin's start to its end. Bins where no
    relationship was at risk, or survival had reached zero, are left out."""
    rows = []
    for scenario in scenarios:
        curve = table[table["scenario"] == scenario]
        if curve.empty:
            continue
        longest = float(curve["time"].max())
        for start in np.arange(0.0, longest, width):
            s0 = survival_at(curve, start)
            s1 = survival_at(curve, start + width)
            at_risk = curve[(curve["time"] > start) & (curve["time"] <= start + width)]
            if s0 <= 0 or at_risk.empty:
                continue
            rows.append((scenario, start, start + width,
                         1.0 - (s1 / s0) ** (1.0 / width), int(at_risk["at_risk"].max())))
    return pd.DataFrame(rows, columns=["scenario", "week_from", "week_to", "hazard",
                                       "at_risk"])


def hazard_figure(hazards: pd.DataFrame, scenarios: Sequence[str]) -> go.Figure:
    """Weekly chance that a relationship still going ends, by its age, with the 6- and
    12-month marks (commitment points of adult and youth programmes)."""
    if hazards.empty:
        return empty_figure("No relationships were started in these results.")
    width = int(hazards["week_to"].iloc[0] - hazards["week_from"].iloc[0])
    colours = scenario_colours(scenarios)
    fig = go.Figure()
    for scenario in scenarios:
        rows = hazards[hazards["scenario"] == scenario]
        if rows.empty:
            continue
        fig.add_trace(go.Scatter(
            # Rounded: the page carries every point, and a tenth of a percent is plenty.
            x=((rows["week_from"] + rows["week_to"]) / 2).round(1).tolist(),
            y=(100.0 * rows["hazard"]).round(2).tolist(), mode="lines+markers",
            line={"color": colours[scenario], "width": 2}, marker={"size": 5},
            name=scenario,
            hovertemplate=(f"<b>%{{fullData.name}}</b><br>Around week %{{x:.0f}} "
                           f"({width}-week bin): %{{y:.1f}}% a week ended<extra></extra>")))
    longest = float(hazards["week_to"].max())
    for week, label in MARKS_WEEKS:
        if week <= longest:
            fig.add_vline(x=week, line={"color": "#666666", "dash": "dash", "width": 1},
                          annotation_text=label, annotation_position="top right")
    fig.update_xaxes(title_text="Relationship age (weeks)", rangemode="tozero")
    fig.update_yaxes(title_text="Relationships ending a week (% of those still going)",
                     rangemode="tozero")
    return style_figure(fig, height=420, legend_title="Scenario")
