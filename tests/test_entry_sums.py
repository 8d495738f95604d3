"""A formula's sum of entries searches no closed form (it took 5-10 s a check).

``sum((A w - b)^2)`` is a SymPy ``Sum`` over the entry indices; every product it was a factor
of ran SymPy's ``doit`` on it, which searches a closed form (Gosper's algorithm) that an entry
of a matrix never has: 0.3-0.5 s each, and the truth of a least-squares model's dJ/dw read
back in 8 s. The sum is kept as it is where its bounds are sizes, and written out as its terms
where they are numbers: the same values (checked exactly here), no closed-form search
(SymPy's ``eval_sum`` is made to fail in the check).
"""

from __future__ import annotations

import random

import pytest
import sympy as sp
import sympy.concrete.summations as summations

import symbackprop as sb
from symbackprop.apps.shapecheck.sums import EntrySum, entry_sums, unrolled
from symbackprop.model import Model

WIDE = (
    "A : r x c\nw : c x 1\nb : r x 1\nsizes: r = 5, c = 6\n"
    "J = (1/2) norm2(A w - b)^2\ndata: A, b\n"
)


@pytest.mark.slow  # over 0.5 s of the default suite's time (2026-12-07)
def test_a_least_squares_check_searches_no_closed_form(monkeypatch: pytest.MonkeyPatch) -> None:
    def refused(*args: object, **kwargs: object) -> None:
        raise AssertionError("a closed form was searched for a sum of entries")

    model = Model.parse(WIDE)
    sb.derive(model)  # the derivation's own sums are not this test's
    monkeypatch.setattr(summations, "eval_sum", refused)
    report = sb.check_formula(model, "w", "A^T (A w - b)")
    assert report.ok, report
    wrong = sb.check_formula(model, "w", "2 A^T (A w - b)")
    assert wrong.equal is False and wrong.counterexample is not None


def test_a_sum_with_numeric_bounds_is_its_terms() -> None:
    n = sp.Symbol("n", integer=True, positive=True)
    A = sp.MatrixSymbol("A", n, n)
    total = (sp.OneMatrix(1, n) * sp.HadamardPower(A, 2) * sp.OneMatrix(n, 1))[0, 0]
    rng = random.Random(3)
    point = sp.ImmutableMatrix(3, 3, [sp.Rational(rng.randint(-9, 9), 7) for _ in range(9)])
    at = total.xreplace({n: 3}).xreplace({A.xreplace({n: 3}): point})
    expected = sum(v**2 for v in point)
    assert unrolled(at).doit() == expected
    assert entry_sums(at).doit() == expected
    assert not unrolled(at).has(sp.Sum)


def test_a_summand_free_of_the_index_is_counted() -> None:
    """sum(x^0) reads as n: the count, as SymPy's own doit gives it."""
    n, k = sp.symbols("n k", integer=True, positive=True)
    i, j = sp.symbols("i j", integer=True)
    assert EntrySum(sp.Integer(1), (i, 0, n - 1), (j, 0, k - 1)).doit() == n * k
    x = sp.MatrixSymbol("x", n, 1)
    kept = EntrySum(x[i, 0], (i, 0, n - 1)).doit()
    assert isinstance(kept, EntrySum) and kept == EntrySum(x[i, 0], (i, 0, n - 1))


def test_a_sum_that_fits_only_at_equal_widths_is_a_shape_error_not_a_crash() -> None:
    """hostile37c #5: sum(W1^T x) on 4-4-4-1 fits because n0 = n1; written out at other
    widths an entry fell past a matrix's end (IndexError, exit 3). It is the formula's shape
    problem, said so (exit 1)."""
    truth = "((W3^T (a3 - y)) ⊙ a2 ⊙ (1 - a2)) a1^T"
    report = sb.check_formula("4-4-4-1", "W2", f"(1 + sum(W1^T x)) {truth}")
    assert report.exit_code == 1 and report.ok is False
