"""An activation registered at run time is known everywhere, with no other edit.

ELU (z for z > 0, else e^z - 1) is one record and one :func:`register` call; derivation, text
and LaTeX, generated code, the finite-difference and exact checks and gradient formulas that
use ``elu``/``elu'`` then all work. The fixture unregisters it again.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest
import sympy as sp

import symbackprop as sb
from symbackprop.records.activations import ACTIVATIONS, Activation, register, unregister
from symbackprop.records.scalars import z

SPEC = "3-2:elu-1"


@pytest.fixture
def elu() -> Iterator[Activation]:
    record = register(
        Activation(
            "elu",
            r"\operatorname{ELU}",
            sp.Piecewise((z, z > 0), (sp.exp(z) - 1, True)),
            output_range=(sp.Integer(-1), sp.oo),
            description="z for z > 0, else e^z - 1",
        )
    )
    try:
        yield record
    finally:
        unregister("elu")


def test_registered_activation_derives_and_prints(elu: Activation) -> None:
    net = sb.Network.parse(SPEC)
    d = sb.derive(net)
    text = sb.to_text(d)
    assert "elu(z1)" in text and "elu'" in text
    assert r"\operatorname{ELU}" in sb.to_latex(d)
    batch = sb.derive(net, batch=True)
    assert r"\operatorname{ELU}" in sb.to_latex(batch, standalone=False)


def test_registered_activation_generates_checked_code(elu: Activation) -> None:
    net = sb.Network.parse(SPEC)
    # e^z read only where its piece is taken: no overflow (inf) where z > 709 (hostile39b #1)
    assert "np.exp(np.where(Z1 <= 0, Z1, -1.0))" in sb.codegen(net)
    module = sb.compile(net)
    params = module.init_params(seed=0)
    rng = np.random.default_rng(0)
    X, Y = rng.standard_normal((3, 4)), rng.integers(0, 2, size=(1, 4)).astype(float)
    assert sb.gradcheck(module, params, X, Y).ok


@pytest.mark.parametrize("batch", [False, True])
def test_registered_activation_passes_the_exact_check(elu: Activation, batch: bool) -> None:
    d = sb.derive(sb.Network.parse(SPEC), batch=batch)
    assert sb.check_exact(d, trials=1).ok


def test_registered_activation_in_gradient_formulas(elu: Activation) -> None:
    net = sb.Network.parse(SPEC)
    assert sb.check_formula(net, "W1", "((W2^T delta2) ⊙ elu'(z1)) x^T").ok
    assert sb.check_formula(net, "W2", "delta2 elu(z1)^T").ok
    wrong = sb.check_formula(net, "W2", "delta2 elu'(z1)^T")
    assert not wrong.ok


def test_unregistered_activation_is_gone() -> None:
    assert "elu" not in ACTIVATIONS
    with pytest.raises(sb.SpecError, match="unknown activation 'elu'"):
        sb.Network.parse(SPEC)


def test_register_refuses_a_taken_name() -> None:
    with pytest.raises(ValueError, match="already"):
        register(ACTIVATIONS["relu"])
