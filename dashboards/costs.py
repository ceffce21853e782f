"""Cost cards: what each option spends, receives and is left with, in money a planner reads.

One card per scenario, from the ``value`` rows of ``summary.csv``: total spending and
spending a year, funding received, the reserves at the end and any shortfall (spending
beyond the funding received and the reserves held at the start, which leaves the
reserves below zero at the end), with the weeks spent below the reserve floor. Every
figure is the mean over the replications; the headline table beside the cards gives the
95% intervals and paired differences. Labels come from the metric registry.
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence

import pandas as pd

from dashboards.headline import describe_metric, format_value
from dashboards.palette import scenario_colours

# The money measures on each card, in reading order.
CARD_METRICS: tuple[str, ...] = (
    "total_spend_gbp", "annual_spend_gbp", "funding_received_gbp", "final_balance_gbp",
    "weeks_below_floor",
)
BALANCE = "final_balance_gbp"


def card_values(summary: pd.DataFrame, scenarios: Sequence[str]) -> dict[str, dict[str, float]]:
    """Mean of each card measure per scenario (a measure the run did not report is
    absent from that scenario's mapping)."""
    values = summary[(summary["statistic"].astype(str) == "value")
                     & summary["metric"].isin(CARD_METRICS)]
    out: dict[str, dict[str, float]] = {s: {} for s in scenarios}
    for row in values.itertuples(index=False):
        if row.scenario in out and row.mean is not None and math.isfinite(float(row.mean)):
            out[str(row.scenario)][str(row.metric)] = float(row.mean)
    return out


def shortfall_gbp(values: dict[str, float]) -> float | None:
    """Money spent beyond the funding and the starting reserves: minus a negative final
    balance (0 when the balance stays at or above zero; None when not reported)."""
    balance = values.get(BALANCE)
    return None if balance is None else max(0.0, -balance)


def cost_cards_html(summary: pd.DataFrame, scenarios: Sequence[str]) -> str:
    """The cards as HTML: one per scenario, each a definition list of money measures."""
    values = card_values(summary, scenarios)
    if not any(values.values()):
        return '<p class="note">These results report no spending or funding measures.</p>'
    colours = scenario_colours(scenarios)
    cards = []
    for scenario in scenarios:
        mine = values[scenario]
        rows = []
        for metric in CARD_METRICS:
            if metric not in mine:
                continue
            info = describe_metric(metric, [mine[metric]])
            rows.append(f"<dt>{html.escape(info.label)}</dt><dd>"
                        f"{html.escape(format_value(mine[metric], info.kind, info.suffix))}</dd>")
        short = shortfall_gbp(mine)
        if short is not None:
            if short > 0:
                rows.append(f'<dt class="shortfall">Shortfall</dt><dd class="shortfall">'
                            f"{html.escape(format_value(short, 'gbp'))}</dd>")
            else:
                rows.append("<dt>Shortfall</dt><dd>None</dd>")
        cards.append(
            f'<div class="card"><h3><span class="swatch" style="background:'
            f'{colours[scenario]}"></span>{html.escape(scenario)}</h3>'
            f"<dl>{''.join(rows)}</dl></div>")
    return f'<div class="cards">{"".join(cards)}</div>'
