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


#: a Float whose magnitude is beyond 2^(+-this) (about 1e+-1233) is no value a gradient check
#: compares: its exact rational has that many bits, and every function of it costs as much (a
#: line's far point gave sigmoid(-1.5e6) = 8e-678455, and one search took minutes)
MAX_MAGNITUDE_BITS = 4096


def exact(q: Any) -> Any:
    """A Float as the exact rational it is (its digits are all it knows); anything else as is.
    :class:`LostDigits` for a Float beyond :data:`MAX_MAGNITUDE_BITS`."""
    if not isinstance(q, sp.Float):
        return q
    _sign, mantissa, exponent, bits = q._mpf_
    if mantissa and abs(exponent + bits) > MAX_MAGNITUDE_BITS:
        raise LostDigits(
            f"a value of about {sp.N(q, 3)} is beyond what the numeric check evaluates "
            f"(magnitudes from 1e-1233 to 1e+1233), so the numeric check cannot decide"
        )
    return sp.Rational(q)


def value(expr: Any, digits: int, what: str) -> Any:
    """``expr`` (a number expression; Float arguments are read as the exact rationals they
    are) to ``digits`` correct significant digits; :class:`LostDigits` otherwise."""
    rational = expr.xreplace({f: exact(f) for f in expr.atoms(sp.Float)})
    try:
        return rational.evalf(digits, strict=True)
    except PrecisionExhausted:
        raise LostDigits(
            f"{what} cannot be evaluated to {digits} correct digits (rounding loses it, as "
            "1 - tanh(t)^2 at a large t), so the numeric check cannot decide"
        ) from None
