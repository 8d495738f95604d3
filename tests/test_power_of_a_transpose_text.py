"""A power of a transpose prints with its brackets in plain text: ``(A^T)^2.5`` and
``(5/2) (A^T)^(3/2)``. ``A^T^(3/2)`` is what the grammar reads (``^T`` binds tightest) but reads
as A^(T^(3/2)); every text is still read back by the parser as the same tree."""

from __future__ import annotations

import sympy as sp

import symbackprop as sb
from symbackprop.core.textprint import power_base, text
from symbackprop.formula import parse
from symbackprop.formula.ast import structure, to_text
from symbackprop.records.nodes import Elementwise, T


def test_power_of_a_transpose_keeps_its_brackets() -> None:
    derivation = sb.derive(sb.Model.parse("A : 2 x 3\nJ = sum((A^T)^2.5)\n"))
    text = sb.to_text(derivation)
    assert "dJ/d(A^T) = dJ/d((A^T)^2.5) ⊙ ((5/2) (A^T)^(3/2))" in text
    assert "^T^" not in text
    tree = parse("(A^T)^2.5 + (A^2)^T + A^T")
    assert to_text(tree) == "(A^T)^2.5 + (A^2)^T + A^T"
    assert structure(parse(to_text(tree))) == structure(tree)


def test_power_base() -> None:
    assert [power_base(t) for t in ("a[1]", "x", "sigmoid(z)", "(x + y)")] == [
        "a[1]",
        "x",
        "sigmoid(z)",
        "(x + y)",
    ]
    assert [power_base(t) for t in ("A^T", "W x", "(a) + (b)", "f(a) g(b)")] == [
        "(A^T)",
        "(W x)",
        "((a) + (b))",
        "(f(a) g(b))",
    ]


def test_a_compound_exponent_keeps_its_brackets() -> None:
    # the mirror of (A^T)^2.5: 2^A^T is what the grammar reads as 2^(A^T), a reader as (2^A)^T
    for written, shown in [
        ("2^(A^T)", "2^(A^T)"),
        ("2^(2^A)", "2^(2^A)"),
        ("2^(-A^2)", "2^(-A^2)"),
        ("2^-(A^T)", "2^(-A^T)"),
        ("2^(W x)", "2^(W x)"),
        ("2^-A + A^-1 + x^-2.5 + 2^exp(A)", "2^-A + A^-1 + x^-2.5 + 2^exp(A)"),
        ("(2^A)^T", "(2^A)^T"),
    ]:
        tree = parse(written)
        assert to_text(tree) == shown
        assert structure(parse(to_text(tree))) == structure(tree)


def test_an_elementwise_body_with_the_argument_as_exponent_keeps_its_brackets() -> None:
    a, w = sp.MatrixSymbol("A", 2, 2), sp.MatrixSymbol("W", 2, 2)
    two_to = sp.Lambda(T, 2**T)
    assert text(Elementwise(two_to, a.T)) == "2^(A^T)"
    assert text(Elementwise(two_to, w * a)) == "2^(W A)"
    assert text(Elementwise(two_to, a)) == "2^A"  # a number base needs no brackets
    assert text(Elementwise(sp.Lambda(T, T**T), a.T)) == "(A^T)^(A^T)"
    assert text(Elementwise(sp.Lambda(T, 2 ** (T**2)), a.T)) == "2^((A^T)^2)"


def test_the_formula_language_printer_brackets_a_power_of_a_transpose() -> None:
    """A shapecheck note printed 'A1^T^(m + 1)' for (A1^T)^(m+1) (session 26's list)."""
    from symbackprop.render.formula import to_formula

    a = sp.MatrixSymbol("A", 2, 3)
    m = sp.Symbol("m", positive=True, integer=True)
    assert to_formula(sp.HadamardPower(a.T, m + 1)) == "(A^T)^(m + 1)"
    assert to_formula(sp.HadamardPower(a, 2).T) == "(A^T)^2"  # plain form: the transpose in
    report = sb.check_formula("3-2-1", "W2", "(1/m) (A2 - Y) A1^T ^ (m+1)", batch=True)
    assert "your formula has '(A1^T)^(m + 1)', which the derivation does not" in report.notes
