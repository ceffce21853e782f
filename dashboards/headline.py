"""Headline table: every summary metric with its 95% CI, and paired differences in words.

Differences come only from the ``paired_difference`` rows of ``summary.csv`` (same seeds,
so common random numbers cancel); we never subtract two independent means here.
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from dashboards.palette import humanise, ordered, scenario_colours

PROPORTION_SUFFIXES = ("_rate", "_prevalence", "_share", "_proportion", "_fraction",
                       "_probability")


@dataclass(frozen=True)
class MetricInfo:
    """How to name a metric and say its values and differences in words.

    ``kind`` is one of ``proportion`` (a fraction 0–1, shown as % and differences per
    100), ``gbp``, ``weeks`` or ``number``; ``noun`` completes "28 fewer …".
    """

    label: str
    kind: str
    noun: str | None = None


KNOWN_METRICS: dict[str, MetricInfo] = {
    "premature_closure_rate": MetricInfo(
        "Relationships ending early", "proportion",
        "relationships ending early per 100 started",
    ),
    "abandonment_rate": MetricInfo(
        "Relationships abandoned", "proportion", "relationships abandoned per 100 started"
    ),
    "completion_rate": MetricInfo(
        "Relationships completed as planned", "proportion",
        "relationships completed as planned per 100 started",
    ),
    "mentor_burnout_prevalence": MetricInfo(
        "Mentors burnt out", "proportion", "burnt-out mentors per 100 active mentors"
    ),
    "mentor_attrition_rate": MetricInfo(
        "Mentors leaving", "proportion", "mentors leaving per 100 mentors"
    ),
    "service_linkage_rate": MetricInfo(
        "Mentees linked to services", "proportion", "mentees linked to services per 100"
    ),
    "reoffending_rate": MetricInfo(
        "Mentees reoffending within 12 months", "proportion", "mentees reoffending per 100"
    ),
    "gave_up_waiting_rate": MetricInfo(
        "Mentees giving up while waiting", "proportion",
        "mentees giving up while waiting per 100 referred",
    ),
    "mentor_progression_rate": MetricInfo(
        "Mentors moving on to paid work", "proportion",
        "mentors moving on to paid work per 100 mentors",
    ),
    "mean_match_duration_weeks": MetricInfo("Average relationship length", "weeks"),
    "median_match_duration_weeks": MetricInfo("Median relationship length", "weeks"),
    "mean_wait_weeks": MetricInfo("Average wait for a mentor", "weeks"),
    "cost_per_completed_match_gbp": MetricInfo("Cost per completed relationship", "gbp"),
    "cost_per_linked_mentee_gbp": MetricInfo("Cost per mentee linked to services", "gbp"),
    "total_spend_gbp": MetricInfo("Total spend", "gbp"),
}

# Show the metrics stakeholders ask about first; anything else follows alphabetically.
PREFERRED_ORDER = (
    "premature_closure_rate", "abandonment_rate", "completion_rate",
    "mean_match_duration_weeks", "median_match_duration_weeks", "mentor_burnout_prevalence",
    "mentor_attrition_rate", "service_linkage_rate", "reoffending_rate",
    "cost_per_completed_match_gbp", "cost_per_linked_mentee_gbp",
)


def describe_metric(name: str, values: Sequence[float] | None = None) -> MetricInfo:
    """Label and kind for ``name``: known metrics by name, others from the suffix.

    A ``*_rate``-style metric is only treated as a proportion when all ``values`` lie in
    0–1, so a rate already expressed per 100 is not multiplied by 100 again.
    """
    finite = [float(v) for v in (values or []) if v is not None and math.isfinite(float(v))]
    in_unit_range = all(-1.0 <= v <= 1.0 for v in finite)
    info = KNOWN_METRICS.get(name)
    if info is not None:
        if info.kind == "proportion" and not in_unit_range:
            return MetricInfo(info.label, "number", None)
        return info
    label = humanise(name.removesuffix("_gbp").removesuffix("_weeks"))
    if name.endswith("_gbp"):
        return MetricInfo(label, "gbp")
    if name.endswith("_weeks"):
        return MetricInfo(label, "weeks")
    if name.endswith(PROPORTION_SUFFIXES) and in_unit_range:
        return MetricInfo(label, "proportion")
    return MetricInfo(label, "number")


def format_value(value: float, kind: str) -> str:
    """A metric value in its unit: ``31.2%``, ``£12,345``, ``23.4 weeks`` or ``12.3``."""
    if value is None or not math.isfinite(value):
        return "–"
    if kind == "proportion":
        return f"{100.0 * value:.1f}%"
    if kind == "gbp":
        return f"£{value:,.0f}"
    if kind == "weeks":
        return f"{value:,.1f} weeks"
    return f"{value:,.1f}" if abs(value) < 1000 else f"{value:,.0f}"


def _amount(value: float, kind: str) -> str:
    size = abs(value)
    if kind == "proportion":
        size *= 100.0
        return f"{size:.0f}" if size >= 10 else f"{size:.1f}"
    if kind == "gbp":
        return f"£{size:,.0f}"
    if kind == "weeks":
        return f"{size:,.1f} weeks"
    return f"{size:,.1f}" if size < 1000 else f"{size:,.0f}"


def _words(info: MetricInfo) -> tuple[str, str, str]:
    """(word for less, word for more, trailing noun) for this kind of metric."""
    if info.kind == "gbp":
        return "less", "more", ""
    if info.kind == "weeks":
        return "shorter", "longer", ""
    if info.noun:
        return "fewer", "more", f" {info.noun}"
    return "lower", "higher", ""


def difference_sentence(
    info: MetricInfo, mean: float, low: float, high: float, reference: str
) -> str:
    """Say a paired difference (this scenario minus ``reference``) in plain words.

    Example: ``28 fewer relationships ending early per 100 started than baseline
    (95% CI 20 to 35 fewer)``. When the interval spans zero the sentence says so.
    """
    if not all(math.isfinite(v) for v in (mean, low, high)):
        return f"No paired difference from {reference} reported"
    less, more, noun = _words(info)
    if mean == 0 and low == 0 and high == 0:
        return f"Same as {reference} on every paired seed"
    direction = less if mean < 0 else more
    # £ and weeks carry their unit inside the amount; a proportion without a noun is a
    # difference in percentage points.
    unit = " percentage points" if info.kind == "proportion" and not info.noun else ""
    lead = f"{_amount(mean, info.kind)}{unit} {direction}{noun} than {reference}"
    if low > 0 or high < 0:
        word = less if high < 0 else more
        near, far = sorted((abs(low), abs(high)))
        sign = -1 if high < 0 else 1
        ci = f"95% CI {_amount(sign * near, info.kind)} to {_amount(sign * far, info.kind)} {word}"
        return f"{lead} ({ci})"
    ci = f"95% CI {_amount(low, info.kind)} {less} to {_amount(high, info.kind)} {more}"
    return f"{lead} ({ci}: no clear difference)"


def headline_table(summary: pd.DataFrame, scenarios: Sequence[str]) -> pd.DataFrame:
    """One row per metric × scenario with value, 95% CI and the paired difference.

    Columns: ``metric, label, kind, scenario, mean, ci_low, ci_high, replications,
    value_text, ci_text, difference_text``. The first scenario is the reference;
    ``difference_text`` is empty for it.
    """
    statistic = summary["statistic"].astype(str)
    values = summary[statistic == "value"]
    paired = summary[statistic == "paired_difference"]
    reference = scenarios[0] if scenarios else ""
    metrics = ordered(values["metric"].astype(str), PREFERRED_ORDER)
    rows = []
    for metric in metrics:
        metric_values = values[values["metric"] == metric]
        info = describe_metric(
            metric, metric_values[["mean", "ci_low", "ci_high"]].to_numpy().ravel().tolist()
        )
        for scenario in scenarios:
            row = metric_values[metric_values["scenario"] == scenario]
            if row.empty:
                continue
            value = row.iloc[0]
            difference = ""
            if scenario != reference:
                diff = paired[
                    (paired["metric"] == metric)
                    & (paired["scenario"] == scenario)
                    & (paired["reference"].astype(str) == reference)
                ]
                if diff.empty:
                    difference = f"No paired difference from {reference} reported"
                else:
                    d = diff.iloc[0]
                    difference = difference_sentence(
                        info, float(d["mean"]), float(d["ci_low"]), float(d["ci_high"]),
                        reference,
                    )
            rows.append(
                {
                    "metric": metric,
                    "label": info.label,
                    "kind": info.kind,
                    "scenario": scenario,
                    "mean": float(value["mean"]),
                    "ci_low": float(value["ci_low"]),
                    "ci_high": float(value["ci_high"]),
                    "replications": float(value["replications"]),
                    "value_text": format_value(float(value["mean"]), info.kind),
                    "ci_text": (
                        f"95% CI {format_value(float(value['ci_low']), info.kind)} – "
                        f"{format_value(float(value['ci_high']), info.kind)}"
                    ),
                    "difference_text": difference,
                }
            )
    return pd.DataFrame(rows)


def headline_html(table: pd.DataFrame, scenarios: Sequence[str]) -> str:
    """The headline table as an HTML ``<table>`` (metrics down, scenarios across)."""
    if table.empty:
        return "<p>These results report no summary metrics.</p>"
    colours = scenario_colours(scenarios)
    shown = [s for s in scenarios if s in set(table["scenario"])]
    head = "".join(
        f'<th scope="col"><span class="swatch" style="background:{colours[s]}"></span>'
        f"{html.escape(s)}{' (reference)' if i == 0 else ''}</th>"
        for i, s in enumerate(shown)
    )
    body = []
    for metric, rows in table.groupby("metric", sort=False):
        cells = []
        by_scenario = rows.set_index("scenario")
        for scenario in shown:
            if scenario not in by_scenario.index:
                cells.append("<td>–</td>")
                continue
            row = by_scenario.loc[scenario]
            diff = (
                f'<div class="diff">{html.escape(str(row["difference_text"]))}</div>'
                if row["difference_text"]
                else ""
            )
            cells.append(
                f'<td><div class="value">{html.escape(str(row["value_text"]))}</div>'
                f'<div class="ci">{html.escape(str(row["ci_text"]))}</div>{diff}</td>'
            )
        label = html.escape(str(rows["label"].iloc[0]))
        body.append(
            f'<tr><th scope="row">{label}<div class="metric-name">{html.escape(str(metric))}'
            f"</div></th>{''.join(cells)}</tr>"
        )
    return (
        '<div class="table-wrap"><table class="headline"><thead><tr><th scope="col">Measure</th>'
        f"{head}</tr></thead><tbody>{''.join(body)}</tbody></table></div>"
    )
