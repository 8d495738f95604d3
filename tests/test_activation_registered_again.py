"""An activation unregistered and registered again with another formula (a notebook cell
edited and re-run) is the new record everywhere.

hostile36a #1: ``check_formula`` kept its derivation of ``4-3:elu-1`` from the first record (it
keeps the derivations of its latest networks, and a network names its activations only), so
the right formula for the new ELU was called wrong while ``derive`` used the new one.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import pytest
import sympy as sp

import symbackprop as sb
from symbackprop.errors import SpecError
from symbackprop.records.activations import Activation, register, unregister
from symbackprop.records.scalars import z

#: ELU's gradient by hand, with ELU' = exp(z) for z <= 0
ELU_W1 = "((W2^T delta2) * 1{z1 > 0} + (W2^T delta2) * exp(z1) * 1{z1 <= 0}) x^T"


def _elu(scale: int) -> Activation:
    negative = scale * (sp.exp(z) - 1)
    return Activation("elu", r"\operatorname{ELU}", sp.Piecewise((z, z > 0), (negative, True)))


@pytest.fixture
def elu_name() -> Iterator[str]:
    yield "elu"
    unregister("elu")


@pytest.mark.slow  # over 0.5 s of the default suite's time (2026-12-07)
def test_check_formula_reads_the_record_registered_last(elu_name: str) -> None:
    register(_elu(2))  # a typo: 2 (e^z - 1)
    assert not sb.check_formula("4-3:elu-1", "W1", ELU_W1).ok
    unregister(elu_name)
    register(_elu(1))
    assert sb.check_formula("4-3:elu-1", "W1", ELU_W1).ok
    unregister(elu_name)
    register(_elu(2))
    assert not sb.check_formula("4-3:elu-1", "W1", ELU_W1).ok


def _q(power: int) -> Activation:
    return Activation("q", "q", sp.exp(power * z))


@pytest.fixture
def q_name() -> Iterator[str]:
    yield "q"
    with contextlib.suppress(ValueError):
        unregister("q")


def test_a_define_formula_calling_a_registered_activation_reads_it_again(q_name: str) -> None:
    """review36 #1: ``define={"w": "2*q(z)"}`` was kept, by its text, with the first q."""
    register(_q(2))
    sb.Network.parse("3-2:w-1:identity", loss="mse", define={"w": "2*q(z)"})
    unregister(q_name)
    with pytest.raises(SpecError, match="unknown name 'q'"):
        sb.Network.parse("3-2:w-1:identity", loss="mse", define={"w": "2*q(z)"})
    register(_q(3))
    net = sb.Network.parse("3-2:w-1:identity", loss="mse", define={"w": "2*q(z)"})
    assert "np.exp(3.0 * Z1)" in sb.codegen(net)
    assert sb.check_formula(net, "W2", "delta2 (2*exp(3*z1))^T").ok


def test_a_derivation_made_with_another_record_is_not_turned_into_code(q_name: str) -> None:
    """review36 #4: codegen of a derivation re-derived its network by name, with the record
    registered now (another formula, or none: a KeyError, exit 3)."""
    register(_q(2))
    d = sb.derive("3-2:q-1")
    unregister(q_name)
    for call in (sb.codegen, sb.compile, sb.cache_plan, sb.check_exact):
        with pytest.raises(SpecError, match="this derivation was made with an activation 'q'"):
            call(d)
    network = d.network
    with pytest.raises(SpecError, match="activation 'q' is not registered in this process"):
        sb.derive(network)
    register(_q(3))
    with pytest.raises(SpecError, match="this derivation was made with an activation 'q'"):
        sb.codegen(d)
    assert "np.exp(3.0 * Z1, out=Z1)" in sb.codegen(sb.derive(network))
