"""A part of a formula decided at the sizes it is compared at, over every entry.

The typer sees generic sizes (A is n x n), where ``A - A^T`` is no more singular than ``A``; at
the model's n = 3, every antisymmetric matrix is singular, and ``x^T (A - A^T) x`` is 0. SymPy
folds ``0 inv(A - A^T)`` to 0 when it is built, before any value is compared, so such a part
is decided here, at each compared size setting, with every entry written out: "0 at every
point" is decided exactly (the expanded polynomial is 0), a random point only says quickly
that a value is not 0 (or a matrix not singular) somewhere.
"""

from __future__ import annotations

import random
from typing import Any

import mpmath
import sympy as sp
from sympy import Determinant, HadamardPower, MatrixSymbol, Trace
from sympy.matrices.exceptions import NonInvertibleMatrixError
from sympy.matrices.expressions.matexpr import MatrixElement

from symbackprop.apps.shapecheck.sampled import too_deep
from symbackprop.apps.shapecheck.sums import unrolled, written_at
from symbackprop.check.explicit import explicit
from symbackprop.core.no_value import defined_nowhere, has_no_value
from symbackprop.core.rank_bound import singular_by_shape

#: significant digits of the quick random-point evaluation
_DIGITS = 30
#: below this size (relative to 1, the scale of the drawn values) a value may be 0
_TINY = sp.Float(10) ** -15
#: the fixed seed of that point: a decision is the same at every run
_SEED = 20261202


def _at(expr: Any, sizes: dict[sp.Symbol, int]) -> Any:
    """``expr`` with each dimension at its size, as SymPy integers: a bare m replaced by a
    Python int has no ``.replace`` (``A3 * sum(X) / m`` was an internal error, hostile43c #5)."""
    return expr.xreplace({dim: sp.Integer(size) for dim, size in sizes.items()})


def _at_to_evaluate(expr: Any, sizes: dict[sp.Symbol, int]) -> Any:
    """:func:`_at` with no function evaluated on the way, for a value that is put at a point
    next and done there: a nest of functions of an entry W2[i, j] (its shape now numbers, its
    index still a summation symbol) is no number, and SymPy asks each level whether it is
    real, in time exponential in the depth (``sum(tanh^8(W2))``: minutes). The bounds of each
    sum are made integers (:func:`~.sums.written_at` writes out a sum with such bounds only),
    in the same walk: a second one rebuilt each parent of a sum with SymPy's evaluation, the
    nest around it too (review48 #1)."""
    rule = {dim: sp.Integer(size) for dim, size in sizes.items()}

    def sized(node: Any) -> Any:
        if node in rule:
            return rule[node]
        if isinstance(node, sp.Sum):
            limits = [
                (k, _integer(low, rule), _integer(high, rule)) for k, low, high in node.limits
            ]
            return node.func(sized(node.function), *limits)
        if not isinstance(node, sp.Basic) or not node.args:
            return node
        return node.func(*(sized(arg) for arg in node.args))

    with sp.evaluate(False):
        return sized(expr)


def _integer(bound: Any, rule: dict[Any, Any]) -> Any:
    """A bound of a sum at the sizes of ``rule``, as a SymPy integer where it is a number
    (n2 - 1 at n2 = 2), else as it is (an outer index in it)."""
    with sp.evaluate(True):  # called inside _at_to_evaluate's unevaluated walk
        value = bound.xreplace(rule)
        return sp.Integer(int(value)) if getattr(value, "is_number", False) else value


def written_out(expr: Any, sizes: dict[sp.Symbol, int]) -> Any:
    """``expr`` at ``sizes`` with its entries written out: an explicit ``Matrix`` (of shape
    rows x cols at those sizes), or a number; a 1 x 1 value's entry (``x^T A x``) written as
    its sum of products."""
    value = _at(expr, sizes)
    # products as matrix arithmetic (check/explicit.py), not an entry's Sum over its index
    value = value.replace(
        lambda e: isinstance(e, MatrixElement) and not isinstance(e.parent, MatrixSymbol),
        lambda e: explicit(e.parent)[e.i, e.j],
    )
    # a determinant or a trace of a matrix expression as its polynomial in the entries:
    # doit() left det(X - X^T) as it stands, never 0 (it is at odd sizes)
    value = value.replace(
        lambda e: isinstance(e, (Determinant, Trace)) and not getattr(e, "is_number", False),
        lambda e: (
            explicit(e.arg).det(method="berkowitz")
            if isinstance(e, Determinant)
            else explicit(e.arg).trace()
        ),
    )
    if getattr(value, "is_Matrix", False):
        entries = [unrolled(entry).doit() for entry in explicit(value)]
        return sp.Matrix(value.rows, value.cols, entries)
    return unrolled(value).doit() if isinstance(value, sp.Basic) else value


