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
``get_model_vars_dataframe`` and what ``mesa.batch_run`` reads, value for value.
"""

from __future__ import annotations

import math
from typing import Any

from mesa import DataCollector


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
        reporters: dict[str, Any] = {name: name for name in attributes}
        reporters.update({name: [model.run_metric, [name]] for name in metrics})
        super().__init__(model_reporters=reporters)
        self._attribute_columns = [(self.model_vars[name], name) for name in attributes]
        self._metric_columns = [self.model_vars[name] for name in metrics]

    def collect(self, model: Any) -> None:
        """Record this step's row: each attribute's value, NaN for each run metric."""
        if not self._validated:
            for name, reporter in self.model_reporters.items():
                self._validate_model_reporter(name, reporter, model)
        self._collection_steps.append(model.time)
        for values, name in self._attribute_columns:
            values.append(getattr(model, name))
        for values in self._metric_columns:
            values.append(math.nan)
