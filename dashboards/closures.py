"""Why relationships end: closure reasons per scenario, grouped as Buck groups them."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from dashboards.palette import (
    CLOSURE_CATEGORIES,
    GROUP_OTHER,
    ClosureCategory,
    empty_figure,
    humanise,
    scenario_colours,
    style_figure,
)


def _categories(reasons: Sequence[str]) -> list[ClosureCategory]:
    """The fixed categories plus any reason outside the contract's vocabulary.

    An unknown reason is shown under "Other endings" rather than dropped, so the bars
    of a scenario always add up to all its relationships.
    """
    known = {r for c in CLOSURE_CATEGORIES for r in c.reasons}
    extra = [
        ClosureCategory(r, humanise(r), humanise(r), GROUP_OTHER, (r,))
        for r in dict.fromkeys(reasons)
        if r not in known
    ]
    return [*CLOSURE_CATEGORIES, *extra]


def closure_table(matches: pd.DataFrame, scenarios: Sequence[str]) -> pd.DataFrame:
    """Relationships per closure category and scenario, pooled over replications.

    Returns one row per scenario × category with ``scenario, group, category, short,
    label, count, per_100, total, replications, detail`` where ``per_100`` is per 100
    relationships started in that scenario and ``detail`` breaks grouped categories
    (abandonment) down by the original reason.
    """
    reasons = matches["closure_reason"].astype(str)
    rows: list[dict[str, object]] = []
    for scenario in scenarios:
        mask = (matches["scenario"] == scenario).to_numpy()
        counts = reasons[mask].value_counts()
        total = int(mask.sum())
        reps = int(matches.loc[mask, "replication"].nunique())
        for category in _categories(reasons.unique().tolist()):
            parts = {r: int(counts.get(r, 0)) for r in category.reasons}
            count = sum(parts.values())
            detail = (
                "; ".join(f"{humanise(r)}: {n:,}" for r, n in parts.items())
                if len(parts) > 1
                else ""
            )
            rows.append(
                {
                    "scenario": scenario,
                    "group": category.group,
                    "category": category.key,
                    "short": category.short,
                    "label": category.long,
                    "count": count,
                    "per_100": 100.0 * count / total if total else np.nan,
                    "total": total,
                    "replications": reps,
                    "detail": detail,
                }
            )
    return pd.DataFrame(rows)


def closures_figure(table: pd.DataFrame, scenarios: Sequence[str]) -> go.Figure:
    """Grouped horizontal bars: per 100 relationships started, by reason and scenario.

    The y axis has two levels (group, reason) so planned completions, the six failure
    factors and other endings read as separate blocks.
    """
    if table.empty or table["total"].sum() == 0:
        return empty_figure("No relationships were started in these results.")
    colours = scenario_colours(scenarios)
    fig = go.Figure()
    # Plotly draws horizontal categories bottom-up; reversing keeps "Completed" on top.
    order = table.drop_duplicates("category")[["group", "short"]].iloc[::-1]
    for scenario in reversed(list(scenarios)):
        data = table[table["scenario"] == scenario].set_index("short").loc[order["short"]]
        detail = data["detail"].where(data["detail"] == "", "<br>" + data["detail"])
        fig.add_trace(
            go.Bar(
                orientation="h",
                y=[order["group"].tolist(), order["short"].tolist()],
                x=data["per_100"].to_numpy(float),
                name=scenario,
                marker={"color": colours[scenario]},
                customdata=np.column_stack(
                    [
                        data["label"].to_numpy(object),
                        data["count"].to_numpy(object),
                        data["total"].to_numpy(object),
                        data["replications"].to_numpy(object),
                        detail.to_numpy(object),
                    ]
                ),
                hovertemplate=(
                    "<b>%{fullData.name}</b><br>%{customdata[0]}<br>"
                    "%{x:.1f} per 100 relationships started<br>"
                    "(%{customdata[1]:,} of %{customdata[2]:,} over %{customdata[3]} "
                    "replications)%{customdata[4]}<extra></extra>"
                ),
            )
        )
    fig.update_layout(barmode="group", bargap=0.25, bargroupgap=0.05)
    fig.update_xaxes(title_text="Relationships per 100 started", rangemode="tozero")
    fig.update_yaxes(title_text="How the relationship ended")
    height = 140 + 26 * len(order) * max(1, len(scenarios)) // 2 + 12 * len(order)
    fig = style_figure(fig, height=max(480, height), legend_title="Scenario")
    # Legend in the user's scenario order although traces were added reversed.
    fig.update_layout(legend={"traceorder": "reversed"})
    return fig
