"""The mentor workforce: who joined, who left and why, and burnout over time."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from dashboards.palette import (
    EXIT_REASON_LABELS,
    band_trace,
    humanise,
    interval_error_bars,
    rounded,
    scenario_colours,
    style_figure,
)
from dashboards.timeseries import BAND_LABEL, QUANTILES, time_axis

JOINED = "Joined<br>(incl. starting pool)"


def workforce_flows_table(mentors: pd.DataFrame, scenarios: Sequence[str]) -> pd.DataFrame:
    """Mentors joined and left (by exit reason) per replication, summarised per scenario.

    Counts are made per replication first (a replication with no such exit counts as
    zero), then summarised as ``mean, low, high`` (10th and 90th percentiles) with
    ``total`` over all replications. Returns ``scenario, category, label, mean, low,
    high, total, replications``.
    """
    reasons = list(EXIT_REASON_LABELS)
    extra = [r for r in dict.fromkeys(mentors["exit_reason"].astype(str)) if r not in reasons]
    rows: list[dict[str, object]] = []
    for scenario in scenarios:
        data = mentors[mentors["scenario"] == scenario]
        reps = pd.Index(sorted(data["replication"].unique()))
        per_rep = {
            "joined": data.groupby("replication")["mentor_id"].count().reindex(reps, fill_value=0)
        }
        by_reason = (
            data.groupby(["replication", data["exit_reason"].astype(str)])["mentor_id"]
            .count()
            .unstack(fill_value=0)
            .reindex(index=reps, fill_value=0)
        )
        for reason in [*reasons, *extra]:
            per_rep[reason] = (
                by_reason[reason] if reason in by_reason.columns
                else pd.Series(0, index=reps)
            )
        for category, counts in per_rep.items():
            values = counts.to_numpy(float)
            label = JOINED if category == "joined" else EXIT_REASON_LABELS.get(
                category, f"Left:<br>{humanise(category).lower()}"
            )
            rows.append(
                {
                    "scenario": scenario,
                    "category": category,
                    "label": label,
                    "mean": values.mean() if values.size else np.nan,
                    "low": np.quantile(values, QUANTILES[0]) if values.size else np.nan,
                    "high": np.quantile(values, QUANTILES[2]) if values.size else np.nan,
                    "total": int(values.sum()),
                    "replications": int(values.size),
                }
            )
    return pd.DataFrame(rows)


def workforce_flows_figure(table: pd.DataFrame, scenarios: Sequence[str]) -> go.Figure:
    """Grouped bars of mentors per replication: joined, left by reason, still active."""
    colours = scenario_colours(scenarios)
    fig = go.Figure()
    for scenario in scenarios:
        data = table[table["scenario"] == scenario]
        mean = data["mean"].to_numpy(float)
        fig.add_trace(
            go.Bar(
                x=data["label"].tolist(),
                y=mean,
                name=scenario,
                marker={"color": colours[scenario]},
                error_y=interval_error_bars(
                    mean, data["low"].to_numpy(float), data["high"].to_numpy(float)
                ),
                customdata=np.column_stack(
                    [
                        data["low"].to_numpy(float),
                        data["high"].to_numpy(float),
                        data["total"].to_numpy(float),
                        data["replications"].to_numpy(float),
                    ]
                ),
                hovertemplate=(
                    "<b>%{fullData.name}</b><br>%{x}<br>Mean %{y:,.1f} mentors per replication"
                    "<br>10–90% of replications: %{customdata[0]:,.0f} – %{customdata[1]:,.0f}"
                    "<br>%{customdata[2]:,.0f} in total over %{customdata[3]:.0f} replications"
                    "<extra></extra>"
                ),
            )
        )
    fig.update_layout(barmode="group")
    fig.update_xaxes(title_text="Mentor joining or leaving")
    fig.update_yaxes(title_text="Mentors per replication (number)", rangemode="tozero")
    return style_figure(fig, height=460, legend_title="Scenario")


def burnout_prevalence_quantiles(weekly: pd.DataFrame) -> pd.DataFrame:
    """Weekly share of active mentors who are burnt out: quantiles across replications.

    The share is computed within each replication first (weeks with no active mentors
    are left out), then summarised. Returns ``scenario, week, low, median, high,
    replications`` with shares as fractions.
    """
    active = weekly["active_mentors"].to_numpy(float)
    burnt = weekly["burnt_out_mentors"].to_numpy(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(active > 0, burnt / active, np.nan)
    frame = weekly[["scenario", "week"]].assign(share=share).dropna(subset=["share"])
    grouped = frame.groupby(["scenario", "week"], sort=True)["share"]
    out = grouped.quantile(list(QUANTILES)).unstack()
    out.columns = ["low", "median", "high"]
    out["replications"] = grouped.count()
    return out.reset_index()


def burnout_figure(
    quantiles: pd.DataFrame, scenarios: Sequence[str], weeks: int
) -> go.Figure:
    """Median share of active mentors burnt out each week, with a 10–90% band."""
    axis = time_axis(weeks)
    colours = scenario_colours(scenarios)
    fig = go.Figure()
    for scenario in scenarios:
        data = quantiles[quantiles["scenario"] == scenario].sort_values("week")
        if data.empty:
            continue
        x = axis.x(data["week"])
        # Percentages to a hundredth of a point (the hover shows tenths): a smaller page.
        low, mid, high = (rounded(100.0 * data[c].to_numpy(float), 2)
                          for c in ("low", "median", "high"))
        fig.add_trace(band_trace(x, low, high, colours[scenario], scenario, BAND_LABEL))
        fig.add_trace(
            go.Scatter(
                x=x,
                y=mid,
                mode="lines",
                line={"color": colours[scenario], "width": 2},
                name=scenario,
                legendgroup=scenario,
                customdata=list(zip(data["week"].astype(int).tolist(), low, high,
                                    strict=True)),
                hovertemplate=(
                    "<b>%{fullData.name}</b><br>Week %{customdata[0]:.0f}"
                    "<br>Median: %{y:.1f}% of active mentors burnt out"
                    "<br>10–90% of replications: %{customdata[1]:.1f}% – %{customdata[2]:.1f}%"
                    "<extra></extra>"
                ),
            )
        )
    fig.update_xaxes(title_text=axis.title)
    fig.update_yaxes(title_text="Active mentors burnt out (%)", rangemode="tozero")
    return style_figure(fig, height=420, legend_title="Scenario")
