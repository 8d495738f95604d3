"""Finite-difference gradient check of a generated module: :func:`symbackprop.gradcheck`.

Central differences, (J(p + eps e) - J(p - eps e)) / 2 eps, compared per parameter with the
module's ``loss_and_grads``. Each row reports how many entries (or directions) were ``checked``
of the ``total`` asked for, the max absolute error and the relative error
||g - g_num|| / (||g|| + ||g_num||) (0 when both norms are 0).

The verdict of a row (CS231n's guidance: a relative error below 1e-7 is right, above 1e-2
wrong). A row is **not** ok when

* the cost, an analytic gradient entry or the error is not finite (NaN, inf): a failure;
* every finite difference is not finite (each step from the point leaves where the cost has a
  value): nothing was compared, so the row is not resolved (neither passed nor failed); where
  only some are, those entries are left out and the rest judged (the reason says how many);
* no entry could be checked (every finite step crossed a kink; NaN inputs): "0 of 12 entries
  checked" is not a pass.

Otherwise the **relative error** decides: ok when it is at most ``limit = rtol + eps^2`` (rtol
1e-6; eps^2 for the truncation error of large steps; above :data:`TRUNCATION_EPS` a failing
row is measured again at eps / 2 and judged by Richardson's extrapolation,
:func:`_judged_again`). Finite differences carry the rounding noise of the cost: each of
J(p + eps e) and J(p - eps e) is off by a few ulps of |J|, so their
difference over 2 eps is off by about ``floor = atol * max(1, |J|) * (1e-6 / eps)`` per entry,
with ``atol`` = :data:`NOISE_ULPS` ulps (2.2e-16 each) times 1e6: 4 ulps of |J| over eps,
8.9e-10 at |J| = 1 and eps = 1e-6 (on 1,552 rows of drawn networks the rounding never exceeded
0.4 ulps over eps; at J = 1e5 a correct gradient's error is about 4e-6, the floor 8.9e-5). The
relative test allows for it: the row is also ok when
``max|g - g_num| <= floor + limit * max(|g|, |g_num|)``. When both gradients are under the
floor in every entry this is the issue's "both in the noise" pass (vanishing gradients in deep
sigmoid stacks); above the floor it is the relative test with the noise added (without it, 4 of
300 correct drawn networks failed: gradients near 1e-4 with noise near 5e-10). A wrong gradient
therefore passes only where its error is itself in the noise: a sign flip of the whole
gradient needs |g| <= floor / 2, a factor 1000 needs |g| <= floor / 999 (the test is of the
row: one wrong entry much smaller than the rest, 1e-6 of the row's norm, is within the
relative allowance whatever the noise), and an error the rounding cannot explain fails whatever
the cost (a floor of 45 ulps passed a gradient 2.2% wrong at J = 1e5: its error, 5e-4, was 23
ulps of |J| over eps). Where a row would fail, the cost's own rounding noise is measured
near the point (:mod:`symbackprop.check.cost_noise`) and the row judged again with the floor at
:data:`NOISE_SIGMAS` of it over eps, where that is larger: a logdet of a 600 x 600 matrix has
about 500 ulps of rounding, and its right gradient failed the 4-ulp floor (hostile41a #1).
The floor never passes anything when it exceeds :data:`FLOOR_MAX`: at a
huge cost (``--l2 1e40``, J near 6e39) finite differences cannot resolve the gradient at all,
and the row says so: it is **not resolvable** (``unresolved``; neither a pass nor a failure,
like an entry skipped at a kink), so a large cost never buys an unresolved pass, nor a false
failure of a right gradient. Above FLOOR_MAX the allowance for noise is FLOOR_MAX, and an
error between it and the floor is not resolvable either (at J = 1e8, floor 0.089, a gradient
of 0.1 returned as 0.02 is off by 0.08: inside the noise, as a right one is). A row none of
whose steps could be taken (every one crossed a kink: a relu column of a batch whose first
layer is dead gives z2 = b2 = 0 exactly while the biases start at 0) measured nothing either:
it is not resolvable too, not a failure, and its reason says to check at another point
(``check`` draws the biases off the kink). A target the module assumes sums to 1 per column
(``SUMS_TO_ONE``) is refused by the module's own rule, and a column within that rule but off
1 by more than float64's rounding (a float32 softmax) is divided by its sum for the check,
with a note (:attr:`GradCheck.notes`). :attr:`GradCheck.ok` stays False (not everything passed);
:attr:`GradCheck.failed` says whether some row measured a real difference.

Modes: ``"full"`` perturbs every entry (2 cost evaluations each); ``"directional"`` draws
``directions`` random unit vectors v per parameter and compares g . v with the central
difference along v (2 evaluations each), for networks too large for the full mode; ``"auto"``
(the default) is full up to :data:`FULL_CHECK_MAX_PARAMS` parameters and directional above
(the CLI's ``check`` uses the same rule and constant).

Kinks: relu and leaky_relu have a kink at z = 0 (and, in a model, abs and norm1), a custom
activation where its pieces meet (``relu(z - 1)``: z = 1, from its formula's breakpoints; the
module's ``kink_formulas``). A finite step that moves any of their arguments across a kink
measures a secant, not the derivative, so such entries (full mode) are skipped and such
directions (directional mode) are re-drawn; ``skipped`` counts them. The arguments are read
from the forward cache, named by the module's ``kinked`` list (set by
:func:`symbackprop.compile`: a network's ``Z[l]``, or ``A[l]`` when the layer caches only that
(relu, leaky_relu: a > 0 exactly where z > 0, so A's sign flips with Z's), a model's arguments
of relu, leaky_relu and abs); a generated module loaded from its file names them in its
``KINKS`` (with where each kink lies); for any other module every cached array is watched.

Models: ``data`` are the module's ``DATA`` arrays in that order; a model with ``data:`` empty
takes none (``gradcheck(module, params)``).
"""

from __future__ import annotations

import contextlib
import functools
import inspect
import math
import numbers
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from symbackprop.check.cost_noise import measured_noise
from symbackprop.check.frameworks import ModuleArrays, module_arrays
from symbackprop.records.kinks import kink_periods, kink_values
from symbackprop.records.losses import sums_to_one_tolerance

RTOL = 1e-6
#: the ulps of |J| each cost evaluation may be off by (its rounding), in the noise floor
NOISE_ULPS = 4
#: the noise floor per unit of max(1, |J|) at eps = 1e-6: NOISE_ULPS ulps over eps
ATOL = NOISE_ULPS * 2.220446049250313e-16 * 1e6
#: the measured noise's share of the floor: NOISE_SIGMAS standard deviations of the cost over
#: eps (a central difference's noise is 0.71 of them; the largest of 5,000 such errors about
#: 2.8), where that exceeds the modelled floor (:mod:`symbackprop.check.cost_noise`)
NOISE_SIGMAS = 6.0
#: the finite-difference steps accepted (the CLI's ``--eps`` uses the same range)
EPS_MIN, EPS_MAX = 1e-10, 1e-2
#: the largest gradient entry (in absolute value) that may pass unresolved, on the noise floor
FLOOR_MAX = 1e-3
#: "auto" mode: full finite differences up to this many parameters, random directions above
FULL_CHECK_MAX_PARAMS = 5_000
#: the random directions per parameter of the directional mode, by default
DIRECTIONS = 8
MODES = ("auto", "full", "directional")

__all__ = [
    "ATOL",
    "EPS_MAX",
    "EPS_MIN",
    "FLOOR_MAX",
    "FULL_CHECK_MAX_PARAMS",
    "DIRECTIONS",
    "NOISE_ULPS",
    "RTOL",
    "ON_KINKS",
    "UNRESOLVED",
    "GradCheck",
    "GradCheckRow",
    "choose_mode",
    "gradcheck",
    "relative_error",
]


#: the start of the reason of a row failed by an error above the noise floor
ABOVE_FLOOR = "relative error > "


