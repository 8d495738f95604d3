"""Which exact numbers print as the decimals a user writes: 1.702, not 851/500.

The parser reads ``1.702`` (and ``2.5e-8``) as an exact rational, and every check compares
exactly; the printers give the number back as it was written where it is a terminating
decimal of a kind people write as one, a denominator with a factor 5 (tenths, hundredths,
851/500), in the parser's own spelling of a literal (five zeros or more after the point in
scientific notation, 2.5e-8, which the formula language reads back). Halves, quarters and
eighths stay fractions (1/2, 3/4, 5/2), as the lecture writes them (the 1/2 of a squared
error, a square root's derivative, x^(3/2)), as does every other fraction (1/3, 1/m).
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from symbackprop.formula.ast import number_text

#: the most significant digits a number prints with as a decimal (a longer one: a fraction)
MAX_DIGITS = 17


def decimal_text(number: Any) -> str | None:
    """``"1.702"`` for 851/500, ``"-0.01"`` for -1/100, ``"2.5e-8"`` for 1/40000000 (the
    parser's own spelling of a literal, :func:`~symbackprop.formula.ast.number_text`); None
    where ``number`` (a SymPy number) is no rational printed as a decimal (an integer, 1/2,
    3/4, 1/3, one of more than :data:`MAX_DIGITS` significant digits)."""
    if not getattr(number, "is_Rational", False) or number.is_Integer:
        return None
    p, q = int(number.p), int(number.q)
    twos, fives = _power(q, 2), _power(q, 5)
    if q != 2**twos * 5**fives:
        return None
    if fives == 0:
        return None  # 1/2, 3/4, 3/2: the lecture's fractions (x^(3/2), 1/(2 sqrt(x)))
    places = max(twos, fives)  # the fewest decimal places that hold it exactly
    if len(str(abs(p) * 10**places // q)) > MAX_DIGITS:
        return None
    return ("-" if p < 0 else "") + number_text(Fraction(abs(p), q))


def number_phrase(number: Any) -> str:
    """A number in a sentence: :func:`decimal_text`'s decimal where it gives one, else SymPy's
    text (1/2, log(11/10))."""
    import sympy as sp

    return decimal_text(number) or sp.sstr(number)


def latex_decimal(text: str) -> str:
    """A decimal's text in LaTeX: ``2.5 \\cdot 10^{-8}`` for ``2.5e-8`` (as written, it
    typesets as 2.5e minus 8), else the text itself."""
    mantissa, marker, exponent = text.partition("e")
    return rf"{mantissa} \cdot 10^{{{exponent}}}" if marker else text


def _power(q: int, prime: int) -> int:
    count = 0
    while q % prime == 0:
        q //= prime
        count += 1
    return count
