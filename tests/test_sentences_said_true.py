"""Sentences that said more than was true (hostile48c): each now says what holds."""

from __future__ import annotations

import numpy as np
import sympy as sp

from symbackprop.apps.gradients import GradientTable
from symbackprop.apps.shapecheck.check import Counterexample


def test_a_long_exact_fraction_is_not_called_approximate_beside_exactly() -> None:
    """#6: "the gradient is 1.17e+17 (approximately) (exactly, at random rational inputs...)"."""
    big = sp.Rational(3**90 + 1, 7**30)
    text = str(Counterexample("W", 0, 0, big + 1, big, {"n": 2}, True))
    assert "approximately" not in text
    assert "digits of its exact fraction)" in text and "(exactly, at random" in text


def test_the_zero_gradient_note_names_more_than_dead_relus() -> None:
    """#10: an identity network whose gradients underflow to 0 was put down to dead ReLUs."""
    zeros = np.array([[0, 2], [0, 2]])
    table = GradientTable(
        2, 2, "identity", "scaled-identity:0.1", 2, 1, "2-2-2", np.ones(2), np.ones(2), zeros
    )
    note = table.dead_note()
    assert "values below the smallest float" in note and "a derivative that is\n  0" in note
