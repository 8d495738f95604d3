"""A negative power of a value that is never 0 has no pole to compare either side of (review 13
R2; trust14).

``1/(exp(z1) + exp(0 z1))`` and sech^2 written ``4/(exp(u) + exp(-u))^2`` were "cannot check:
the values of one variable where ... switches could not be found" (exit 2): the switch search
looked for where the base is 0, on a base it cannot solve. exp(t) + 1 and (exp(t) + exp(-t))^2
are positive for every real t (SymPy's assumptions on one entry), so there is no switch.
"""

from __future__ import annotations

import pytest
import sympy as sp

import symbackprop as sb
from symbackprop.check.switches import switches
from symbackprop.model import Model
from symbackprop.records.nodes import T, entrywise

TANH_IN_EXPS = (
    "x : 3 x 1\nW : 2 x 3\nu = W x\nh = (exp(u) - exp(-u)) / (exp(u) + exp(-u))\nJ = sum(h)\n"
)


def test_a_positive_base_has_no_switch_and_a_signed_one_still_has() -> None:
    u = sp.MatrixSymbol("u", 2, 1)
    cosh2 = entrywise(sp.Lambda(T, sp.exp(T)), u) + entrywise(sp.Lambda(T, sp.exp(-T)), u)
    found = switches(sp.HadamardPower(sp.HadamardPower(cosh2, 2), -1))
    assert not found.on and not found.unmapped
    signed = switches(sp.HadamardPower(u, -1))
    assert signed.on == {u: {0}}


@pytest.mark.slow
def test_sigmoid_written_with_exp_of_zero_is_the_gradient() -> None:
    right = sb.check_formula("4-3-2-1", "W2", "delta2 (exp(z1)^1 / (exp(0 z1) + exp(z1)))^T")
    assert right.exit_code == 0, str(right)


def test_sech_squared_written_with_exps() -> None:
    model = Model.parse(TANH_IN_EXPS)
    right = sb.check_formula(model, "W", "(4 / (exp(u) + exp(-u))^2) x^T")
    assert right.exit_code == 0, str(right)


@pytest.mark.slow
def test_a_wrong_sech_squared_written_with_exps_fails() -> None:
    wrong = "(4.0001 / (exp(u) + exp(-u))^2) x^T"
    assert sb.check_formula(Model.parse(TANH_IN_EXPS), "W", wrong).exit_code == 1


@pytest.mark.slow
def test_the_wrong_twin_of_the_exp_of_zero_spelling_fails() -> None:
    wrong = "delta2 (exp(z1)^1 / (exp(0 z1) + exp(1.0001 z1)))^T"
    assert sb.check_formula("4-3-2-1", "W2", wrong).exit_code == 1
