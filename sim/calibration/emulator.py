"""The calibration emulator: a quadratic mean with a Gaussian process on what it misses.

History matching emulates each target as a regression surface plus a Gaussian process
for the structure the surface misses (Vernon, Goldstein & Bower 2010, Bayesian Analysis 5,
section 3; Andrianakis et al. 2015, PLoS Computational Biology 11). For each enforced
target ``t`` and unit-cube parameters ``x``::

    f_t(x) = beta_t . h(x) + u_t(x) + e,        h(x) = (1, x_1..x_d, x_1^2..x_d^2)

- ``beta_t`` by weighted least squares (a mean over r replications has weight r);
- ``u_t`` a zero-mean Gaussian process on the regression's residuals (scaled to unit
  variance) with a squared-exponential kernel with one length-scale per parameter
  (automatic relevance determination: a parameter the target does not depend on gets a
  length-scale at the upper bound, :data:`LENGTH_SCALE_BOUNDS`);
- ``e`` white noise: simulation noise of a point's mean plus what the kernel cannot
  represent. It is one level for all points (a homoscedastic simplification: points of
  later waves, with more replications, are less noisy than that).

The hyperparameters maximise the marginal likelihood (scikit-learn's
``GaussianProcessRegressor``, L-BFGS-B from the kernel's starting values, no random
restarts, so a fit is deterministic). The emulated mean is ``beta . h(x) + E[u(x) | data]``
and its standard deviation ``sqrt(Var[u(x) | data] + var(e))``: large far from simulated
points, so a candidate is ruled out only where even a generous reading of the emulator
puts a target outside its range.

:meth:`Emulator.diagnostics` gives leave-one-out R² of the quadratic alone (through its hat
matrix) and of the whole emulator (Rasmussen & Williams 2006, eq. 5.12, with the
hyperparameters fitted to all points), and the share of leave-one-out errors within two
standard deviations, which should be near 0.95 for an emulator whose uncertainty is
honest.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np

# Length-scales in unit-cube coordinates: below 0.01 a target would change within a
# hundredth of a parameter's range (more than the simulated points can show); at 1,000 it
# is flat in that parameter.
LENGTH_SCALE_BOUNDS = (1e-2, 1e3)
NOISE_BOUNDS = (1e-6, 1e1)  # white-noise variance, in units of the residuals' variance
INACTIVE_LENGTH_SCALE = 100.0  # above this a parameter is reported as not used by a target
_PREDICT_CHUNK = 8192  # candidates per prediction block (bounds memory at ~n x 8192)


def features(unit: np.ndarray) -> np.ndarray:
    """The regression's basis h(x): constant, linear and squared terms, no interactions."""
    return np.column_stack([np.ones(len(unit)), unit, unit ** 2])


def _kernel(dimensions: int) -> Any:
    from sklearn.gaussian_process.kernels import RBF, ConstantKernel, WhiteKernel

    return (ConstantKernel(1.0, (1e-3, 1e2)) * RBF(np.ones(dimensions), LENGTH_SCALE_BOUNDS)
            + WhiteKernel(0.5, NOISE_BOUNDS))


@dataclass
class Emulator:
    """One emulator per enforced target, fitted together to the simulated points."""

    coef: np.ndarray  # regression coefficients, features x targets
    scale: np.ndarray  # sd of each target's regression residuals (the GP works in these units)
    processes: list[Any]  # fitted GaussianProcessRegressor per target
    unit: np.ndarray  # the simulated points the emulator was fitted to (finite rows)
    values: np.ndarray  # their target means
    leverage: np.ndarray  # diagonal of the weighted regression's hat matrix

    @classmethod
    def fit(cls, unit: np.ndarray, values: np.ndarray, reps: np.ndarray) -> Emulator:
        """Fit the regressions and then the Gaussian processes on their residuals.

        Args:
            unit: simulated points in unit-cube coordinates (points x parameters).
            values: their target means (points x targets); rows with a NaN are left out.
            reps: replications behind each point's means.
        """
        from sklearn.exceptions import ConvergenceWarning
        from sklearn.gaussian_process import GaussianProcessRegressor

        finite = np.isfinite(values).all(axis=1)
        unit, values = unit[finite], values[finite]
        w = np.sqrt(reps[finite])[:, None]
        design = features(unit) * w
        coef, *_ = np.linalg.lstsq(design, values * w, rcond=None)
        leverage = np.einsum("ij,ji->i", design, np.linalg.pinv(design))
        residuals = values - features(unit) @ coef
        scale = residuals.std(axis=0)
        scale = np.where(scale > 0, scale, 1.0)
        processes = []
        for j in range(values.shape[1]):
            gp = GaussianProcessRegressor(_kernel(unit.shape[1]), n_restarts_optimizer=0)
            with warnings.catch_warnings():
                # A length-scale at its upper bound is a finding (the target does not
                # depend on that parameter), reported by inactive_parameters().
                warnings.simplefilter("ignore", ConvergenceWarning)
                gp.fit(unit, residuals[:, j] / scale[j])
            processes.append(gp)
        return cls(coef, scale, processes, unit, values, leverage)

    def predict(self, unit: np.ndarray, return_sd: bool = False
                ) -> np.ndarray | tuple[np.ndarray, np.ndarray]:
        """Emulated target means at unit-cube points (and their sd, with ``return_sd``)."""
        mean = features(unit) @ self.coef
        sd = np.empty_like(mean)
        for start in range(0, len(unit), _PREDICT_CHUNK):
            block = slice(start, start + _PREDICT_CHUNK)
            for j, gp in enumerate(self.processes):
                if return_sd:
                    m, s = gp.predict(unit[block], return_std=True)
                    sd[block, j] = s * self.scale[j]
                else:
                    m = gp.predict(unit[block])
                mean[block, j] += m * self.scale[j]
        return (mean, sd) if return_sd else mean

    def diagnostics(self) -> dict[str, np.ndarray]:
        """Leave-one-out R² of the quadratic alone and of the emulator, and the share of
        the emulator's leave-one-out errors within two of its standard deviations."""
        from scipy.linalg import cho_solve

        variance = self.values.var(axis=0)
        variance = np.where(variance > 0, variance, 1.0)
        residuals = self.values - features(self.unit) @ self.coef
        # Weighted regression: the LOO residual is e_i / (1 - h_ii) (on the weighted
        # scale too, so the weights cancel).
        quadratic = residuals / np.maximum(1.0 - self.leverage, 1e-12)[:, None]
        loo = np.empty_like(residuals)
        loo_sd = np.empty_like(residuals)
        for j, gp in enumerate(self.processes):
            inverse = cho_solve((gp.L_, True), np.eye(len(self.unit)))
            y = residuals[:, j] / self.scale[j]
            diag = np.diag(inverse)
            loo[:, j] = (inverse @ y) / diag * self.scale[j]  # y_i - E[y_i | the others]
            loo_sd[:, j] = np.sqrt(1.0 / diag) * self.scale[j]
        return {
            "quadratic_loo_r2": 1.0 - (quadratic ** 2).mean(axis=0) / variance,
            "loo_r2": 1.0 - (loo ** 2).mean(axis=0) / variance,
            "loo_within_2sd": (np.abs(loo) <= 2.0 * loo_sd).mean(axis=0),
        }

    def inactive_parameters(self) -> list[list[int]]:
        """Per target, the parameters whose fitted length-scale says it does not use them."""
        return [[int(i) for i in np.flatnonzero(
                    np.atleast_1d(gp.kernel_.k1.k2.length_scale) > INACTIVE_LENGTH_SCALE)]
                for gp in self.processes]
