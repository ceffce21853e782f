"""Calibration of the baseline against published evidence.

- :mod:`sim.calibration.targets` reads the targets file (``scenarios/calibration/
  targets.toml``): each target names a metric, the published range, the population it
  comes from and its source, and the scenario variant it is measured on;
- :mod:`sim.calibration.evaluate` runs variants x replications for parameter points;
- :mod:`sim.calibration.fit` is the search: a scrambled Sobol design over the uncertain
  parameters, approximate Bayesian computation (ABC) rejection, then a refinement around
  the accepted points, all reproducible from one seed;
- :mod:`sim.calibration.check` runs the calibrated defaults and judges every target;
- :mod:`sim.calibration.report` writes ``docs/calibration.md``;
- :mod:`sim.calibration.cli` adds ``mentorsim calibrate`` and ``mentorsim params``.
"""
