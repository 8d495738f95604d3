"""A registered activation's g and g' are related in ways no table of random values keeps.

``register`` adds an activation beside symbackprop's own; the exact comparison draws its g
and g' as independent random values and trusted a difference there as it trusts one of a
built-in's, so a registered ELU's right ``(a1 + 1) ⊙ 1{z1 <= 0}`` for elu'(z1) (exp(z1) where
z1 <= 0) was called wrong "exactly" (hostile48a #4). Its differences are confirmed with the
true functions now, as a custom activation's are.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sympy as sp

import symbackprop as sb
from symbackprop.records.activations import Activation, is_builtin, register, unregister
from symbackprop.records.scalars import z


@pytest.fixture
def elu() -> Iterator[str]:
    name = "elu_registered"
    register(
        Activation(name, r"\operatorname{ELU}", sp.Piecewise((z, z > 0), (sp.exp(z) - 1, True)))
    )
    try:
        yield name
    finally:
        unregister(name)


@pytest.mark.parametrize(
    ("slope", "right"), [("(a1 + 1)", True), ("exp(z1)", True), ("(a1 + 2)", False)]
)
@pytest.mark.slow  # over 0.5 s of the default suite's time (2026-12-07)
def test_a_registered_elus_derivative_in_its_value_is_judged_by_the_true_functions(
    elu: str, slope: str, right: bool
) -> None:
    formula = f"(W2^T delta2 ⊙ (1{{z1 > 0}} + {slope} ⊙ 1{{z1 <= 0}})) x^T"
    report = sb.check_formula(f"4-3:{elu}-1", "W1", formula)
    assert report.equal is right and report.exit_code == (0 if right else 1)


def test_a_registered_activation_is_no_builtin(elu: str) -> None:
    assert not is_builtin(elu) and is_builtin("sigmoid")
