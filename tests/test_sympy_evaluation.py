"""Every expression the API returns evaluates with SymPy alone and matches the generated code.

The forward definitions, the deltas, the compact and the expanded gradients are stock SymPy
matrix expressions: with concrete sizes and concrete float matrices substituted, ``.doit()``,
``.as_explicit()`` and ``sp.N`` evaluate them, with no evaluator of symbackprop's own. The
numbers must agree with the NumPy module ``sb.compile`` generates (forward cache and
gradients).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
import sympy as sp
from sympy import OneMatrix

import symbackprop as sb
from symbackprop.records.activations import ACTIVATIONS
from symbackprop.records.losses import LOSSES

SWISH = {"swish": "z*sigmoid(z)"}
ELEMENTWISE = [*sorted(name for name, act in ACTIVATIONS.items() if act.elementwise), "swish"]
#: the output activation each loss is used with (mse: the hidden one)
OUTPUT = {"bce": "sigmoid", "ce": "softmax", "mse": None}
#: (batch, l2): every combination
FORMS = [(False, 0.0), (True, 0.25), (True, 0.0), (False, 0.25)]
M = 3


def _cases() -> list[Any]:
    """Each (activation, loss) pair in two forms, all of them in the slow suite. The default
    suite keeps one pair per activation, its loss taken in turn (bce, ce, mse, ...) and its form
    too, so it still has every activation, every loss and every form."""
    cases = []
    losses = sorted(LOSSES)
    for a, act in enumerate(ELEMENTWISE):
        for k, loss in enumerate(losses):
            index = a * len(losses) + k
            if k == a % len(losses):
                forms = [(FORMS[a % 4], False), (FORMS[(a + 2) % 4], True)]
            else:
                forms = [(FORMS[index % 4], True), (FORMS[(index + 2) % 4], True)]
            for (batch, l2), slow in forms:
                marks = [pytest.mark.slow] if slow else []
                name = f"{act}-{loss}-{'batch' if batch else 'single'}-l2={l2}"
                cases.append(pytest.param(act, loss, batch, l2, id=name, marks=marks))
    return cases


def _network(act: str, loss: str, l2: float) -> sb.Network:
    output = OUTPUT[loss] or act
    width = 3 if output == "softmax" else 2
    return sb.Network.parse(f"3-2:{act}-{width}:{output}", loss=loss, l2=l2, define=SWISH)


def _explicit(expr: Any, values: dict[Any, Any]) -> np.ndarray:
    """``expr`` evaluated by SymPy alone: substitute, doit, as_explicit, N."""
    concrete = expr.subs(values)
    # SymPy's doit keeps a ones matrix symbolic beside explicit ones: make it explicit first
    concrete = concrete.xreplace({ones: ones.as_explicit() for ones in concrete.atoms(OneMatrix)})
    concrete = concrete.doit()
    if not isinstance(concrete, sp.MatrixBase):
        concrete = concrete.as_explicit()
    return np.array(sp.N(concrete, 20).tolist(), dtype=float)


def _close(got: np.ndarray, want: np.ndarray) -> bool:
    return bool(np.allclose(got, want, rtol=1e-9, atol=1e-12))


@pytest.mark.slow  # over 0.7 s of the default suite's time (2026-12-06)
@pytest.mark.parametrize(("act", "loss", "batch", "l2"), _cases())
def test_api_expressions_evaluate_with_sympy_alone(
    act: str, loss: str, batch: bool, l2: float
) -> None:
    net = _network(act, loss, l2)
    d = sb.derive(net, batch=batch)
    module = sb.compile(net)
    m = M if batch else 1
    rng = np.random.default_rng(7)
    params = {name: rng.standard_normal(shape) for name, shape in module.SHAPES.items()}
    n0, n_out = module.SHAPES["W1"][1], module.SHAPES["W2"][0]
    X = rng.standard_normal((n0, m))
    Y = LOSSES[loss].draw_targets(rng, (n_out, m))
    cost, grads = module.loss_and_grads(params, X, Y)
    output, cache = module.forward(params, X)

    sizes: dict[Any, Any] = dict(d.sizes)
    if batch:
        sizes[d.graph.m] = m
    values: dict[Any, Any] = dict(sizes)
    values[sp.Symbol("lambda", positive=True)] = sp.Float(l2, 20)
    data = {**params, "X": X, "Y": Y}
    for name, symbol in d.symbols.items():
        key = name.upper() if name in ("x", "y") else name
        if key in data:
            values[symbol] = sp.ImmutableMatrix(data[key])

    every = [*d.forward.values(), *d.deltas.values(), *d.gradients.values(), *d.expanded.values()]
    for expr in every:
        assert expr.diff(sp.Symbol("lambda", positive=True)) is not None
        concrete = expr.subs(sizes)
        assert all(n.is_Integer for n in concrete.shape)
        assert concrete[0, 0] is not None  # entry access
    # with concrete sizes the entries are scalar expressions SymPy differentiates itself
    entry = d.expanded["W1"].subs(sizes)[0, 0]
    assert entry.diff(d.symbols["W2"].subs(sizes)[0, 0]) != 0

    # the forward pass, definition by definition
    for name, expr in d.forward.items():
        values[d.symbols[name]] = sp.ImmutableMatrix(_explicit(expr, values))
        code_name = name.upper()
        if code_name in cache:
            assert _close(np.array(values[d.symbols[name]], dtype=float), cache[code_name]), name
    last = d.symbols[("A" if batch else "a") + str(d.depth)]
    assert _close(np.array(values[last], dtype=float), output)

    # the deltas from the last layer back, then the gradients compact and expanded
    for layer in sorted(d.deltas, reverse=True):
        values[d.delta_symbols[layer]] = sp.ImmutableMatrix(_explicit(d.deltas[layer], values))
    for name, expr in d.gradients.items():  # single example: the module's mean over m = 1
        assert _close(_explicit(expr, values), grads[name]), f"compact dJ/d{name}"
    forward_only = {k: v for k, v in values.items() if k not in d.delta_symbols.values()}
    for name, expr in d.expanded.items():
        assert _close(_explicit(expr, forward_only), grads[name]), f"expanded dJ/d{name}"
    assert np.isfinite(cost)
