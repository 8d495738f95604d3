"""A matrix of functions' values is decided singular in numbers, not by expanding it.

``inv(exp(w w^T))`` at n = 7 (a size the formula checker compares at) had its 7 x 7 Berkowitz
determinant of exponentials expanded symbolically, which did not finish in minutes
(hostile48d #5); the matrix is invertible wherever w's entries differ, its determinant only
tiny (6e-22 of Hadamard's bound), so 30 digits at one point could not tell.
"""

from __future__ import annotations

import pytest
import sympy as sp
from example_models import LOGISTIC_L2
from sympy import MatrixSymbol

import symbackprop as sb
from symbackprop.apps.shapecheck.at_sizes import singular_everywhere
from symbackprop.model import Model

SQUARE = """
A : n x n
x : n x 1
sizes: n = 5
J = x^T A x
data: x
"""


def _exp_of(matrix: sp.Matrix) -> sp.Matrix:
    return matrix.applyfunc(sp.exp)


def test_an_exponential_kernel_of_seven_is_invertible() -> None:
    w = sp.Matrix(MatrixSymbol("w", 7, 1))
    assert not singular_everywhere(_exp_of(w * w.T))


def test_an_antisymmetric_matrix_of_exponentials_at_odd_size_is_singular() -> None:
    a = sp.Matrix(MatrixSymbol("A", 5, 5))
    assert singular_everywhere(_exp_of(a) - _exp_of(a).T)
    # at an even size it is not
    b = sp.Matrix(MatrixSymbol("A", 4, 4))
    assert not singular_everywhere(_exp_of(b) - _exp_of(b).T)


@pytest.mark.slow  # over 1 s of the default suite's time (2026-12-07)
def test_a_formula_with_the_inverse_of_an_exponential_kernel_is_decided() -> None:
    formula = "tr(inv(exp(w w^T))) * (X (p - Y)^T / m + lam w)"
    report = sb.check_formula(Model.parse(LOGISTIC_L2), "w", formula)
    assert report.exit_code == 1 and report.equal is False


def test_zero_times_a_singular_inverse_is_still_refused() -> None:
    report = sb.check_formula(Model.parse(SQUARE), "A", "x x^T + 0 inv(exp(A) - exp(A)^T)")
    assert report.exit_code == 2 and report.error is not None
    assert "singular there at every point" in str(report.error)


@pytest.mark.parametrize("formula", ["2 W", "3 W"])
@pytest.mark.slow  # over 0.5 s of the default suite's time (2026-12-07)
def test_a_derivation_undefined_at_every_point_cannot_decide(formula: str) -> None:
    """hostile49c #3: det(W W^T) of a 3 x 2 W is 0 at every point; its derived adjoint
    det(A) inv(A)^T has no value there, and every formula, the right 2 W too, was "not the
    gradient ... the gradient is None". The check cannot decide, and says why."""
    model = Model.parse("W : n x k\nsizes: n = 3, k = 2\nJ = det(W W^T) + sum(W ⊙ W)\ndata:\n")
    report = sb.check_formula(model, "W", formula)
    assert report.exit_code == 2 and report.counterexample is None
    assert "the derivation's adjoints have no value" in str(report.error)


def test_a_matrix_with_pieces_is_not_claimed_singular_everywhere() -> None:
    """review49 #2: exp(A) ⊙ 1{A > 0.5} is singular at the points drawn (entries below 0.5) and
    invertible where every entry is above 0.5; two points say nothing of every point."""
    report = sb.check_formula(Model.parse(SQUARE), "A", "x x^T + 0 inv(exp(A) ⊙ 1{A > 0.5})")
    assert report.error is None and report.exit_code == 0
