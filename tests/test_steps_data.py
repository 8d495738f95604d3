"""Every step is data: a rule of the enum, the symbol it differentiates, a reason made of
segments whose plain text is ``reason``, and an algebra chain whose every ``=`` holds."""

from __future__ import annotations

import random
from fractions import Fraction

import pytest
import sympy as sp
from sympy import MatrixSymbol

import symbackprop as sb
from symbackprop.core.segments import Dim, Grad, Math, Prime, Rel, ShapeOf, Text, plain
from symbackprop.core.steps import Rule
from symbackprop.records import scalars

ARCHITECTURES = [
    ("4-3-2-1", "bce", 0.0),
    ("4-3:tanh-2:relu-1", "bce", 0.5),
    ("3-4:leaky_relu-2:identity", "mse", 0.0),
    ("3-4:softplus-2:tanh", "mse", 0.1),
    ("5-4:relu-3:softmax", "ce", 0.0),
    ("5-4:identity-3:softmax", "ce", 0.2),
    ("3-2:sigmoid-2:sigmoid", "mse", 0.0),
]


def _network(spec: str, loss: str, l2: float) -> sb.Network:
    return sb.Network.parse(spec, loss=loss, l2=l2)


def _holds(left: sp.Expr, right: sp.Expr, rng: random.Random) -> bool:
    """``left = right`` at random rational points (a in (0, 1), y in {0, 1}, s = 1), exactly."""
    difference = left - right
    for _ in range(5):
        point = {
            scalars.a: sp.Rational(Fraction(rng.randint(1, 99), 100)),
            scalars.y: sp.Integer(rng.randint(0, 1)),
            scalars.s: sp.Integer(1),
            scalars.z: sp.Rational(rng.randint(-9, 9), 4),
        }
        if difference.subs(point) != 0:
            return False
    return True


@pytest.mark.parametrize("batch", [False, True], ids=["single", "batch"])
@pytest.mark.parametrize(("spec", "loss", "l2"), ARCHITECTURES)
def test_every_step_is_data(spec: str, loss: str, l2: float, batch: bool) -> None:
    d = sb.derive(_network(spec, loss, l2), batch=batch)
    rng = random.Random(0)
    for index, step in enumerate(d.steps, start=1):
        assert step.number == index
        assert isinstance(step.rule, Rule) and step.rule == step.rule.value
        assert step.segments and step.reason == plain(step.segments)
        for segment in step.segments:
            assert isinstance(segment, (Text, Math, Rel, Dim, ShapeOf, Grad, Prime))
            if isinstance(segment, Math):  # SymPy's, or notation SymPy has no node for
                assert isinstance(segment.expr, sp.Basic) or (
                    segment.expr is None and segment.latex
                )
        if step.rule == Rule.ASSUMPTION:
            assert step.wrt is None and step.assumption
            continue
        assert isinstance(step.wrt, MatrixSymbol)
        assert step.target == f"dJ/d{step.wrt.name}"
        assert tuple(step.wrt.shape) == tuple(step.shape) == tuple(step.expr.shape)
        if step.delta is not None:
            assert d.delta_symbols[step.layer] == step.delta and d.deltas[step.layer] == step.expr
        if step.algebra:
            assert step.algebra_text == plain(step.algebra_segments)
            for left, right in zip(step.algebra, step.algebra[1:], strict=False):
                assert _holds(left, right, rng), (step.target, left, right)
    # every gradient is the expression of the step that differentiates that parameter
    by_wrt = {step.wrt.name: step for step in d.steps if step.wrt is not None}
    for name, expr in d.gradients.items():
        assert by_wrt[name].expr == expr


def test_rule_is_a_str_valued_enum() -> None:
    d = sb.derive("4-3-2-1")
    assert [step.rule for step in d.steps][:3] == ["loss", "elementwise", "bilinear"]
    assert str(d.steps[0].rule) == "loss"


def test_shape_analysis_must_leave_the_rules_answer() -> None:
    """select() checks the survivor against the rule's own answer, not only that one fits."""
    from symbackprop.core.candidates import Operand, bilinear_candidates, select
    from symbackprop.errors import InternalError

    n1, n2, m = sp.symbols("n1 n2 m", integer=True, positive=True)
    delta = Operand("delta2", MatrixSymbol("delta2", n2, m), (n2, m))
    a = Operand("a1", MatrixSymbol("a1", n1, m), (n1, m))
    candidates = bilinear_candidates(delta, a, (n2, n1))
    assert select(candidates, "dJ/dW2", ("@", delta, a.T)).text == "delta2 a1^T"
    with pytest.raises(InternalError, match="not the rule's answer"):
        select(candidates, "dJ/dW2", ("@", a.T, delta))


def test_a_false_equality_is_never_stored() -> None:
    """verify_chain refuses an '=' that does not hold (else every chain check would be vacuous),
    and accepts one that holds only under the stated assumption when given it."""
    from symbackprop.core.algebra import verify_chain
    from symbackprop.errors import InternalError

    a, y, s = scalars.a, scalars.y, scalars.s
    verify_chain((((1 - y) / (1 - a) - y / a) * a * (1 - a), a - y))
    with pytest.raises(InternalError, match="does not hold"):
        verify_chain((a * (1 - a), a))
    with pytest.raises(InternalError):
        verify_chain((a * s - y, a - y))
    verify_chain((a * s - y, a - y), {s: sp.Integer(1)})


def test_a_model_steps_stores_names_what_the_printers_show() -> None:
    """Step.stores read the graph's internal names (``dJ/d_t5``), which no printer shows."""
    d = sb.derive("examples/models/residual_mlp.model")
    stores = [s.stores for s in d.steps if s.stores]
    assert "dJ/d(w^T h + c)" in stores and "dJ/dh" in stores
    assert not any("_t" in name for name in stores)
    text = sb.to_text(d)
    assert all(name in text for name in stores)
