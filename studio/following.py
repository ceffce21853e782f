"""Following a page's runs: the same three callbacks for the comparison and the Decide page.

:func:`register_following` wires a page's run controls (:class:`studio.run_controls.RunIds`,
laid out by :func:`studio.run_controls.run_controls`) to the studio's jobs
(:mod:`studio.jobs`): a page opened (or reloaded) while a run of its kind goes follows it,
Cancel stops it, and the poll shows its progress and, when it ends, lists the results
again and picks a run that is done. Each page's callbacks call it with their own ids and
kind (:mod:`studio.callbacks`, :mod:`studio.decide_callbacks`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from dash import Dash, Input, Output, State, html, no_update

from studio.folder import WorkingFolder
from studio.page_state import Studio
from studio.run_controls import RunIds


def register_following(app: Dash, studio: Studio, ids: RunIds, kind: str,
                       made: Callable[[WorkingFolder], Sequence[str]], see: str) -> None:
    """Follow a page's runs of ``kind`` (its controls: ``ids``, laid out by
    :func:`studio.run_controls.run_controls`): a page opened while one runs follows it,
    Cancel stops it, and the poll shows its progress; when it ends the results drop-down
    lists ``made(folder)`` again, and a run done is picked there, its status linking to
    the results step with the words ``see``."""
    @app.callback(Output(ids.job, "data", allow_duplicate=True),
                  Output(ids.poll, "disabled", allow_duplicate=True),
                  Input(ids.step, "id"), prevent_initial_call="initial_duplicate")
    def resume(_id: str) -> tuple[Any, Any]:
        """A page opened (or reloaded) while a run of its kind goes follows its progress."""
        run = studio.jobs.running()
        return (run, False) if run and studio.jobs.kind(run) == kind \
            else (no_update, no_update)

    @app.callback(Output(ids.status, "children", allow_duplicate=True),
                  Input(ids.cancel, "n_clicks"), State(ids.job, "data"),
                  prevent_initial_call=True)
    def cancel(_clicks: Any, run: str | None) -> str:
        if run and studio.jobs.cancel(run):
            return "Cancelled: nothing was kept."
        return "Nothing is running."

    @app.callback(Output(ids.progress, "value"), Output(ids.progress, "max"),
                  Output(ids.status, "children", allow_duplicate=True),
                  Output(ids.poll, "disabled", allow_duplicate=True),
                  Output(ids.pick, "options"), Output(ids.pick, "value"),
                  Output(ids.run, "disabled"), Output(ids.cancel, "disabled"),
                  Input(ids.poll, "n_intervals"), State(ids.job, "data"),
                  prevent_initial_call=True)
    def poll(_n: Any, run: str | None) -> tuple[Any, ...]:
        if not run:
            return no_update, no_update, no_update, True, no_update, no_update, False, True
        status = studio.jobs.status(run)
        planned = max(status.planned, 1)
        if not status.finished:
            return (str(status.done), str(planned), status.message, False, no_update,
                    no_update, True, False)
        options = [{"label": r, "value": r} for r in made(studio.folder)]
        if status.state == "done":
            done = [f"Done: {run}. ", html.A(see, href=f"#{ids.results}")]
            return (str(planned), str(planned), done, True, options, run, False, True)
        return (str(status.done), str(planned), status.message, True, options, no_update,
                False, True)
