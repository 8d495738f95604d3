"""A custom activation's irrational kink is a breakpoint (review14 R1, the custom case).

g = relu(z - exp(-3)) has g'(z1) = 1{z1 > exp(-3)}. ``breakpoints`` read the points found
inside an activation as edges and kept an edge without the variable only where it was rational,
so exp(-3) was dropped: g' looked smooth and relu' written 1{z1 > 0} (off on 0 < z1 < 0.0498)
passed, exit 0, a false pass. Now the activation's points are kept as they are.
"""

from __future__ import annotations

import pytest
import sympy as sp

import symbackprop as sb
from symbackprop.check.kinks import kinks
from symbackprop.core.derivation import derive


def _net() -> sb.Network:
    return sb.Network.parse("4-3:g-1", define={"g": "relu(z - exp(-3))"})


def test_the_custom_kink_is_a_kink_of_the_gradient() -> None:
    # g' is an activation function whose written-out body switches at exp(-3)
    assert sp.exp(-3) in kinks(*derive(_net()).deltas.values())


def test_relu_prime_for_a_custom_irrational_kink_is_not_the_gradient() -> None:
    report = sb.check_formula(_net(), "W1", "((W2^T delta2) ⊙ 1{z1 > 0}) x^T")
    assert report.exit_code == 1, str(report)


@pytest.mark.slow
def test_the_right_custom_derivative_and_a_near_twin() -> None:
    right = sb.check_formula(_net(), "W1", "((W2^T delta2) ⊙ 1{z1 > exp(-3)}) x^T")
    assert right.exit_code == 0, str(right)
    near = sb.check_formula(_net(), "W1", "((W2^T delta2) ⊙ 1{z1 > 0.0498}) x^T")
    assert near.exit_code == 1, str(near)
