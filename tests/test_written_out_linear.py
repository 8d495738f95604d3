"""Hostile round 15, finding 7: ``shapecheck`` of a model chain (``h{i+1} = tanh(W h{i})``)
took a minute of CPU at 100 equations and never answered at 900: writing the formula and the
gradient out in the leaves ran one ``xreplace`` round per level over the growing expression.
Now each definition is written out once, its names first, and the expression in one
``xreplace``; the result is the same as the rounds' (checked here against them)."""

from __future__ import annotations

from typing import Any

import pytest
import sympy as sp

import symbackprop as sb
from symbackprop.apps.shapecheck import decided
from symbackprop.model import Model


def _rounds(expr: Any, definitions: dict[Any, Any]) -> Any:
    """The former way: one xreplace per level until nothing changes (the reference)."""
    for _ in range(decided._DEPTH):
        out = expr.xreplace(definitions)
        if out == expr:
            return out
        expr = out
    return None


def _chain(n: int) -> Model:
    lines = ["X : 2 x m", "W : 2 x 2", "h1 = tanh(W X)"]
    lines += [f"h{i + 1} = tanh(W h{i})" for i in range(1, n)]
    return Model.parse("\n".join([*lines, f"J = sum(h{n})", "data: X"]))


def _definitions(derivation: Any) -> dict[Any, Any]:
    graph = derivation.graph
    out = {graph.symbols[name]: value for name, value in graph.forward.items()}
    out.update({s.delta: s.expr for s in derivation.steps if s.delta is not None})
    return out


def test_the_same_as_one_round_per_level_on_models() -> None:
    for model in (
        Model.parse(
            "X : 3 x m\nY : 1 x m\nZ = w^T X + c\nP = sigmoid(Z)\nJ = bce(P, Y)\ndata: X, Y"
        ),
        Model.parse("x : 3 x 1\nW : 2 x 3\nu = W x\nh = relu(u ⊙ u - 2)\nJ = sum(h)\ndata: x"),
        _chain(6),
        _chain(12),
    ):
        derivation = sb.derive(model)
        definitions = _definitions(derivation)
        for gradient in derivation.gradients.values():
            written = decided.written_out(gradient, definitions)
            assert written == _rounds(gradient, definitions)
            assert written is not None


@pytest.mark.slow
def test_names_through_50_others_are_not_written_out_both_ways() -> None:
    derivation = sb.derive(_chain(30))
    definitions = _definitions(derivation)
    gradient = derivation.gradients["W"]
    assert decided.written_out(gradient, definitions) is None
    assert _rounds(gradient, definitions) is None


def test_too_deep_or_circular_definitions_are_not_written_out() -> None:
    a, b, c = sp.symbols("a b c")
    assert decided.written_out(a + 1, {a: b + 1, b: a * 2}) is None  # a cycle
    chain = {sp.Symbol(f"s{i}"): sp.Symbol(f"s{i + 1}") + 1 for i in range(decided._DEPTH)}
    assert decided.written_out(sp.Symbol("s0"), chain) is None
    assert _rounds(sp.Symbol("s0"), chain) is None
    short = {a: b + c, b: c**2}
    assert decided.written_out(a, short) == c**2 + c == _rounds(a, short)


def test_writing_out_a_chain_visits_each_definition_once(monkeypatch: Any) -> None:
    """The nodes ``xreplace`` visits grow linearly with the chain (6 -> 12 steps: 220 -> 454
    visits); the rounds visited 23,552 -> 283,433 (cubic: the expression grows each round)."""
    visits = []
    original = sp.Basic._xreplace

    def counted(self: Any, rule: Any) -> Any:
        visits.append(1)
        return original(self, rule)

    counts = []
    for n in (6, 12):
        derivation = sb.derive(_chain(n))
        definitions = _definitions(derivation)
        visits.clear()
        monkeypatch.setattr(sp.Basic, "_xreplace", counted)
        assert decided.written_out(derivation.gradients["W"], definitions) is not None
        monkeypatch.setattr(sp.Basic, "_xreplace", original)
        counts.append(len(visits))
    assert counts[1] <= 2.5 * counts[0] and counts[1] < 1000, counts
