"""Value for money: cost per completed relationship and per mentee linked to services.

Which cost metrics the chart shows is decided here; their labels come from the model's
metric registry (``sim.metrics.METRICS``).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from dashboards.palette import (
    empty_figure,
    interval_error_bars,
    scenario_colours,
    style_figure,
)
from sim.metrics import METRICS

# The cost metrics on the value-for-money chart, in bar order.
VALUE_METRICS: tuple[str, ...] = (
    "cost_per_completed_match_gbp", "cost_per_commitment_reached_gbp",
    "cost_per_linked_mentee_gbp", "cost_per_mentee_year_gbp",
)


def value_table(summary: pd.DataFrame, scenarios: Sequence[str]) -> pd.DataFrame:
    """The value-for-money metrics present in ``summary.csv`` (``statistic == 'value'``).

    Returns ``metric, label, scenario, mean, ci_low, ci_high, replications`` in metric
    then scenario order; metrics the run did not report are simply absent.
    """
    values = summary[
        (summary["statistic"].astype(str) == "value") & summary["metric"].isin(VALUE_METRICS)
    ]
    rows = []
    for metric in VALUE_METRICS:
        label = METRICS[metric].label
        for scenario in scenarios:
            row = values[(values["metric"] == metric) & (values["scenario"] == scenario)]
            if row.empty:
                continue
            first = row.iloc[0]
            rows.append(
                {
                    "metric": metric,
                    "label": label,
                    "scenario": scenario,
                    "mean": float(first["mean"]),
                    "ci_low": float(first["ci_low"]),
                    "ci_high": float(first["ci_high"]),
                    "replications": float(first["replications"]),
                }
            )
    return pd.DataFrame(
        rows, columns=["metric", "label", "scenario", "mean", "ci_low", "ci_high", "replications"]
    )


def value_figure(table: pd.DataFrame, scenarios: Sequence[str]) -> go.Figure:
    """Bars of each cost metric per scenario with 95% confidence intervals."""
    if table.empty:
        return empty_figure("These results report no cost metrics.")
    colours = scenario_colours(scenarios)
    fig = go.Figure()
    for scenario in scenarios:
        data = table[table["scenario"] == scenario]
        if data.empty:
            continue
        mean = data["mean"].to_numpy(float)
        fig.add_trace(
            go.Bar(
                x=data["label"].tolist(),
                y=mean,
                name=scenario,
                marker={"color": colours[scenario]},
                error_y=interval_error_bars(
                    mean, data["ci_low"].to_numpy(float), data["ci_high"].to_numpy(float)
                ),
                customdata=np.column_stack(
                    [
                        data["ci_low"].to_numpy(float),
                        data["ci_high"].to_numpy(float),
                        data["replications"].to_numpy(float),
                    ]
                ),
                hovertemplate=(
                    "<b>%{fullData.name}</b><br>%{x}: £%{y:,.0f}"
                    "<br>95% CI £%{customdata[0]:,.0f} – £%{customdata[1]:,.0f}"
                    "<br>%{customdata[2]:.0f} replications<extra></extra>"
                ),
            )
        )
    fig.update_layout(barmode="group")
    fig.update_xaxes(title_text="Total spending divided by")
    fig.update_yaxes(title_text="£ of total spending per result", rangemode="tozero",
                     tickprefix="£", tickformat=",.0f")
    return style_figure(fig, height=420, legend_title="Scenario")
