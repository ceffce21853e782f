"""Trade-offs across design points: cost against early endings against mentor burnout.

The scatter rings the design points that keep *both* premature closure and burnout
on the better side of a limit picked from a drop-down (medians by default); the
parallel-coordinates view lets the reader drag their own limits on any axis. Which three
metrics are traded off is decided here; their labels, and which side of a limit is better,
come from the model's metric registry (``sim.metrics.METRICS``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from dashboards.headline import describe_metric
from dashboards.palette import SEQUENTIAL_SCALE, parameter_title, style_figure
from sim.metrics import METRICS

COST = "cost_per_completed_match_gbp"
ABANDONMENT = "premature_closure_rate"
BURNOUT = "mentor_burnout_prevalence"
TRADEOFF_METRICS: tuple[str, str, str] = (COST, ABANDONMENT, BURNOUT)

# Hover and parallel axes would become unreadable with dozens of parameters.
MAX_PARAMETERS_SHOWN = 8


def _sign(metric: str) -> float:
    """+1 where the registry says higher is better, -1 where lower is."""
    better = describe_metric(metric).better
    if better not in ("lower", "higher"):
        raise ValueError(f"{metric} has no better direction to set a limit on")
    return 1.0 if better == "higher" else -1.0


def _label(metric: str) -> str:
    return METRICS[metric].label


@dataclass(frozen=True)
class Limit:
    """Limits on premature closure and burnout (in the metrics' own units); a design
    point meets a limit when it is on the better side of it."""

    label: str
    abandonment: float
    burnout: float


def tradeoff_table(
    points: pd.DataFrame, point_summary: pd.DataFrame, parameters: Sequence[str]
) -> pd.DataFrame:
    """One row per design point with its parameters and the three trade-off outcomes.

    Design points missing any of the three outcomes are left out. Returns an empty
    frame when the sweep did not record all three metrics.
    """
    wanted = point_summary[point_summary["metric"].isin(TRADEOFF_METRICS)]
    if set(wanted["metric"]) != set(TRADEOFF_METRICS):
        return pd.DataFrame(columns=["point_id", *parameters, *TRADEOFF_METRICS])
    wide = wanted.pivot_table(index="point_id", columns="metric", values="mean", aggfunc="mean",
                              observed=True)
    # a metric undefined at every point (e.g. no match completes in a short horizon) is
    # dropped by pivot_table: keep its column, empty, so those points are left out
    wide = wide.reindex(columns=list(TRADEOFF_METRICS))
    table = points[["point_id", *parameters]].merge(
        wide.reset_index(), on="point_id", how="inner"
    )
    return table.dropna(subset=list(TRADEOFF_METRICS)).reset_index(drop=True)


def limit_options(table: pd.DataFrame) -> list[Limit]:
    """Drop-down choices of limits: the medians of both outcomes across design points
    (the default), their lower quartiles, and their upper quartiles."""
    options = []
    for label, q in (
        ("medians", 0.5),
        ("lower quartiles", 0.25),
        ("upper quartiles", 0.75),
    ):
        options.append(
            Limit(label, float(table[ABANDONMENT].quantile(q)), float(table[BURNOUT].quantile(q)))
        )
    return options


def meets(table: pd.DataFrame, limit: Limit) -> np.ndarray:
    """True where a design point is strictly on the better side of both limits (below
    them for premature closure and burnout, where lower is better)."""
    ab = _sign(ABANDONMENT) * (table[ABANDONMENT].to_numpy(float) - limit.abandonment)
    bo = _sign(BURNOUT) * (table[BURNOUT].to_numpy(float) - limit.burnout)
    return (ab > 0) & (bo > 0)


def _side() -> str:
    both_lower = _sign(ABANDONMENT) < 0 and _sign(BURNOUT) < 0
    return "Below" if both_lower else "Better than"


def _constraint(values: np.ndarray, limit: float, metric: str) -> list[float]:
    """The brushed range of a parallel axis: from the limit to the better end."""
    if _sign(metric) < 0:
        return [float(values.min()), limit]
    return [limit, float(values.max())]


def _scale(metric: str, table: pd.DataFrame) -> float:
    return 100.0 if describe_metric(metric, table[metric].tolist()).kind == "proportion" else 1.0


def _parameter_hover(parameters: Sequence[str], offset: int) -> str:
    return "".join(
        f"<br>{name} = %{{customdata[{offset + i}]}}" for i, name in enumerate(parameters)
    )


def tradeoff_scatter_figure(table: pd.DataFrame, parameters: Sequence[str]) -> go.Figure | None:
    """Cost (x) against premature closure (y), coloured by burnout, limits in a drop-down."""
    if table.empty:
        return None
    shown = list(parameters)[:MAX_PARAMETERS_SHOWN]
    ab_scale, bo_scale = _scale(ABANDONMENT, table), _scale(BURNOUT, table)
    ab_unit = "%" if ab_scale == 100.0 else ""
    bo_unit = "%" if bo_scale == 100.0 else ""
    x = table[COST].to_numpy(float)
    y = table[ABANDONMENT].to_numpy(float) * ab_scale
    burnout = table[BURNOUT].to_numpy(float) * bo_scale
    custom = np.column_stack(
        [table["point_id"].astype(str).to_numpy(object), burnout]
        + [table[p].to_numpy(object) for p in shown]
    )
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=x,
            y=y,
            mode="markers",
            name="Design points",
            marker={
                "color": burnout,
                "colorscale": SEQUENTIAL_SCALE,
                "size": 9,
                "line": {"color": "#ffffff", "width": 0.5},
                "colorbar": {"title": {"text": f"{_label(BURNOUT)} ({bo_unit or 'fraction'})"}},
            },
            customdata=custom,
            hovertemplate=(
                f"<b>Design point %{{customdata[0]}}</b><br>{_label(COST)}: "
                f"£%{{x:,.0f}}<br>{_label(ABANDONMENT)}: %{{y:.1f}}{ab_unit}"
                f"<br>{_label(BURNOUT)}: %{{customdata[1]:.1f}}{bo_unit}"
                + _parameter_hover(shown, 2)
                + "<extra></extra>"
            ),
        )
    )
    options = limit_options(table)
    for number, limit in enumerate(options):
        mask = meets(table, limit)
        fig.add_trace(
            go.Scatter(
                x=x[mask],
                y=y[mask],
                mode="markers",
                name=f"{_side()} both limits ({limit.label})",
                marker={"symbol": "circle-open", "size": 16, "color": "#D55E00",
                        "line": {"width": 2.5}},
                hoverinfo="skip",
                visible=number == 0,
            )
        )
    buttons = []
    for number, limit in enumerate(options):
        visible = [True] + [k == number for k in range(len(options))]
        buttons.append(
            {
                "label": f"Limits: {limit.label} of both",
                "method": "update",
                "args": [
                    {"visible": visible},
                    {"shapes": [_limit_line(limit.abandonment * ab_scale)]},
                ],
            }
        )
    fig.update_layout(
        shapes=[_limit_line(options[0].abandonment * ab_scale)],
        updatemenus=[
            {"buttons": buttons, "x": 1.0, "xanchor": "right", "y": 1.0, "yanchor": "bottom",
             "pad": {"b": 10}, "direction": "down", "showactive": True}
        ],
    )
    fig.update_xaxes(title_text=f"{_label(COST)} (£)", tickprefix="£", tickformat=",.0f")
    fig.update_yaxes(title_text=f"{_label(ABANDONMENT)} ({ab_unit or 'fraction'})")
    fig = style_figure(fig, height=560)
    fig.update_layout(margin={"t": 80}, legend={"y": 1.0, "x": 0.0})
    return fig


def _limit_line(y: float) -> dict[str, object]:
    # A dashed line at the abandonment limit; the burnout limit is carried by the rings.
    return {
        "type": "line", "xref": "paper", "x0": 0, "x1": 1, "yref": "y", "y0": y, "y1": y,
        "line": {"color": "#D55E00", "dash": "dash", "width": 1},
    }


def tradeoff_parallel_figure(
    table: pd.DataFrame, parameters: Sequence[str], units: Mapping[str, str] | None = None
) -> go.Figure | None:
    """Parallel coordinates of cost, premature closure, burnout and the parameters.

    Premature closure and burnout start brushed to the better side of their medians (the
    same default as the scatter); the reader can drag any axis to change the limits.
    """
    if table.empty:
        return None
    ab_scale, bo_scale = _scale(ABANDONMENT, table), _scale(BURNOUT, table)
    ab = table[ABANDONMENT].to_numpy(float) * ab_scale
    bo = table[BURNOUT].to_numpy(float) * bo_scale
    default = limit_options(table)[0]
    dimensions = [
        {"label": f"{_label(COST)} (£)", "values": table[COST].to_numpy(float)},
        {
            "label": _label(ABANDONMENT) + (" (%)" if ab_scale == 100.0 else ""),
            "values": ab,
            "constraintrange": _constraint(ab, default.abandonment * ab_scale, ABANDONMENT),
        },
        {
            "label": _label(BURNOUT) + (" (%)" if bo_scale == 100.0 else ""),
            "values": bo,
            "constraintrange": _constraint(bo, default.burnout * bo_scale, BURNOUT),
        },
    ]
    for name in list(parameters)[:MAX_PARAMETERS_SHOWN]:
        column = table[name]
        if pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column):
            dimensions.append(
                {"label": parameter_title(name, units) if units and name in units else name,
                 "values": column.to_numpy(float)}
            )
        else:
            # Parallel axes are numeric: encode categories as codes, labelled with ticks.
            codes, labels = pd.factorize(column.astype(str))
            dimensions.append(
                {"label": name, "values": codes, "tickvals": list(range(len(labels))),
                 "ticktext": list(labels)}
            )
    fig = go.Figure(
        go.Parcoords(
            line={
                "color": bo,
                "colorscale": SEQUENTIAL_SCALE,
                "showscale": True,
                "colorbar": {"title": {"text": _label(BURNOUT)
                                       + (" (%)" if bo_scale == 100 else "")}},
            },
            dimensions=dimensions,
            labelangle=-25,
            labelside="bottom",
        )
    )
    fig = style_figure(fig, height=520)
    # Angled axis labels hang to the left of their axis: leave room for the first one.
    fig.update_layout(margin={"l": 130, "r": 140, "t": 60, "b": 150})
    return fig