@dataclass(frozen=True)
class GradCheckRow:
    """One parameter: ``parameter``, ``max_abs_error``, ``relative_error``, ``ok``, how many
    entries or directions were ``checked`` of the ``total`` asked for, how many were ``skipped``
    (a step crossed a kink), and ``reason``: why the row passed or failed, in a few words.
    ``unresolved``: finite differences measured nothing for the row (below the noise floor of
    a huge cost, or every step crossed a kink), so it neither passed nor failed (``ok`` is
    False)."""

    parameter: str
    max_abs_error: float
    relative_error: float
    ok: bool
    checked: int = 0
    skipped: int = 0
    total: int = 0
    reason: str = ""
    unresolved: bool = False
    #: why an unresolved row measured nothing, in a few words ("" for any other row)
    cause: str = ""
    #: what was checked: ``"entries"`` (full mode) or ``"directions"`` (directional mode)
    unit: str = "entries"
    #: the module's gradient was exactly 0 in every entry (or direction) checked: a pass then
    #: shows only that no slope stands above the noise, which a wrong 0 shows too
    zero: bool = False

    @property
    def coverage(self) -> str:
        """``"12 of 12 entries checked"``, ``"8 of 8 directions checked"``."""
        unit = self.unit if self.total != 1 else _SINGULAR.get(self.unit, self.unit)
        return f"{self.checked} of {self.total} {unit} checked"

    @property
    def skipped_text(self) -> str:
        """``"3 skipped"`` (entries whose step crossed a kink), ``"80 draws crossed a kink"``
        (random directions whose step crossed one, each drawn again while attempts last)."""
        if self.unit == "entries":
            return f"{self.skipped} skipped"
        return f"{self.skipped} draw{'' if self.skipped == 1 else 's'} crossed a kink"


_SINGULAR = {"entries": "entry", "directions": "direction"}


@dataclass(frozen=True)
class GradCheck:
    """The verdict: ``ok`` when there is a row and every row passes; ``rows`` per parameter."""

    rows: list[GradCheckRow] = field(default_factory=list)
    mode: str = "full"
    eps: float = 1e-6
    cost: float = 0.0
    #: what the check did to the data before it measured (a target's column sums made 1)
    notes: tuple[str, ...] = ()
    #: why another way to the module's gradients (a workspace dict, forward then backward,
    #: torch's or JAX's autograd) gives others than the call checked, or "" (named after its
    #: first such path, kept for callers)
    workspace_differs: str = ""

    @property
    def ok(self) -> bool:
        rows_ok = bool(self.rows) and all(row.ok for row in self.rows)
        return rows_ok and not self.workspace_differs

    @property
    def verdict(self) -> str:
        """``ok``, ``FAILED``, or ``not resolved`` (no row failed, some measured nothing)."""
        return "ok" if self.ok else "FAILED" if self.failed else "not resolved"

    @property
    def failed(self) -> bool:
        """Whether some row failed: not ok and not merely unresolved (nothing measured)."""
        wrong = any(not row.ok and not row.unresolved for row in self.rows)
        return not self.rows or wrong or bool(self.workspace_differs)

    @property
    def unresolved(self) -> list[str]:
        """The parameters whose rows finite differences could not resolve (a huge cost, or
        every step at a kink)."""
        return [row.parameter for row in self.rows if row.unresolved]

    @property
    def skipped(self) -> int:
        return sum(row.skipped for row in self.rows)

    def __str__(self) -> str:
        lines = [f"gradient check ({self.mode}, eps={self.eps:g}): {self.verdict}"]
        for r in self.rows:
            lines.append(
                f"  {r.parameter:>4}  max abs {r.max_abs_error:.2e}  rel {r.relative_error:.2e}"
                f"  {_mark(r)}  ({r.coverage}, {r.skipped_text}; {r.reason})"
            )
        if self.workspace_differs:
            lines.append(f"  FAIL: {self.workspace_differs}")
        lines.extend(f"  note: {note}" for note in self.notes)
        return "\n".join(lines)


def _mark(row: GradCheckRow) -> str:
    """A row's verdict word: ok, FAIL, or "not resolved" (nothing measured)."""
    return "ok" if row.ok else "not resolved" if row.unresolved else "FAIL"


#: the start of the reason of a row finite differences cannot resolve (judge's verdict)
UNRESOLVED = "not resolvable: "
#: the start of the reason of a row unresolved by the cost's measured rounding noise
NOISY = UNRESOLVED + "the cost's rounding noise "
#: the start of the reason of a row whose every step crossed a kink (nothing measured)
ON_KINKS = UNRESOLVED + "every step"
#: the start of the reason of a row whose gradients are both under the noise floor
UNDER_FLOOR = UNRESOLVED + "the gradient is under the noise floor"
#: the end of a row's reason where some entries' steps leave where the cost has a value
LEFT_OUT = "differences not finite (a step leaves where the cost has a value), left out"
#: a row's reason where the cost is not finite a step away from the point: nothing compared,
#: so neither a pass nor a failure (it was FAIL, of a right gradient: hostile43c #6)
NOT_FINITE_DIFFERENCE = (
    UNRESOLVED + "a finite difference is not finite (a step from the point leaves where the "
    "cost has a value)"
)
#: the reason of a row whose every step crossed a kink, for a module that names no kinks (no
#: KINKS table, no kinked()): every cached array is watched, so a smooth value near 0 (a
#: residual of a near-perfect fit) stops the steps too, and "a value sits on a kink" was false
#: there (hostile44c #5)
ON_SIGN_CHANGES_REASON = (
    f"{ON_KINKS} changed the sign of a cached value or made a value NaN (the module names no "
    "kinks, so every cached array is watched: a relu's output at 0, or a smooth value near 0 "
    "such as a residual); check at another point, or give the module a KINKS table naming "
    "the values at a kink"
)
#: that row's reason: a right and a wrong gradient look alike there, so it says what to do
ON_KINKS_REASON = (
    f"{ON_KINKS} crossed a kink or made a value NaN (a value sits on a kink at this point, "
    "e.g. a relu's argument at 0 where the biases are 0 and a column of the data is zero); "
    "check at another point (biases drawn off 0, as `symbackprop check` does for a network)"
)


def cost_or_nan(
    cost: Callable[[], Any],
    undefined: tuple[type[BaseException], ...] = (np.linalg.LinAlgError,),
) -> float:
    """``cost()`` as a float; NaN where a generated module says the cost is undefined at the
    point: numpy's ``LinAlgError`` (an inverse of a singular matrix; the logdet helper's
    determinant <= 0 raises one too). Any other ValueError (an array's shape or dtype, a
    broadcast) says nothing about the point: it is a bug and is raised, since as a NaN it would
    be read as an undefined point ("nothing to compare", the next seed) and hide it.
    ``undefined`` are the exceptions that mean so (a torch module's ``torch.linalg``
    error too)."""
    with np.errstate(all="ignore"):
        try:
            return float(cost())
        except undefined:
            return math.nan


def settles(result: GradCheck) -> bool:
    """Whether one drawn point's gradient check is the verdict: no row undefined a step away
    (:data:`NOT_FINITE_DIFFERENCE`: nothing compared there, so the next point is tried), or a
    row that compared finite numbers and found them different (a failure, whatever the other
    rows could not compare)."""
    undefined = any(row.reason == NOT_FINITE_DIFFERENCE for row in result.rows)
    differs = any(
        not row.ok and not row.unresolved and row.checked > 0 and math.isfinite(row.relative_error)
        for row in result.rows
    )
    return differs or not undefined


def relative_error(g: np.ndarray, g_num: np.ndarray) -> float:
    """||g - g_num|| / (||g|| + ||g_num||); 0 when both norms are 0; NaN when not finite.

    Computed on arrays scaled by their largest entry, so that finite gradients near the
    float64 limit (1e300) neither overflow nor warn.
    """
    g = np.asarray(g, dtype=np.float64).ravel()
    g_num = np.asarray(g_num, dtype=np.float64).ravel()
    if not (np.all(np.isfinite(g)) and np.all(np.isfinite(g_num))):
        return math.nan
    scale = max(float(np.max(np.abs(g), initial=0.0)), float(np.max(np.abs(g_num), initial=0.0)))
    if scale == 0.0:
        return 0.0
    g, g_num = g / scale, g_num / scale
    denom = float(np.linalg.norm(g) + np.linalg.norm(g_num))
    return float(np.linalg.norm(g - g_num)) / denom


