"""Colours, plain-English labels and shared layout for every dashboard figure.

Keeping vocabulary and colours in one place means a scenario has the same colour, and a
closure reason the same wording, on every chart of a page.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go
import plotly.io as pio

# Okabe & Ito (2008) palette, reordered so the first scenarios get the colours that stay
# distinct under all common colour-vision deficiencies and on a white background
# (yellow is last because thin yellow lines are hard to see on white).
OKABE_ITO: tuple[str, ...] = (
    "#0072B2",  # blue
    "#E69F00",  # orange
    "#009E73",  # bluish green
    "#CC79A7",  # reddish purple
    "#56B4E9",  # sky blue
    "#D55E00",  # vermillion
    "#000000",  # black
    "#F0E442",  # yellow
)

# Sequential colour scale for continuous values: cividis was designed to read the same
# for people with and without colour-vision deficiency.
SEQUENTIAL_SCALE = "Cividis"

# System fonts only: naming a web font would tempt a browser to fetch it, and the page
# must make no network request.
FONT_FAMILY = "system-ui, -apple-system, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif"


def scenario_colours(scenarios: Iterable[str]) -> dict[str, str]:
    """Map each scenario (in the given order) to an Okabe–Ito colour, cycling past eight."""
    return {name: OKABE_ITO[i % len(OKABE_ITO)] for i, name in enumerate(scenarios)}


# Printed in black and white, several Okabe–Ito colours have almost the same grey (orange,
# reddish purple and sky blue within 11 levels of 255): each scenario also gets its own
# line pattern, marker shape and bar hatching, in the same order as the colours, so a
# series can be told apart without colour (and the legend shows all three).
DASHES: tuple[str, ...] = ("solid", "dash", "dot", "dashdot", "longdash", "longdashdot",
                           "5px,2px,1px,2px", "1px,3px")
SYMBOLS: tuple[str, ...] = ("circle", "square", "diamond", "triangle-up", "x", "star",
                            "cross", "pentagon")
PATTERNS: tuple[str, ...] = ("", "/", ".", "x", "\\", "+", "-", "|")
MARKERS_PER_LINE = 12  # marker shapes drawn along a long line (plotly's maxdisplayed)


@dataclass(frozen=True)
class SeriesStyle:
    """How one scenario's series are drawn: colour, line pattern, marker and hatching."""

    colour: str
    dash: str
    symbol: str
    pattern: str


def scenario_styles(scenarios: Sequence[str]) -> dict[str, SeriesStyle]:
    """Each scenario's colour, line pattern, marker shape and bar hatching, by position.

    Example:
        >>> styles = scenario_styles(["a", "b"])
        >>> styles["a"].dash, styles["b"].dash, styles["b"].symbol
        ('solid', 'dash', 'square')
    """
    colours = scenario_colours(scenarios)
    return {name: SeriesStyle(colours[name], DASHES[i % len(DASHES)],
                              SYMBOLS[i % len(SYMBOLS)], PATTERNS[i % len(PATTERNS)])
            for i, name in enumerate(scenarios)}


def trace_owner(trace: go.BaseTraceType, scenarios: Sequence[str]) -> str | None:
    """The scenario a trace draws: its legend group, its name, or a ``scenario:NAME:...``
    uid (event markers)."""
    found = trace_scenario(trace, scenarios)
    if found is None and getattr(trace, "name", None) in scenarios:
        found = str(trace.name)
    return found


