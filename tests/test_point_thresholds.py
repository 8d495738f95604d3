"""An indicator's threshold that depends on the point moves to the argument's side (review16 M1).

``1{z1 > 0.001 sum(W1)}`` kept 0.001 sum(W1) inside the indicator's body (a Lambda of one
variable); the evaluator wrote W1's entries into it, and the table's function, at each entry of
z1, asked SymPy to compare a number with that unevaluated sum: a recursion through
as_real_imag that ran for more than 15 minutes. The same indicator written
``1{z1 - 0.001 sum(W1) > 0}`` was answered (exit 1) in seconds; the typer now reads the first
as the second, so no body holds anything but its variable and numbers.
"""

from __future__ import annotations

from typing import Any

import pytest
import sympy as sp

import symbackprop as sb
from symbackprop.apps.shapecheck.typing_ import Typer
from symbackprop.formula.parser import parse
from symbackprop.records.nodes import Elementwise

NET = "4-3:relu-1"
N0, N1 = sp.symbols("n0 n1")
NAMES = {
    "z1": sp.MatrixSymbol("z1", N1, 1),
    "W1": sp.MatrixSymbol("W1", N1, N0),
    "b1": sp.MatrixSymbol("b1", N1, 1),
}


def _indicator(formula: str) -> Any:
    """The one element-wise node of the typed ``formula`` (generic sizes, no verdict)."""
    (node,) = Typer(NAMES, {}, {}, formula).type(parse(formula)).expr.atoms(Elementwise)
    return node


def test_a_threshold_of_the_point_is_moved_to_the_argument() -> None:
    node = _indicator("1{0.5 sum(W1) < z1}")
    assert node.function.free_symbols == set(), node.function
    assert node.function.expr.args[0] == (1, node.function.variables[0] > 0)
    assert node.arg.has(NAMES["z1"]) and node.arg.has(NAMES["W1"])


@pytest.mark.slow
@pytest.mark.parametrize(
    ("condition", "moved"),
    [
        ("1{0.5 sum(W1) < z1}", "1{z1 - 0.5 sum(W1) > 0}"),
        ("1{z1 <= 2 sum(W1) + sum(b1)}", "1{z1 - 2 sum(W1) - sum(b1) <= 0}"),
    ],
)
def test_the_moved_threshold_is_the_difference_written(condition: str, moved: str) -> None:
    node, same = _indicator(condition), _indicator(moved)
    assert node.function == same.function
    assert node.arg.dummy_eq(same.arg)


def test_a_number_threshold_stays_in_the_body() -> None:
    node = _indicator("1{z1 > sqrt(2)}")
    assert node.function.expr.has(sp.sqrt(2))
    assert node.arg == NAMES["z1"]


@pytest.mark.slow
@pytest.mark.parametrize("threshold", ["0.001 sum(W1)", "2 sum(W1)", "0.5 sum(W1)"])
def test_the_wrong_formula_is_answered_in_seconds(threshold: str) -> None:
    report = sb.check_formula(NET, "W1", f"((W2^T delta2) ⊙ 1{{z1 > {threshold}}}) x^T")
    assert report.exit_code == 1, report.error
    assert report.counterexample is not None
