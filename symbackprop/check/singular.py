"""A generated NumPy module whose inverses refuse a numerically singular matrix, for the check.

NumPy's ``inv`` raises only where LU meets an exact zero pivot; ``A - A^T`` (3 x 3, singular at
every point) gets a pivot of 1e-17 from rounding and an "inverse" of 1e23-sized entries, so the
finite differences of ``tr(inv(A - A^T))`` compared noise and reported a FAIL, where the model
is undefined at the point. The check (which compiles the module it evaluates) gives that
module an ``inv`` that raises numpy's ``LinAlgError``, as for an exactly singular matrix, when
the 1-norm condition number ||A|| ||inv(A)|| is 1/eps or more: the point is then undefined and
the next one is drawn. A user's module is unchanged.
"""

from __future__ import annotations

from typing import Any

import numpy as np


def _inverse(matrix: Any) -> Any:
    """``np.linalg.inv(matrix)``; LinAlgError where ``matrix`` is numerically singular."""
    inverse = np.linalg.inv(matrix)
    with np.errstate(all="ignore"):
        condition = np.linalg.norm(matrix, 1) * np.linalg.norm(inverse, 1)
    eps = np.finfo(np.asarray(inverse).dtype).eps
    if not condition * eps < 1.0:  # NaN too: nothing finite was inverted
        raise np.linalg.LinAlgError(
            f"numerically singular matrix (condition number {condition:.1e} >= 1/eps)"
        )
    return inverse


def strict_inverses(module: Any) -> Any:
    """``module`` (a generated NumPy module) with its ``np.linalg.inv`` refusing numerically
    singular matrices: the module looks ``np`` up in its own globals at each call, so only
    this module object sees the stricter inverse (``module.module`` where ``module`` is what
    :func:`symbackprop.compile` returns, the loaded module itself otherwise)."""
    loaded = getattr(module, "module", module)
    if vars(loaded).get("np") is not np:  # torch, JAX: their inverses are not numpy's
        return module
    loaded.np = _Through(np, linalg=_Through(np.linalg, inv=_inverse))
    return module


class _Through:
    """``base`` with some attributes replaced (``own``); every other one looked up in
    ``base`` when asked (numpy loads np.random on first use)."""

    def __init__(self, base: Any, **own: Any) -> None:
        self._base = base
        vars(self).update(own)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._base, name)
