"""A true function's value to a stated number of digits, or a refusal.

A value in floating point can lose every digit: at z = 300, tanh(z) rounds to 1 in 50 digits and
tanh'(z) = 1 - tanh(z)^2 to exactly 0, so a formula 0 "agrees" with the gradient. :func:`value`
evaluates a function's body at the exact rational of its argument with SymPy's ``strict``
evalf, which raises the working precision (boundedly) until the result carries ``digits``
correct digits, and raises :class:`LostDigits` when it cannot.
"""

from __future__ import annotations

from typing import Any

import sympy as sp
from sympy.core.evalf import PrecisionExhausted


class LostDigits(Exception):  # noqa: N818 - a verdict, not a programming error
    """A value cannot be evaluated to the digits the numeric comparison needs.

    Deliberately not a ValueError: a point outside a domain is redrawn, this is not.
    """


def exact(q: Any) -> Any:
    """A Float as the exact rational it is (its digits are all it knows); anything else as is."""
    return sp.Rational(q) if isinstance(q, sp.Float) else q


def value(expr: Any, digits: int, what: str) -> Any:
    """``expr`` (a number expression; Float arguments are read as the exact rationals they
    are) to ``digits`` correct significant digits; :class:`LostDigits` otherwise."""
    rational = expr.xreplace({f: sp.Rational(f) for f in expr.atoms(sp.Float)})
    try:
        return rational.evalf(digits, strict=True)
    except PrecisionExhausted:
        raise LostDigits(
            f"{what} cannot be evaluated to {digits} correct digits (rounding loses it, as "
            "1 - tanh(t)^2 at a large t), so the numeric check cannot decide"
        ) from None
