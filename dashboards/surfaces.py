"""Response surfaces: an outcome over two parameters, as heatmaps with drop-downs.

Design points of a sampled sweep rarely sit on a grid, so each parameter is cut into
at most ``max_levels`` quantile bins; each cell shows the mean outcome over the design
points that fall in it (i.e. averaged over all the other parameters).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from dashboards.headline import describe_metric
from dashboards.palette import SEQUENTIAL_SCALE, parameter_title, style_figure

MAX_LEVELS = 8


def _fmt(value: float) -> str:
    return f"{value:.3g}"


def bin_parameter(values: pd.Series, max_levels: int = MAX_LEVELS) -> tuple[pd.Series, list[str]]:
    """Label each value with its level (few distinct values) or quantile bin (many).

    Returns the labels (aligned with ``values``) and the labels in axis order.
    Non-numeric parameters are treated as categories in order of appearance.
    """
    if not pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values):
        labels = values.astype(str)
        return labels, list(dict.fromkeys(labels))
    numeric = values.astype(float)
    levels = np.sort(numeric.dropna().unique())
    if len(levels) <= max_levels:
        names = {v: _fmt(v) for v in levels}
        return numeric.map(names), [names[v] for v in levels]
    # Quantile bins keep roughly equal numbers of design points per cell.
    bins = pd.qcut(numeric, q=max_levels, duplicates="drop")
    categories = list(bins.cat.categories)
    names = {
        interval: f"{_fmt(max(interval.left, float(levels[0])))}–{_fmt(interval.right)}"
        for interval in categories
    }
    return bins.map(names).astype(str), [names[i] for i in categories]


def surface_grid(
    points: pd.DataFrame,
    point_summary: pd.DataFrame,
    outcome: str,
    x_parameter: str,
    y_parameter: str,
    max_levels: int = MAX_LEVELS,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Mean ``outcome`` per (y bin, x bin) cell and the number of design points in it.

    Returns two frames indexed by y labels with x labels as columns (axis order);
    empty cells are NaN / 0.
    """
    x_labels, x_order = bin_parameter(points[x_parameter], max_levels)
    y_labels, y_order = bin_parameter(points[y_parameter], max_levels)
    cells = pd.DataFrame({"point_id": points["point_id"], "x": x_labels, "y": y_labels})
    values = point_summary.loc[point_summary["metric"] == outcome, ["point_id", "mean"]]
    merged = cells.merge(values, on="point_id", how="inner").dropna(subset=["mean"])
    grouped = merged.groupby(["y", "x"])["mean"]
    mean = grouped.mean().unstack().reindex(index=y_order, columns=x_order)
    count = grouped.count().unstack().reindex(index=y_order, columns=x_order).fillna(0)
    return mean, count


def _matrix(frame: pd.DataFrame, scale: float = 1.0) -> list[list[float | None]]:
    # Explicit None for empty cells: updatemenu args are serialised as plain JSON.
    return [
        [None if not math.isfinite(v) else v * scale for v in row]
        for row in frame.to_numpy(float).tolist()
    ]


