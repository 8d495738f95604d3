"""Which exact numbers print as the decimals a user writes: 1.702, not 851/500.

The parser reads ``1.702`` as the exact rational 851/500, and every check compares exactly;
the printers give the number back as it was written where that is a terminating decimal of a
kind people write as one: a denominator with a factor 5 (tenths, hundredths, 851/500). Halves,
quarters and eighths (1/2, 3/4) stay fractions, as the lecture writes them (the 1/2 of a
squared error, of a square root's derivative); every other fraction (1/3, 1/m) too.
"""

from __future__ import annotations

from typing import Any

#: the most digits after the point a number prints with as a decimal (1/10^58 stays 1/10^58)
MAX_PLACES = 12


def decimal_text(number: Any) -> str | None:
    """``"1.702"`` for 851/500, ``"-0.01"`` for -1/100; None where ``number`` (a SymPy
    number) is no rational printed as a decimal (an integer, 1/2, 1/3, 1/10^13)."""
    if not getattr(number, "is_Rational", False) or number.is_Integer:
        return None
    p, q = int(number.p), int(number.q)
    twos, fives = _power(q, 2), _power(q, 5)
    if fives == 0 or q != 2**twos * 5**fives:
        return None
    places = max(twos, fives)
    if places > MAX_PLACES:
        return None
    scaled = abs(p) * 10**places // q  # exact: q divides 10^places
    whole, part = divmod(scaled, 10**places)
    digits = str(part).rjust(places, "0").rstrip("0")
    return f"{'-' if p < 0 else ''}{whole}.{digits}"


def _power(q: int, prime: int) -> int:
    count = 0
    while q % prime == 0:
        q //= prime
        count += 1
    return count


def number_text(number: Any) -> str:
    """A number in a sentence: :func:`decimal_text`'s decimal where it gives one, else SymPy's
    text (1/2, log(11/10))."""
    import sympy as sp

    return decimal_text(number) or sp.sstr(number)
