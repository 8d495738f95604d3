"""An activation unregistered and registered again with another formula (a notebook cell
edited and re-run) is the new record everywhere.

hostile36a #1: ``check_formula`` kept its derivation of ``4-3:elu-1`` from the first record (it
keeps the derivations of its latest networks, and a network names its activations only), so
the right formula for the new ELU was called wrong while ``derive`` used the new one.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sympy as sp

import symbackprop as sb
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


def test_check_formula_reads_the_record_registered_last(elu_name: str) -> None:
    register(_elu(2))  # a typo: 2 (e^z - 1)
    assert not sb.check_formula("4-3:elu-1", "W1", ELU_W1).ok
    unregister(elu_name)
    register(_elu(1))
    assert sb.check_formula("4-3:elu-1", "W1", ELU_W1).ok
    unregister(elu_name)
    register(_elu(2))
    assert not sb.check_formula("4-3:elu-1", "W1", ELU_W1).ok
