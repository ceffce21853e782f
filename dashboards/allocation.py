"""Allocations side by side: what a year's money buys, part by part, and the people it pays.

From a decision's ``options.parquet`` (:func:`sim.decide.folder.write_decision`): each
option's planned spending a year at full caseloads by what it buys (its ``spend:*``
columns, :func:`sim.capacity.planned_spend_parts`), stacked, with its mentors and staff
posts under its bar. Each part has its own colour and hatching, so the stack reads in
greyscale too; :func:`allocation_rows` gives the same numbers as a table.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
import plotly.graph_objects as go

from dashboards.palette import OKABE_ITO, PATTERNS, style_figure

# What each part of the spending buys, in the words of the page (the order of the stack).
SPEND_PARTS: dict[str, str] = {
    "staff": "Staff posts (coordinators and supervisors)",
    "mentors": "Mentors' pay and expenses",
    "training": "Mentors' ongoing training",
    "supervision": "Supervision sessions",
    "support": "Coordinators' contacts with matches",
    "activities": "Activities",
    "family": "Work with families",
}


def people(row: pd.Series) -> str:
    """The mentors and staff posts an option pays for, in words.

    Example:
        >>> people(pd.Series({"mentors": 21, "coordinators_fte": 1.25,
        ...                   "supervisors_fte": 0.65}))
        '21 mentors, 1.25 coordinator and 0.65 supervisor posts'
    """
    return (f"{int(row['mentors'])} mentors, {float(row['coordinators_fte']):g} coordinator "
            f"and {float(row['supervisors_fte']):g} supervisor posts")


def allocation_rows(options: pd.DataFrame, names: Sequence[str]) -> list[tuple[str, list[float]]]:
    """(part in words, each option's £ a year) for every part any option spends on, then
    the total."""
    rows = options.set_index("option").loc[list(names)]
    out = [(label, [float(v) for v in rows[f"spend:{part}"]])
           for part, label in SPEND_PARTS.items()
           if f"spend:{part}" in rows and rows[f"spend:{part}"].abs().sum() > 0]
    total = [float(sum(v)) for v in zip(*(values for _, values in out), strict=True)] \
        if out else [0.0] * len(rows)
    return [*out, ("Planned spending in all", total)]


def allocation_figure(options: pd.DataFrame, names: Sequence[str],
                      titles: Sequence[str]) -> go.Figure:
    """Stacked bars of ``names`` (options of ``options.parquet``), titled ``titles``:
    planned spending a year by part, with the total above each bar and the mentors and
    posts under it."""
    rows = options.set_index("option").loc[list(names)]
    ticks = [f"<b>{title}</b><br>{people(row)}" for title, (_, row)
             in zip(titles, rows.iterrows(), strict=True)]
    fig = go.Figure()
    for i, (part, label) in enumerate(SPEND_PARTS.items()):
        column = f"spend:{part}"
        if column not in rows or rows[column].abs().sum() == 0:
            continue
        fig.add_bar(name=label, x=ticks, y=rows[column].round(0).tolist(),
                    marker={"color": OKABE_ITO[i % len(OKABE_ITO)],
                            "pattern": {"shape": PATTERNS[i % len(PATTERNS)]}},
                    hovertemplate=f"{label}: £%{{y:,.0f}} a year<extra></extra>")
    totals = [sum(float(row[f"spend:{p}"]) for p in SPEND_PARTS if f"spend:{p}" in row)
              for _, row in rows.iterrows()]
    for tick, total in zip(ticks, totals, strict=True):
        fig.add_annotation(x=tick, y=total, text=f"£{total:,.0f} a year", showarrow=False,
                           yanchor="bottom", yshift=4)
    style_figure(fig, height=460, legend_title="Spending a year on")
    fig.update_layout(barmode="stack", bargap=0.45, margin={"b": 90},
                      yaxis={"title": {"text": "£ a year, planned at full caseloads"},
                             "tickprefix": "£", "tickformat": ",.0f",
                             "range": [0, max(totals + [1.0]) * 1.15]})
    return fig
