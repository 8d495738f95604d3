"""A sum over the entries of a value that is no leaf: its pieces switch where the value does.

``sum(relu(W1 x - 100))`` is written out by SymPy as relu(Sum(W1[i, k] x[k, 0], k) - 100)
summed over i. Its pieces were read as no switch at all (only a sum over one leaf's entries
was), so a formula wrong only where W1 x > 100 passed at the random points (review47b), and
the activation applied to a number inside the sum was left unevaluated (relu(85)), which no
comparison could read.
"""

from __future__ import annotations

import random

import pytest
import sympy as sp

import symbackprop as sb
from symbackprop.check.entry_matrix import matrix_of_entry

RELU_NET = "4-3:relu-2:relu-1"
RIGHT_W3 = "(a3 - y) a2^T"


@pytest.mark.parametrize(
    "extra",
    [
        pytest.param("sum(relu(W1 x - 100))", marks=pytest.mark.slow),
        "sum(1{W2 a1 > 50})",
        pytest.param("sum(relu(W2 relu(W1 x) - 100))", marks=pytest.mark.slow),
        pytest.param("sum(abs(x^T W1^T - 30) - (x^T W1^T - 30))", marks=pytest.mark.slow),
        # an outer product: entry (i, j) is x_i x_j, no sum inside (review48 #5)
        pytest.param("sum(relu(x x^T - 100))", marks=pytest.mark.slow),
    ],
)
def test_a_formula_wrong_only_where_a_summed_value_is_large_fails(extra: str) -> None:
    """The formula is the gradient times 1 + (a sum that is 0 at every random point and
    positive where the value inside passes its threshold): not the gradient."""
    report = sb.check_formula(sb.Network.parse(RELU_NET), "W3", f"{RIGHT_W3} * (1 + {extra})")
    assert report.exit_code == 1 and report.equal is False


@pytest.mark.slow  # over 1 s of the default suite's time (2026-12-07)
def test_a_models_sum_of_an_indicator_of_a_residual_fails() -> None:
    """review47b, norm1: the right gradient times 1 + sum(1{A x - y > 100}) is wrong wherever
    a residual passes 100, and passed."""
    right = "(1{A x - y > 0} - 1{A x - y < 0}) x^T"
    model = "examples/models/norm1.model"
    assert sb.check_formula(model, "A", right).equal
    wrong = sb.check_formula(model, "A", f"{right} * (1 + sum(1{{A x - y > 100}}))")
    assert wrong.exit_code == 1 and wrong.equal is False


@pytest.mark.parametrize("extra", ["0 * sum(relu(W1 x))", "sum(relu(W1 x)) - sum(relu(W1 x))"])
@pytest.mark.slow  # over 0.5 s of the default suite's time (2026-12-07)
def test_a_sum_of_an_activation_that_cancels_still_passes(extra: str) -> None:
    """The activation inside the sum is evaluated (the table's relu on both sides): a formula
    equal to the gradient passes, exactly."""
    report = sb.check_formula(sb.Network.parse(RELU_NET), "W3", f"{RIGHT_W3} * (1 + {extra})")
    assert report.exit_code == 0 and report.equal


r, c, n, p = sp.symbols("r c n p", integer=True, positive=True)
SIZES = {r: 3, c: 4, n: 2, p: 3}
W = sp.MatrixSymbol("W", r, c)
V = sp.MatrixSymbol("V", n, r)
U = sp.MatrixSymbol("U", c, p)
x = sp.MatrixSymbol("x", c, 1)
i, j = sp.symbols("i j", integer=True)


def _equal_at_random_values(found: sp.MatrixExpr, expected: sp.MatrixExpr) -> bool:
    """The two at the sizes of SIZES and random integer matrices, written out."""
    rng = random.Random(1)
    leaves = {}
    for s in expected.atoms(sp.MatrixSymbol):
        rows, cols = (int(d.xreplace(SIZES)) for d in s.shape)
        leaves[s] = sp.ImmutableMatrix(rows, cols, lambda _i, _j: rng.randint(-9, 9))

    def value(e: sp.MatrixExpr) -> sp.Matrix:
        concrete = e.xreplace(leaves).xreplace(SIZES)
        return sp.Matrix(concrete.doit().as_explicit()).applyfunc(sp.nsimplify)

    return bool(value(found) == value(expected))


@pytest.mark.parametrize(
    "expected",
    [
        W * x - 100 * sp.OneMatrix(r, 1),
        V * W * x,
        (W * x).T,
        sp.HadamardProduct(W * x, W * x) + 2 * W * x,
        V * W * U,
        sp.sqrt(2) * W * U - sp.OneMatrix(r, p),
        3 * (W * x) * x.T,
    ],
    ids=[
        "W x - 100",
        "V W x",
        "(W x)^T",
        "(W x)^2 + 2 W x",
        "V W U",
        "sqrt2 W U - 1",
        "3 (W x) x^T",
    ],
)
def test_a_written_out_entry_is_read_back_as_its_matrix(expected: sp.MatrixExpr) -> None:
    """matrix_of_entry reads E[i, j] (each product a Sum over its inner index, the sizes
    generic) back as a matrix equal to E."""
    rows, cols = expected.shape
    index = (i if rows != 1 else sp.Integer(0), j if cols != 1 else sp.Integer(0))
    found = matrix_of_entry(expected[index], index, (rows, cols))
    assert found is not None and found.shape == expected.shape
    assert _equal_at_random_values(found, expected)


def test_an_entry_summed_along_no_chain_is_not_read() -> None:
    """A diagonal entry as a column ((S S)[i, i] read as the i-th entry: the row index used
    at both ends of the chain) and an index used the other way round give None: no matrix is
    claimed that the entry is not. A sum that does not read the entry's index is the same
    number in every entry."""
    k = sp.Symbol("k", integer=True)
    square = sp.MatrixSymbol("S", r, r)
    diagonal = sp.Sum(square[i, k] * square[k, i], (k, 0, r - 1))
    assert matrix_of_entry(diagonal, (i, sp.Integer(0)), (r, 1)) is None
    trace_like = sp.Sum(W[k, k] * x[k, 0], (k, 0, r - 1))
    assert matrix_of_entry(trace_like, (i, sp.Integer(0)), (r, 1)) == trace_like * sp.OneMatrix(
        r, 1
    )
    assert matrix_of_entry(W[j, i], (i, j), (r, c)) is None


@pytest.mark.slow  # over 0.5 s of the default suite's time (2026-12-07)
def test_an_indicator_of_a_count_keeps_its_sum() -> None:
    """SymPy's piecewise_fold, run on every Piecewise condition, folded the summand's piece
    out of the sum: ``1{sum(1{x > 0}) > 5}`` became ``ITE(x[i, 0] > 0, n0 > 5, False)`` with
    the index i free, and the check's reason dumped that unevaluated value (hostile48a #7)."""
    report = sb.check_formula(
        sb.Network.parse("4-3-2-1"), "W3", "(a3 - y) a2^T * (1 + 1{sum(1{x > 0}) > 5})"
    )
    typed = report.expression
    assert typed is not None and not any(
        isinstance(node, sp.ITE) for node in sp.preorder_traversal(typed)
    )
    assert "_i" not in str(report.error or "") and "Piecewise" not in str(report.error or "")
