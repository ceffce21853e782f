"""The report ``mentorsim run``/``demo`` prints: key findings, the headline table, and
last of all the key findings in short.

:func:`print_report` / :func:`render_report` print the key findings
(:mod:`sim.findings`), then the headline table, which fits 80 columns: for each metric,
one line per scenario with its mean, its paired difference from the reference with the
95% interval, and "better", "worse" or "no clear difference" in words (and in colour on
a terminal that shows colour); then how small a reoffending difference the replications
can detect. :func:`print_summary` prints the last lines: the key findings in a line or two
each, so they are on screen when the run ends. Both put :func:`sim.findings.caveat` under
the findings (what they are: simulated comparisons under stated assumptions). The start
line and the progress bar are in :mod:`sim.progress`.

``rich`` is imported inside the functions that draw, so importing this module does not
load it.
"""

from __future__ import annotations

import io
import math
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TextIO

from sim.findings import (
    LABELS,
    MINUS,
    Finding,
    caveat,
    decimals_for,
    format_money,
    format_number,
    summary_reference,
    verdict_of,
)
from sim.labels import metric_unit_words
from sim.metrics import HEADLINE, HEADLINE_GROUPS, METRICS

if TYPE_CHECKING:
    import pandas as pd
    from rich.console import Console, RenderableType

WIDTH = 80  # the report is laid out for this many columns (fewer on a narrower terminal)

# Colour-blind-safe colours (Okabe & Ito 2008: blue and vermillion); words carry the
# verdict too, so colour is never the only sign of it.
STYLES: dict[str | None, str] = {"better": "bold #0072B2", "worse": "bold #D55E00",
                                 "no_clear_difference": "bold", "mixed": "bold", None: ""}

# --- the report ---------------------------------------------------------------------------
def make_console(file: TextIO | None = None, width: int | None = None,
                 color: bool | None = None) -> Console:
    """A rich console for the report: ``WIDTH`` columns at most (fewer if the terminal is
    narrower), colour only where the terminal shows it (and ``NO_COLOR`` is unset), no
    automatic highlighting or markup (scenario names are printed as they are)."""
    from rich.console import Console

    kwargs: dict[str, Any] = {"file": file or sys.stdout, "highlight": False,
                              "emoji": False, "markup": False}
    if color is False:
        kwargs["color_system"] = None
    elif color is True:
        kwargs["force_terminal"] = True
    console = Console(**kwargs)
    console.width = width or min(console.width, WIDTH)
    return console


def _findings_block(findings: Sequence[Finding], worlds: int | None = None) -> RenderableType:
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    grid = Table.grid(padding=(0, 1))
    grid.add_column(no_wrap=True)
    grid.add_column(ratio=1)
    for finding in findings:
        line = Text(f"{finding.title}: ")
        for i, clause in enumerate(finding.clauses):
            if i:
                line.append("; ")
            if clause.label:
                line.append(f"{clause.label}:", style=STYLES[clause.verdict])
                line.append(" ")
            line.append(clause.text)
        line.append(".")
        grid.add_row("•", line)
    return Group(Text("Key findings", style="bold"), grid, _caveat(worlds))


def _caveat(worlds: int | None) -> RenderableType:
    """What the findings are, as a paragraph under them."""
    from rich.text import Text

    return Text(caveat(worlds), style="italic")


