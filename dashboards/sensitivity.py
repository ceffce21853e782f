"""Sensitivity of outcomes to parameters: Morris μ*/σ and Sobol S1/ST bar charts.

Reads the long ``sensitivity.csv`` of a sweep folder (``method, metric, parameter,
index, value, conf, flag``). One figure per method; a drop-down built with Plotly's own
``updatemenus`` switches outcome, so the page needs no server.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from dashboards.headline import describe_metric
from dashboards.palette import OKABE_ITO, add_dropdown, ordered, style_figure

# (index, legend label, colour). The first index of each method ranks the parameters.
# Labels stay short so the legend and the outcome drop-down share one row; the page
# caption explains them in words.
METHOD_INDICES: dict[str, tuple[tuple[str, str, str], ...]] = {
    "morris": (
        ("mu_star", "μ* (influence)", OKABE_ITO[0]),
        ("sigma", "σ (interactions)", OKABE_ITO[1]),
    ),
    "sobol": (
        ("ST", "ST (total effect)", OKABE_ITO[0]),
        ("S1", "S1 (effect alone)", OKABE_ITO[1]),
    ),
}

METHOD_TITLES = {"morris": "Morris elementary effects", "sobol": "Sobol variance shares"}

UNIT_WORDS = {
    "proportion": "fraction 0–1",
    "gbp": "£",
    "weeks": "weeks",
    "number": "outcome units",
}


def _axis_title(method: str, outcome: str) -> str:
    info = describe_metric(outcome)
    if method == "sobol":
        return f"Share of the variance of “{info.label}” (0–1)"
    return f"Effect on “{info.label}” ({UNIT_WORDS.get(info.kind, 'outcome units')})"


def rank_parameters(
    sensitivity: pd.DataFrame | None, parameters: Sequence[str], outcome: str | None = None
) -> list[str]:
    """Order ``parameters`` by influence on ``outcome`` (Sobol ST, else Morris μ*).

    Parameters without an index keep their given order after the ranked ones; with no
    sensitivity table the order is unchanged.
    """
    if sensitivity is None or sensitivity.empty:
        return list(parameters)
    data = sensitivity
    if outcome is not None and outcome in set(data["metric"]):
        data = data[data["metric"] == outcome]
    for method, index in (("sobol", "ST"), ("morris", "mu_star")):
        rows = data[(data["method"].str.lower() == method) & (data["index"] == index)]
        if not rows.empty:
            score = rows.groupby("parameter")["value"].mean().sort_values(ascending=False)
            ranked = [p for p in score.index if p in parameters]
            return ranked + [p for p in parameters if p not in ranked]
    return list(parameters)


def sensitivity_figure(
    sensitivity: pd.DataFrame, method: str, outcomes: Sequence[str] = ()
) -> go.Figure | None:
    """Horizontal bars of the method's two indices per parameter, with 95% CI bars.

    Returns None when the table has no rows for ``method``. Parameters are sorted by
    the first index (μ* or ST), most influential on top; flagged estimates (e.g.
    ``negative``, ``unstable``) carry a ⚠ label. ``outcomes`` fixes the drop-down order.
    """
    method = method.lower()
    indices = METHOD_INDICES[method]
    data = sensitivity[sensitivity["method"].str.lower() == method]
    if data.empty:
        return None
    outcome_list = ordered(data["metric"].astype(str), list(outcomes))
    fig = go.Figure()
    buttons = []
    traces_per_outcome = len(indices)
    orders: list[list[str]] = []
    for number, outcome in enumerate(outcome_list):
        rows = data[data["metric"] == outcome]
        first = rows[rows["index"] == indices[0][0]].sort_values("value", ascending=False)
        # Parameters lacking the ranking index still get a row, at the bottom.
        order = ordered(rows["parameter"].astype(str), first["parameter"].astype(str).tolist())
        orders.append(order)
        for index, label, colour in indices:
            values = rows[rows["index"] == index].drop_duplicates("parameter").set_index(
                "parameter"
            ).reindex(order)
            # The analysis joins several warnings with ";" (e.g. "negative;unstable").
            flags = values["flag"].fillna("").astype(str).str.replace(";", ", ")
            conf = values["conf"].to_numpy(float)
            # σ has no bootstrap interval: say so instead of showing "± nan".
            conf_text = [
                f"± {c:.2g} (95% CI)" if np.isfinite(c) else "(no confidence interval)"
                for c in conf
            ]
            fig.add_trace(
                go.Bar(
                    orientation="h",
                    y=order,
                    x=values["value"].to_numpy(float),
                    error_x={
                        "type": "data",
                        "array": conf,
                        "color": "#444444",
                        "thickness": 1.2,
                    },
                    name=label,
                    legendgroup=index,
                    marker={"color": colour},
                    visible=number == 0,
                    text=np.where(flags != "", "⚠ " + flags, ""),
                    textposition="outside",
                    customdata=np.column_stack(
                        [np.asarray(conf_text, dtype=object), flags.to_numpy(object)]
                    ),
                    hovertemplate=(
                        f"<b>%{{y}}</b><br>{label}: %{{x:.4g}} %{{customdata[0]}}"
                        "<br>%{customdata[1]}<extra>" + outcome + "</extra>"
                    ),
                )
            )
    for number, outcome in enumerate(outcome_list):
        visible = [False] * (traces_per_outcome * len(outcome_list))
        for k in range(traces_per_outcome):
            visible[number * traces_per_outcome + k] = True
        buttons.append(
            {
                # The active button's label is what the closed drop-down shows.
                "label": f"Outcome: {describe_metric(outcome).label}",
                "method": "update",
                "args": [
                    {"visible": visible},
                    {
                        # Plotly lists horizontal categories bottom-up: reverse so the most
                        # influential parameter is on top.
                        "yaxis.categoryarray": orders[number][::-1],
                        "xaxis.title.text": _axis_title(method, outcome),
                    },
                ],
            }
        )
    n_parameters = max(len(o) for o in orders)
    fig.update_layout(barmode="group")
    fig.update_yaxes(
        title_text="Parameter", categoryorder="array", categoryarray=orders[0][::-1],
        automargin=True,
    )
    fig.update_xaxes(title_text=_axis_title(method, outcome_list[0]))
    fig = style_figure(fig, height=max(360, 170 + 44 * n_parameters), legend_title=None)
    if len(outcome_list) > 1:
        add_dropdown(fig, buttons)
    return fig