class TooDeep(ValueError):
    """A value whose exponentials nest too deeply to be evaluated at a point (the reason is
    the message: :func:`~.sampled.too_deep`)."""


def _at_random(value: Any) -> Any:
    """``value`` with every free entry and symbol a random rational (the same at every run),
    to :data:`_DIGITS` digits. Raises :class:`TooDeep` for nested exponentials: 40 levels of
    exp overflowed inside mpmath (an internal error, exit 3), and 5 took seconds."""
    reason = too_deep(value)
    if reason is not None:
        raise TooDeep(reason)
    rng = random.Random(_SEED)
    free = sorted(value.atoms(MatrixElement, sp.Symbol), key=sp.default_sort_key)
    drawn = {atom: _drawn(rng) for atom in free}
    return value.xreplace(drawn).evalf(_DIGITS)


def _drawn(rng: random.Random) -> sp.Rational:
    """One value of a point: a rational in (-1, 1), the same at every run of ``rng``."""
    return sp.Rational(rng.randint(-997, 997), 1009)


def _surely_not_zero(number: Any) -> bool:
    return bool(getattr(number, "is_Number", False) and abs(number) > _TINY)


def zero_everywhere(value: Any) -> bool:
    """Whether the number ``value`` (written out) is 0 at every point: decided exactly."""
    if _surely_not_zero(_at_random(value)):
        return False
    return bool(sp.expand(value) == 0)


def number_at_a_point(expr: Any, sizes: dict[sp.Symbol, int]) -> Any:
    """The number ``expr`` (a scalar of matrix expressions: det(X) - det(X^T)) at ``sizes`` and
    one random point (each name a random rational matrix, the same at every run), computed in
    numbers before anything is written out (det(inv(A)) written out at a 4 x 4 A takes
    seconds); None where it is not evaluated to a number (an element-wise function, a
    scalar name). A finite real value there shows the number is not undefined everywhere."""
    value = _at_to_evaluate(expr, sizes)
    if too_deep(value):  # exp(exp(...)) 40 deep: its number is not computed (TooDeep, later)
        return None
    rng = random.Random(_SEED)
    # functions' values (cos(1/3)) in exact arithmetic swell: det(cos(A)) of a 3 x 3 A ran
    # for ten minutes expanding its products (hostile47b #1); read to 30 digits instead, a
    # value that is clearly not 0 there, else nothing
    approximate = any(not isinstance(f, _EXACT) for f in value.atoms(sp.Function))
    try:
        point = {
            name: sp.ImmutableMatrix(
                int(name.rows), int(name.cols), [_drawn(rng) for _ in range(name.rows * name.cols)]
            )
            for name in sorted(value.atoms(MatrixSymbol), key=sp.default_sort_key)
        }
        if approximate:
            return _read_in_digits(value, point)
        number = _explicit_powers(written_at(value, point)).doit()
    except (TypeError, ValueError, ArithmeticError, IndexError, NonInvertibleMatrixError):
        # IndexError: an entry past a matrix's end, where shapes fit only at equal widths
        return None
    return number if getattr(number, "is_number", False) else None


def _read_in_digits(value: Any, point: dict[Any, sp.ImmutableMatrix]) -> Any:
    """``value`` at ``point`` read in :data:`_DIGITS` and twice as many digits: the first
    where the two agree to 15 digits and it is clearly not 0, else None (decided written out).
    A cancellation to 0 inside a function reads as rounding noise that shrinks with the
    digits: log(det(X - X^T)) at an odd n is log(1e-30), then log(1e-60), not a number. The
    value itself shrinking so (log(det(X) - det(X^T) + 1) is log(1) = 0) is 0 there, a
    number: written out instead, a 7 x 7 determinant's expansion took minutes."""
    read = []
    for digits in (_DIGITS, 2 * _DIGITS):
        at = {name: matrix.evalf(digits) for name, matrix in point.items()}
        number = _explicit_powers(written_at(value, at)).doit()
        if not getattr(number, "is_number", False):
            return None
        number = sp.N(number, digits)
        if not finite_real(number):
            return None
        read.append(number)
    low, high = read
    if abs(low) <= _TINY and abs(high) <= _TINY:
        # rounding noise that shrinks with the digits (or 0 in both): the value is 0 there
        shrinks = abs(high) <= abs(low) * sp.Float("1e-20", _DIGITS)
        return sp.Integer(0) if shrinks else None
    if abs(low) <= _TINY or abs(high) <= _TINY:
        return None
    return low if bool(abs(low - high) <= sp.Float("1e-15", _DIGITS) * abs(high)) else None