def distinguish(fig: go.Figure, scenarios: Sequence[str]) -> go.Figure:
    """Give every scenario's series its pattern, marker and hatching
    (:func:`scenario_styles`), so each stays distinct in greyscale and in print.

    Lines keep a pattern they already have for another meaning; bands (fills) and
    event markers (whose shape is the event's) are left as they are.
    """
    styles = scenario_styles(scenarios)
    for trace in fig.data:
        owner = trace_owner(trace, scenarios)
        if owner is None:
            continue
        style = styles[owner]
        if trace.type == "bar":
            trace.marker.pattern = {"shape": style.pattern, "fillmode": "overlay",
                                    "fgcolor": "#ffffff", "size": 7, "solidity": 0.35}
            trace.marker.line = {"color": "#000000", "width": 0.6}
            continue
        if trace.type != "scatter" or trace.mode in (None, "none") or trace.fill:
            continue
        mode = str(trace.mode)
        if "lines" in mode:
            if trace.line.dash in (None, "solid"):
                trace.line.dash = style.dash
            if "markers" not in mode:
                trace.mode = mode + "+markers"
                trace.marker.maxdisplayed = MARKERS_PER_LINE
            trace.marker.symbol = style.symbol
            trace.marker.size = trace.marker.size or 7
        elif "markers" in mode and not str(getattr(trace, "uid", "") or "").startswith(
                "scenario:"):
            trace.marker.symbol = style.symbol
    return fig


def rgba(hex_colour: str, alpha: float) -> str:
    """Return ``hex_colour`` (``#RRGGBB``) as a CSS ``rgba()`` string with ``alpha``."""
    value = hex_colour.lstrip("#")
    red, green, blue = (int(value[i : i + 2], 16) for i in (0, 2, 4))
    return f"rgba({red},{green},{blue},{alpha})"


def humanise(name: str) -> str:
    """Turn an identifier such as ``long_term_investment`` into ``Long term investment``."""
    text = name.replace("_", " ").replace(".", " – ").strip()
    return text[:1].upper() + text[1:] if text else name


def parameter_title(name: str, units: Mapping[str, str] | None = None) -> str:
    """Axis title for a sweep parameter: its exact dotted name and its unit."""
    unit = (units or {}).get(name)
    return f"{name} ({unit})" if unit else f"{name} (parameter value)"


@dataclass(frozen=True)
class ClosureCategory:
    """One bar on the "why relationships end" chart."""

    key: str
    short: str
    long: str
    group: str
    reasons: tuple[str, ...]


GROUP_PLANNED = "Planned ending"
GROUP_FAILURE = "Ended early: the six failure factors"
GROUP_OTHER = "Other endings"
GROUP_ONGOING = "Still running"

# Order matters: planned completions first, then Spencer's six failure factors as Buck
# lists them, then endings that are not failures of the relationship itself.
CLOSURE_CATEGORIES: tuple[ClosureCategory, ...] = (
    ClosureCategory(
        "completed", "Completed as planned", "Completed as planned", GROUP_PLANNED,
        ("completed",),
    ),
    ClosureCategory(
        "abandonment", "Abandoned", "Mentor or mentee stopped turning up (abandonment)",
        GROUP_FAILURE, ("mentor_abandonment", "mentee_abandonment"),
    ),
    ClosureCategory(
        "low_motivation", "Low motivation", "Mentee seemed not to want help (low motivation)",
        GROUP_FAILURE, ("low_motivation",),
    ),
    ClosureCategory(
        "mismatched_expectations", "Mismatched expectations",
        "What each side expected did not match", GROUP_FAILURE, ("mismatched_expectations",),
    ),
    ClosureCategory(
        "relational_skills", "Mentor skills / cultural gap",
        "Mentor's relational skills fell short or a cultural gap was not bridged",
        GROUP_FAILURE, ("relational_skills",),
    ),
    ClosureCategory(
        "family_interference", "Family interference", "Family pulled the mentee away",
        GROUP_FAILURE, ("family_interference",),
    ),
    ClosureCategory(
        "agency_support", "Too little agency support",
        "Too little support or supervision from the agency", GROUP_FAILURE,
        ("agency_support",),
    ),
    ClosureCategory(
        "mentee_reoffended", "Mentee reoffended", "Mentee reoffended or was recalled",
        GROUP_OTHER, ("mentee_reoffended",),
    ),
    ClosureCategory(
        "mentor_moved_on", "Mentor moved on", "Mentor moved on (for example to paid work)",
        GROUP_OTHER, ("mentor_moved_on",),
    ),
    ClosureCategory(
        "programme_closed", "Programme closed", "Programme closed when its funding ended",
        GROUP_OTHER, ("programme_closed",),
    ),
    ClosureCategory(
        "ongoing", "Still running at the end", "Still running when the simulation ended",
        GROUP_ONGOING, ("ongoing",),
    ),
)