def choose_mode(n_params: int, mode: str = "auto") -> str:
    """``"full"`` or ``"directional"``: ``"auto"`` is full up to FULL_CHECK_MAX_PARAMS."""
    if mode not in MODES:
        raise ValueError(f"mode must be one of {', '.join(map(repr, MODES))}, got {mode!r}")
    if mode != "auto":
        return mode
    return "full" if n_params <= FULL_CHECK_MAX_PARAMS else "directional"


def noise_floor(cost: float, eps: float, atol: float = ATOL) -> float:
    """The finite-difference noise floor: ``atol * max(1, |J|) * (1e-6 / eps)``, by default
    :data:`NOISE_ULPS` ulps of max(1, |J|) over eps (the rounding of the two costs)."""
    return atol * max(1.0, abs(cost)) * (1e-6 / eps)


def judge(
    analytic: np.ndarray,
    numeric: np.ndarray,
    *,
    cost: float,
    eps: float,
    rtol: float = RTOL,
    atol: float = ATOL,
    noise: float = 0.0,
) -> tuple[bool, float, float, str]:
    """The verdict on one row: (ok, max abs error, relative error, reason).

    ``noise`` is the cost's measured rounding noise (a standard deviation; 0: not measured):
    the floor is the larger of :func:`noise_floor` and NOISE_SIGMAS of it over eps. See the
    module docstring for the rule.
    """
    analytic = np.asarray(analytic, dtype=np.float64).ravel()
    numeric = np.asarray(numeric, dtype=np.float64).ravel()
    checked = analytic.size
    if not math.isfinite(cost):
        return False, math.nan, math.nan, f"the cost is not finite ({cost})"
    if checked == 0:
        # nothing measured: a row is not failed by the point it was drawn at (another is)
        return False, 0.0, 0.0, ON_KINKS_REASON
    if not np.all(np.isfinite(analytic)):
        return False, math.nan, math.nan, "the analytic gradient is not finite"
    finite = np.isfinite(numeric)
    if not finite.any():
        return False, math.nan, math.nan, NOT_FINITE_DIFFERENCE
    if not finite.all():
        # the entries whose step leaves where the cost has a value are left out, the others
        # judged: a wrong gradient of log(w) at w = [1e-7, 1, 2] was "0 of 3 checked", not
        # failed by the two entries that show it (review44 #3)
        ok, abs_err, rel, reason = judge(
            analytic[finite],
            numeric[finite],
            cost=cost,
            eps=eps,
            rtol=rtol,
            atol=atol,
            noise=noise,
        )
        left = int((~finite).sum())
        return ok, abs_err, rel, f"{reason}; {left} of {finite.size} {LEFT_OUT}"
    rel = relative_error(analytic, numeric)
    with np.errstate(over="ignore", invalid="ignore"):
        abs_err = float(np.max(np.abs(analytic - numeric)))
    if not (math.isfinite(rel) and math.isfinite(abs_err)):
        return False, abs_err, rel, "the error is not finite"
    limit = rtol + eps * eps
    if rel <= limit:
        return True, abs_err, rel, f"{WITHIN_TOLERANCE}{limit:.1e}"
    modelled = noise_floor(cost, eps, atol)
    floor = max(modelled, NOISE_SIGMAS * noise / eps)
    # what makes the floor: the size of the cost, or the rounding measured in it
    cause = (
        f"the cost ({cost:.1e}) is too large"
        if floor == modelled
        else f"{NOISY[len(UNRESOLVED) :]}({noise:.1e}, measured near the point) is too large"
    )
    # said where the measured rounding made the floor: not the few ulps the rule assumes
    measured = "" if floor == modelled else f" (the cost's rounding, measured: {noise:.1e})"
    largest = max(float(np.max(np.abs(analytic))), float(np.max(np.abs(numeric))))
    if floor > FLOOR_MAX and largest <= floor:
        return (
            False,
            abs_err,
            rel,
            f"{UNRESOLVED}{cause} for finite differences to resolve this gradient (noise "
            f"floor {floor:.1e}, above both gradients)",
        )
    # the relative error, allowing for the noise: |g - g_num| <= rtol |g| + floor entry-wise
    # (largest entry). A wrong gradient gets through only where the floor is a fair share of
    # it: a sign flip needs |g| <= floor / 2, a factor 1000 |g| <= floor / 999, an error of
    # 1e-3 relative |g| <= 1000 floor. A gradient above the floor is resolved whatever the
    # cost (J = sum(tanh(W x)) + 1e5: floor 8.9e-5, gradients near 1).
    if largest <= floor and not np.any(analytic):
        # a gradient of exactly 0 (norm1's residual at its kink, a dead unit): finite
        # differences confirm what they can, that no slope stands above the noise
        return True, abs_err, rel, f"the gradient is 0 and none above the noise floor {floor:.1e}"
    if largest <= floor:
        # a gradient of 3e-13 and its negative both lie under the floor (J = 1 + 1e-13
        # sum(W ⊙ W ⊙ W)): relative error 1, and right and wrong look alike; no pass
        return (
            False,
            abs_err,
            rel,
            f"{UNDER_FLOOR} {floor:.1e}: both gradients (largest entry {largest:.1e}) lie "
            "under it, where finite differences cannot tell a right one from a wrong one",
        )
    if abs_err <= min(floor, FLOOR_MAX) + limit * largest:
        return (
            True,
            abs_err,
            rel,
            f"{FLOOR_PASS}{min(floor, FLOOR_MAX):.1e}{measured}",
        )
    if abs_err <= floor + limit * largest:
        # a floor above FLOOR_MAX buys no pass: at J = 1e8 (floor 0.089) a gradient of 0.1
        # returned as 0.02 is off by 0.08, inside the noise; right and wrong look alike
        return (
            False,
            abs_err,
            rel,
            f"{UNRESOLVED}{cause} for finite differences to resolve this gradient (error "
            f"{abs_err:.1e}, within the noise floor {floor:.1e})",
        )
    return (
        False,
        abs_err,
        rel,
        f"{ABOVE_FLOOR}{limit:.1e}; error above the noise floor {floor:.1e}",
    )


class _Watcher:
    """Detects finite steps that move a kinked value across one of its kinks (or make it
    NaN): each kink of the activation's own (``relu(z - 1)``: z = 1), else 0."""

    def __init__(
        self,
        module: Any,
        params: dict[str, np.ndarray],
        data: tuple[Any, ...],
        arrays: ModuleArrays,
    ) -> None:
        self.module = module
        self.data = data
        self.arrays = arrays
        #: per watched value, its periodic kinks as (offset, period): none for a KINKS table
        self.periods: dict[str, tuple[tuple[float, float], ...]] = {}
        kinked = getattr(module, "kinked", None)
        #: every cached array watched, the module naming no kinks (a reason says so): set
        #: before the KINKS table's early return (review44 #1: an AttributeError there)
        self.guessed = False
        _, cache = module.forward(arrays.params(params), *data)
        table = getattr(module, "KINKS", None)  # a generated module loaded from its file
        if kinked is None and isinstance(table, dict):
            self.names = tuple(k for k in table if k in cache or k in params)
            self.kinks = {k: tuple(float(v) for v in table[k]) for k in self.names}
            self.sides = {k: self._sides(k, _value(k, cache, params)) for k in self.names}
            return
        self.guessed = kinked is None
        if kinked is None:
            # a module loaded from its file says nothing of its kinks: every cached array is
            # watched for a sign change, as a step across relu's kink changes A's (only the
            # Z's were, and a relu layer caches A alone: a right gradient failed, measured as
            # a secant across the kink, hostile36d #3); a smooth value near 0 costs an entry
            kinked = tuple(k for k, v in cache.items() if hasattr(v, "shape"))
        self.names = tuple(k for k in kinked if k in cache or k in params)
        formulas = getattr(module, "kink_formulas", None) or {}
        self.kinks = {k: kink_values(*formulas.get(k, (None, False))) for k in self.names}
        # a kink that recurs with a period (abs(sin(z)): every pi) is watched as the period
        # the value lies in, on a pre-activation z (not on a = g(z), where none recurs)
        self.periods = {
            k: kink_periods(formula) if not of_output else ()
            for k, (formula, of_output) in (
                (k, formulas.get(k, (None, False))) for k in self.names
            )
        }
        self.sides = {k: self._sides(k, _value(k, cache, params)) for k in self.names}

    @property
    def blind(self) -> bool:
        """Whether nothing is watched of a module that names no kinks (a hand-written one
        whose cache holds no array): a step may cross one unseen."""
        return self.guessed and not self.names

    def _sides(self, name: str, value: Any) -> list[np.ndarray]:
        value = self.arrays.to_numpy(value)
        signs = [np.sign(value - kink) for kink in self.kinks[name]]
        periods = self.periods.get(name, ())
        return signs + [np.floor((value - start) / period) for start, period in periods]

    def crosses(self, params: dict[str, np.ndarray]) -> bool:
        if not self.names:
            return False
        # parameters alone (abs(W)) are read from the step's params: no forward pass for them
        # (a 40 x 40 L1 model's full check took twice as long: review43 #6)
        cache: Any = {}
        if any(name not in params for name in self.names):
            _, cache = self.module.forward(self.arrays.params(params), *self.data)
        # NaN != NaN: a NaN pre-activation counts as crossing, so it is skipped, never passed
        return any(
            np.any(now != then)
            for k in self.names
            for now, then in zip(
                self._sides(k, _value(k, cache, params)), self.sides[k], strict=True
            )
        )