#: functions exact at rational arguments (pieces): a point with them stays exact
_EXACT = (sp.Piecewise, sp.Abs, sp.Max, sp.Min, sp.sign, sp.Heaviside)
#: the digits a point with other functions' values is read to
_DIGITS = 30


def _explicit_powers(expr: Any) -> Any:
    """``expr`` with each element-wise power of an explicit matrix (``A^0`` at a point) taken
    entry by entry: SymPy's doit leaves it as it is, so det(A ⊙ A^0) was no number at a
    point, and its 7 x 7 determinant was expanded symbolically instead (minutes,
    hostile32b)."""

    def power(node: HadamardPower) -> Any:
        base = node.base.doit()
        if isinstance(base, sp.MatrixBase) and not base.free_symbols:
            return sp.ImmutableMatrix(base.applyfunc(lambda v: v**node.exp))
        return node

    return expr.replace(lambda node: isinstance(node, HadamardPower), power)


def finite_real(number: Any) -> bool:
    """Whether ``number`` (from :func:`number_at_a_point`) is a finite real number."""
    return bool(
        number is not None and not has_no_value(number) and number.is_extended_real is True
    )


def invertible_at_a_point(expr: Any, sizes: dict[sp.Symbol, int]) -> bool:
    """Whether the square matrix expression ``expr`` at ``sizes`` is invertible at one random
    point (each name a random rational matrix, the same at every run), computed in numbers
    before anything is written out: the symbolic entries of inv(A A A A A A) at a 3 x 3 A took
    seconds each (hostile tester 23). ``False`` says nothing (singular there, or not
    evaluated: a scalar name or an entry in it); :func:`singular_everywhere` decides then."""
    value = _at(expr, sizes)
    names = sorted(value.atoms(MatrixSymbol), key=sp.default_sort_key)
    rng = random.Random(_SEED)
    try:
        point = {
            name: sp.ImmutableMatrix(
                int(name.rows), int(name.cols), [_drawn(rng) for _ in range(name.rows * name.cols)]
            )
            for name in names
        }
        numeric = sp.ImmutableMatrix(unrolled(_explicit_powers(value.xreplace(point))).doit())
    except (TypeError, ValueError, ArithmeticError):
        return False
    if numeric.free_symbols or not numeric.is_square:
        return False
    if all(v.is_Rational for v in numeric):
        return bool(numeric.det(method="bareiss") != 0)
    return _clearly_nonsingular(numeric)


def _clearly_nonsingular(numeric: sp.ImmutableMatrix) -> bool:
    """Whether a square matrix of numbers with functions' values in it (exp(1/3), cos(2)) is
    invertible, read to 30 digits: its determinant above 10^-15 of Hadamard's bound (the
    product of its rows' lengths); a complex value (the log of a negative draw) shows it as
    well as a real one. Exact, Bareiss multiplied out the values' expressions (inv(exp(A)) at
    a 3 x 3 A ran for ten minutes: hostile47b #1); False says nothing."""
    with mpmath.workdps(30):
        try:
            values = [
                [mpmath.mpmathify(complex(v)) for v in numeric.row(i)] for i in range(numeric.rows)
            ]
        except (TypeError, ValueError, OverflowError):
            return False
        if not all(mpmath.isfinite(v) for row in values for v in row):
            return False
        return _det_above(mpmath.matrix(values), mpmath.mpf("1e-15"))


def rank_deficient(expr: Any, sizes: dict[sp.Symbol, int]) -> bool:
    """Whether the square matrix expression ``expr`` at ``sizes`` is singular from its shapes
    alone (A^T A of an r x c A with r < c: :func:`~symbackprop.core.rank_bound.rank_bound`).
    Written out instead, a 5 x 5 A^T A's determinant took a minute to expand (hostile31 F7)."""
    return singular_by_shape(expr, sizes) is not None


def singular_everywhere(matrix: sp.Matrix) -> bool:
    """Whether the square ``matrix`` (written out) is singular at every point: its
    determinant expands to 0 where its entries are polynomials in the point's values (or it
    is at most :data:`EXPANDED_ROWS` square); else read in numbers (:func:`_singular_in_digits`):
    the Berkowitz determinant of a 7 x 7 ``exp(w w^T)`` did not finish expanding in minutes
    (hostile48d #5), a matrix that is invertible wherever w's entries differ."""
    if _surely_not_zero(_at_random(matrix).det()):
        return False
    names = sorted(matrix.atoms(MatrixElement, sp.Symbol), key=sp.default_sort_key)
    if matrix.rows <= EXPANDED_ROWS or all(v.is_polynomial(*names) for v in matrix):
        return bool(sp.expand(matrix.det(method="berkowitz")) == 0)
    if any(v.has(*_EXACT) for v in matrix):
        # a piece (exp(A) ⊙ 1{A > 0.5}) is singular at the points drawn and invertible
        # elsewhere: two points say nothing of every point, and nothing is claimed (review49 #2)
        return False
    return _singular_in_digits(matrix, names)


