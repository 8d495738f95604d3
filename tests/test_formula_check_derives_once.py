"""Formulas of one network are checked against one derivation (perf16).

A test suite or a notebook checks many formulas of one network; each check derived the network
again, a tenth of a formula check's time. An equal network (or model) is derived once; another
network, or the other form, is derived anew, and every verdict stays the same.
"""

from __future__ import annotations

from typing import Any

import pytest

import symbackprop as sb
from symbackprop.core import derivation
from symbackprop.entry import _CHECKED

RIGHT, WRONG = "((W2^T delta2) ⊙ 1{z1 > 0}) x^T", "((W2^T delta2) ⊙ 1{z1 > 0.5}) x^T"
MODEL = "x : 3 x 1\nW : 2 x 3\nu = W x\nh = relu(u)\nJ = sum(h)"


def _counted(monkeypatch: pytest.MonkeyPatch, module: Any, name: str) -> list[int]:
    calls: list[int] = []
    real = getattr(module, name)

    def counting(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(module, name, counting)
    _CHECKED.clear()
    return calls


def test_one_network_is_derived_once(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = _counted(monkeypatch, derivation, "derive")
    assert sb.check_formula("4-3:relu-1", "W1", RIGHT).ok
    assert not sb.check_formula(sb.Network.parse("4-3:relu-1"), "W1", WRONG).ok
    assert len(calls) == 1
    sb.check_formula("4-3:relu-1", "W1", "((W2^T delta2) ⊙ 1{Z1 > 0}) X^T", batch=True)
    assert sb.check_formula("4-3:relu-2", "W1", RIGHT).ok
    assert len(calls) == 3  # the batch form and another network: derived anew


@pytest.mark.slow  # over 0.5 s of the default suite's time (2026-12-07)
def test_one_model_is_derived_once(monkeypatch: pytest.MonkeyPatch) -> None:
    import symbackprop.entry as entry

    calls = _counted(monkeypatch, entry, "derive_model")
    assert sb.check_formula(sb.Model.parse(MODEL), "W", "1{u > 0} x^T").ok
    assert not sb.check_formula(sb.Model.parse(MODEL), "W", "1{u > 0.5} x^T").ok
    assert len(calls) == 1
