"""Whether a SymPy number can be computed in float64, found in bounded time.

SymPy keeps ``exp(1000)`` and ``10^400`` exact, so a model may carry a constant whose float is
``inf`` (or 0 although the number is not, ``exp(-1000)``): the generated code would print
``inf``, and every value computed from it is infinite or NaN. A constant is judged twice:

* its value, by ``evalf`` (mpmath's exponent is unbounded, so ``1/(1 + exp(-800))`` is 1 and
  ``log(10^400)`` is 921): it must be a float64 other than 0, unless it is 0;
* the way a module computes it, each function of numbers one float and the sums, products
  and powers of them in float64 (``exp(800)`` alone is ``inf``, so
  ``(exp(800) + 1)/(exp(800) + 2)`` is NaN there although its value is 1): no step may give
  ``inf`` or NaN. A step that rounds to 0 is what float64 does, and the value test above
  catches a constant that is 0 only by rounding.

``evalf`` is no bounded test on its own: ``exp(exp(exp(exp(5))))`` makes mpmath work on a
number of 10^64 digits and never returns, so exponentials nested more than
:data:`MAX_EVALF_DEPTH` deep are judged by the float steps alone.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import sympy as sp

#: exponentials nested at most this deep are evaluated by ``evalf`` (exp(exp(exp(7))) takes a
#: millisecond; one level more can take forever)
MAX_EVALF_DEPTH = 3


@dataclass(frozen=True)
class OutOfRange:
    """A constant of a formula that a float64 module cannot compute: ``part`` is the number
    that leaves the range (``constant`` itself, or a number computed on the way to it)."""

    constant: sp.Expr
    part: sp.Expr


#: the end of every refusal of a number a float64 module cannot compute
OUTSIDE_FLOAT64 = (
    "is outside the float64 range (about 1e-308 to 1e308 in size); expected a number a module "
    "can compute with"
)


def short_number(number: Any) -> str:
    """``number`` in one short piece of text: as written when short, else to 3 digits
    (``10^400`` is ``about 1.00E+400``), else its two ends (``exp(-10^400)`` has an exponent
    no decimal format writes)."""
    written = sp.sstr(number) if isinstance(number, sp.Basic) else repr(number)
    if len(written) <= 40:
        return written
    try:
        return f"about {sp.N(number, 3)}"
    except (ArithmeticError, ValueError, TypeError, OverflowError):
        return f"{written[:30]}...{written[-6:]}"


def shown_constant(found: OutOfRange) -> str:
    """``found`` in words: the constant, and the number computed on the way where that is
    what leaves the range."""
    if found.part == found.constant:
        return short_number(found.constant)
    return f"{short_number(found.constant)}, which computes {short_number(found.part)} on the way"


def exponential_depth(expr: Any) -> int:
    """How deeply exponentials (exp, a power with a variable exponent) nest in ``expr`` (a
    SymPy expression, or an explicit matrix of them: the deepest entry)."""
    if isinstance(expr, sp.MatrixBase):
        return max((exponential_depth(entry) for entry in expr), default=0)
    if not isinstance(expr, sp.Basic):
        return 0
    inner = max((exponential_depth(arg) for arg in expr.args), default=0)
    grows = isinstance(expr, sp.exp) or (isinstance(expr, sp.Pow) and not expr.exp.is_number)
    return inner + 1 if grows else inner


def outside_float_range(expr: Any) -> OutOfRange | None:
    """The first constant inside ``expr`` (a scalar or a matrix expression of any shape) that
    a float64 module cannot compute (see the module docstring), or ``None``. Numbers SymPy
    itself calls complex or infinite (``I``, ``zoo``) are left to the caller's checks."""
    walk = sp.preorder_traversal(expr)
    for node in walk:
        if isinstance(node, sp.Lambda):
            walk.skip()  # an element-wise body: its variable is no number (x^1 is Lambda(x, x))
            continue
        if not isinstance(node, sp.Expr) or isinstance(node, sp.MatrixExpr):
            continue
        if not node.is_number or node.has(sp.I, sp.zoo, sp.oo, -sp.oo, sp.nan):
            continue
        walk.skip()  # a constant is judged as a whole
        part = _out_of_range(node)
        if part is not None:
            return OutOfRange(node, part)
    return None


def _out_of_range(constant: sp.Expr) -> sp.Expr | None:
    if exponential_depth(constant) <= MAX_EVALF_DEPTH and not _value_fits(constant):
        return constant
    steps: dict[sp.Basic, float] = {}
    try:
        _steps(constant, steps)
    except (TypeError, ValueError):  # a complex step: not this check's question
        return None
    for node, value in steps.items():  # inner steps first: the first that leaves the range
        if not math.isfinite(value):
            return node
    return None


def _value_fits(constant: sp.Expr) -> bool:
    """Whether the exact value of ``constant`` is a float64 (0 only where it is 0)."""
    try:
        value = constant.evalf(17)
        number = float(value)
    except (TypeError, ValueError):  # complex: the caller's check
        return True
    except OverflowError:
        return False
    return math.isfinite(number) and (number != 0 or value == 0)


def _steps(node: sp.Basic, out: dict[sp.Basic, float]) -> float:
    """``node``'s value computed as a module computes it, every number a float64; each step's
    value is recorded in ``out``, inner steps first."""
    with np.errstate(all="ignore"):
        value = _step(node, out)
    out.setdefault(node, value)
    return value


def _step(node: sp.Basic, out: dict[sp.Basic, float]) -> float:
    arithmetic = isinstance(node, sp.Add | sp.Mul | sp.Pow)
    if isinstance(node, sp.Number | sp.NumberSymbol) or (
        not arithmetic and exponential_depth(node) <= MAX_EVALF_DEPTH
    ):
        # a function of numbers is one float to a module's printer (log(10^400) is 921.03,
        # log(1 + exp(800)) is logaddexp(0, 800)): its exact value
        return _exact(node)
    args = [np.float64(_steps(arg, out)) for arg in node.args]
    if isinstance(node, sp.Add):
        return float(np.sum(args))
    if isinstance(node, sp.Mul):
        return float(np.prod(args))
    if isinstance(node, sp.Pow):
        return float(np.power(args[0], args[1]))
    if not all(math.isfinite(a) for a in args):
        return math.nan  # a function of a step already out of range
    # deeper: SymPy evaluates the function from 17-digit floats, bounded even for exp of
    # 1e308 (the result's exponent is large, not its digits)
    return _exact(node.func(*(sp.Float(float(a), 17) for a in args)))


def _exact(number: sp.Expr) -> float:
    try:
        return float(sp.N(number, 17))
    except OverflowError:
        return math.inf