@dataclass(frozen=True)
class _Style:
    """How one metric's numbers are written in the table."""

    unit: str
    money: bool
    scale: float  # 100 for shares (shown in % or points)
    suffix: str  # after a value: "%" for a share, " points" for a difference of shares
    points: bool  # differences of this metric are in percentage points

    @classmethod
    def of(cls, metric: str, means: Sequence[float]) -> _Style:
        """A share is written in %, its differences in points; a share defined as one
        share minus another, or with a mean below zero here, is itself a difference:
        points too."""
        m = METRICS[metric]
        share = m.unit.startswith("share")
        signed = share and (" minus " in m.definition
                            or any(v < 0 for v in means if math.isfinite(v)))
        suffix = ("" if signed else "%") if share else ""
        return cls(m.unit, m.unit.startswith("GBP"), 100.0 if share else 1.0, suffix, share)

    @property
    def unit_words(self) -> str:
        """How the unit is said in the metric's heading (a difference of shares says
        "points" in its own cell)."""
        if self.points and not self.suffix:
            return "percentage points"
        return {"share": "%", "share/year": "% a year", "GBP": "£", "GBP/year": "£ a year",
                "ratio": "a ratio"}.get(self.unit, metric_unit_words(self.unit))

    def default_decimals(self) -> int:
        return 0 if self.money else (2 if self.unit == "ratio" else 1)

    def decimals(self, low: float, high: float, fixed: bool = False) -> int:
        """What an interval's width supports (a 14-point interval in whole points, one
        £1,900 wide to the £100), or the unit's usual decimals if ``fixed`` (not for
        money); with enough decimals that the two ends read differently, and neither
        reads 0 if the interval is clear of 0."""
        default = self.default_decimals()
        if not (math.isfinite(low) and math.isfinite(high) and high > low):
            return default
        if self.money:
            d = decimals_for(low, high, default, fewest=-4, most=0)
        elif fixed:
            d = default
        else:
            d = decimals_for(self.scale * low, self.scale * high, default, 0, 3)
        clear = low > 0 or high < 0  # then neither end may read as 0
        while d < 3 and (self.number(low, d) == self.number(high, d) or clear and any(
                round(self.scale * x, d) == 0 for x in (low, high))):
            d += 1
        return d

    def number(self, value: float, decimals: int, signed: bool = False,
               end: bool = False) -> str:
        """A number without its suffix; money of £10,000 or more rounded to hundreds or
        coarser is written in thousands or millions ("£92k", "£1.2m"). An ``end`` of an
        interval that rounds to 0 but is not 0 keeps its sign ("−3 to +0"), so the
        interval is not read as stopping at zero."""
        if end and math.isfinite(value) and value != 0 \
                and round(self.scale * value, decimals) == 0:
            zero = format_number(0.0, decimals) if not self.money \
                else format_money(0.0, decimals)
            return ("+" if value > 0 else MINUS) + zero
        if not self.money:
            return format_number(self.scale * value, decimals, signed)
        rounded = abs(round(value, decimals)) if math.isfinite(value) else 0.0
        if not ((decimals <= -3 and rounded >= 1_000) or (decimals <= -2
                                                           and rounded >= 10_000)):
            return format_money(value, decimals, signed)
        sign = MINUS if value < 0 else ("+" if signed and value > 0 else "")
        if rounded >= 999_500:
            return f"{sign}£{rounded / 1e6:,.{min(2, max(1, 6 + decimals))}f}m"
        return f"{sign}£{rounded / 1e3:,.{max(0, 3 + decimals)}f}k"

    def exact_decimals(self, value: float) -> int:
        """Decimals that write ``value`` (the same in every replication) exactly, as
        briefly as possible: 60,000 to the thousand ("£60k"), 26.0 to one decimal."""
        if not self.money or not math.isfinite(value) or value == 0:
            return self.default_decimals()
        d = 0
        while d > -5 and round(value, d - 1) == round(value, 0):
            d -= 1
        return d

    def value(self, value: float) -> str:
        """A mean as the value column shows it (money of £1m or more as "£1.65m")."""
        if not math.isfinite(value):
            return "n/a"
        if self.money and abs(value) >= 999_500:
            return self.number(value, -4)
        return self.number(value, self.default_decimals()) + self.suffix

    def difference(self, value: float, decimals: int) -> str:
        text = self.number(value, decimals, signed=True)
        if not self.points:
            return text
        return text + (" point" if text.lstrip("+" + MINUS) == "1" else " points")


def _direction_words(metric: str) -> str:
    better = METRICS[metric].better
    return f"{better} is better" if better in ("lower", "higher") else ""


