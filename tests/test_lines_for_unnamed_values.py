"""A kinked value that names no leaf is searched on lines moving one entry of each leaf too
(review17 M2).

A model's ``J = relu(sum(W ⊙ X))`` kinks on its definition ``_t2 = sum(W ⊙ X)``, which names
neither W nor X, so the search for a point with ``_t2`` below 0 had only its random line
through both leaves; along it sum(W ⊙ X) is a quadratic in t that can stay above 0 both ways.
No point reached that side, and the right ``1{sum(W ⊙ X) > 0} X`` was "cannot decide".
"""

from __future__ import annotations

import random

import pytest
import sympy as sp

import symbackprop as sb
from symbackprop.check.kinks import Region, crossing
from symbackprop.model import Model

SUM_OF_PRODUCTS = "X : 3 x 3\nW : 3 x 3\nJ = relu(sum(W ⊙ X))\n"


def test_a_product_of_two_leaves_is_crossed_on_a_one_entry_line() -> None:
    t2 = sp.MatrixSymbol("_t2", 1, 1)
    W = sp.Matrix(3, 3, lambda i, j: sp.Rational(1 + i + j, 2))
    X = sp.Matrix(3, 3, lambda i, j: sp.Rational(2 + i * j, 3))

    def value_at(leaves: dict[str, sp.Matrix]) -> object:
        total = sum(leaves["W"].multiply_elementwise(leaves["X"]))
        return lambda arg: sp.Matrix([[total]]) if arg == t2 else None

    # the random line moves W and X along directions of one sign: the quadratic's leading
    # coefficient is positive and its minimum above 0, so only a one-entry line gets there
    class SameSign(random.Random):
        def randint(self, a: int, b: int) -> int:
            return -3

    found = crossing(Region(t2, -sp.oo, sp.Integer(0)), {"W": W, "X": X}, ["W", "X"],
                     value_at, SameSign(5))  # fmt: skip
    assert found, "no line reached sum(W ⊙ X) below 0"
    inside = found[-1]
    assert sum(inside["W"].multiply_elementwise(inside["X"])) < 0


@pytest.mark.slow
@pytest.mark.parametrize(
    ("formula", "exit_code"),
    [
        ("1{sum(W ⊙ X) > 0} X", 0),
        ("1{sum(W ⊙ X) > 0.001} X", 1),
        ("1{sum(W ⊙ X) > -0.001} X", 1),
    ],
)
def test_the_sign_of_a_sum_of_products_is_decided(formula: str, exit_code: int) -> None:
    report = sb.check_formula(Model.parse(SUM_OF_PRODUCTS), "W", formula)
    assert report.exit_code == exit_code, report
