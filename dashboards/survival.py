"""How long relationships last: Kaplan–Meier survival of relationship length.

Relationships still open at the horizon (``closure_reason == 'ongoing'``) are censored:
we know they lasted *at least* ``duration_weeks``. Every other ending counts as an end.
The estimate and its 95% pointwise interval come from lifelines' ``KaplanMeierFitter``,
imported only when a curve is computed (it takes about a second to import, and building
a page should not pay for it before it needs it).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from dashboards.palette import (
    band_trace,
    empty_figure,
    rounded,
    scenario_colours,
    style_figure,
)

# Six and twelve months, the marks the issue asks for.
MARKS_WEEKS: tuple[tuple[int, str], ...] = ((26, "6 months"), (52, "12 months"))
CONFIDENCE = 0.95  # level of the pointwise intervals drawn as bands
BAND_LABEL = "95% interval"  # the band's trace name after the scenario's
PERCENT_DECIMALS = 1  # percentages on the page: a tenth of a point, as hover text shows
CURVE_COLUMNS = ("time", "at_risk", "ended", "censored", "survival", "lower", "upper")


def interval_bounds(interval: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Lower and upper bound of a lifelines ``confidence_interval_`` frame (two columns).

    Taken as the smaller and larger of the two columns, not by their names:
    ``AalenJohansenFitter`` (lifelines 0.30) names its lower bound ``..._upper_0.95``
    and its upper bound ``..._lower_0.95``.
    """
    values = interval.to_numpy(float)
    return np.min(values, axis=1), np.max(values, axis=1)


def kaplan_meier(durations: np.ndarray | pd.Series, ended: np.ndarray | pd.Series) -> pd.DataFrame:
    """Kaplan–Meier estimate of the share of relationships still going after t weeks.

    ``ended`` is True for an observed ending and False for a censored (ongoing)
    relationship. Returns one row per distinct time with ``time, at_risk, ended,
    censored, survival, lower, upper``, starting with ``time = 0, survival = 1``
    (unless relationships ended at week 0). At tied times, endings are counted before
    censorings (the usual convention: a relationship censored at t was still at risk at
    t). ``lower`` and ``upper`` are lifelines' 95% pointwise interval (its default,
    Greenwood's variance on the log(-log) scale, so it stays within 0 and 1).

    Example:
        >>> kaplan_meier([2, 3, 5], [True, False, True])["survival"].round(3).tolist()
        [1.0, 0.667, 0.667, 0.0]
    """
    t = np.asarray(durations, dtype=float)
    e = np.asarray(ended, dtype=bool)
    keep = ~np.isnan(t)
    t, e = t[keep], e[keep]
    if t.size == 0:
        return pd.DataFrame({"time": [0.0], "at_risk": [0], "ended": [0], "censored": [0],
                             "survival": [1.0], "lower": [1.0], "upper": [1.0]})
    from lifelines import KaplanMeierFitter  # lazily: see the module docstring

    fitter = KaplanMeierFitter(alpha=1.0 - CONFIDENCE).fit(t, event_observed=e)
    # lifelines' event table has a row at time 0 (everyone entering) and one per
    # distinct time, the rows of the survival function and its interval.
    events = fitter.event_table
    lower, upper = interval_bounds(fitter.confidence_interval_survival_function_)
    return pd.DataFrame(
        {
            "time": events.index.to_numpy(float),
            "at_risk": events["at_risk"].to_numpy(int),
            "ended": events["observed"].to_numpy(int),
            "censored": events["censored"].to_numpy(int),
            "survival": fitter.survival_function_.iloc[:, 0].to_numpy(float),
            "lower": lower,
            "upper": upper,
        }
    )


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
        return pd.DataFrame(columns=["scenario", *CURVE_COLUMNS])
    return pd.concat(curves, ignore_index=True)


def percent(values: np.ndarray | pd.Series) -> list[float]:
    """Shares (0-1) as percentages to a tenth of a point, what the hover text shows."""
    return rounded(100.0 * np.asarray(values, dtype=float), PERCENT_DECIMALS)


def step_band(x: Sequence[float], low: Sequence[float], high: Sequence[float], colour: str,
              group: str) -> go.Scatter:
    """The interval of a step curve (drawn with ``shape='hv'``) as a band of steps: each
    value holds from its time to the next, where the band steps to the next value."""
    def steps(values: Sequence[float], cut: slice) -> list[float]:
        return [v for value in values for v in (value, value)][cut]

    return band_trace(steps(x, slice(1, None)), steps(low, slice(None, -1)),
                      steps(high, slice(None, -1)), colour, group, BAND_LABEL)


def survival_figure(table: pd.DataFrame, scenarios: Sequence[str]) -> go.Figure:
    """Step curves of the percentage of relationships still going, each scenario's 95%
    pointwise interval as a light band (hidden with its scenario), with 6/12-month marks."""
    if table.empty or table["at_risk"].max() == 0:
        return empty_figure("No relationships were started in these results.")
    colours = scenario_colours(scenarios)
    fig = go.Figure()
    for scenario in scenarios:
        curve = table[table["scenario"] == scenario]
        if curve.empty:
            continue
        x = rounded(curve["time"], 2)
        low, high = percent(curve["lower"]), percent(curve["upper"])
        fig.add_trace(step_band(x, low, high, colours[scenario], scenario))
        fig.add_trace(
            go.Scatter(
                x=x,
                y=percent(curve["survival"]),
                mode="lines",
                line={"shape": "hv", "color": colours[scenario], "width": 2},
                name=scenario,
                legendgroup=scenario,
                customdata=list(zip(curve["at_risk"].astype(int).tolist(),
                                    curve["ended"].astype(int).tolist(), low, high,
                                    strict=True)),
                hovertemplate=(
                    "<b>%{fullData.name}</b><br>After %{x:.0f} weeks: %{y:.1f}% still going"
                    f" ({CONFIDENCE:.0%} interval %{{customdata[2]:.1f}}–"
                    "%{customdata[3]:.1f}%)<br>%{customdata[0]:,.0f} at risk, "
                    "%{customdata[1]:,.0f} ended this week<extra></extra>"
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
