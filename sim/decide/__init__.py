"""Decision support: the best use of a fixed budget, robust across plausible worlds.

``mentorsim decide SPEC`` reads a decision spec (``scenarios/decisions/``), searches the
levers a planner may allocate on a surrogate of the model and confirms the best candidates
by simulation in every plausible world. Read top to bottom:

* :mod:`~sim.decide.spec`: the spec, validated like a scenario file;
* :mod:`~sim.decide.allocation`: a candidate projected onto the budget with the model's own
  unit costs (:func:`sim.capacity.planned_annual_spend`);
* :mod:`~sim.decide.simulation`: candidates x worlds x replications, run as a sweep
  (:mod:`sim.sweep.engine`: resumable, common random numbers, dask-capable);
* :mod:`~sim.decide.search`: the space-filling design, the emulators and the optimisers
  (the four questions);
* :mod:`~sim.decide.robustness`: satisficing, regret and the low percentile;
* :mod:`~sim.decide.information`: EVPI, regression-based EVPPI, acceptability and
  expected-loss curves;
* :mod:`~sim.decide.decision`: the whole decision, its files and its words.
"""