def _same(low: float, high: float) -> bool:
    return math.isfinite(low) and math.isfinite(high) and high - low <= 1e-12 * max(
        1.0, abs(low), abs(high))


def _numbers(row: pd.Series) -> tuple[float, float, float, int]:
    return (float(row["mean"]), float(row["ci_low"]), float(row["ci_high"]),
            int(row["replications"]))


def _value_interval(style: _Style, row: pd.Series) -> str:
    """The reference's own interval: "95% CI 41.9% to 51.7%"."""
    mean, low, high, n = _numbers(row)
    if not math.isfinite(mean):
        return ""
    if not (math.isfinite(low) and math.isfinite(high)):
        return "one replication: no interval" if n <= 1 else "no interval"
    if _same(low, high):
        return "same in every replication"
    d = style.decimals(low, high, fixed=True)  # as precise as the value beside it
    if style.suffix == "%":
        return f"95% CI {style.number(low, d)}% to {style.number(high, d)}%"
    points = " points" if style.points else ""
    return f"95% CI {style.number(low, d)} to {style.number(high, d)}{points}"


def _difference_cell(style: _Style, metric: str, row: pd.Series) -> tuple[str, str]:
    """The paired difference with its interval, and the verdict in words."""
    mean, low, high, _n = _numbers(row)
    if not math.isfinite(mean):
        return "n/a", ""
    verdict = verdict_of(metric, low, high)
    word = LABELS[verdict] if verdict else ("higher" if mean > 0 else "lower")
    if not (math.isfinite(low) and math.isfinite(high)):
        return f"{style.difference(mean, style.default_decimals())} (no interval)", word
    if _same(low, high):
        if mean == 0:
            return "none in any replication", word
        return f"{style.difference(mean, style.exact_decimals(mean))} in each replication", word
    d = style.decimals(low, high)
    return (f"{style.difference(mean, d)} ({style.number(low, d, True, end=True)} to "
            f"{style.number(high, d, True, end=True)})", word)


def _rows_by_key(summary: pd.DataFrame, statistic: str) -> dict[tuple[str, str], pd.Series]:
    frame = summary[summary["statistic"] == statistic]
    return {(str(r["scenario"]), str(r["metric"])): r for _, r in frame.iterrows()}


Row = tuple[str, str, str, "str | None", str]  # scenario, value, difference, verdict, words


def _metric_rows(metric: str, style: _Style, scenarios: Sequence[str], reference: str,
                 values: dict[tuple[str, str], pd.Series],
                 diffs: dict[tuple[str, str], pd.Series]) -> list[Row]:
    rows: list[Row] = []
    for scenario in scenarios:
        row = values.get((scenario, metric))
        if row is None:
            continue
        value = style.value(float(row["mean"]))
        diff = diffs.get((scenario, metric))
        if scenario == reference or diff is None:
            rows.append((scenario, value, _value_interval(style, row), None, ""))
            continue
        cell, word = _difference_cell(style, metric, diff)
        verdict = verdict_of(metric, float(diff["ci_low"]), float(diff["ci_high"]))
        rows.append((scenario, value, cell, verdict, word))
    return rows


