"""Implausibility: how far a model output lies from a published figure, in the standard
deviations of every uncertainty between them.

History matching (Craig et al. 1997; Vernon, Goldstein & Bower 2010, Bayesian Analysis 5,
eq. 4; Andrianakis et al. 2015, PLoS Computational Biology 11, eq. 3) judges a parameter
set ``x`` against target ``t`` by::

    I_t(x) = |z_t - E[f_t(x)]| / sqrt(V_obs,t + V_disc,t + V_model,t(x))

- ``z_t``: the published figure (the centre of the target's range);
- ``V_obs``: how far the true value may lie from that figure (``observation_sd``);
- ``V_disc``: model discrepancy, how far the model at its best may still be from the
  truth (``discrepancy_sd``);
- ``V_model(x)``: how unsure ``E[f_t(x)]`` itself is: the emulator's variance at ``x``
  while screening, or the replications' variance of the mean (``s^2 / r``) once ``x``
  has been simulated.

``x`` is ruled out when the largest ``I_t`` exceeds the cutoff (3, by Pukelsheim's
three-sigma rule: at least 95% of any unimodal distribution lies within three standard
deviations). An early wave may use the second-largest instead, so that one poorly
emulated target does not rule out a region on its own (Vernon et al. 2010, section 4).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from sim.calibration.targets import Target


def implausibility(targets: Sequence[Target], means: np.ndarray, model_var: np.ndarray
                   ) -> np.ndarray:
    """``I`` of each point against each target.

    Args:
        targets: the targets (columns), with their observation and discrepancy sds.
        means: expected model outputs, points x targets (NaN: the metric was undefined,
            which is as implausible as can be).
        model_var: the variance of each expectation (emulator, or replications), same shape.

    Returns:
        Points x targets implausibilities (``inf`` where a mean is NaN).

    Example:
        >>> from sim.calibration.targets import load_spec
        >>> t = [x for x in load_spec().targets if x.key == "early_exits"]  # z 0.5, sds 0.05, 0.03
        >>> float(implausibility(t, np.array([[0.5 + 3 * 0.05831]]), np.zeros((1, 1)))[0, 0])
        ... # doctest: +ELLIPSIS
        3.000...
    """
    centre = np.array([t.centre for t in targets])
    fixed = np.array([t.observation_sd ** 2 + t.discrepancy_sd ** 2 for t in targets])
    out = np.abs(np.asarray(means, float) - centre) / np.sqrt(fixed + np.asarray(model_var))
    return np.where(np.isfinite(out), out, np.inf)


def largest(values: np.ndarray, rank: int = 1) -> np.ndarray:
    """The ``rank``-th largest implausibility of each point (1: the largest).

    Example:
        >>> largest(np.array([[0.5, 4.0, 2.0]]), 2).tolist()
        [2.0]
    """
    ordered = np.sort(values, axis=1)
    return ordered[:, -min(rank, values.shape[1])]
