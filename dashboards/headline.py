"""Headline table: every summary metric with its 95% CI, and paired differences in words.

Differences come only from the ``paired_difference`` rows of ``summary.csv`` (same seeds,
so common random numbers cancel); we never subtract two independent means here. Labels,
units, definitions and which direction is better come from the model's metric registry
(``sim.metrics.METRICS``), where each metric is declared once; this module only adds how
a difference is said in words. A metric the registry does not know (a results folder
written by another version) is described from its name's suffix.
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from dashboards.palette import humanise, ordered, scenario_colours
from sim.findings import LABELS, verdict_of
from sim.labels import METRIC_UNIT_WORDS
from sim.metrics import HEADLINE, METRICS

# Verdicts that get a coloured marker (a clear difference on a measure that is neither
# better nor worse gets none).
VERDICT_CLASSES = ("better", "worse", "no_clear_difference")

PROPORTION_SUFFIXES = ("_rate", "_prevalence", "_share", "_proportion", "_fraction",
                       "_probability")


@dataclass(frozen=True)
class MetricInfo:
    """How to name a metric and say its values and differences in words.

    ``kind`` is one of ``proportion`` (a fraction 0–1, shown as % and differences per
    100), ``gbp``, ``weeks`` or ``number``; ``noun`` completes "28 fewer …" or "£300
    more …" and carries its own unit; ``suffix`` follows a value (" a year",
    " per 100 relationship-years"); ``better`` is the registry's direction (``lower``,
    ``higher``, or ``neither`` when unknown).
    """

    label: str
    kind: str
    noun: str | None = None
    suffix: str = ""
    decimals: int = 1
    definition: str = ""
    better: str = "neither"


# How to say "N fewer ..." (or "£N more ...") for the metrics of sim.metrics: for shares
# per 100 of what, for rates and counts what is counted in which unit, for money what
# the money is. A metric without a noun differs in percentage points or its unit.
NOUNS: dict[str, str] = {
    "premature_closure_rate": "relationships ending early per 100 started",
    "abandonment_rate": "relationships abandoned per 100 started",
    "mentor_burnout_prevalence": "burnt-out mentors per 100 mentors",
    "mentor_attrition_annual": "mentors leaving per 100 mentors a year",
    "volunteer_attrition_annual": "volunteer mentors leaving per 100 a year",
    "paid_attrition_annual": "paid peer mentors leaving per 100 a year",
    "mentor_burnout_exits_annual": "mentors leaving burnt out per 100 mentors a year",
    "peer_relapse_annual": "peer mentors relapsing per 100 a year",
    "mentor_progression_annual": "peer mentors moving into paid work per 100 a year",
    "mentees_matched_share": "referrals matched per 100",
    "service_linkage_rate": "mentees linked to services per 100",
    "reoffending_rate_12m": "mentees reoffending within 12 months per 100",
    "reoffending_rate_12m_without_mentoring": "mentees reoffending per 100 without mentoring",
    "closure_share_completed": "relationships completed as planned per 100 started",
    "closure_share_ongoing": "relationships still running per 100 started",
    "commitment_reached_share": "relationships reaching commitment per 100 started",
    "continued_past_commitment_share": "relationships carrying on past commitment per 100 "
    "reaching it",
    "informal_continuation_share": "relationships carrying on informally per 100 reaching "
    "commitment",
    "reoffending_itt_difference": "people reoffending per 100 referred, against no mentoring",
    "mentor_losses_all_cause_annual": "mentors lost for any reason per 100 mentors a year",
    "mentor_closure_losses_annual": "mentors released by programme closures per 100 mentors "
    "a year",
    "referrals_lost_share": "referrals lost per 100",
    "support_delivered_share": "support contacts delivered per 100 due",
    "supervision_delivered_share": "supervision sessions delivered per 100 due",
    # rates and counts: the unit is part of the noun
    "abandonment_per_100_match_years": "abandonments per 100 relationships a year",
    "burnout_incidence_per_100_mentor_years": "new burnout episodes per 100 mentors a year",
    "weeks_below_floor": "weeks below the reserve floor, added up over agencies,",
    "weeks_with_cuts": "weeks with budget cuts",
    "trained_mentor_years_lost_at_cliffs": "years of trained mentors' time lost at programme "
    "closures",
    "mentors_per_staff_fte": "mentors per full-time staff post",
    # money
    "funding_received_gbp": "funding received",
    "total_spend_gbp": "spending",
    "annual_spend_gbp": "spending a year",
    "final_balance_gbp": "in reserves at the end",
    "social_cost_averted_gbp": "of reoffending costs averted",
    "net_benefit_gbp": "net benefit",
    "reoffenders_averted": "people not reoffending because of the programme",
}

# How a value in one of the registry's units is written after the number.
UNIT_SUFFIXES: dict[str, str] = {
    **{unit: f" {words}" for unit, words in METRIC_UNIT_WORDS.items()},
    "weeks": " weeks",
    "0-1": "",  # a score between 0 and 1: the label says what it is
}

# Metrics shown in the main table (the model's headline); the rest go in a collapsed
# "all measures" table.
HEADLINE_METRICS: tuple[str, ...] = HEADLINE


def _noun(name: str) -> str | None:
    if name in NOUNS:
        return NOUNS[name]
    if name.startswith("closure_share_"):
        reason = name.removeprefix("closure_share_").replace("_", " ")
        return f"relationships ending by {reason} per 100 started"
    return None


def describe_metric(name: str, values: Sequence[float] | None = None) -> MetricInfo:
    """Label, unit kind and wording for ``name``.

    Uses the model's registry when it knows the metric, and formats it by its declared
    unit whatever its values (a share of 1.2 a year is 120% a year, never "1.2 a year").
    For a metric it does not know, the name's suffix: a share is only shown as a
    percentage when all ``values`` lie in -1..1, so a rate already expressed per 100 is
    never multiplied by 100 again (pass the means: a confidence interval of a share may
    stretch beyond 0..1 with few replications).
    """
    finite = [float(v) for v in (values or []) if v is not None and math.isfinite(float(v))]
    in_unit_range = all(-1.0 <= v <= 1.0 for v in finite)
    declared = METRICS.get(name)
    if declared is not None:
        unit, label = declared.unit, declared.label
        known = {"definition": declared.definition, "better": declared.better}
        if unit in ("share", "share/year"):
            suffix = " a year" if unit == "share/year" else ""
            return MetricInfo(label, "proportion", _noun(name), suffix, **known)
        if unit in ("GBP", "GBP/year"):
            suffix = " a year" if unit == "GBP/year" else ""
            return MetricInfo(label, "gbp", _noun(name), suffix, **known)
        if unit == "weeks" and _noun(name) is None:
            return MetricInfo(label, "weeks", **known)
        if unit in ("ratio", "0-1"):
            return MetricInfo(label, "number", decimals=2, **known)
        suffix = UNIT_SUFFIXES.get(unit, f" {unit}")
        return MetricInfo(label, "number", _noun(name), suffix, **known)
    label = humanise(name.removesuffix("_gbp").removesuffix("_weeks"))
    if name.endswith("_gbp"):
        return MetricInfo(label, "gbp")
    if name.endswith("_weeks"):
        return MetricInfo(label, "weeks")
    if name.endswith(PROPORTION_SUFFIXES) and in_unit_range:
        return MetricInfo(label, "proportion", _noun(name))
    return MetricInfo(label, "number")


def format_value(value: float, kind: str, suffix: str = "", decimals: int = 1) -> str:
    """A metric value in its unit: ``31.2%``, ``£12,345``, ``−£500`` (a true minus sign, as
    in print), ``23.4 weeks`` or ``12.3``."""
    if value is None or not math.isfinite(value):
        return "–"
    if kind == "proportion":
        return f"{100.0 * value:.1f}%{suffix}"
    if kind == "gbp":
        sign = "\u2212" if round(value) < 0 else ""
        return f"{sign}£{abs(value):,.0f}{suffix}"
    if kind == "weeks":
        return f"{value:,.1f} weeks{suffix}"
    if abs(value) >= 1000:
        return f"{value:,.0f}{suffix}"
    return f"{value:,.{decimals}f}{suffix}"


def _amount(value: float, info: MetricInfo) -> str:
    """The size of a difference in the metric's unit, with enough decimals (up to three)
    that a difference that is not zero never reads as 0 ("0.04", not "0.0")."""
    size = abs(value)
    if info.kind == "proportion":
        size *= 100.0
        decimals = 0 if size >= 10 else 1
    elif info.kind == "gbp":
        decimals = 0
    elif info.kind == "weeks":
        decimals = 1
    else:
        decimals = info.decimals if size < 1000 else 0
    while size and round(size, decimals) == 0 and decimals < 3:
        decimals += 1
    text = f"{size:,.{decimals}f}"
    if info.kind == "gbp":
        return f"£{text}"
    return f"{text} weeks" if info.kind == "weeks" else text


def _words(info: MetricInfo) -> tuple[str, str, str]:
    """(word for less, word for more, what follows the amount) for this metric."""
    if info.kind == "gbp":
        return "less", "more", f" {info.noun}" if info.noun else ""
    if info.kind == "weeks":
        return "shorter", "longer", ""
    if info.noun:
        return "fewer", "more", f" {info.noun}"
    return "lower", "higher", ""


def difference_sentence(
    info: MetricInfo, mean: float, low: float, high: float, reference: str
) -> str:
    """Say a paired difference (this scenario minus ``reference``) in plain words.

    Examples: ``28 fewer relationships ending early per 100 started than Baseline
    (95% CI 20 to 35 fewer)``, ``£12,300 more funding received than Baseline (…)``,
    ``4.1 more new burnout episodes per 100 mentors a year than Baseline (…)``. When the
    interval spans zero the sentence says so.
    """
    if not all(math.isfinite(v) for v in (mean, low, high)):
        return f"No paired difference from {reference} reported"
    less, more, noun = _words(info)
    if mean == 0 and low == 0 and high == 0:
        return f"Same as {reference} on every paired seed"
    direction = less if mean < 0 else more
    # £ and weeks carry their unit inside the amount and a noun its own unit; a share
    # without a noun differs in percentage points; other numbers carry their unit suffix.
    if info.kind == "proportion" and not info.noun:
        unit = f" percentage points{info.suffix}"
    elif info.kind == "number" and not info.noun:
        unit = info.suffix
    else:
        unit = ""
    lead = f"{_amount(mean, info)}{unit} {direction}{noun} than {reference}"
    if low > 0 or high < 0:
        word = less if high < 0 else more
        near, far = sorted((abs(low), abs(high)))
        ci = f"95% CI {_amount(near, info)} to {_amount(far, info)} {word}"
        return f"{lead} ({ci})"
    ci = f"95% CI {_amount(low, info)} {less} to {_amount(high, info)} {more}"
    return f"{lead} ({ci}: no clear difference)"


def _format(value: float, info: MetricInfo) -> str:
    return format_value(value, info.kind, info.suffix, info.decimals)


def _is_difference(info: MetricInfo) -> bool:
    """A share defined as one share minus another (the programme's effect on
    reoffending): its value is said as "points lower" or "higher", never as a negative
    number that means good."""
    return info.kind == "proportion" and " minus " in info.definition


def _points(value: float) -> str:
    size = abs(100.0 * value)
    word = "lower" if value < 0 else "higher"
    return f"{size:.1f} points {word}" if round(size, 1) else "0.0 points"


def _value_text(value: float, info: MetricInfo) -> str:
    if _is_difference(info) and math.isfinite(value):
        return _points(value)
    return _format(value, info)


def _ci_text(low: float, high: float, info: MetricInfo) -> str:
    if _is_difference(info) and math.isfinite(low) and math.isfinite(high):
        if high < 0 or low > 0:
            near, far = sorted((abs(low), abs(high)))
            word = "lower" if high < 0 else "higher"
            return f"95% CI {100 * near:.1f} to {100 * far:.1f} points {word}"
        return f"95% CI {_points(low)} to {_points(high)}"
    return f"95% CI {_format(low, info)} – {_format(high, info)}"


def headline_table(summary: pd.DataFrame, scenarios: Sequence[str]) -> pd.DataFrame:
    """One row per metric × scenario with value, 95% CI and the paired difference.

    Columns: ``metric, label, kind, scenario, mean, ci_low, ci_high, replications,
    value_text, ci_text, difference_text, verdict, headline, definition``. The first
    scenario is the reference; ``difference_text`` is empty and ``verdict`` None for it
    (``verdict`` is :func:`sim.findings.verdict_of` of the paired interval). Headline
    metrics come first.
    """
    statistic = summary["statistic"].astype(str)
    values = summary[statistic == "value"]
    paired = summary[statistic == "paired_difference"]
    reference = scenarios[0] if scenarios else ""
    metrics = ordered(values["metric"].astype(str), HEADLINE_METRICS)
    rows = []
    for metric in metrics:
        metric_values = values[values["metric"] == metric]
        info = describe_metric(metric, metric_values["mean"].tolist())
        for scenario in scenarios:
            row = metric_values[metric_values["scenario"] == scenario]
            if row.empty:
                continue
            value = row.iloc[0]
            difference = ""
            verdict = None
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
                    if metric in METRICS:  # the registry says which way is better
                        verdict = verdict_of(metric, float(d["ci_low"]), float(d["ci_high"]))
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
                    "value_text": _value_text(float(value["mean"]), info),
                    "ci_text": _ci_text(float(value["ci_low"]), float(value["ci_high"]), info),
                    "difference_text": difference,
                    "verdict": verdict,
                    "headline": metric in HEADLINE_METRICS,
                    "definition": info.definition,
                }
            )
    return pd.DataFrame(rows)


def _table_html(table: pd.DataFrame, shown: Sequence[str], colours: dict[str, str]) -> str:
    head = "".join(
        f'<th scope="col"><span class="swatch" style="background:{colours[s]}"></span>'
        f"{html.escape(s)}{' (reference)' if i == 0 else ''}</th>"
        for i, s in enumerate(shown)
    )
    body = []
    for _metric, rows in table.groupby("metric", sort=False):
        cells = []
        by_scenario = rows.set_index("scenario")
        for scenario in shown:
            if scenario not in by_scenario.index:
                cells.append(f'<td data-scenario="{html.escape(scenario)}">–</td>')
                continue
            row = by_scenario.loc[scenario]
            diff = ""
            if row["difference_text"]:
                # The verdict in words as well as in colour (never colour alone).
                verdict = row.get("verdict")
                badge = (f'<span class="verdict {verdict}">{LABELS[verdict]}</span>'
                         if verdict in VERDICT_CLASSES else "")
                css = f" {verdict}" if verdict in VERDICT_CLASSES else ""
                diff = (f'<div class="diff{css}">{badge}'
                        f'{html.escape(str(row["difference_text"]))}</div>')
            # data-scenario labels the cell when a narrow screen stacks the columns.
            cells.append(
                f'<td data-scenario="{html.escape(scenario)}">'
                f'<div class="value">{html.escape(str(row["value_text"]))}</div>'
                f'<div class="ci">{html.escape(str(row["ci_text"]))}</div>{diff}</td>'
            )
        label = html.escape(str(rows["label"].iloc[0]))
        definition = str(rows["definition"].iloc[0] or "")
        # The definition is one hover away (title) and also listed under the table.
        title = f' title="{html.escape(definition)}"' if definition else ""
        body.append(f'<tr><th scope="row"{title}>{label}</th>{"".join(cells)}</tr>')
    return (
        f"{table_wrap('Headline measures by option')}<table class=\"headline\"><thead><tr>"
        f'<th scope="col">Measure</th>{head}</tr></thead><tbody>{"".join(body)}</tbody>'
        "</table></div>"
    )


def table_wrap(label: str) -> str:
    """The opening of a table's scrolling box: a region with a name that the keyboard can
    reach (tab to it, then scroll with the arrow keys)."""
    return (f'<div class="table-wrap" tabindex="0" role="region" '
            f'aria-label="{html.escape(label)} (scrolls sideways)">')


def headline_html(table: pd.DataFrame, scenarios: Sequence[str]) -> str:
    """The headline table as HTML (metrics down, scenarios across).

    Headline metrics are shown; every other metric of ``summary.csv`` is in a collapsed
    table below, followed by the definitions of all metrics shown.
    """
    if table.empty:
        return "<p>These results report no summary metrics.</p>"
    colours = scenario_colours(scenarios)
    shown = [s for s in scenarios if s in set(table["scenario"])]
    main = table[table["headline"]]
    rest = table[~table["headline"]]
    if main.empty:  # none of the usual headline metrics: show everything up front
        main, rest = table, table.iloc[0:0]
    parts = [_table_html(main, shown, colours)]
    if not rest.empty:
        parts.append(
            f'<details class="more"><summary>All other measures ({rest["metric"].nunique()})'
            f"</summary>{_table_html(rest, shown, colours)}</details>"
        )
    definitions = table.drop_duplicates("metric")
    definitions = definitions[definitions["definition"].astype(str) != ""]
    if not definitions.empty:
        items = "".join(
            f"<dt>{html.escape(str(r.label))}</dt>"
            f"<dd>{html.escape(str(r.definition))} <span class=\"metric-name\">(in the "
            f"results files: {html.escape(str(r.metric))})</span></dd>"
            for r in definitions.itertuples(index=False)
        )
        parts.append(
            '<details class="more"><summary>What the measures mean</summary>'
            f"<dl>{items}</dl></details>"
        )
    return "".join(parts)
