"""A power of a transpose prints with its brackets in plain text: ``(A^T)^2.5`` and
``5*(A^T)^(3/2)/2``. ``A^T^(3/2)`` is what the grammar reads (``^T`` binds tightest) but reads
as A^(T^(3/2)); every text is still read back by the parser as the same tree."""

from __future__ import annotations

import symbackprop as sb
from symbackprop.core.textprint import power_base
from symbackprop.formula import parse
from symbackprop.formula.ast import structure, to_text


def test_power_of_a_transpose_keeps_its_brackets() -> None:
    derivation = sb.derive(sb.Model.parse("A : 2 x 3\nJ = sum((A^T)^2.5)\n"))
    text = sb.to_text(derivation)
    assert "dJ/d(A^T) = dJ/d((A^T)^2.5) ⊙ (5*(A^T)^(3/2)/2)" in text
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
