"""A formula's constants keep their exact values in the exact comparison (exp(-100) is not drawn
as a random table value), so a formula off by the factor 1 + exp(-100) is not the gradient,
decided exactly; a difference of constants that SymPy cannot tell from 0 leaves the verdict to
the true functions (hostile round 13, finding 5: both were exit 0, "numeric check")."""

from __future__ import annotations

import pytest
import sympy as sp

import symbackprop as sb
from symbackprop.apps.shapecheck.decided import entries_differ
from symbackprop.check.exact import NotRationalError

QUADRATIC = "examples/models/quadratic.model"


@pytest.mark.parametrize(
    ("source", "wrt", "formula"),
    [
        (QUADRATIC, "x", "0.5 (A + A^T) x * (1 + exp(-100))"),
        (QUADRATIC, "x", "0.5 (A + A^T) x + exp(-200) x"),
        ("4-3-2-1", "W2", "delta2 a1^T * (1 + exp(-1000))"),
    ],
)
def test_a_formula_off_by_an_exact_constant_is_not_the_gradient(
    source: str, wrt: str, formula: str
) -> None:
    report = sb.check_formula(source, wrt, formula)
    assert (report.exit_code, report.method) == (1, "exact"), str(report)


@pytest.mark.parametrize(
    ("source", "wrt", "formula", "method"),
    [
        (QUADRATIC, "x", "0.5 (A + A^T) x * sqrt(2) sqrt(2)/2", "exact"),
        (QUADRATIC, "x", "0.5 (A + A^T) x * (log(8)/log(2) - 2)", "numeric"),
        ("4-3-2-1", "W2", "delta2 a1^T * exp(0)", "exact"),
    ],
)
def test_a_right_formula_with_constants_is_the_gradient(
    source: str, wrt: str, formula: str, method: str
) -> None:
    report = sb.check_formula(source, wrt, formula)
    assert (report.exit_code, report.method) == (0, method), str(report)


def test_entries_differ_only_where_digits_show_it() -> None:
    half = sp.Rational(1, 2)
    assert not entries_differ(half, half)
    assert entries_differ(half, sp.Rational(1, 3))
    assert entries_differ(half * (1 + sp.exp(-100)), half)  # 1.9e-44: strict digits
    with pytest.raises(NotRationalError):
        entries_differ(sp.log(8) / sp.log(2), sp.Integer(3))  # 0 to every digit