def _value(name: str, cache: Mapping[str, Any], params: Mapping[str, Any]) -> Any:
    """A watched value: a cached one by its code name, else a parameter by its name (the
    argument of ``abs(W)``, which backward reads from the params, not the cache)."""
    return cache[name] if name in cache else params[name]


def _forward_data(module: Any, data: tuple[Any, ...]) -> tuple[Any, ...]:
    """What ``module.forward`` takes after ``params``: X alone for a network's module."""
    try:
        signature = inspect.signature(module.forward)
    except (TypeError, ValueError):
        return data[:1]
    kinds = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    params = [p for p in signature.parameters.values() if p.name != "work"]
    if any(p.kind is inspect.Parameter.VAR_POSITIONAL for p in params):
        return data
    positional = [p for p in params if p.kind in kinds]
    return data[: max(1, len(positional) - 1)]  # forward(params, X) for a network


#: the most random directions per parameter gradcheck takes (2 cost evaluations each)
MAX_DIRECTIONS = 10_000


def _complex(value: Any) -> bool:
    """Whether ``value`` is a complex array (NumPy's, torch's or JAX's) or number."""
    is_complex = getattr(value, "is_complex", None)  # a torch tensor's method
    if callable(is_complex):
        return bool(is_complex())
    return bool(np.iscomplexobj(value))


#: NumPy dtype kinds that hold no numbers: strings, bytes, records, dates and durations
_NOT_NUMBERS = {"U": "string", "S": "bytes", "V": "record", "M": "datetime", "m": "timedelta"}


def _not_numbers(name: str, value: Any) -> str | None:
    """Why ``value`` (a NumPy array, a list or a scalar; a framework's tensor is its own
    module's to judge) holds no numbers gradcheck can step, or None where it does: float64
    of a string array parsed '0.5' as 0.5 and of datetime64 took the seconds, so a check
    passed on data no module accepts (hostile41c #6)."""
    if value is None:
        return f"{name} is None; expected an array"
    if hasattr(value, "dtype") and not isinstance(value, np.ndarray | np.generic):
        return None
    try:
        array = np.asarray(value)
    except (TypeError, ValueError) as exc:  # a ragged list of rows
        return f"{name} is not an array of numbers ({exc})"
    kind = array.dtype.kind
    if kind in _NOT_NUMBERS:
        return f"{name} is a {_NOT_NUMBERS[kind]} array; expected numbers (a float array)"
    if kind == "O" and not all(isinstance(v, numbers.Real) for v in array.flat):
        # Fractions and Decimals convert; strings ('0.5') and dates do not (review43)
        return f"{name} is an object array of non-numbers; expected numbers (a float array)"
    return None


