"""WeeklyCollector: Mesa's DataCollector for the model's weekly reporters, without the
per-value overhead.

Mesa's ``DataCollector.collect`` tests each reporter's kind and deep-copies each value on
every call; with the weekly columns and every run metric as model reporters, that is
about 85 type tests and copies a week. Here every reporter is one of two kinds, known when
the collector is built:

* a model attribute holding a number (the weekly columns): read with ``getattr``; a number
  is immutable, so Mesa's copy would be the same value;
* a run metric (``[model.run_metric, [name]]``): NaN until the horizon, when the model
  writes the metric into the last row (``MentoringModel._reach_horizon``), so the
  collector records NaN without calling it.

It is still a ``mesa.DataCollector``: the same reporters, ``model_vars``,
``get_model_vars_dataframe`` and what ``mesa.batch_run`` reads, value for value, plus the
run's ``seed`` (so each of ``batch_run``'s rows says which seed its run used, also when the
seed was drawn fresh).

A run stopped before its horizon (``batch_run(..., max_steps=52)`` on a 260-week
scenario, or ``model.run_for(52)``) would leave every metric NaN. So when the recorded
values are read (``model_vars``, which ``batch_run`` and
``get_model_vars_dataframe`` read) before the horizon, the last recorded row gets the
metrics of the run so far, computed from its tables as they stand with the weeks run as
the horizon (a metric that needs more follow-up than that stays NaN), with a warning that
says so once per run. They can differ from a run made with that horizon, whose programme
plans for it (referrals, grants).
"""

from __future__ import annotations

import math
import warnings
import weakref
from typing import Any

from mesa import DataCollector

from sim.errors import ScenarioError


class WeeklyCollector(DataCollector):
    """A DataCollector whose reporters are model attributes and run metrics only.

    Args:
        attributes: reporter names, each read as the model attribute of the same name.
        metrics: run-metric names, each reported through ``model.run_metric``.
        model: the model, whose ``run_metric`` the metric reporters name (so Mesa's own
            reporter table reads as it would have).
    """

    def __init__(self, attributes: tuple[str, ...], metrics: tuple[str, ...],
                 model: Any) -> None:
        attributes = (*attributes, "seed")
        reporters: dict[str, Any] = {name: name for name in attributes}
        reporters.update({name: [model.run_metric, [name]] for name in metrics})
        super().__init__(model_reporters=reporters)
        self._attribute_columns = [(self._model_vars[name], name) for name in attributes]
        self._metric_names = metrics
        self._metric_columns = [self._model_vars[name] for name in metrics]
        self._model = weakref.ref(model)  # the model owns its collector, not the reverse
        self._interim_row: int | None = None  # the row holding metrics of a run so far
        self._warned = False
        self._filling = False

    @property
    def model_vars(self) -> dict[str, list[Any]]:
        """The recorded values; read before the horizon, the last row holds the metrics of
        the run so far (see the module docstring)."""
        self._fill_interim()
        return self._model_vars

    @model_vars.setter
    def model_vars(self, value: dict[str, list[Any]]) -> None:
        self._model_vars = value

    def _fill_interim(self) -> None:
        model = self._model() if hasattr(self, "_model") else None
        if (model is None or self._filling or not self._metric_columns or not model.running
                or model.steps < 1):
            return
        row = len(self._metric_columns[0]) - 1
        if row < 0 or row == self._interim_row:
            return
        from sim.metrics import run_metrics

        self._clear_interim()
        weeks, horizon = int(model.steps), int(model.p.run.weeks)
        try:
            shortened = model.p.with_changes({"run.weeks": weeks})
        except ScenarioError as exc:  # e.g. a shock set to start after the weeks run
            self._interim_row = row
            self._warn(f"MentoringModel stopped at week {weeks} of its {horizon}-week "
                       f"horizon (run.weeks); its metrics stay NaN: as a {weeks}-week run "
                       f"the scenario is not valid ({exc})")
            return
        self._filling = True  # the tables read this collector's weekly columns
        try:
            computed = run_metrics(model.tables(still_open=True), shortened)
        finally:
            self._filling = False
        for name, values in zip(self._metric_names, self._metric_columns, strict=True):
            values[row] = float(computed[name])
        self._interim_row = row
        self._warn(f"MentoringModel stopped at week {weeks} of its {horizon}-week horizon "
                   f"(run.weeks): the metrics reported are computed from the {weeks} weeks "
                   "run so far, what is still open counted as it stands (a metric that "
                   f"needs more follow-up is NaN); a run made with run__weeks={weeks} can "
                   "differ (the programme plans for its horizon): set it to measure "
                   f"{weeks} weeks")

    def _warn(self, text: str) -> None:
        """Warn once per run."""
        if not self._warned:
            self._warned = True
            warnings.warn(text, UserWarning, stacklevel=4)

    def _clear_interim(self) -> None:
        """Only the last row holds the metrics of a run so far: once the run goes on, the
        row that held them reads NaN again."""
        if self._interim_row is not None:
            for values in self._metric_columns:
                values[self._interim_row] = math.nan
            self._interim_row = None

    def collect(self, model: Any) -> None:
        """Record this step's row: each attribute's value, NaN for each run metric."""
        self._clear_interim()
        if not self._validated:
            for name, reporter in self.model_reporters.items():
                self._validate_model_reporter(name, reporter, model)
        self._collection_steps.append(model.time)
        for values, name in self._attribute_columns:
            values.append(getattr(model, name))
        for values in self._metric_columns:
            values.append(math.nan)
