"""The rounding noise of a cost near a point, measured: how far finite differences can trust it.

The finite-difference check assumes each cost evaluation is off by a few ulps of |J|
(:data:`~symbackprop.check.finite_diff.NOISE_ULPS`). That holds for a network's cost, not
for every model's: ``logdet(A^T A)`` of a 600 x 600 A is an LU factorisation and a sum of 600
logs, whose rounding is about 500 ulps of |J| (6e-11 at J = -599), and a right gradient failed
the check by an error of 1.1e-4 against a modelled floor of 5.3e-7 (hostile41a #1).

Measured as Moré and Wild's ECnoise does ("Estimating computational noise", SIAM J. Sci.
Comput. 33, 2011): the cost at :data:`POINTS` points a tiny step apart along one random
direction; the k-th differences of a smooth function there are h^k f^(k), far below any
rounding, so what remains is noise, of variance ``(2k)! / (k!)^2`` times the noise's. The
estimate counts only where it looks like noise: the differences of every order used take
both signs (a smooth truncation has one sign), no point crosses a kink a watcher knows, and
the estimate is the same at a step ten times shorter (rounding does not depend on the step; the
secant of a kink no watcher knows grows with it). A kink read as noise would raise the floor
and let a wrong gradient pass.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

#: the cost evaluations along one direction (21: 18 to 15 differences of orders 3 to 6)
POINTS = 21
#: the orders of the differences read: 3 and up ignore the curvature of a quadratic cost
ORDERS = (3, 4, 5, 6)
#: the step between points, relative to max(1, the largest parameter entry), near the finite
#: differences' own eps: at 1e-9 (0.002 ulps of an entry of 1) many roundings came out alike at
#: neighbouring points, and the estimate of logdet(A^T A) ranged over a factor 9 by direction
STEP = 1e-7
#: the random directions measured (the median of their estimates is taken; one that crosses a
#: kink is not used)
DIRECTIONS = 3
#: each direction is measured again at STEP / SHRINK: rounding noise is the same at any step,
#: while the secant of a kink no watcher knows of (abs(cos(z)) at -pi/2, which SymPy's
#: breakpoints miss) grows with the step, and read as noise it let a gradient 0.3% wrong pass
#: (review41 #1); a direction whose two estimates differ by more than AGREE is not used
SHRINK = 10.0
AGREE = 4.0


def measured_noise(
    cost: Callable[[dict[str, np.ndarray]], float],
    params: dict[str, np.ndarray],
    crosses: Callable[[dict[str, np.ndarray]], bool],
    rng: np.random.Generator,
) -> float:
    """The standard deviation of the rounding noise of ``cost`` near ``params`` (float64
    arrays of any shapes): the median of :data:`DIRECTIONS` estimates, or 0.0 where none
    could be made (a kink crossed on every direction, a cost that is not finite, differences
    that look smooth rather than noisy, or that change with the step as no rounding does).
    2 :data:`POINTS` evaluations of ``cost`` a direction.

    ``crosses(q)`` says whether ``q`` lies across a kink of the cost from ``params``."""
    scale = max(1.0, *(float(np.max(np.abs(a), initial=0.0)) for a in params.values()))
    estimates = []
    for _ in range(DIRECTIONS):
        direction = {name: rng.standard_normal(a.shape) for name, a in params.items()}
        norm = math.sqrt(sum(float(np.vdot(v, v)) for v in direction.values())) or 1.0
        wide, narrow = (
            _along(cost, params, crosses, direction, STEP * scale / norm / shrink)
            for shrink in (1.0, SHRINK)
        )
        if wide is not None and narrow is not None and _agree(wide, narrow):
            estimates.append(max(wide, narrow))
    return float(np.median(estimates)) if estimates else 0.0


def _along(
    cost: Callable[[dict[str, np.ndarray]], float],
    params: dict[str, np.ndarray],
    crosses: Callable[[dict[str, np.ndarray]], bool],
    direction: dict[str, np.ndarray],
    step: float,
) -> float | None:
    """The noise estimate of :data:`POINTS` costs ``step`` apart along ``direction`` from
    ``params``; None where a point crosses a kink or a cost is not finite."""
    points = [
        {name: a + (i * step) * direction[name] for name, a in params.items()}
        for i in range(POINTS)
    ]
    if any(crosses(q) for q in points):
        return None
    values = np.array([cost(q) for q in points], dtype=np.float64)
    return _noise_of(values) if np.all(np.isfinite(values)) else None


def _agree(wide: float, narrow: float) -> bool:
    """Whether two estimates of one direction, both noise, agree within :data:`AGREE`."""
    if wide <= 0.0 or narrow <= 0.0:
        return False
    return max(wide, narrow) <= AGREE * min(wide, narrow)


def _noise_of(values: np.ndarray) -> float:
    """ECnoise's estimate from equally spaced ``values``: the median over :data:`ORDERS` of
    sqrt((k!)^2 / (2k)! * mean(k-th differences^2)), where every order's differences take
    both signs; else 0.0 (smooth, or exactly constant)."""
    estimates = []
    differences = values
    for k in range(1, max(ORDERS) + 1):
        differences = np.diff(differences)
        if k not in ORDERS:
            continue
        if not (np.any(differences > 0) and np.any(differences < 0)):
            return 0.0
        gamma = math.factorial(k) ** 2 / math.factorial(2 * k)
        estimates.append(math.sqrt(gamma * float(np.mean(differences * differences))))
    return float(np.median(estimates))


__all__ = ["measured_noise"]
