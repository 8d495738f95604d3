"""Hostile round 11, finding 4: ``delta2 (a1^T a1) (a1^T a1) ... a1^T`` with 60 factors took
minutes. Each 1 x 1 product used as a number was, at every later product or sum, rewritten by
SymPy's ``doit`` as a symbolic sum over the generic size n1 that SymPy then tried to evaluate.
The entry now stays an entry until its matrix is explicit; the verdicts are unchanged.
"""

from __future__ import annotations

import pytest
import sympy as sp

import symbackprop as sb
from symbackprop.apps.shapecheck.check import _typer
from symbackprop.formula.parser import parse


def test_a_one_by_one_factor_stays_an_entry_under_doit() -> None:
    derivation = sb.derive("4-3-2-1")
    formula = "delta2 (a1^T a1) a1^T + delta2 (a1^T a1) a1^T"
    typed = _typer(derivation, formula).type(parse(formula))
    assert not typed.expr.doit().has(sp.Sum)  # before: Sum(a1[_i_1, 0]**2, (_i_1, 0, n1 - 1))


def test_a_one_by_one_factor_still_multiplies_as_its_value() -> None:
    # (a1^T a1) - (a1^T a1) is 0; (a1^T a1) alone is |a1|^2, which is not 1
    assert sb.check_formula("4-3-2-1", "W2", "delta2 a1^T + delta2 (a1^T a1) a1^T").equal is False
    assert sb.check_formula("4-3-2-1", "W2", "delta2 (1 + a1^T a1 - a1^T a1) a1^T").ok


@pytest.mark.slow
def test_sixty_one_by_one_factors_are_decided() -> None:
    formula = "delta2 " + "(a1^T a1) " * 60 + "a1^T"
    report = sb.check_formula("4-3-2-1", "W2", formula)
    assert report.equal is False and report.exit_code == 1  # |a1|^120 delta2 a1^T
    report = sb.check_formula("4-3-2-1", "W2", "delta2 a1^T" + " + delta2 (a1^T a1) a1^T" * 20)
    assert report.equal is False


@pytest.mark.slow
@pytest.mark.parametrize(
    ("network", "formula"),
    [
        ("4-3-2-1", "((W2^T delta2) ⊙ a1 ⊙ (1 - a1) ⊙ 1{x^T x < 100}) x^T"),
        ("4-3:relu-2:relu-1", "((W2^T delta2) ⊙ 1{z1 > 0} ⊙ 1{x^T x < 100}) x^T"),
    ],
)
def test_the_kink_of_a_one_by_one_indicator_is_reached(network: str, formula: str) -> None:
    """Hostile round 11, finding 13 (lines 7, 8): the 1 x 1 value x^T x < 100 was a symbolic
    sum, whose kink at 100 no check saw, so this wrong formula passed; as an entry, its kink
    is placed and crossed, and the formula differs where x^T x > 100."""
    report = sb.check_formula(network, "W1", formula)
    assert report.equal is False and report.exit_code == 1