def gradcheck(
    module: Any,
    params: Mapping[str, np.ndarray],
    *data: Any,
    eps: float = 1e-6,
    mode: str = "auto",
    directions: int = DIRECTIONS,
    seed: int = 0,
    rtol: float = RTOL,
    atol: float = ATOL,
    progress: Callable[[int, int], None] | None = None,
) -> GradCheck:
    """Check ``module.loss_and_grads`` against central finite differences of its cost.

    ``module`` is a :class:`~symbackprop.lowering.executor.GradientModule` of any backend (or
    a generated module loaded from its file, or any object with ``loss_and_grads`` and
    ``forward``); ``params`` and ``data`` (the arrays in the module's ``DATA`` order, ``X, Y``
    for a network: X (n0, m), Y (nL, m)) may be NumPy arrays or the module's own arrays. The
    check runs in float64 whatever the module's dtype: a torch module is given float64
    tensors, a JAX module runs with 64-bit mode on for the call (see
    :mod:`symbackprop.check.frameworks`). ``mode`` is ``"auto"`` (full up to
    :data:`FULL_CHECK_MAX_PARAMS` parameters, directional above), ``"full"`` or
    ``"directional"``; the latter uses ``directions`` random unit directions per parameter
    (drawn from ``seed``). ``progress(done, total)``, when given, is called after each
    parameter. Parameters are copied, never modified. See the module docstring for the rule.
    """
    if not callable(getattr(module, "loss_and_grads", None)):
        # a spec text in the module's place raised AttributeError from deep inside
        raise ValueError(
            f"gradcheck needs a generated module (sb.compile(...)) first, got a "
            f"{type(module).__name__}"
        )
    # a hand-written module with loss_and_grads alone raised AttributeError: 'forward' from
    # deep inside (newcomer46 #10): what it lacks of the generated module's contract, named
    if not callable(getattr(module, "forward", None)):
        raise ValueError(
            "gradcheck reads a module's forward(params, *data) -> (cost, cache) and "
            "loss_and_grads(params, *data) -> (cost, gradients), as a generated one has them; "
            "this one has no forward"
        )
    if not (
        isinstance(eps, numbers.Real)  # np.float32(1e-6) too (hostile41c #6)
        and not isinstance(eps, bool)
        and math.isfinite(eps)
        and EPS_MIN <= eps <= EPS_MAX
    ):
        # smaller steps drown in rounding, larger ones in the curvature of the cost, and the
        # truncation allowance eps^2 would let a wrong gradient pass (eps = 1 passed x2)
        raise ValueError(f"eps must be a number in [{EPS_MIN:g}, {EPS_MAX:g}], got {eps!r}")
    expected = getattr(module, "DATA", None)
    if expected is not None and len(data) != len(expected):
        raise ValueError(
            f"gradcheck needs the data arrays {', '.join(expected)} after params, "
            f"got {len(data)} array(s)"
        )
    if not data and expected is None:
        raise ValueError("gradcheck needs the data arrays after params (X, Y for a network)")
    if (
        isinstance(directions, bool)
        or not isinstance(directions, numbers.Integral)
        or not 1 <= directions <= MAX_DIRECTIONS
    ):
        # each direction costs two evaluations of the cost: 10**9 of them ran for days
        raise ValueError(
            f"directions must be an int from 1 to {MAX_DIRECTIONS:,}, got {directions!r}"
        )
    for name, tolerance, top in (("rtol", rtol, 1.0), ("atol", atol, math.inf)):
        number = isinstance(tolerance, numbers.Real) and not isinstance(tolerance, bool)
        if not (number and math.isfinite(tolerance) and 0 <= tolerance < top):
            # rtol=-1 failed every right gradient ("relative error > -1"), nan too, and a
            # string failed inside the comparison (hostile33c #3)
            allowed = "a number in [0, 1)" if top == 1.0 else "a finite number >= 0"
            raise ValueError(f"{name} must be {allowed}, got {tolerance!r}")
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or seed < 0:
        # NumPy's own words named no argument ("expected non-negative integer")
        raise ValueError(f"seed must be a non-negative int, got {seed!r}")
    if progress is not None and not callable(progress):
        # progress=5 failed after the first parameter: "'int' object is not callable"
        raise ValueError(f"progress must be a callable (done, total) or None, got {progress!r}")
    eps, directions, seed = float(eps), int(directions), int(seed)
    if not isinstance(params, Mapping) and callable(getattr(params, "items", None)):
        # a table read as a dict is (a torch module's net.params): its (name, array) pairs
        with contextlib.suppress(TypeError, ValueError):  # not pairs: refused below
            params = dict(params.items())
    if not isinstance(params, Mapping):
        raise ValueError(f"params must be a dict of arrays, got {type(params).__name__}")
    own = getattr(module, "SHAPES", None)
    extra = [repr(name) for name in params if own is not None and name not in own]
    if own is not None and extra:  # the module's gradients were blamed for it (hostile36a #6)
        which = "is not a parameter" if len(extra) == 1 else "are not parameters"
        raise ValueError(
            f"params has {', '.join(extra)}, which {which} of the module (its parameters: "
            f"{', '.join(own)}); gradcheck checks the gradient of every entry of params"
        )
    names = [*params, *(expected or [f"data array {k + 1}" for k in range(len(data))])]
    for name, value in zip(names, [*params.values(), *data], strict=True):
        refused = _not_numbers(name, value)
        if refused is not None:
            raise ValueError(refused)
        if _complex(value):  # float64 below would drop the imaginary part, silently
            raise ValueError(
                f"{name} is a complex array; the cost is real and so are the arrays it takes "
                f"(np.real({name}) keeps the real part)"
            )
    # in float64 whatever the module's working precision: finite differences in float32
    # (rounding 1e-7 |J| / 2 eps) cannot resolve a gradient, right or wrong
    given = [str(getattr(v, "dtype", "float64")) for v in (*params.values(), *data)]
    as_given = (dict(params), tuple(data))  # the caller's arrays, in the caller's dtypes
    arrays = module_arrays(module)
    data, notes = _sums_to_one(module, data, arrays)
    # C order: _full perturbs each array through a flat view (reshape(-1) of a Fortran-ordered
    # or transposed array is a copy, so nothing moved and every row failed, hostile32)
    p = {k: np.array(arrays.to_numpy(v), order="C", copy=True) for k, v in params.items()}
    n_params = sum(int(v.size) for v in p.values())
    mode = choose_mode(n_params, mode)
    # a non-finite value fails its row, no warning needed; the module's own arrays are made
    # inside its calling context (JAX's 64-bit mode)
    with np.errstate(all="ignore"), arrays.calling():
        data = tuple(arrays.to_module(arrays.to_numpy(x)) for x in data)
        cost0, grads = module.loss_and_grads(arrays.params(p), *data)
        cost0 = float(cost0)
        watch = _Watcher(module, p, _forward_data(module, data), arrays)

        def cost(q: dict[str, np.ndarray]) -> float:
            # a perturbed point where the cost is undefined (an inverse of a singular matrix,
            # a logdet of a determinant <= 0) fails its row as NaN
            return cost_or_nan(
                lambda: module.loss_and_grads(arrays.params(q), *data)[0], arrays.undefined
            )

        noise: float | None = None  # measured where a row would fail without it

        rows = []
        rng = np.random.default_rng(seed)
        missing = [name for name in p if name not in grads]
        if missing:
            raise ValueError(
                f"the module's gradients have no {', '.join(missing)} (loss_and_grads "
                f"returned {', '.join(map(str, grads)) or 'none'}); expected one per parameter"
            )
        for index, name in enumerate(p):
            state = rng.bit_generator.state  # this row's directions, drawn again at eps / 2
            g = arrays.to_numpy(grads[name])
            if g.shape != p[name].shape:
                raise ValueError(
                    f"the gradient of {name} has shape {g.shape}, but {name} is {p[name].shape}"
                )
            if mode == "full":
                kept, numeric, skipped = _full(p, name, eps, cost, watch)
                analytic = g.ravel()[kept]
                total = g.size
            else:
                analytic, numeric, skipped = _directional(
                    p, name, g, eps, cost, watch, rng, directions
                )
                total = directions
            ok, abs_err, rel, reason = judge(
                analytic, numeric, cost=cost0, eps=eps, rtol=rtol, atol=atol
            )
            if reason == ON_KINKS_REASON and watch.guessed:
                reason = ON_SIGN_CHANGES_REASON
            if reason.startswith(ABOVE_FLOOR):
                # the floor assumes a few ulps of rounding in the cost; a logdet of a 600 x 600
                # matrix has 500 (hostile41a #1): measured once, and the row judged again
                if noise is None:
                    # a rng of its own: the directions drawn from ``seed`` stay as they were
                    noise = measured_noise(
                        cost, p, watch.crosses, np.random.default_rng([seed, 1])
                    )
                ok, abs_err, rel, reason = judge(
                    analytic, numeric, cost=cost0, eps=eps, rtol=rtol, atol=atol, noise=noise
                )
            measured = math.isfinite(rel) and bool(np.any(np.isfinite(numeric)))
            again = functools.partial(
                _measured_again, p, name, g, cost, watch, mode, state, directions
            )
            judged = {"cost": cost0, "rtol": rtol, "atol": atol, "noise": noise or 0.0}
            # the steps a failing row is measured at again (a tolerance failure only: a
            # non-finite value is neither truncation nor curvature, review43 #7): eps / 2 for
            # Richardson's extrapolation above TRUNCATION_EPS, then eps / 100, / 10^4, ...
            again_at = [(eps / 2, functools.partial(_richardson, numeric), RICHARDSON)]
            again_at = again_at if eps > TRUNCATION_EPS else []
            step = eps / FINER
            while step >= MIN_EPS:
                again_at.append((step, _as_measured, f"{FINER_STEP}{step:.0e}{FINER_SAID}"))
                step /= FINER
            if ok and reason.startswith(FLOOR_PASS):
                floor = max(noise_floor(cost0, eps, atol), NOISE_SIGMAS * (noise or 0.0) / eps)
                ok, abs_err, rel, reason = _floor_pass_checked(
                    (ok, abs_err, rel, reason),
                    analytic,
                    numeric,
                    again,
                    eps,
                    min(floor, FLOOR_MAX),
                    cost0,
                    kept if mode == "full" else None,
                    watch.blind,
                )
            for step, combine, said in again_at:
                # (a failure the floor's check found at a larger step: a finer one resolves
                # less, and measured a 1,600-entry row twice more for nothing)
                if ok or not measured or reason.startswith((UNRESOLVED, FLOOR_REFUSED)):
                    break
                ok, abs_err, rel, reason = _judged_again(
                    (ok, abs_err, rel, reason), analytic, again, step, combine, said, **judged
                )
            # the entries compared: not those whose differences are not finite ("2 of 2
            # checked" of a row that compared nothing)
            checked = int(np.isfinite(np.asarray(numeric, dtype=np.float64)).sum())
            unresolved = reason.startswith(UNRESOLVED)
            cause = (
                ""
                if not unresolved
                else "every step changed the sign of a cached value"
                if reason == ON_SIGN_CHANGES_REASON
                else "every step crossed a kink"
                if reason.startswith(ON_KINKS)
                else "the gradient is under the noise floor"
                if reason.startswith(UNDER_FLOOR)
                else "the cost's rounding noise is too large"
                if reason.startswith(NOISY)
                else "a step leaves where the cost has a value"
                if reason == NOT_FINITE_DIFFERENCE
                else "the cost is too large"
            )
            rows.append(
                GradCheckRow(
                    name,
                    abs_err,
                    rel,
                    ok,
                    checked,
                    skipped,
                    total,
                    reason,
                    unresolved,
                    cause,
                    "entries" if mode == "full" else "directions",
                    checked > 0 and not np.any(analytic),
                )
            )
            if progress is not None:
                progress(index + 1, len(p))
        differs = _workspace_differs(module, arrays, p, data, grads)
        dtype_notes = _dtype_notes(module, arrays, as_given, grads, given)
    return GradCheck(rows, mode, eps, cost0, (*notes, *dtype_notes), differs)


#: the factor the autograd path's cost is scaled by: a backward that ignores the gradient
#: flowing into it (torch's grad_output, JAX's cotangent) gives the unscaled gradients, and
#: fails (hostile37b #5)
AUTOGRAD_SCALE = 2.5


