"""The numeric comparison of a formula with the gradient, entry by entry.

Where a formula cannot be compared exactly (exp, log, or one value written with other functions
than the derivation), both sides are evaluated with the true functions in :data:`DIGITS`-digit
arithmetic. Two matrices count as equal when every entry's difference is at most
:data:`TOLERANCE` times the larger of that entry's two values, so that "equal to
:data:`AGREED_DIGITS` digits" holds for each entry (a bound relative to the largest entry let a
gradient c^2 I + exp(W), c = 1e29, be matched by c^2 I: every off-diagonal entry wrong). An
absolute bound would call every formula equal to a gradient of size 1e-22, and a zero formula
or a flipped sign differs by the whole entry. The bound leaves 15 digits of the 50 for rounding
in cancelling sums. An entry whose two values are both within the arithmetic's rounding unit of
zero, :data:`DIGITS` digits below the largest entry and never above 10^-:data:`DIGITS` itself
(the points' inputs are of order 1), counts as zero on both sides: a true 0 computed as a
cancelling sum of 50-digit values is not exactly 0. A difference below the bound is not seen,
so such a verdict says "equal to :data:`AGREED_DIGITS` digits", never "proved".

The digits are checked before they are counted: each function value is evaluated to
:data:`DIGITS` correct digits (:mod:`symbackprop.check.accuracy`), and the gradient is
evaluated at the same point again with :data:`CHECK_DIGITS` digits (:func:`difference`, the one
comparison of a point that networks and models share); where rounding took the digits
(exp(W) + c - c with c = 1e58 is 0 in 50 digits; a(1 - a) with a = sigmoid(301/2), which is 1
in 50 digits), the same point is evaluated again with more digits, along :data:`LADDER` (100
against 200, then 200 against 400), until two precisions agree; only where the last two still
differ does the check say it cannot decide instead of agreeing with a wrong formula. The point is
never moved: another point in its place changes every later draw, and a wrong formula differing
only in a narrow band (relu' written 1{softplus(z1) > log(2.1)}) passed once so (review 13 R10).
A formula's value that differs from the gradient's is evaluated at the higher precision too: a
formula that lost its own digits there is not called wrong from them, but climbs the ladder.
A formula with an exponential or a root of a varying value (parts that can make terms far
larger than its value) agrees only where it holds its digits at the next precision and at the
top one (terms of 1e130 that cancel round a term of 1/2 away alike in 50 and 100 digits:
review44 #5); other formulas agree at the first (a tie of an indicator rounds either way at a
higher precision). Terms past about 1e365 are beyond the top precision. A known limit: two
precisions that round a value away alike agree (1 - sigmoid(400) is 0 in 50 and in 100
digits, exp(W) + c - c with c = 1e290 is 0 in both), so a value below every precision's
rounding unit is not seen; a formula differing only there (1{z1 < 400} beside a1 (1 - a1) on
a 2-1 network) is not told apart (found by trust14; open).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import sympy as sp

from symbackprop.check.accuracy import LostDigits
from symbackprop.check.exact import NotRationalError, unevaluated
from symbackprop.core.no_value import not_real

#: digits of the true functions' values in the numeric comparison
DIGITS = 50


def entry_name(row: int, col: int) -> str:
    """``[0, 2] (row 1, column 3)``: NumPy's index from 0, and the lecture's from 1, so that
    neither reader misreads it (the index view numbers from 1: hostile43b #8)."""
    return f"[{row}, {col}] (row {row + 1}, column {col + 1})"


#: significant digits both sides must agree to (in each entry, relative to the larger value)
AGREED_DIGITS = 35
TOLERANCE = sp.Float(f"1e-{AGREED_DIGITS}", DIGITS)
#: the digits the same point is evaluated at again, to see that the first evaluation kept its own
CHECK_DIGITS = 2 * DIGITS
#: the precisions one point is evaluated at in turn, each checked against the next, while
#: rounding takes the digits of the previous (a sigmoid' at z = 150 is 1e-65: 1 - a loses 65
#: digits); bounded, as each step doubles the cost of the point's functions
LADDER = (DIGITS, CHECK_DIGITS, 4 * DIGITS, 8 * DIGITS)

#: an evaluator at one point: a matrix expression -> its explicit value there
Evaluate = Callable[[Any], sp.MatrixBase]


class NoGradientValue(ValueError):
    """The gradient has no real value at a point compared with the true functions (a model's
    sqrt(w) at a w below 0, which the exact check's tables gave one): no difference there is
    the formula's."""


def difference(
    at: Callable[[int], Evaluate],
    gradient: Any,
    formula: Any,
    ladder: tuple[int, ...] = LADDER,
) -> tuple[int, int, Any, Any] | None:
    """The first entry ``(row, col, yours, truth)`` where ``formula`` and ``gradient`` differ at
    one point with the true functions, or None.

    ``at(digits)`` draws the point and returns its evaluator, the functions' values correct to
    ``digits`` digits; it is called with the precisions of ``ladder`` (:data:`LADDER`, or a
    shorter start of it) in turn and must draw the same point every time. A value at one
    precision counts once it holds its first :data:`AGREED_DIGITS` digits at the next
    (:func:`_lost`): the gradient, and the formula where it differs or where it magnifies
    (:func:`_magnifies`): a difference, or such an agreement, made of lost digits is no
    verdict. Where the gradient or such a formula loses
    them at every step, LostDigits: the numeric check cannot decide.
    """
    lost = ""
    for low, high in zip(ladder, ladder[1:], strict=False):
        evaluate, evaluate_high = at(low), at(high)
        truth = evaluate(gradient)
        unreal = next((v for v in truth if not_real(v)), None)
        if unreal is not None:  # the formula is not what failed here
            raise NoGradientValue(f"the gradient is {sp.N(unreal, 6)} there, no real number")
        _evaluated(truth, "the gradient")
        lost = _lost(truth, evaluate_high(gradient), "the gradient", low, high)
        if lost:
            continue
        yours = evaluate(formula)
        _evaluated(yours, "your formula")
        found = first_difference(yours, truth, low)
        if found is not None and _below_unit(yours, truth, found, low):
            # both sides of the difference below this arithmetic's rounding unit (inputs are
            # of order 1): the gradient's a1 (1 - a1) at a1 = sigmoid(412) is 0 in 50 and in
            # 100 digits, where the formula's sigmoid(412) sigmoid(-412) holds its 2e-181
            # (hostile47a #3: a right formula called wrong); compared at more digits instead
            found = _beyond_unit(yours, truth, low)
            if found is None:
                i, j = _tiny_difference(yours, truth, low)
                lost = (
                    f"entry {entry_name(i, j)} of the gradient and of your formula are both "
                    f"below 1e-{low}, the rounding unit of {low}-digit arithmetic, and differ "
                    "there, so the numeric check cannot decide"
                )
                continue
        # an agreement counts only where the formula held its digits, as a difference does:
        # exp(201 - sigmoid(-z2)) - exp(200 + a2) + a2 / 2 beside the gradient cancels terms of
        # 1e87, which 50 digits round to the gradient itself (hostile44c #1: a false pass)
        # an agreement is checked only for a formula whose parts can make terms far larger
        # than its value: at a tie of an indicator (relu(a1 + exp(-3)) > exp(-3) at a1 = 0)
        # the higher precision rounds to the other side, and a right formula was "cannot
        # decide" (slow suite); nor by a value SymPy leaves unevaluated there
        magnifies = found is None and _magnifies(formula)
        mine_high = evaluate_high(formula) if found is not None or magnifies else None
        settled = mine_high is not None and (
            found is not None or not any(unevaluated(v) for v in mine_high)
        )
        lost = _lost(yours, mine_high, "your formula", low, high) if settled else ""
        if not lost and magnifies and high != ladder[-1]:
            # exponentials and roots can make terms that both precisions round away alike
            # (exp(301 - sigmoid(-z2)) - exp(300 + a2) + a2 / 2, terms of 1e130: review44 #5;
            # sqrt(10^260 + a2) - ...: review44b #5), so an agreement is checked at the
            # ladder's top too; terms past about 1e360 are beyond it
            top = at(ladder[-1])(formula)
            if not any(unevaluated(v) for v in top):
                lost = _lost(yours, top, "your formula", low, ladder[-1])
        if lost:
            continue
        if found is None:
            return None
        i, j = found
        return i, j, yours[i, j], truth[i, j]
    raise LostDigits(lost)


def _unit(digits: int) -> sp.Float:
    """The rounding unit of ``digits``-digit arithmetic for inputs of order 1."""
    return sp.Float(f"1e-{digits}", digits)


def _below_unit(
    yours: sp.MatrixBase, truth: sp.MatrixBase, at: tuple[int, int], digits: int
) -> bool:
    """Whether entry ``at`` of both sides is a real number below the rounding unit."""
    unit = _unit(digits)
    return all(_real(v[at]) and bool(abs(v[at]) <= unit) for v in (yours, truth))


def _beyond_unit(
    yours: sp.MatrixBase, truth: sp.MatrixBase, digits: int
) -> tuple[int, int] | None:
    """The first difference of the two sides with every entry below the rounding unit on both
    sides counted as 0 on both (such an entry is compared at a higher precision)."""
    unit = _unit(digits)
    mine, theirs = yours.as_mutable(), truth.as_mutable()
    for k, (a, b) in enumerate(zip(yours, truth, strict=True)):
        if _real(a) and _real(b) and bool(abs(a) <= unit) and bool(abs(b) <= unit):
            mine[k], theirs[k] = sp.Integer(0), sp.Integer(0)
    return first_difference(mine, theirs, digits)


def _tiny_difference(yours: sp.MatrixBase, truth: sp.MatrixBase, digits: int) -> tuple[int, int]:
    """The first entry where the two sides differ, both below the rounding unit."""
    found = first_difference(yours, truth, digits)
    assert found is not None
    return found


def _magnifies(formula: Any) -> bool:
    """Whether ``formula`` has an exponential or a root of a value that varies (not of a
    number: exp(-3) makes no large term): parts that can make terms far larger than its value
    from inputs of order 1. Anything but a SymPy expression (a test's stand-in) does not."""
    if not isinstance(formula, sp.Basic):
        return False
    exponentials = formula.atoms(sp.exp)
    powers = formula.atoms(sp.Pow, sp.matrices.expressions.HadamardPower)
    return any(not e.is_number for e in exponentials) or any(
        not getattr(p.exp, "is_integer", False) and not getattr(p.base, "is_number", False)
        for p in powers
    )


def _evaluated(values: sp.MatrixBase, what: str) -> None:
    """LostDigits where an entry of ``values`` holds a function value SymPy left unevaluated
    (it could not tell which side of a piece's edge the argument lies): no verdict reads it,
    and its text (a table's internal name) never reaches a message."""
    for k, value in enumerate(values):
        if unevaluated(value):
            i, j = divmod(k, values.shape[1])
            raise LostDigits(
                f"entry {entry_name(i, j)} of {what} applies a function at an argument whose "
                "side of the function's edge SymPy cannot tell at this point, so the numeric "
                "check cannot decide"
            )


def first_difference(
    yours: sp.MatrixBase, truth: sp.MatrixBase, digits: int = DIGITS
) -> tuple[int, int] | None:
    """The first entry ``(row, col)`` where two same-shaped numeric matrices differ, or None;
    both computed with ``digits`` digits (the rounding unit below which an entry is 0).

    A non-real or undefined entry on either side is a difference (a real gradient has none).
    """
    rows, cols = truth.shape
    for i in range(rows):
        for j in range(cols):
            if not (_real(yours[i, j]) and _real(truth[i, j])):
                return i, j
    scale = max((abs(v) for v in (*yours, *truth)), default=sp.Integer(0))
    zero = sp.Float(f"1e-{digits}", digits) * min(scale, sp.Integer(1))
    for i in range(rows):
        for j in range(cols):
            mine, theirs = abs(yours[i, j]), abs(truth[i, j])
            if bool(mine <= zero) and bool(theirs <= zero):
                continue
            if bool(abs(yours[i, j] - truth[i, j]) > TOLERANCE * max(mine, theirs)):
                return i, j
    return None


def _non_real(value: Any) -> bool:
    """A number that is not a finite real one (0.075 I); not an unevaluated table value
    (``table_fn(...)``), which is no number at all and says nothing of the formula."""
    if not getattr(value, "is_number", False) or _real(value):
        return False
    return not value.atoms(sp.Function)  # a table's value left unevaluated is a Function


def _real(value: Any) -> bool:
    return bool(getattr(value, "is_number", False) and value.is_extended_real and value.is_finite)


def _lost(low: sp.MatrixBase, high: sp.MatrixBase, what: str, digits: int, more: int) -> str:
    """The sentence saying where a ``digits``-digit value ``low`` and the same value at
    ``more`` digits ``high`` differ in their first :data:`AGREED_DIGITS` digits (cancellation
    took the digits the comparison counts on); "" where they agree. An entry that is not a
    finite real number at both precisions (sqrt(z2) where z2 < 0) holds: it is a difference
    of its own, not lost digits."""
    if any(_non_real(a) and _non_real(b) for a, b in zip(low, high, strict=True)):
        # mutable copies, the entries non-real at both precisions set to 0 on both sides
        low, high = low.as_mutable(), high.as_mutable()
        for k, (a, b) in enumerate(zip(low, high, strict=True)):
            if _non_real(a) and _non_real(b):
                low[k], high[k] = sp.Integer(0), sp.Integer(0)
    found = first_difference(low, high, digits)
    if found is None:
        return ""
    i, j = found
    # shown to the digits the comparison counts: at 12 the two could print alike (review44b #7)
    shown = AGREED_DIGITS + 3
    return (
        f"entry {entry_name(i, j)} of {what} is {sp.N(low[i, j], shown)!s} in {digits}-digit "
        f"arithmetic and {sp.N(high[i, j], shown)!s} in {more}-digit arithmetic (rounding took "
        "its digits), so the numeric check cannot decide"
    )


Found = TypeVar("Found")


def confirmed_difference(
    exact: Callable[[], Found | None], true: Callable[[], Found | None]
) -> Found | None:
    """A difference the true functions confirm: ``exact()`` compares with every function a
    table of random rationals, and a difference there may be one value spelled with other
    functions (softplus'(z) for sigmoid(z)), so ``true()`` decides; the exact difference is
    the one reported (its values are exact). Where no exact value exists, ``true()`` alone.
    Where the true functions lose their digits, :class:`LostDigits` is the caller's: nothing
    is decided there, which is not "no difference"."""
    try:
        found = exact()
    except NotRationalError:
        found = None
    else:
        if found is None:
            return None
    confirmed = true()
    return None if confirmed is None else found or confirmed
