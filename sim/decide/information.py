"""Which evidence is worth buying: EVPI, regression-based EVPPI, the acceptability curve
and the expected-loss curve (the health-economics toolkit: BCEA, dampack).

Net benefit of option d in world w at a unit value lambda (GBP per proven reoffence
averted) is ``lambda x reoffences averted - money spent``, per programme over the
horizon. With options x worlds arrays of it:

- EVPI = E_w[max_d NB] - max_d E_w[NB]: what knowing the world before choosing is worth.
- EVPPI of a group of parameters (Strong, Oakley & Brennan 2014): regress each option's
  net benefit on the group's values across worlds, then EVPI of the fitted values. The
  regression (a Gaussian process with a noise term, scikit-learn) averages out what the
  group does not explain, including the Monte Carlo noise left in a world's mean, which
  EVPI counted as if it were knowable.
"""

from __future__ import annotations

import warnings

import numpy as np


def evpi(net_benefit: np.ndarray) -> float:
    """Expected value of perfect information (options x worlds in).

    Example:
        >>> evpi(np.array([[1.0, 0.0], [0.0, 1.0]]))
        0.5
    """
    nb = np.asarray(net_benefit, dtype=float)
    return float(nb.max(axis=0).mean() - nb.mean(axis=1).max())


def fitted(net_benefit: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Each option's net benefit regressed on ``x`` (worlds x parameters): fitted values.

    A Gaussian process (constant x RBF plus white noise, on standardised inputs and
    outputs): a parameter that explains nothing is fitted as noise around a flat mean, so
    its EVPPI is about 0.
    """
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.gaussian_process import GaussianProcessRegressor
    from sklearn.gaussian_process.kernels import RBF, ConstantKernel, WhiteKernel

    x = np.asarray(x, dtype=float).reshape(len(x), -1)
    spread = x.std(axis=0)
    z = (x - x.mean(axis=0)) / np.where(spread > 0, spread, 1.0)
    nb = np.asarray(net_benefit, dtype=float)
    out = np.empty_like(nb)
    for d, y in enumerate(nb):
        if np.ptp(y) == 0:
            out[d] = y
            continue
        kernel = (ConstantKernel(1.0, (1e-3, 1e2)) * RBF(np.ones(z.shape[1]), (1e-1, 1e3))
                  + WhiteKernel(0.5, (1e-4, 1e1)))
        gp = GaussianProcessRegressor(kernel, normalize_y=True, n_restarts_optimizer=2,
                                      random_state=0)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            gp.fit(z, y)
        out[d] = gp.predict(z)
    return out


def evppi(net_benefit: np.ndarray, x: np.ndarray) -> float:
    """Expected value of partial perfect information about the parameters in ``x``
    (worlds x parameters), regression-based (never below 0).

    Example:
        >>> rng = np.random.default_rng(0)
        >>> theta = rng.random(200)
        >>> nb = np.vstack([np.zeros(200), theta - 0.5])
        >>> round(evppi(nb, theta), 2), round(evpi(nb), 2)
        (0.11, 0.11)
    """
    return max(0.0, evpi(fitted(net_benefit, x)))


def acceptability(net_benefit: np.ndarray) -> np.ndarray:
    """Share of worlds in which each option has the highest net benefit (ties split).

    Example:
        >>> acceptability(np.array([[1.0, 0.0, 2.0], [0.0, 1.0, 1.0]])).tolist()
        [0.6666666666666666, 0.3333333333333333]
    """
    nb = np.asarray(net_benefit, dtype=float)
    best = nb == nb.max(axis=0, keepdims=True)
    return (best / best.sum(axis=0, keepdims=True)).mean(axis=1)


def expected_loss(net_benefit: np.ndarray) -> np.ndarray:
    """Each option's expected loss: the mean over worlds of the best option's net benefit
    minus its own (Alarid-Escudero et al. 2019); the option with the least is the one to
    choose, and that least is the EVPI.

    Example:
        >>> expected_loss(np.array([[1.0, 0.0], [0.0, 1.0]])).tolist()
        [0.5, 0.5]
    """
    nb = np.asarray(net_benefit, dtype=float)
    return (nb.max(axis=0, keepdims=True) - nb).mean(axis=1)