def response_surface_figure(
    points: pd.DataFrame,
    point_summary: pd.DataFrame,
    outcomes: Sequence[str],
    parameters: Sequence[str],
    max_levels: int = MAX_LEVELS,
    units: Mapping[str, str] | None = None,
) -> go.Figure | None:
    """Heatmap of an outcome over a pair of parameters, chosen with two drop-downs.

    One heatmap trace per parameter pair (the pair drop-down toggles which is visible);
    the outcome drop-down swaps the values of every pair trace at once, so the two
    menus combine freely without any server or custom JavaScript. Returns None when
    there are fewer than two parameters or no outcome with data. ``units`` (parameter
    name to unit) labels the axes.
    """
    available = set(point_summary["metric"])
    outcome_list = [o for o in outcomes if o in available]
    if len(parameters) < 2 or not outcome_list:
        return None
    pairs = list(itertools.combinations(parameters, 2))
    infos = {o: describe_metric(o, point_summary.loc[point_summary["metric"] == o, "mean"].tolist())
             for o in outcome_list}
    scales = {o: 100.0 if infos[o].kind == "proportion" else 1.0 for o in outcome_list}
    grids = {
        (o, pair): surface_grid(points, point_summary, o, pair[0], pair[1], max_levels)
        for o in outcome_list
        for pair in pairs
    }

    def hover(outcome: str) -> str:
        info = infos[outcome]
        value = {"proportion": "%{z:.1f}%", "gbp": "£%{z:,.0f}", "weeks": "%{z:.1f} weeks"}.get(
            info.kind, "%{z:.4g}"
        )
        return (
            f"{info.label}: {value}<br>%{{meta[0]}} = %{{x}}<br>%{{meta[1]}} = %{{y}}"
            "<br>mean of %{customdata} design points<extra></extra>"
        )

    def colourbar_title(outcome: str) -> str:
        unit = {"proportion": "%", "gbp": "£", "weeks": "weeks"}.get(infos[outcome].kind, "")
        return f"{infos[outcome].label}" + (f" ({unit})" if unit else "")

    first = outcome_list[0]
    fig = go.Figure()
    for number, pair in enumerate(pairs):
        mean, count = grids[(first, pair)]
        fig.add_trace(
            go.Heatmap(
                z=_matrix(mean, scales[first]),
                x=list(mean.columns),
                y=list(mean.index),
                customdata=count.to_numpy(int).tolist(),
                meta=[pair[0], pair[1]],
                colorscale=SEQUENTIAL_SCALE,
                colorbar={"title": {"text": colourbar_title(first), "side": "right"}},
                hovertemplate=hover(first),
                hoverongaps=False,
                visible=number == 0,
                name=f"{pair[0]} × {pair[1]}",
            )
        )
    trace_ids = list(range(len(pairs)))
    outcome_buttons = [
        {
            # The active button's label is what the closed drop-down shows.
            "label": f"Outcome: {infos[o].label}",
            "method": "restyle",
            "args": [
                {
                    "z": [_matrix(grids[(o, p)][0], scales[o]) for p in pairs],
                    "customdata": [grids[(o, p)][1].to_numpy(int).tolist() for p in pairs],
                    "hovertemplate": [hover(o)] * len(pairs),
                    "colorbar.title.text": [colourbar_title(o)] * len(pairs),
                },
                trace_ids,
            ],
        }
        for o in outcome_list
    ]
    pair_buttons = []
    for number, pair in enumerate(pairs):
        mean, _ = grids[(first, pair)]
        pair_buttons.append(
            {
                "label": f"x: {pair[0]} × y: {pair[1]}",
                "method": "update",
                "args": [
                    {"visible": [k == number for k in trace_ids]},
                    {
                        "xaxis.title.text": parameter_title(pair[0], units),
                        "yaxis.title.text": parameter_title(pair[1], units),
                        "xaxis.categoryarray": list(mean.columns),
                        "yaxis.categoryarray": list(mean.index),
                    },
                ],
            }
        )
    mean0, _ = grids[(first, pairs[0])]
    fig.update_xaxes(
        title_text=parameter_title(pairs[0][0], units), type="category",
        categoryorder="array", categoryarray=list(mean0.columns),
    )
    fig.update_yaxes(
        title_text=parameter_title(pairs[0][1], units), type="category",
        categoryorder="array", categoryarray=list(mean0.index), automargin=True,
    )
    fig = style_figure(fig, height=560)
    menus = [
        {"buttons": outcome_buttons, "x": 0.0, "xanchor": "left", "y": 1.0, "yanchor": "bottom",
         "pad": {"b": 12}, "direction": "down", "showactive": True},
        {"buttons": pair_buttons, "x": 1.0, "xanchor": "right", "y": 1.0, "yanchor": "bottom",
         "pad": {"b": 12}, "direction": "down", "showactive": True},
    ]
    fig.update_layout(updatemenus=menus, margin={"t": 70})
    return fig
