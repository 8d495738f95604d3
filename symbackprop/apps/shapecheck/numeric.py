"""The numeric comparison of a formula with the gradient, relative to the gradient's size.

Where a formula cannot be compared exactly (exp, log, or one value written with other functions
than the derivation), both sides are evaluated with the true functions in :data:`DIGITS`-digit
arithmetic. Two matrices count as equal when every entry differs by at most :data:`TOLERANCE`
times the largest entry of either (the size of the gradient and of the formula): an absolute
bound would call every formula equal to a gradient of size 1e-22, and a zero formula or a
flipped sign differs by the whole size. The bound leaves 15 digits of the 50 for rounding in
cancelling sums; a difference below it is not seen, so such a verdict says "equal to
:data:`AGREED_DIGITS` digits", never "proved".
"""

from __future__ import annotations

from typing import Any

import sympy as sp

#: digits of the true functions' values in the numeric comparison
DIGITS = 50
#: significant digits both sides must agree to (relative to the larger matrix entry)
AGREED_DIGITS = 35
TOLERANCE = sp.Float(f"1e-{AGREED_DIGITS}", DIGITS)


def first_difference(yours: sp.MatrixBase, truth: sp.MatrixBase) -> tuple[int, int] | None:
    """The first entry ``(row, col)`` where two same-shaped numeric matrices differ, or None.

    A non-real or undefined entry on either side is a difference (a real gradient has none).
    """
    rows, cols = truth.shape
    for i in range(rows):
        for j in range(cols):
            if not (_real(yours[i, j]) and _real(truth[i, j])):
                return i, j
    scale = max((abs(v) for v in (*yours, *truth)), default=sp.Integer(0))
    bound = TOLERANCE * scale
    for i in range(rows):
        for j in range(cols):
            if bool(abs(yours[i, j] - truth[i, j]) > bound):
                return i, j
    return None


def _real(value: Any) -> bool:
    return bool(getattr(value, "is_number", False) and value.is_extended_real and value.is_finite)
