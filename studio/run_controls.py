"""A page's run controls, the same for the comparison and the Decide page.

:class:`RunIds` names the ids of a page's run; :func:`run_controls` lays out its Run and
Cancel buttons, progress bar, status, poll and the store of the run followed, and
:func:`results_picker` the results step's drop-down. Both pages' layouts use them
(:mod:`studio.layout`, :mod:`studio.decide_layout`), and
:func:`studio.following.register_following` wires them to the studio's jobs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from dash import dcc, html


@dataclass(frozen=True)
class RunIds:
    """The ids of a page's run, laid out by :func:`run_controls` and followed by
    :func:`studio.following.register_following`: the Run and Cancel buttons, the progress
    bar and status, the poll and the store holding the run followed, the run's step, and
    the drop-down of results in the results step."""

    run: str
    cancel: str
    progress: str
    status: str
    poll: str
    job: str
    step: str
    pick: str
    results: str


def run_controls(ids: RunIds, start: str, poll_ms: int, more: Sequence[Any] = (),
                 after: Sequence[Any] = (), progress_label: str | None = None) -> list[Any]:
    """A run's controls: the ``start`` button, Cancel (disabled until a run goes) and any
    ``more`` buttons, then ``after`` them the progress bar (named ``progress_label`` to
    assistive technology, if given), the status, the poll (every ``poll_ms``
    milliseconds while a run goes) and the store of the run followed."""
    named = {"aria-label": progress_label} if progress_label else {}
    return [
        html.Div([html.Button(start, id=ids.run, className="primary"),
                  html.Button("Cancel", id=ids.cancel, className="secondary", disabled=True),
                  *more], className="buttons"),
        *after,
        html.Progress(id=ids.progress, value="0", max="1", className="progress", **named),
        html.Div(id=ids.status, className="status", role="status"),
        dcc.Interval(id=ids.poll, interval=poll_ms, disabled=True),
        dcc.Store(id=ids.job, data=None),
    ]


def results_picker(ids: RunIds, label: str, made: Sequence[str], placeholder: str
                   ) -> list[Any]:
    """The results step's drop-down (``ids.pick``, with its ``label``) of the results
    ``made`` in the working folder, none picked until a run ends or the planner picks."""
    return [html.Label(label, htmlFor=ids.pick),
            dcc.Dropdown(id=ids.pick, options=[{"label": r, "value": r} for r in made],
                         value=None, clearable=True, placeholder=placeholder,
                         className="results-pick")]