def _workspace_differs(
    module: Any, arrays: Any, p: dict[str, np.ndarray], data: tuple[Any, ...], grads: Any
) -> str:
    """Why another way of calling the module gives other gradients than ``loss_and_grads``
    without a workspace (the call the finite differences check), or "": with a workspace dict
    (a first call, one reusing its arrays, one at another m, and one back at this m;
    hostile36d #4, hostile37b #5), ``forward`` then ``backward`` (the training loop's other
    spelling), and, for a torch or JAX module, its framework's autograd through ``cost``
    scaled by :data:`AUTOGRAD_SCALE` (``(2.5 * cost).backward()``, ``jax.grad``). A module
    had passed with a wrong ``backward``, or a ``BackpropCost`` that dropped ``grad_output``.
    Paths a module does not have are not asked."""
    for path, compute, factor in _other_paths(module, arrays, p, data, grads):
        try:
            kept, want_all = compute()
        except Exception as exc:  # noqa: BLE001 - a path that fails is the finding
            return f"{path}, the module raised {type(exc).__name__}: {exc}"
        for name, want in want_all.items():
            got = arrays.to_numpy(kept[name]) / factor
            want = arrays.to_numpy(want)
            scale = float(np.max(np.abs(want))) if want.size else 0.0
            gap = float(np.max(np.abs(got - want))) if want.size else 0.0
            if not gap <= 1e-12 * max(scale, 1e-300):
                return (
                    f"{path}, dJ/d{name} differs from loss_and_grads without a workspace by up "
                    f"to {gap:.2e}"
                )
    return ""


def _other_paths(
    module: Any, arrays: Any, p: dict[str, np.ndarray], data: tuple[Any, ...], grads: Any
) -> Any:
    """``(path, compute, factor)`` for each other way to the gradients (see
    :func:`_workspace_differs`): ``compute()`` gives the gradients that way and those they
    must equal, ``factor`` what the first were scaled by. A path runs when its turn comes, so
    that a workspace's calls go in order."""
    try:
        takes_work = "work" in inspect.signature(module.loss_and_grads).parameters
    except (TypeError, ValueError):
        takes_work = False
    if takes_work:
        work: dict[str, Any] = {}
        calls = [("its first call", data), ("a call reusing its arrays", data)]
        wants = {id(data): grads}
        fewer = _first_columns(data)
        if fewer is not None:  # the workspace's arrays are made again for another m
            try:  # a model may have no value at m - 1 (a variance of one example)
                at_fewer = module.loss_and_grads(arrays.params(p), *fewer)[1]
            except Exception:  # noqa: BLE001 - no other m to compare at
                at_fewer = None
            finite = at_fewer is not None and all(
                np.isfinite(arrays.to_numpy(value)).all() for value in at_fewer.values()
            )
            if finite:  # NaN there (no value at m - 1, under errstate): nothing to compare
                wants[id(fewer)] = at_fewer
                calls += [("a call at another m", fewer), ("then back", data)]

        def with_work(given: tuple[Any, ...]) -> Any:
            got = module.loss_and_grads(arrays.params(p), *given, work=work)[1]
            return got, wants[id(given)]

        for call, given in calls:
            yield f"with a workspace dict ({call})", functools.partial(with_work, given), 1.0
    forward, backward = getattr(module, "forward", None), getattr(module, "backward", None)
    if callable(forward) and callable(backward) and _generated_backward(backward, data):

        def split() -> Any:
            given = _forward_data(module, data)
            params = arrays.params(p)
            _, cache = forward(params, *given)
            return backward(params, cache, *data[len(given) :]), grads

        yield "from forward then backward", split, 1.0
    cost = getattr(module, "cost", None)
    if callable(cost) and arrays.framework == "torch":

        def torch_autograd() -> Any:
            leaves = {k: arrays.to_module(v.copy()).requires_grad_(True) for k, v in p.items()}
            (AUTOGRAD_SCALE * cost(leaves, *data)).backward()
            return {k: v.grad for k, v in leaves.items()}, grads

        path = f"through torch's autograd, ({AUTOGRAD_SCALE} * cost(...)).backward()"
        yield path, torch_autograd, AUTOGRAD_SCALE
    jax = getattr(module, "jax", None)
    if callable(cost) and arrays.framework == "jax" and jax is not None:

        def jax_grad() -> Any:
            scaled = jax.grad(lambda q: AUTOGRAD_SCALE * cost(q, *data))
            return scaled(arrays.params(p)), grads

        yield f"through jax.grad of {AUTOGRAD_SCALE} * cost", jax_grad, AUTOGRAD_SCALE


def _generated_backward(backward: Any, data: tuple[Any, ...]) -> bool:
    """Whether ``backward`` takes the generated module's arguments: ``params``, ``cache``,
    the data forward does not take, and ``work`` (a hand-written module's own ``backward``
    is not asked; review37 #6)."""
    try:
        names = list(inspect.signature(backward).parameters)
    except (TypeError, ValueError):
        return False
    return names[:2] == ["params", "cache"] and names[-1:] == ["work"]


def _first_columns(data: tuple[Any, ...]) -> tuple[Any, ...] | None:
    """The data at m - 1 examples (the first m - 1 columns of every array), where every data
    array has the same m > 1 columns (a network's X and Y; a model's batch data); else None."""
    shapes: list[tuple[int, ...]] = [tuple(getattr(value, "shape", ())) for value in data]
    if not data or any(len(shape) != 2 for shape in shapes):
        return None
    m = shapes[0][1]
    if m < 2 or any(shape[1] != m for shape in shapes):
        return None
    return tuple(value[:, : m - 1] for value in data)


#: the norm-wise relative difference, per parameter, of the gradients the module computes in
#: the caller's dtype from the float64 ones that the check measured, above which the note says
#: what it may mean: a bug of that dtype alone (a sign, a scale: about 1, hostile37b #6), or
#: rounding where the gradient cancels (0.83 on a saturated 4-3-2-1 in float32, review37 #2);
#: not a failure, since the two cannot be told apart
DTYPE_TOLERANCE = 1e-2


def _dtype_notes(
    module: Any,
    arrays: Any,
    as_given: tuple[Mapping[str, Any], tuple[Any, ...]],
    grads: Any,
    given: list[str],
) -> tuple[str, ...]:
    """Where the arrays given were not float64: the module's gradients in the caller's dtype
    compared with the float64 ones the check measured, norm-wise per parameter: a note of the
    largest difference, and above :data:`DTYPE_TOLERANCE` of what it may mean (never a
    failure: the two causes cannot be told apart). The notes say the finite differences ran in
    float64 (hostile36d #5)."""
    others = sorted({dtype for dtype in given if "float64" not in dtype})
    if not others:
        return ()
    note = (
        f"checked in float64: the {', '.join(others)} arrays given were converted, and the "
        "finite differences measured the module's float64 arithmetic"
    )
    params, data = as_given
    try:
        _, kept = module.loss_and_grads(params, *data)
        worst, name = max(
            (_relative(arrays.to_numpy(kept[name]), arrays.to_numpy(grads[name])), name)
            for name in grads
        )
    except Exception:  # noqa: BLE001 - arrays the module refuses as given: nothing to compare
        return (note + "; it did not compute the arrays as given",)
    shown = (
        f"its gradients in {', '.join(others)} differ from float64 by up to {worst:.1e} "
        f"(dJ/d{name}; relative, norm-wise)"
    )
    if not worst <= DTYPE_TOLERANCE:  # a bug of that dtype, or its rounding where it cancels
        shown += (
            ": a bug in that dtype alone (a sign, a scale) shows so, and so does its rounding "
            "where the gradient is a small difference of large numbers (a saturated output), "
            "which this check cannot tell apart"
        )
    return (f"{note}; {shown}",)


def _relative(got: np.ndarray, want: np.ndarray) -> float:
    """``||got - want|| / ||want||`` (entries where both are NaN agree; 0/0 is 0)."""
    diff = got - want
    diff[np.isnan(got) & np.isnan(want)] = 0.0
    gap = float(np.linalg.norm(np.nan_to_num(diff, nan=np.inf)))
    size = float(np.linalg.norm(want))
    return gap / size if size else (0.0 if gap == 0 else math.inf)