# Mentor exit reasons from mentors.parquet, in the order the workforce chart shows them
# (line breaks keep the category ticks horizontal and readable).
EXIT_REASON_LABELS: dict[str, str] = {
    "burnout": "Left:<br>burnt out",
    "paid_work": "Left: moved on<br>to paid work",
    "relapse": "Left:<br>relapse",
    "life_change": "Left:<br>life change",
    "programme_closed": "Left:<br>programme closed",
    "active": "Still active<br>at the end",
}

# Funding/organisational events from events.parquet: label and a marker symbol that is
# distinguishable without colour.
EVENT_STYLES: dict[str, tuple[str, str]] = {
    "grant_started": ("Grant started", "triangle-up"),
    "grant_renewed": ("Grant renewed", "circle"),
    "grant_ended": ("Grant ended", "triangle-down"),
    "programme_closed": ("Programme closed", "x"),
    "reorganisation_started": ("Reorganisation started", "diamond"),
    "reorganisation_ended": ("Reorganisation ended", "diamond-open"),
}


def _page_template() -> go.layout.Template:
    """Plotly's white look, layout part only: its per-trace-type defaults (colour scales
    for carpets, contours, maps ...) are about 9 KB in every figure of a page and are not
    used by any chart here."""
    return go.layout.Template(layout=pio.templates["plotly_white"].layout)


PAGE_TEMPLATE = _page_template()


def style_figure(fig: go.Figure, *, height: int, legend_title: str | None = None) -> go.Figure:
    """Apply the shared look: white template, system fonts, legend on top, fixed height."""
    fig.update_layout(
        template=PAGE_TEMPLATE,
        height=height,
        font={"family": FONT_FAMILY, "size": 13},
        hoverlabel={"font": {"family": FONT_FAMILY}},
        margin={"l": 70, "r": 30, "t": 60, "b": 60},
        legend={
            "orientation": "h",
            "yanchor": "bottom",
            "y": 1.02,
            "xanchor": "left",
            "x": 0,
            "title": {"text": legend_title} if legend_title else None,
        },
    )
    return fig


def add_dropdown(fig: go.Figure, buttons: list[dict]) -> go.Figure:
    """Put a drop-down of ``buttons`` at the top right and the legend at the top left of
    the same row, anchored in pixels above the plot so they never overlap whatever the
    figure's height."""
    fig.update_layout(
        updatemenus=[
            {"buttons": buttons, "direction": "down", "x": 1.0, "xanchor": "right",
             "y": 1.0, "yanchor": "bottom", "pad": {"b": 10}, "showactive": True}
        ],
        legend={"y": 1.0, "x": 0.0},
        margin={"t": 90},
    )
    return fig


# With more scenarios than this a time-series chart also offers pairs from a drop-down.
MAX_SCENARIOS_SHOWN = 3


def trace_scenario(trace: go.BaseTraceType, scenarios: Sequence[str]) -> str | None:
    """The scenario a trace belongs to: its legend group, or a ``uid`` of the form
    ``scenario:NAME:...`` (markers that share an event's legend group)."""
    group = getattr(trace, "legendgroup", None)
    if group in scenarios:
        return str(group)
    uid = str(getattr(trace, "uid", None) or "")
    if uid.startswith("scenario:"):  # the name may hold ":" itself; the event never does
        name = uid.removeprefix("scenario:").rsplit(":", 1)[0]
        return name if name in scenarios else None
    return None


