"""Whether a SymPy number is representable as a float64, found in bounded time.

SymPy keeps ``exp(1000)`` and ``10^400`` exact, so a model may carry a constant whose float is
``inf`` (or whose float is 0 although the number is not, ``exp(-1000)``): the generated code
would print ``inf``, and every value computed from it is infinite or NaN. ``evalf`` is no
test for it: ``exp(exp(exp(exp(5))))`` makes mpmath work on a number of 10^64 digits and never
returns. Here a number is evaluated bottom-up with Python floats (each leaf through ``evalf``
at 17 digits, each function of a float argument through SymPy at that argument), so every
step is bounded and a step past the float range stops the walk.
"""

from __future__ import annotations

import math
from typing import Any

import sympy as sp


class _OutOfRange(Exception):
    """A step of the walk left the float range (overflowed or underflowed to 0)."""


def outside_float_range(expr: Any) -> sp.Expr | None:
    """The first number inside ``expr`` (a scalar or a matrix expression of any shape) whose
    float64 value is infinite, or 0 while the number is not, such as ``exp(1000)``,
    ``10^400`` or ``exp(-1000)``; ``None`` when every number fits. Numbers that are not real
    or not finite in SymPy's own sense (``zoo``, ``I``) are left to the caller's checks."""
    for node in sp.preorder_traversal(expr):
        number = isinstance(node, sp.Expr) and not isinstance(node, sp.MatrixExpr)
        if number and node.is_number and _out_of_range(node):
            return node
    return None


def _out_of_range(number: sp.Expr) -> bool:
    try:
        value = _float(number)
    except _OutOfRange:
        return True
    except (TypeError, ValueError, ZeroDivisionError):  # complex or undefined: not this check
        return False
    return not math.isfinite(value)


def _float(node: sp.Basic) -> float:
    """``node``'s value as a float, raising ``_OutOfRange`` past the float range."""
    if isinstance(node, sp.Number | sp.NumberSymbol):
        exact_zero = node == 0
        try:
            value = float(node.evalf(17))
        except OverflowError as exc:
            raise _OutOfRange from exc
        return _checked(value, exact_zero)
    args = [_float(arg) for arg in node.args]
    if isinstance(node, sp.Add):
        return _checked(math.fsum(args), False, allow_zero=True)
    if isinstance(node, sp.Mul):
        return _checked(math.prod(args), any(a == 0 for a in args))
    if isinstance(node, sp.Pow):
        base, exponent = args
        try:
            value = math.pow(base, exponent)
        except OverflowError as exc:
            raise _OutOfRange from exc
        return _checked(value, base == 0)
    # any other function (exp, log, tanh, ...) at float arguments: SymPy evaluates it from
    # 17-digit floats, which is bounded even for exp of 1e308 (the result's exponent is large,
    # not its digits)
    at_floats = node.func(*(sp.Float(a, 17) for a in args))
    try:
        value = float(sp.N(at_floats, 17))
    except OverflowError as exc:
        raise _OutOfRange from exc
    return _checked(value, bool(at_floats == 0))


def _checked(value: float, exact_zero: bool, allow_zero: bool = False) -> float:
    """``value``, once it is finite and not a nonzero number rounded to 0 (a sum may cancel to
    0 exactly: ``allow_zero``)."""
    if math.isinf(value) or (value == 0 and not exact_zero and not allow_zero):
        raise _OutOfRange
    return value
