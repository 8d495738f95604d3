"""A function of the formula that is real nowhere: refused before SymPy folds it away.

``0 log(-exp(W2))`` is undefined in every entry, but SymPy folds ``0 M``, ``(W2 - W2) ⊙ M`` and
``M - M`` to zero before any value is computed, so the comparison never meets the log. The
typing walk (:mod:`.typing_`) therefore evaluates each function's generic entry
(``log(-exp(W2[0, 0]))``) at a few values of its names, before folding: one that is not a real
number at every one of them is refused, as ``log(-1)`` is.
"""

from __future__ import annotations

import random
from typing import Any

import sympy as sp
from sympy.matrices.expressions.matexpr import MatrixElement

from symbackprop.check.identity_zeros import rounding_zero
from symbackprop.core.no_value import has_no_value
from symbackprop.formula.float_range import exponential_depth

#: the values every name's entries take in turn (both signs, small and large), so that a
#: function real somewhere (log(W2), sqrt(W2 ⊙ W2 - 4)) is real at one of them
SAMPLES = (sp.Rational(-3), sp.Rational(-1, 2), sp.Rational(1, 3), sp.Integer(2), sp.Integer(5))


#: the sizes a generic dimension takes here in turn (the formula checker's three settings)
SAMPLE_SIZES = (sp.Integer(2), sp.Integer(3), sp.Integer(4))


#: exponentials nested deeper than this are not evaluated here (exp(exp(5)) is about 10^64)
MAX_EXPONENTIAL_DEPTH = 2


def too_deep(expr: Any) -> str | None:
    """Why ``expr`` is not evaluated at numbers (exponentials nested deeper than
    :data:`MAX_EXPONENTIAL_DEPTH`), or ``None``."""
    depth = exponential_depth(expr)
    if depth <= MAX_EXPONENTIAL_DEPTH:
        return None
    return (
        f"exponentials nest {depth} deep in it; values are evaluated through at most "
        f"{MAX_EXPONENTIAL_DEPTH} (exp(exp(5)) is about 10^64, and each level more is "
        "beyond any evaluation)"
    )


def _centres(count: int) -> list[tuple[sp.Rational, ...]]:
    """The values ``count`` names are set near in turn: all near each of :data:`SAMPLES`, then
    each near another one (name i near sample i + k for every k), so that a difference of two
    names takes both signs: near one value, (a3 - y)^(1/3) has the sign of the offsets alone
    and was refused as real nowhere (hostile43a #7)."""
    together = [(value,) * count for value in SAMPLES]
    if count < 2:
        return together
    apart = [
        tuple(SAMPLES[(i + k) % len(SAMPLES)] for i in range(count)) for k in range(len(SAMPLES))
    ]
    return together + apart


def nowhere_real(text: str, entry: Any) -> str | None:
    """Why ``entry`` (a matrix's generic entry, in its names' entries) is no real number at any
    of :data:`SAMPLES`, or ``None`` (real at one of them, a number, or not evaluated)."""
    if not isinstance(entry, sp.Basic) or getattr(entry, "is_number", False):
        return None
    if too_deep(entry):
        # exp(exp(exp(exp(5)))) has an exponent of 10^64 digits: SymPy's evaluation of it does
        # not come back (the numeric comparison refuses such a size in one line instead)
        return None
    scalars = {s for s in entry.free_symbols if isinstance(s, sp.Symbol) and not s.is_integer}
    names = sorted({*entry.atoms(MatrixElement), *scalars}, key=str)
    # a dimension (a positive integer: m, or n0 in sum(x) = Sum(x[i, 0], (i, 0, n0 - 1))) takes
    # each of SAMPLE_SIZES: a number of the sizes alone, sqrt(-1 - m), is sampled too, and one
    # real at some size, sqrt(n0 - 3 - ...), is not refused (review22)
    dims = sorted(
        (s for s in entry.free_symbols if isinstance(s, sp.Symbol) and s.is_integer), key=str
    )
    if not names and not dims:
        return None
    # each name a little apart: one value for all would make inv(W) singular, and so would
    # steps of one size (i/7: a 3 x 3 W's rows in arithmetic progression are dependent, and a
    # right inv(A)^T was refused: hostile tester 23); drawn offsets make no such pattern
    # distinct (review23: two of 10 names drew 37/64), in (0, 1), the same at every run
    pool = 8 * len(names) + 64
    offsets = [
        sp.Rational(k, pool) for k in random.Random(len(names)).sample(range(1, pool), len(names))
    ]
    for size in SAMPLE_SIZES if dims else (None,):
        sizes = {dim: size for dim in dims}
        for centres in _centres(len(names)):
            # floats, not rationals: ((a3^999)^999)^999 at a rational is an exact power of
            # billions of digits; only realness is asked here
            values = {
                name: sp.Float(centre + off, 15)
                for name, centre, off in zip(names, centres, offsets, strict=True)
            } | sizes
            try:
                at = sp.N(entry.xreplace(values), 15)
            except (ValueError, TypeError, ArithmeticError, RecursionError):
                return None
            if not at.is_number:
                return None  # an opaque part SymPy cannot evaluate: left to the comparison
            if not has_no_value(at) and at.is_extended_real is not False:
                return None
    shown = ", ".join(str(v) for v in SAMPLES)
    return (
        f"'{text}' is not a real number in any entry at the values tried (the entries of "
        f"its names near {shown} in turn"
        + (", all near one value and each near another" if len(names) > 1 else "")
        + (", each size 2, 3 and 4" if dims else "")
        + "): a formula must be real"
    )