def scenario_picker(fig: go.Figure, scenarios: Sequence[str]) -> str:
    """Every scenario is shown; with more than :data:`MAX_SCENARIOS_SHOWN` a drop-down at
    the top right (on screen only: it is not printed) also offers the reference beside
    any one other scenario. Returns the sentence telling a reader on screen how to show
    or hide scenarios (the page prints it on screen only)."""
    tip = ("Click a scenario in the legend to show or hide it; double-click to show it "
           "alone.")
    if len(scenarios) <= MAX_SCENARIOS_SHOWN:
        return tip
    owners = [trace_scenario(trace, scenarios) for trace in fig.data]

    def visible(shown: Sequence[str]) -> list[bool | str]:
        return [True if o is None or o in shown else "legendonly" for o in owners]

    reference = scenarios[0]
    buttons = [{"label": f"All {len(scenarios)} scenarios", "method": "restyle",
                "args": [{"visible": visible(scenarios)}]}]
    buttons += [{"label": f"{reference} and {other}", "method": "restyle",
                 "args": [{"visible": visible([reference, other])}]}
                for other in scenarios[1:]]
    fig.update_layout(updatemenus=[
        {"buttons": buttons, "direction": "down", "x": 1.0, "xanchor": "right", "y": 1.0,
         "yanchor": "bottom", "pad": {"b": 34}, "showactive": True, "active": 0}])
    return (f"All {len(scenarios)} scenarios are shown; to compare the reference with one "
            f"other, pick the pair from the menu at the top right. {tip}")


def rounded(values: Sequence[float] | np.ndarray, decimals: int) -> list[float]:
    """``values`` rounded to ``decimals`` as a plain list: a page carries every point of
    every chart, and plotly writes a list of short numbers in fewer characters than an
    array (all whole numbers are written without a decimal point)."""
    result = np.round(np.asarray(values, dtype=float), decimals)
    whole = result.size and np.array_equal(result, np.trunc(result))
    return result.astype(np.int64).tolist() if whole else result.tolist()


def _there_and_back(forward: Sequence[float] | np.ndarray,
                    back: Sequence[float] | np.ndarray) -> list[float] | np.ndarray:
    """``forward`` then ``back`` reversed; lists (of rounded numbers) stay lists."""
    if isinstance(forward, np.ndarray) and isinstance(back, np.ndarray):
        return np.concatenate([forward, back[::-1]])
    return [*forward, *list(back)[::-1]]


def band_trace(x: Sequence[float] | np.ndarray, low: Sequence[float] | np.ndarray,
               high: Sequence[float] | np.ndarray, colour: str, group: str,
               label: str) -> go.Scatter:
    """A light band from ``low`` to ``high`` over ``x`` in a scenario's colour, named
    ``"{group} {label}"`` and in the scenario's legend group, so clicking the scenario in
    the legend hides its band with its line; hovering shows the line's numbers, not the
    band's. Lists (see :func:`rounded`) are written as lists, arrays as arrays."""
    # One closed polygon (high forwards, low backwards) draws the band in a single trace,
    # which keeps legend toggling simple and avoids fill='tonexty' ordering pitfalls.
    return go.Scatter(
        x=_there_and_back(x, x),
        y=_there_and_back(high, low),
        # No markers (plotly draws them on a trace of fewer than 20 points), only the fill.
        mode="none",
        fill="toself",
        fillcolor=rgba(colour, 0.18),
        line={"width": 0},
        hoverinfo="skip",
        showlegend=False,
        legendgroup=group,
        name=f"{group} {label}",
    )


def empty_figure(message: str, *, height: int = 220) -> go.Figure:
    """A figure that says in words why there is nothing to plot (e.g. no relationships)."""
    fig = go.Figure()
    fig.add_annotation(
        text=message, x=0.5, y=0.5, xref="paper", yref="paper", showarrow=False,
        font={"size": 15},
    )
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return style_figure(fig, height=height)


def ordered(values: Iterable[str], preferred: Sequence[str]) -> list[str]:
    """Unique ``values`` ordered by ``preferred`` first, then by first appearance."""
    seen = list(dict.fromkeys(values))
    head = [v for v in preferred if v in seen]
    return head + [v for v in seen if v not in head]


def interval_error_bars(mean: np.ndarray, low: np.ndarray, high: np.ndarray) -> dict[str, object]:
    """Plotly ``error_y`` for an interval that need not be symmetric around the mean."""
    return {"type": "data", "symmetric": False, "array": high - mean, "arrayminus": mean - low,
            "color": "#444444", "thickness": 1.2}
