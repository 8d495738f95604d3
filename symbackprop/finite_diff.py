"""Finite-difference gradient check of a generated module: :func:`symbackprop.gradcheck`.

Central differences, (J(p + eps e) - J(p - eps e)) / 2 eps, compared per parameter with the
module's ``loss_and_grads``. Each row reports the max absolute error and the relative error
||g - g_num|| / (||g|| + ||g_num||) (0 when both norms are 0).

Thresholds (float64, eps = 1e-6; CS231n's guidance is that a relative error below 1e-7 is right
and above 1e-2 is wrong): a row passes when its relative error is at most ``RTOL = 1e-6``, or
when its max absolute error is at most ``ATOL = 1e-8 * max(1, |J|)``, the finite-difference noise
floor (rounding in J is about 1e-16 |J|, divided by 2 eps). The absolute test keeps parameters
with vanishing gradients (deep sigmoid stacks) from failing on noise alone.

Modes: ``"full"`` perturbs every entry (2 cost evaluations each); ``"directional"`` draws
``directions`` random unit vectors v per parameter and compares g . v with the central
difference along v (2 evaluations each), for networks too large for the full mode.

Kinks: relu and leaky_relu have a kink at z = 0. A finite step that moves any pre-activation
across 0 measures a secant, not the derivative, so such entries (full mode) are skipped and such
directions (directional mode) are re-drawn; ``skipped`` counts them. This needs the module's
``kinked`` list (set by :func:`symbackprop.compile`); for another module every cached ``Z``
is watched.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

RTOL = 1e-6
ATOL = 1e-8


@dataclass(frozen=True)
class GradCheckRow:
    """One parameter: ``parameter``, ``max_abs_error``, ``relative_error``, ``ok``, and how many
    entries or directions were ``checked`` and ``skipped`` (a step crossed a kink)."""

    parameter: str
    max_abs_error: float
    relative_error: float
    ok: bool
    checked: int = 0
    skipped: int = 0


@dataclass(frozen=True)
class GradCheck:
    """The verdict: ``ok`` when every row passes; ``rows`` per parameter."""

    rows: list[GradCheckRow] = field(default_factory=list)
    mode: str = "full"
    eps: float = 1e-6

    @property
    def ok(self) -> bool:
        return all(row.ok for row in self.rows)

    @property
    def skipped(self) -> int:
        return sum(row.skipped for row in self.rows)

    def __str__(self) -> str:
        lines = [
            f"gradient check ({self.mode}, eps={self.eps:g}): {'ok' if self.ok else 'FAILED'}"
        ]
        for r in self.rows:
            lines.append(
                f"  {r.parameter:>4}  max abs {r.max_abs_error:.2e}  rel {r.relative_error:.2e}"
                f"  {'ok' if r.ok else 'FAIL'}  ({r.checked} checked, {r.skipped} skipped)"
            )
        return "\n".join(lines)


def relative_error(g: np.ndarray, g_num: np.ndarray) -> float:
    """||g - g_num|| / (||g|| + ||g_num||); 0 when both norms are 0."""
    denom = float(np.linalg.norm(g) + np.linalg.norm(g_num))
    return 0.0 if denom == 0.0 else float(np.linalg.norm(g - g_num)) / denom


class _Watcher:
    """Detects finite steps that move a kinked pre-activation across zero."""

    def __init__(self, module: Any, params: dict[str, np.ndarray], X: np.ndarray) -> None:
        self.module = module
        kinked = getattr(module, "kinked", None)
        _, cache = module.forward(params, X)
        if kinked is None:
            kinked = tuple(k for k in cache if k.startswith("Z"))
        self.names = tuple(k for k in kinked if k in cache)
        self.signs = {k: np.sign(cache[k]) for k in self.names}
        self.X = X

    def crosses(self, params: dict[str, np.ndarray]) -> bool:
        if not self.names:
            return False
        _, cache = self.module.forward(params, self.X)
        return any(np.any(np.sign(cache[k]) != self.signs[k]) for k in self.names)


def gradcheck(
    module: Any,
    params: Mapping[str, np.ndarray],
    X: np.ndarray,
    Y: np.ndarray,
    *,
    eps: float = 1e-6,
    mode: str = "full",
    directions: int = 8,
    seed: int = 0,
    rtol: float = RTOL,
    atol: float = ATOL,
) -> GradCheck:
    """Check ``module.loss_and_grads`` against central finite differences of its cost.

    ``module`` is a :class:`~symbackprop.executor.GradientModule` (or any object with
    ``loss_and_grads`` and ``forward``). ``mode`` is ``"full"`` or ``"directional"``; the
    latter uses ``directions`` random unit directions per parameter (drawn from ``seed``).
    Parameters are copied, never modified. See the module docstring for the thresholds.
    """
    if mode not in ("full", "directional"):
        raise ValueError(f"mode must be 'full' or 'directional', got {mode!r}")
    p = {k: np.array(v, copy=True) for k, v in params.items()}
    cost0, grads = module.loss_and_grads(p, X, Y)
    tol = atol * max(1.0, abs(cost0))
    watch = _Watcher(module, p, X)

    def cost(q: dict[str, np.ndarray]) -> float:
        return float(module.loss_and_grads(q, X, Y)[0])

    rows = []
    rng = np.random.default_rng(seed)
    for name in p:
        g = np.asarray(grads[name], dtype=np.float64)
        if mode == "full":
            analytic, numeric, skipped = _full(p, name, eps, cost, watch)
        else:
            analytic, numeric, skipped = _directional(
                p, name, g, eps, cost, watch, rng, directions
            )
        if mode == "full":
            analytic = g.ravel()[analytic]
        abs_err = float(np.max(np.abs(analytic - numeric))) if analytic.size else 0.0
        rel = relative_error(analytic, numeric)
        ok = rel <= rtol or abs_err <= tol
        rows.append(GradCheckRow(name, abs_err, rel, ok, int(analytic.size), skipped))
    return GradCheck(rows, mode, eps)


def _full(
    p: dict[str, np.ndarray],
    name: str,
    eps: float,
    cost: Callable[[dict[str, np.ndarray]], float],
    watch: _Watcher,
) -> tuple[Any, np.ndarray, int]:
    flat = p[name].reshape(-1)  # a view: perturbs p[name] in place
    kept: list[int] = []
    numeric: list[float] = []
    skipped = 0
    for i in range(flat.size):
        old = flat[i]
        flat[i] = old + eps
        if watch.crosses(p):
            skipped, flat[i] = skipped + 1, old
            continue
        plus = cost(p)
        flat[i] = old - eps
        if watch.crosses(p):
            skipped, flat[i] = skipped + 1, old
            continue
        minus = cost(p)
        flat[i] = old
        kept.append(i)
        numeric.append((plus - minus) / (2 * eps))
    return np.array(kept, dtype=np.intp), np.array(numeric), skipped


def _directional(
    p: dict[str, np.ndarray],
    name: str,
    g: np.ndarray,
    eps: float,
    cost: Callable[[dict[str, np.ndarray]], float],
    watch: _Watcher,
    rng: np.random.Generator,
    directions: int,
) -> tuple[np.ndarray, np.ndarray, int]:
    base = p[name]
    analytic: list[float] = []
    numeric: list[float] = []
    skipped = 0
    attempts = 0
    while len(analytic) < directions and attempts < 10 * directions:
        attempts += 1
        v = rng.standard_normal(base.shape)
        v /= np.linalg.norm(v)
        plus = dict(p, **{name: base + eps * v.astype(base.dtype)})
        minus = dict(p, **{name: base - eps * v.astype(base.dtype)})
        if watch.crosses(plus) or watch.crosses(minus):
            skipped += 1
            continue
        analytic.append(float(np.vdot(g, v)))
        numeric.append((cost(plus) - cost(minus)) / (2 * eps))
    return np.array(analytic), np.array(numeric), skipped
