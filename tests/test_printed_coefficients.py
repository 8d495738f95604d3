"""A scalar coefficient before a matrix is printed the way the formula language multiplies
numbers: side by side, bracketed only where ``/`` or ``+`` would otherwise take the matrix in
(``1/m X`` reads 1/(m X)), never SymPy's ``*`` (``(det(X)*dJ/d(det(X))) (inv(X^T))``,
``3*exp(1)/2 dJ/d(...)`` were printed)."""

from __future__ import annotations

import pytest
import sympy as sp
from sympy import MatrixSymbol

import symbackprop as sb
from symbackprop.core.textprint import TextPrinter
from symbackprop.formula import Name, parse
from symbackprop.formula.ast import structure
from symbackprop.formula.functions import sigmoid
from symbackprop.render.formula import to_formula

n, m = sp.Symbol("n", integer=True, positive=True), sp.Symbol("m", integer=True, positive=True)
lam = sp.Symbol("lam")
W = MatrixSymbol("W", n, n)

DET = "X : n x n\nsizes: n = 3\nJ = log(abs(det(X)))\ndata:\n"
CONSTANTS = "X : 3 x m\nW : 2 x 3\nJ = sum(2 W X * 3 / 4 * exp(400) / exp(399))\ndata: X\n"


@pytest.mark.parametrize(
    ("coeff", "shown"),
    [
        (sp.Integer(2), "2 W"),
        (sp.Rational(1, 2), "(1/2) W"),
        (3 * sp.E / 2, "(3/2) exp(1) W"),
        (-3 * sp.E / 2, "-(3/2) exp(1) W"),
        (sp.E, "exp(1) W"),
        (lam, "lam W"),
        (lam / m, "(lam/m) W"),
        (lam / (2 * m), "(lam/(2 m)) W"),
        (1 + sp.exp(2), "(1 + exp(2)) W"),
        (2 * sp.exp(2) * lam, "2 lam exp(2) W"),
    ],
)
def test_a_coefficient_multiplies_the_whole_matrix(coeff: sp.Expr, shown: str) -> None:
    text = TextPrinter().doprint(sp.MatMul(coeff, W))
    assert text == shown
    tree = parse(text)
    # the matrix multiplies the coefficient as a whole: the outermost product is (c) W
    assert tree.op == "juxt" and structure(tree.right) == structure(Name("W", 0))  # type: ignore[union-attr]


def test_jacobis_formula_prints_in_the_formula_language() -> None:
    d = sb.derive(sb.Model.parse(DET))
    text = sb.to_text(d)
    assert "dJ/dX = det(X) dJ/d(det(X)) inv(X^T)" in text
    assert "*" not in text.split("Gradients")[1] and "(inv(" not in text
    (step,) = [s for s in d.steps if s.target == "dJ/dX"]
    assert "dJ/dX = dJ/d(det(X)) det(X) inv(X)^T" in step.reason and "^-T" not in step.reason
    latex = sb.to_latex(d, standalone=False)
    assert r"\frac{\partial J}{\partial \det\left(X\right)} (X^{\top})^{-1}" in latex


def test_an_identity_factor_takes_no_brackets() -> None:
    d = sb.derive(sb.Model.parse("A : 2 x 2\nJ = tr(A^T A) + det(A)\ndata:\n"))
    assert "dJ/d(tr(A^T A)) I_2" in sb.to_text(d) and "(I_2)" not in sb.to_text(d)
    assert r"(I_{2})" not in sb.to_latex(d, standalone=False)


def test_a_gathered_constant_coefficient_keeps_its_brackets_in_the_reason() -> None:
    """cc.model: Step.reason said dJ/dW = 3*exp(1)/2 dJ/d(...), which reads 3 exp(1) over
    (2 dJ/d(...)); LaTeX wrote the two numbers 2 * 3 as a Hadamard product 2 ⊙ 3."""
    d = sb.derive(sb.Model.parse(CONSTANTS))
    (step,) = [s for s in d.steps if s.target == "dJ/dW"]
    assert "so dJ/dW = (3/2) exp(1) dJ/d(" in step.reason
    latex = sb.to_latex(d, standalone=False)
    assert r"2 \odot 3" not in latex and r"2 \cdot 3" in latex
    assert r"2 \, W \, X \odot 3" in latex  # a matrix times a number stays as written


def test_a_negative_product_is_printed_without_brackets() -> None:
    """A counterexample's value was printed -(4131 * sigmoid(1421/15) / 80000)."""
    value = -sp.Rational(4131, 80000) * sigmoid(sp.Rational(1421, 15))
    text = to_formula(value)
    assert text == "-0.0516375 * sigmoid(1421/15)"  # a terminating decimal, as written
    # read (-0.0516375) * sigmoid(1421/15): the sign goes with the first factor
    tree = parse(text)
    assert tree.op == "*" and tree.left.op == "-"  # type: ignore[union-attr]
    third = -sp.Rational(7, 3) * sigmoid(sp.Rational(1421, 15))  # no decimal: a fraction
    assert to_formula(third) == "-7 * sigmoid(1421/15) / 3"
    assert to_formula(-2 * lam) == "-2 * lam"