#: a square matrix of functions' values up to this size has its determinant expanded exactly
EXPANDED_ROWS = 3
#: the digits :func:`_singular_in_digits` reads a determinant to, in turn
SINGULAR_DIGITS = (60, 120, 240, 480, 960)


def _singular_in_digits(matrix: sp.Matrix, names: list[Any]) -> bool:
    """Whether ``matrix`` is singular at two random points to every digit read: its determinant
    there below 10^(-2D/3) of Hadamard's bound (the product of its rows' lengths) at each of
    :data:`SINGULAR_DIGITS` D. Rounding leaves a singular matrix's determinant near 10^-D of the
    bound; an invertible one stands above the threshold once D is large enough (``exp(w w^T)``
    of seven entries of w in (-1, 1): 6e-22 of its bound, twelve: 4e-88)."""
    rng = random.Random(_SEED)
    points = [{name: _drawn(rng) for name in names} for _ in range(2)]
    for digits in SINGULAR_DIGITS:
        with mpmath.workdps(digits):
            threshold = mpmath.mpf(10) ** (-(2 * digits) // 3)
            for point in points:
                try:
                    values = mpmath.matrix(
                        [
                            [_mp(v.xreplace(point), digits) for v in matrix.row(i)]
                            for i in range(matrix.rows)
                        ]
                    )
                except (TypeError, ValueError, ArithmeticError):
                    return False  # no value at the point: nothing said
                if _det_above(values, threshold):
                    return False
    return True


def _det_above(values: Any, share: Any) -> bool:
    """Whether the determinant of the square mpmath matrix ``values`` is above ``share`` of
    Hadamard's bound (the product of its rows' lengths): clearly not 0 at the precision it
    was computed to."""
    bound = mpmath.fprod(mpmath.norm(values[i, :]) for i in range(values.rows))
    return bool(bound > 0 and abs(mpmath.det(values)) > share * bound)


def _mp(value: Any, digits: int) -> Any:
    """The number ``value`` (a SymPy expression of rationals) as an mpmath number of ``digits``
    digits, complex where it is (the log of a negative draw)."""
    number = sp.N(value, digits)
    real, imaginary = number.as_real_imag()
    if not (real.is_Number and imaginary.is_Number):
        raise ValueError(f"{value} is no number")
    if imaginary == 0:
        return mpmath.mpf(real._to_mpmath(mpmath.mp.prec))
    return mpmath.mpc(real._to_mpmath(mpmath.mp.prec), imaginary._to_mpmath(mpmath.mp.prec))


def undefined_entries(matrix: sp.Matrix) -> list[tuple[int, int]]:
    """The entries of ``matrix`` (written out) that are undefined at every point (``log(0)``,
    ``1/0``: an infinity or NaN once expanded)."""
    return [
        (i, j)
        for i in range(matrix.rows)
        for j in range(matrix.cols)
        if defined_nowhere(_expanded(matrix[i, j]))
    ]


#: a power of a sum with an exponent up to this is multiplied out to find a 0 it hides
MULTINOMIAL_EXPONENT = 4


def _expanded(entry: Any) -> Any:
    """``sp.expand(entry)``, multiplying out a power of a sum only where its exponent is at
    most :data:`MULTINOMIAL_EXPONENT`: (a3 + x1 + x2 + x3)^100 has 176,851 terms, and
    ``shapecheck`` of ``(a3 + sum(x))^100 a2^T`` took 107 s (hostile43a #1)."""
    powers = (
        [
            abs(int(p.exp))
            for p in entry.atoms(sp.Pow)
            if p.exp.is_Integer and isinstance(p.base, sp.Add)
        ]
        if isinstance(entry, sp.Basic)
        else []
    )
    return sp.expand(entry, multinomial=max(powers, default=0) <= MULTINOMIAL_EXPONENT)


def show_sizes(sizes: dict[sp.Symbol, int]) -> str:
    """``{n: 3, m: 2}`` -> ``'n = 3, m = 2'``."""
    return ", ".join(f"{dim} = {size}" for dim, size in sizes.items())
