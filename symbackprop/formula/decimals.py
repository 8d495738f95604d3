"""Which exact numbers print as the decimals a user writes: 1.702, not 851/500.

The parser reads ``1.702`` (and ``2.5e-8``) as an exact rational, and every check compares
exactly; the printers give the number back as it was written where it is a terminating
decimal of a kind people write as one: a denominator with a factor 5 (tenths, hundredths,
851/500, 1.25). Halves, quarters and eighths stay fractions (1/2, 3/4, 5/2), as the lecture
writes them (the 1/2 of a squared error, a square root's derivative, x^(3/2)), as does every
other fraction (1/3, 1/m). A decimal
under 1e-4 in size is written in scientific notation (2.5e-8, 1e-13), which the formula
language reads back.
"""

from __future__ import annotations

from typing import Any

#: the most significant digits a number prints with as a decimal (a longer one: a fraction)
MAX_DIGITS = 17
#: below this size a decimal is written in scientific notation (0.000000025 is 2.5e-8)
SCIENTIFIC_BELOW_EXPONENT = -4


def decimal_text(number: Any) -> str | None:
    """``"1.702"`` for 851/500, ``"-0.01"`` for -1/100, ``"2.5e-8"`` for 1/40000000; None
    where ``number`` (a SymPy number) is no rational printed as a decimal (an integer, 1/2,
    1/3, one of more than :data:`MAX_DIGITS` digits)."""
    if not getattr(number, "is_Rational", False) or number.is_Integer:
        return None
    p, q = int(number.p), int(number.q)
    twos, fives = _power(q, 2), _power(q, 5)
    if q != 2**twos * 5**fives:
        return None
    if fives == 0:
        return None  # 1/2, 3/4, 3/2: the lecture's fractions (x^(3/2), 1/(2 sqrt(x)))
    places = max(twos, fives)  # the fewest decimal places that hold it exactly
    digits = str(abs(p) * 10**places // q)  # exact: q divides 10^places; ends in no 0
    if len(digits) > MAX_DIGITS:
        return None
    sign = "-" if p < 0 else ""
    exponent = len(digits) - 1 - places
    if exponent < SCIENTIFIC_BELOW_EXPONENT:
        mantissa = digits[0] + (f".{digits[1:]}" if len(digits) > 1 else "")
        return f"{sign}{mantissa}e{exponent}"
    whole = digits[:-places] or "0"
    part = digits[-places:].rjust(places, "0")
    return f"{sign}{whole}.{part}"


def number_text(number: Any) -> str:
    """A number in a sentence: :func:`decimal_text`'s decimal where it gives one, else SymPy's
    text (1/2, log(11/10))."""
    import sympy as sp

    return decimal_text(number) or sp.sstr(number)


def _power(q: int, prime: int) -> int:
    count = 0
    while q % prime == 0:
        q //= prime
        count += 1
    return count


def scientific_parts(text: str) -> tuple[str, str] | None:
    """``("2.5", "-8")`` of :func:`decimal_text`'s ``"2.5e-8"`` (for a printer that writes
    2.5 · 10^-8), None of a positional decimal."""
    mantissa, marker, exponent = text.partition("e")
    return (mantissa, exponent) if marker else None