def _headline_block(summary: pd.DataFrame, metrics: Sequence[str],
                    width: int) -> list[RenderableType]:
    from rich.text import Text

    values, diffs = _rows_by_key(summary, "value"), _rows_by_key(summary, "paired_difference")
    scenarios = list(dict.fromkeys(s for s, _ in values))
    reference = summary_reference(summary) or (scenarios[0] if scenarios else "")
    styles = {m: _Style.of(m, [float(values[(s, m)]["mean"]) for s in scenarios
                               if (s, m) in values]) for m in metrics}
    blocks = [(m, rows) for m in metrics
              if (rows := _metric_rows(m, styles[m], scenarios, reference, values, diffs))]
    if not blocks:
        return []
    reps = max(int(r["replications"]) for r in values.values())
    # the name column is as wide in every block, so the scenarios line up down the table
    name_w = min(max(len(r[0]) for _, rows in blocks for r in rows), width // 3)
    intro = f"Means over {reps} replication{'' if reps == 1 else 's'}"
    intro += (f"; for each other scenario, its paired difference from {reference} (same "
              "seeds) with the 95% interval, and whether that is better, worse or no clear "
              "difference (the interval includes 0)." if len(scenarios) > 1
              else ", with 95% intervals.")
    out: list[RenderableType] = [Text(intro, style="dim")]
    group_of = {m: name for name, group in HEADLINE_GROUPS for m in group}
    shown: set[str] = set()
    for metric, rows in blocks:
        group = group_of.get(metric)
        if group and group not in shown:
            shown.add(group)
            out.append(_rule(group))
        heading = Text(METRICS[metric].label, style="bold")
        about = " · ".join(w for w in (styles[metric].unit_words, _direction_words(metric))
                           if w)
        heading.append(f" · {about}", style="dim")
        out.append(heading)
        out.append(_metric_table(rows, name_w, width))
    return out


def _metric_table(rows: list[Row], name_w: int, width: int) -> RenderableType:
    """One metric's rows: name, value, difference, verdict. Gaps: two spaces after the
    name and the value, one before the verdict. The verdicts line up in a column when
    the widest difference and the widest verdict fit beside each other; otherwise each
    verdict follows its own difference, so no row wraps."""
    from rich.table import Table
    from rich.text import Text

    value_w = max(len(r[1]) for r in rows)
    cell_w = max(len(r[2]) for r in rows)
    word_w = max(len(r[4]) for r in rows)
    column = name_w + 2 + value_w + 2 + cell_w + (1 + word_w if word_w else 0) <= width
    table = Table(box=None, show_header=False, padding=0, pad_edge=False, show_edge=False,
                  expand=False)
    table.add_column(width=name_w + 2, overflow="fold")
    table.add_column(justify="right", no_wrap=True)
    table.add_column(overflow="fold")
    if word_w and column:
        table.add_column(no_wrap=True)
    for name, value, cell, verdict, word in rows:
        words = Text(" " + word if word else "", style=STYLES[verdict])
        if word_w and column:
            table.add_row(Text(name), Text(value), Text("  " + cell), words)
        else:
            table.add_row(Text(name), Text(value), Text.assemble("  " + cell, words))
    return table


def _rule(title: str) -> RenderableType:
    from rich.rule import Rule
    from rich.text import Text

    return Rule(Text(title, style="bold"), style="dim", characters="─")


def _detectable_block(summary: pd.DataFrame) -> list[RenderableType]:
    """How small a reoffending difference these replications can see, per scenario."""
    from rich.table import Table
    from rich.text import Text

    from sim.summary import DETECTABLE

    rows = summary[summary["metric"] == DETECTABLE]
    if rows.empty:
        return []
    values = rows[rows["statistic"] == "value"]
    paired = rows[rows["statistic"] == "paired_difference"]
    reference = summary_reference(summary)
    table = Table(box=None, show_header=False, padding=(0, 1), pad_edge=False)
    table.add_column(overflow="fold", width=max(len(str(s)) for s in values["scenario"]))
    table.add_column(justify="right", no_wrap=True)
    table.add_column(overflow="fold")
    any_finite = False
    for scenario in dict.fromkeys(values["scenario"]):
        own = paired[paired["scenario"] == scenario]
        row = (own if not own.empty else values[values["scenario"] == scenario]).iloc[0]
        value = float(row["mean"])
        against = (f"paired, vs {reference}" if not own.empty
                   else "unpaired, vs an option varying as much")
        if math.isfinite(value):
            any_finite = True
            table.add_row(str(scenario), f"{format_number(100 * value, 1)} points", against)
        else:
            table.add_row(str(scenario), "n/a", "too few replications to say")
    reps = int(values["replications"].max()) if not values.empty else 0
    if not any_finite:
        return [Text("Reoffending: too few replications to say what difference they could "
                     "detect.")]
    head = Text(f"Reoffending: with {reps} replications, a difference in the programme's "
                "effect smaller than this cannot be detected (80% power, 5% level):")
    return [head, table]


def report_renderables(summary: pd.DataFrame, metrics: Sequence[str] = HEADLINE,
                       findings: Sequence[Finding] | None = None,
                       width: int = WIDTH, *, worlds: int | None = None
                       ) -> list[RenderableType]:
    """The report's parts in order: key findings with what they are
    (:func:`sim.findings.caveat` of ``worlds``), the headline table, detectable
    differences."""
    from rich.text import Text

    from sim.findings import key_findings

    findings = key_findings(summary) if findings is None else findings
    parts: list[RenderableType] = []
    # the caveat holds for the table's numbers too: said first when there are no findings
    parts += [_findings_block(findings, worlds) if findings else _caveat(worlds), Text("")]
    parts += _headline_block(summary, [m for m in metrics if m in METRICS], width)
    detectable = _detectable_block(summary)
    if detectable:
        parts += [Text(""), *detectable]
    return parts


def print_report(summary: pd.DataFrame, metrics: Sequence[str] = HEADLINE,
                 console: Console | None = None, *, worlds: int | None = None) -> None:
    """Print the key findings and the headline table (to stdout by default); ``worlds``:
    the plausible worlds the run covered, for the caveat (None: one set of parameters)."""
    console = console or make_console()
    _print(console, report_renderables(summary, metrics, width=console.width, worlds=worlds))


def summary_renderables(summary: pd.DataFrame,
                        findings: Sequence[Finding] | None = None, *,
                        worlds: int | None = None) -> list[RenderableType]:
    """The key findings in a line or two each (:attr:`sim.findings.Finding.short`), for
    the last lines of ``run``/``demo``: the reference's own figures and money, then each
    comparison's verdicts by topic and what it cost, then what they are
    (:func:`sim.findings.caveat`), still on screen with them."""
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    from sim.findings import key_findings

    findings = key_findings(summary) if findings is None else findings
    kept = [f for f in findings if f.reference is not None
            or any(c.label == "money" for c in f.clauses)] or list(findings[:1])
    if not kept:
        return []
    reference = summary_reference(summary)
    head = Text("Key findings in short", style="bold")
    if reference:
        head.append(f" (each option against {reference} on the same random numbers; the "
                    "numbers with their 95% intervals are above)", style="dim")
    grid = Table.grid(padding=(0, 1))
    grid.add_column(no_wrap=True)
    grid.add_column(ratio=1)
    for finding in kept:
        line = Text(finding.short)
        for clause in finding.clauses:
            if clause.label and clause.verdict in ("better", "worse"):
                line.highlight_words([f"{clause.label}:"], style=STYLES[clause.verdict])
        grid.add_row("•", line)
    return [Group(head, grid, _caveat(worlds))]


def print_summary(summary: pd.DataFrame, console: Console | None = None, *,
                  worlds: int | None = None) -> None:
    """Print :func:`summary_renderables` (the last lines of ``run``/``demo``)."""
    console = console or make_console()
    _print(console, summary_renderables(summary, worlds=worlds))


def _print(console: Console, parts: Sequence[RenderableType]) -> None:
    if console.is_terminal or console.record:
        for part in parts:
            console.print(part)
        return
    with console.capture() as captured:  # a file or a pipe: no padding at line ends
        for part in parts:
            console.print(part)
    console.file.write("".join(line.rstrip() + "\n"
                               for line in captured.get().splitlines()))


def render_report(summary: pd.DataFrame, metrics: Sequence[str] = HEADLINE,
                  width: int = WIDTH, *, worlds: int | None = None) -> str:
    """The report as plain text, ``width`` columns wide (no colour)."""
    console = make_console(io.StringIO(), width=width, color=False)
    print_report(summary, metrics, console, worlds=worlds)
    return console.file.getvalue()  # type: ignore[attr-defined]


__all__ = ["MINUS", "WIDTH", "make_console", "print_report", "print_summary", "render_report",
           "report_renderables", "summary_renderables"]