#: the points an argument is judged at, and the seed of their values (the same at every run)
_IDENTITY_POINTS = 2
_IDENTITY_SEED = 20261205
#: functions that are exact at rationals (their 0 is a point outside a domain, not an identity)
_EXACT_FUNCTIONS = (sp.Piecewise, sp.Max, sp.Min, sp.Abs, sp.sign, sp.Heaviside)


def zero_by_identity(text: str, entry: Any) -> str | None:
    """Why ``entry`` (a log's, a root's or a negative power's generic entry) has no value at
    any point: its argument is 0 by an identity of its functions (``log(sigmoid(W2) +
    sigmoid(-W2) - 1)``), which SymPy's ``expand`` does not see and 15-digit floats round to
    either sign (hostile31 F9: ``0 * sum(...)`` of it passed or not by that sign). The argument
    is evaluated at :data:`_IDENTITY_POINTS` random points at 30 and 60 digits: rounding noise
    around 0 at both (it shrinks with the digits) is 0, unless it is 0 with each function
    application read as an independent random rational too (relu(W2) at a negative W2 is a
    point outside log's domain, not an identity)."""
    if isinstance(entry, sp.log):
        arg = entry.args[0]
    elif isinstance(entry, sp.Pow) and not (entry.exp.is_integer and entry.exp.is_nonnegative):
        arg = entry.base
    else:
        return None
    if not isinstance(arg, sp.Basic) or arg.is_number or too_deep(arg):
        return None
    applied = sorted(
        (f for f in arg.atoms(sp.Function) if not isinstance(f, _EXACT_FUNCTIONS)), key=str
    )
    if not applied:
        return None  # rational in its names: SymPy's expand decides a 0 (typing_)
    names = sorted(
        {*arg.atoms(MatrixElement), *(s for s in arg.free_symbols if not s.is_integer)}, key=str
    )
    dims = {
        s: sp.Integer(2) for s in arg.free_symbols if isinstance(s, sp.Symbol) and s.is_integer
    }
    rng = random.Random(_IDENTITY_SEED)
    for _ in range(_IDENTITY_POINTS):
        values = {name: sp.Rational(rng.randint(-997, 997), 1009) for name in names} | dims
        try:
            point = arg.xreplace(values)
            coarse, fine = sp.N(point, 30), sp.N(point, 60)
        except (ValueError, TypeError, ArithmeticError, RecursionError):
            return None
        if not (coarse.is_real and fine.is_real):
            return None
        if not rounding_zero(coarse, fine):  # the model check's rule (check/identity_zeros)
            return None
        tables = {f: sp.Rational(rng.randint(1, 997), 1009) for f in applied}
        if arg.xreplace(tables).xreplace(values) == 0:
            return None
    return (
        f"'{text}' is undefined at every point: its argument is 0 there (at the points drawn, "
        "to 60 digits: an identity of its functions), so the formula is not a real number"
    )