def _sums_to_one(
    module: Any, data: tuple[Any, ...], arrays: ModuleArrays
) -> tuple[tuple[Any, ...], tuple[str, ...]]:
    """The data to check at, and notes: refuse, with one ValueError, a target the module's
    gradients assume sums to 1 in each column (its ``SUMS_TO_ONE``: softmax with
    cross-entropy, dJ/dZ = (softmax(Z) - Y) / m) when a column does not, by the NumPy module's
    own rule (within sqrt(eps) of the target's dtype, float32's at least, plus the rounding of
    the sum): the gradients would be those of another cost. A column within that rule but not
    within float64's (a float32 softmax: 1 - 3e-8) is divided by its sum for the check, with
    a note: the module's gradient there is off by a (sum - 1) / m, which a relative test at
    1e-6 reads as a failure where the model is confident and right. A NaN column is left to
    the check."""
    names = getattr(module, "DATA", None) or ()
    checked = list(data)
    notes = []
    for index, (name, value) in enumerate(zip(names, data, strict=False)):
        if name not in (getattr(module, "SUMS_TO_ONE", None) or ()):
            continue
        y = arrays.to_numpy(value)  # a float64 copy
        if y.ndim != 2:
            continue  # the module's own check names the shape
        sums = y.sum(axis=0)
        off = np.abs(sums - 1.0)
        eps = _eps_of(value)
        tol = sums_to_one_tolerance(eps, y.shape[0])
        if (off > tol).any():
            bad = int(np.flatnonzero(off > tol)[0])
            raise ValueError(
                f"column {bad} of {name} sums to {float(sums[bad]):.9g}, not 1: the module's "
                f"gradients assume each column of {name} sums to 1 (softmax with cross-entropy: "
                f"dJ/dZ = (softmax(Z) - {name}) / m), so they would be those of another cost "
                "than the one checked; drop that column or divide it by its sum"
            )
        eps64 = float(np.finfo(np.float64).eps)
        near = off > eps64**0.5 + y.shape[0] * eps64
        if near.any():
            y[:, near] /= sums[near]
            checked[index] = y
            count = int(near.sum())
            notes.append(
                f"{count} column{'s' if count > 1 else ''} of {name} sum{'' if count > 1 else 's'}"
                f" to 1 only within {float(off[near].max()):.1e} (the module accepts {tol:.1e}); "
                "the check divides them by their sums, where the module's gradients are exactly "
                "those of its cost"
            )
    return tuple(checked), tuple(notes)


def _eps_of(value: Any) -> float:
    """The machine epsilon of an array's floating dtype (NumPy, JAX or torch); float64's for
    any other value (a list, an integer array)."""
    eps64 = float(np.finfo(np.float64).eps)
    dtype = getattr(value, "dtype", None)
    if dtype is None or getattr(dtype, "is_floating_point", True) is False:
        return eps64
    try:
        kind = np.dtype(dtype)
    except TypeError:  # a torch dtype: by its name (bfloat16 keeps 8 bits of mantissa)
        names = {"torch.float16": 2.0**-10, "torch.bfloat16": 2.0**-7, "torch.float32": 2.0**-23}
        return names.get(str(dtype), eps64)
    return float(np.finfo(kind).eps) if kind.kind == "f" else eps64


#: a step above this may carry a truncation error (eps^2 J'''/6) over the relative
#: tolerance: a failing row is measured again at eps / 2 and extrapolated (:func:`_judged_again`)
TRUNCATION_EPS = 1e-4


def _judged_again(
    verdict: tuple[bool, float, float, str],
    analytic: np.ndarray,
    again: Callable[..., tuple[np.ndarray, np.ndarray, np.ndarray | None]],
    step: float,
    combine: Callable[[np.ndarray], np.ndarray],
    said: str,
    **judged: Any,
) -> tuple[bool, float, float, str]:
    """``verdict`` (a failing row), or a pass where the central differences at ``step`` over
    the same entries or directions (``again(step)``; where they are not the same, a step
    crossed a kink at one size only, the verdict stands), ``combine``d with the first
    measurement, agree with the gradient within the relative tolerance and above the step's
    noise floor; ``said`` ends the reason.

    - Richardson's (4 D(eps/2) - D(eps)) / 3, truncation O(eps^4): a large step's truncation,
      eps^2 times the third derivative over 6, has no bound relative to the gradient
      (batch_norm's right W failed at eps = 1e-2 with 3.5e-3: hostile43c #2).
    - A finer step: a cost curving faster than the step given (sin(10^6 z) failed a right
      gradient at the default eps: hostile43a #6).

    Not within the noise floor, which grows as 1 / step: at J = 1e5 a gradient 0.1% off passed
    within the floor of a step 100 times finer, and at J = 1e8 a gradient of 0 against
    differences rounded to 0. A wrong gradient is wrong at every step."""
    analytic_again, numeric_again, _kept = again(step)
    if analytic_again.shape != analytic.shape or not np.array_equal(analytic_again, analytic):
        return verdict
    with np.errstate(all="ignore"):
        numeric = combine(np.asarray(numeric_again))
    ok, abs_err, rel, reason = judge(analytic, numeric, eps=step, **judged)
    values = np.concatenate([analytic, numeric])
    # over the entries measured (one left out is NaN, and made every rescue fail: review44b #4)
    largest = float(np.max(np.abs(values[np.isfinite(values)]), initial=0.0))
    resolved = noise_floor(judged["cost"], step, judged["atol"]) < RESOLVED * largest
    if not (ok and resolved and reason.startswith(WITHIN_TOLERANCE)):
        return verdict
    return ok, abs_err, rel, f"{reason}{said}"


#: the start of the reason of a row that passes by the noise floor, not the relative tolerance
FLOOR_PASS = "error within the noise floor "
#: the start of the reason of a pass within the floor refused (:func:`_floor_pass_checked`)
FLOOR_REFUSED = "the gradient differs from the finite differences by "
#: how much further the gradient is from the differences than the differences at eps and 2
#: eps are from each other (or than one ulp of the cost over eps, the differences' quantum),
#: for a pass within the floor to be refused
SPREAD_MARGIN = 100.0
#: and the share of the floor the error must reach: the floor's few ulps of max(1, |J|) stand
#: for the rounding of values of order 1 in the cost and in the gradient, which a gradient of
#: A - Y at A near 1 carries too (a right one was refused at 1e-14 of 8.9e-10, hostile44d #1)
FLOOR_SHARE = 1e-3


#: the larger steps a pass within the floor is measured again at, as multiples of eps: the
#: differences' quantum (an ulp of the cost over the step) shrinks with the step, and their
#: truncation grows as its square (the spread between a step and twice it shows it)
FLOOR_STEPS = (1, 10, 100, 1000)
#: and the largest such step
FLOOR_STEP_MAX = 1e-3
#: the entries of a row measured again so (all of a smaller row)
FLOOR_ENTRIES = 32


