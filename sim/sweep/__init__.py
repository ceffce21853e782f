"""Batch sweeps: experiment specs, designs, resumable runs on any Executor, sensitivity.

Read top to bottom:

* :mod:`~sim.sweep.spec` and :mod:`~sim.sweep.factors`: the TOML spec and its factors;
* :mod:`~sim.sweep.designs`: factorial, explicit, LHS, Sobol and Morris points;
* :mod:`~sim.sweep.variants`: a point's parameters, validated as a whole;
* :mod:`~sim.sweep.seeds`: run identity and common-random-number seeds;
* :mod:`~sim.sweep.worker` and :mod:`~sim.sweep.executors`: one run, and where it runs;
* :mod:`~sim.sweep.adaptive`: fixed or adaptive replications;
* :mod:`~sim.sweep.engine`, :mod:`~sim.sweep.ledger`, :mod:`~sim.sweep.storage`: the
  driver, its crash-safe ledger and the folder layout;
* :mod:`~sim.sweep.analysis`, :mod:`~sim.sweep.status`, :mod:`~sim.sweep.progress`:
  what users read back;
* :mod:`~sim.sweep.cli`: the ``sweep``, ``sweep-status`` and ``analyse`` commands.

The package imports nothing heavy on its own, so the command line stays quick to start;
import from the submodules, e.g. ``from sim.sweep.engine import run_sweep``.
"""