def _floor_pass_checked(
    verdict: tuple[bool, float, float, str],
    analytic: np.ndarray,
    numeric: np.ndarray,
    again: Callable[..., tuple[np.ndarray, np.ndarray, np.ndarray | None]],
    eps: float,
    floor: float,
    cost: float,
    kept: Any = None,
    blind: bool = False,
) -> tuple[bool, float, float, str]:
    """``verdict`` (a pass within the noise ``floor``), or a failure where, at a step of eps or
    a larger one (:data:`FLOOR_STEPS`), the error is at least :data:`FLOOR_SHARE` of the floor
    and more than :data:`SPREAD_MARGIN` times the differences' resolution there: how far
    those at the step and twice it are apart, and at least one ulp of the cost over the step
    (differences move in such steps). The floor assumes rounding of a few ulps of
    max(1, |J|); at J = 2e-19 (a near-perfect least-squares fit) the differences resolve the
    gradient 1e7 times more finely, and gradients 20-50% wrong passed "within the noise floor
    8.9e-10" (hostile44c #3); at J = 1e6 an ulp of the cost over eps hid a gradient half its
    value, which a step 100 times larger resolves (hostile45c #4). A right gradient's own
    rounding of values of order 1 stays under the floor's share, and its error under the
    differences' resolution: truncation and curvature, which grow with the step, widen the
    spread with them, and the climb stops where they outgrow the quantum."""
    _, abs_err, rel, reason = verdict
    if abs_err <= FLOOR_SHARE * floor:
        return verdict  # within the rounding of values of order 1 the floor stands for
    numeric = np.asarray(numeric, dtype=np.float64)
    index = None if kept is None else np.asarray(kept)
    sample = (analytic, numeric, index)
    if index is not None and len(index) > FLOOR_ENTRIES:
        # climbed at the entries furthest from the differences, and as many drawn at random
        # (every entry of a 70 x 70 row at up to seven steps took minutes: review45 #4; the
        # whole row measured again at the step reached tripled it again, and failed a right
        # gradient whose unwatched kinks the larger step crossed: review45c #2, #3); a gradient
        # wrong in a few entries of a long row by less than the differences' rounding at eps
        # may pass, as every one did before the climb (review45b #3)
        error = np.abs(analytic - numeric)
        error[~np.isfinite(error)] = -1.0
        furthest = np.argsort(error)[-FLOOR_ENTRIES // 2 :]
        rest = np.setdiff1d(np.arange(len(index)), furthest)
        drawn = np.random.default_rng(len(index)).choice(rest, FLOOR_ENTRIES // 2, replace=False)
        chosen = np.sort(np.concatenate([furthest, drawn]))
        sample = (analytic[chosen], numeric[chosen], index[chosen])
    # a module that names no kinks and caches no array gives nothing to watch: a larger step
    # may cross a kink unseen and read its secant (review45c #2: a right gradient of
    # abs(w - k) 2e-6 from its kinks failed at 1e-3), so it is measured at eps and 2 eps only
    steps = (eps,) if blind else None
    refused = _climbed(sample, again, eps, floor, cost, steps)
    return verdict if refused is None else refused


def _at(
    measured: tuple[np.ndarray, np.ndarray, np.ndarray | None],
    again: Callable[..., tuple[np.ndarray, np.ndarray, np.ndarray | None]],
    step: float,
) -> np.ndarray | None:
    """The differences at ``step`` of the ``measured`` entries (analytic, numeric, flat
    indices or None for directions), in their order: NaN where a step crossed a kink and the
    entry was skipped (a tanh's cached argument changing sign at 100 eps stopped the climb for
    the whole row); None where the directions differ."""
    analytic, _numeric, index = measured
    if index is None:
        got_analytic, got, _ = again(step)
        same = got_analytic.shape == analytic.shape and np.array_equal(got_analytic, analytic)
        return np.asarray(got, dtype=np.float64) if same else None
    # always these entries, looked up by index: an entry skipped at eps and kept at a larger
    # step was lined up with another's gradient, or ran past the end (review45b #2)
    _got_analytic, got, got_index = again(step, index)
    assert got_index is not None  # full mode: the flat indices measured
    out = np.full(len(index), np.nan)
    position = np.searchsorted(index, got_index)
    inside = position < len(index)
    inside[inside] = index[position[inside]] == got_index[inside]
    out[position[inside]] = np.asarray(got, dtype=np.float64)[inside]
    return out


def _climbed(
    measured: tuple[np.ndarray, np.ndarray, np.ndarray | None],
    again: Callable[..., tuple[np.ndarray, np.ndarray, np.ndarray | None]],
    eps: float,
    floor: float,
    cost: float,
    steps: tuple[float, ...] | None = None,
) -> tuple[bool, float, float, str] | None:
    """The refusal of :func:`_floor_pass_checked` at the first of ``steps`` (eps times
    :data:`FLOOR_STEPS` up to :data:`FLOOR_STEP_MAX` by default) that resolves the error, or
    None."""
    analytic, numeric, _index = measured
    if steps is None:
        steps = tuple(
            eps * factor for factor in FLOOR_STEPS if factor == 1 or eps * factor <= FLOOR_STEP_MAX
        )
    for step in steps:
        here = numeric if step == eps else _at(measured, again, step)
        there = _at(measured, again, 2 * step)
        if here is None or there is None:
            break  # other directions at the larger step: nothing to compare
        # the entries measured at both steps (one whose step leaves where the cost has a value,
        # or crosses a kink, is left out: a NaN made the spread NaN and the pass stand,
        # review44b #1)
        both = np.isfinite(here) & np.isfinite(there)
        if not both.any():
            break
        with np.errstate(all="ignore"):
            spread = float(np.max(np.abs(there[both] - here[both]), initial=0.0))
            error = float(np.max(np.abs(analytic[both] - here[both]), initial=0.0))
        # differences move in steps of an ulp of the cost over 2 eps: at eps and 2 eps they
        # can come out identical (spread 0) while both are a quantum off (a deep sigmoid
        # network's right bias gradient: 1.6e-11 against a quantum of 5.6e-11, hostile44d #1)
        quantum = float(np.spacing(abs(cost))) / step
        resolution = max(spread, quantum)
        if not math.isfinite(spread):
            break
        if error >= FLOOR_SHARE * floor and error > SPREAD_MARGIN * resolution:
            said = "eps and 2 eps" if step == eps else f"steps {step:.0e} and {2 * step:.0e}"
            return (
                False,
                error,
                relative_error(analytic[both], here[both]),
                f"{FLOOR_REFUSED}{error:.1e}, while "
                f"those at {said} agree to {spread:.1e} (an ulp of the cost over the step is "
                f"{quantum:.1e}): they resolve it far below the noise floor {floor:.1e}, "
                "which assumes rounding of max(1, |J|)",
            )
        if spread > quantum:
            break  # truncation or curvature shows already: a larger step resolves less
        if SPREAD_MARGIN * resolution <= FLOOR_SHARE * floor:
            # resolved finely enough that any error the test refuses would be refused here:
            # a larger step decides nothing more (a least-squares fit near its optimum climbed
            # to 1000 eps on every row, 3 times the check's time: review45 #4)
            break
    return None


def _richardson(coarse: np.ndarray, half: np.ndarray) -> np.ndarray:
    """Richardson's extrapolation of central differences at eps (``coarse``) and eps / 2."""
    return (4 * half - np.asarray(coarse)) / 3


def _as_measured(numeric: np.ndarray) -> np.ndarray:
    return numeric


RICHARDSON = ", extrapolated from steps eps and eps/2 (Richardson)"
FINER_SAID = " (the cost curves too fast for the step given)"
#: how a row's reason names a step finer than the one given, which judged it
FINER_STEP = " at the finer step "
#: a re-measured step decides only where its noise floor is under this share of the gradients
RESOLVED = 1e-3
#: the start of the reason of a row within the relative tolerance (not the noise floor)
WITHIN_TOLERANCE = "relative error <= "

#: a failing row is measured again at eps / FINER, down to MIN_EPS (the CLI's smallest --eps)
FINER = 100
MIN_EPS = 1e-10


def _measured_again(
    p: dict[str, np.ndarray],
    name: str,
    g: np.ndarray,
    cost: Callable[[dict[str, np.ndarray]], float],
    watch: _Watcher,
    mode: str,
    state: Any,
    directions: int,
    step: float,
    only: Any = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """One row's (analytic, numeric, kept) at ``step``: the entries :func:`_full` keeps
    (``only``: of those flat indices) and their flat indices, or the directions
    :func:`_directional` draws from the generator ``state`` the row started at (kept None)."""
    if mode == "full":
        kept, numeric, _ = _full(p, name, step, cost, watch, only)
        return g.ravel()[kept], numeric, kept
    rng = np.random.default_rng()
    rng.bit_generator.state = state
    analytic, numeric, _ = _directional(p, name, g, step, cost, watch, rng, directions)
    return analytic, numeric, None


def _full(
    p: dict[str, np.ndarray],
    name: str,
    eps: float,
    cost: Callable[[dict[str, np.ndarray]], float],
    watch: _Watcher,
    only: Any = None,
) -> tuple[Any, np.ndarray, int]:
    """Central differences of every entry of ``p[name]`` (``only``: of those flat indices),
    the indices kept (a step that crosses a kink is skipped) and how many were skipped."""
    flat = p[name].reshape(-1)  # a view: perturbs p[name] in place
    kept: list[int] = []
    numeric: list[float] = []
    skipped = 0
    for i in range(flat.size) if only is None else (int(i) for i in only):
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
    return np.array(kept, dtype=np.intp), np.array(numeric, dtype=np.float64), skipped


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
    return np.array(analytic, dtype=np.float64), np.array(numeric, dtype=np.float64), skipped
