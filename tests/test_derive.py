"""The derivation engine: the lecture's formulas, shape selection and step records."""

from __future__ import annotations

import random

import pytest
import sympy as sp
from sympy import HadamardProduct, MatMul, OneMatrix, Transpose

import symbackprop as sb
from symbackprop.check.exact import Evaluator, Table
from symbackprop.records.activations import ACTIVATIONS
from symbackprop.records.nodes import Elementwise, activation_of


def _rational_matrix(rng: random.Random, rows: int, cols: int) -> sp.Matrix:
    return sp.Matrix(rows, cols, lambda i, j: sp.Rational(rng.randint(-9, 9), rng.randint(1, 7)))


def _equal_at_rational_points(
    first: sp.Basic, second: sp.Basic, d: sb.Derivation, trials: int = 3
) -> bool:
    """Evaluate two matrix expressions with every symbol a random rational matrix."""
    rng = random.Random(1)
    sizes = {sym: 3 if sym.name != "n3" else 1 for sym in d.graph.dims}
    sizes[sp.Symbol("m", integer=True, positive=True)] = 2
    for _ in range(trials):
        env = {}
        for name, sym in d.symbols.items():
            rows, cols = (int(sp.sympify(s).xreplace(sizes)) for s in sym.shape)
            env[name] = _rational_matrix(rng, rows, cols)
        evaluate = Evaluator(env, dict(sizes), Table(rng, dict(ACTIVATIONS)))
        if evaluate(first) != evaluate(second):
            return False
    return True


@pytest.mark.parametrize("spec", ["4-3-2-1", "n-3-2-1"])
def test_lecture_formulas_single_example(spec: str) -> None:
    d = sb.derive(sb.Network.parse(spec))
    s = d.symbols
    a1, a2, a3, y, w3 = s["a1"], s["a2"], s["a3"], s["y"], s["W3"]
    ones = OneMatrix(*a2.shape)
    # dJ/dW3 = (a3 - y) a2^T
    assert _equal_at_rational_points(d.expanded["W3"], (a3 - y) * a2.T, d)
    # dJ/dW2 = ((W3^T (a3 - y)) ⊙ a2 ⊙ (1 - a2)) a1^T
    lecture_w2 = HadamardProduct(w3.T * (a3 - y), a2, ones - a2) * a1.T
    assert _equal_at_rational_points(d.expanded["W2"], lecture_w2, d)
    # ... and a wrong arrangement is not equal (the evaluation can tell them apart)
    wrong = HadamardProduct(w3.T * (a3 - y), a2, a2) * a1.T
    assert not _equal_at_rational_points(d.expanded["W2"], wrong, d)
    # the expanded form has the lecture's shape: (hadamard of three factors) times a1^T
    expanded = d.expanded["W2"]
    assert isinstance(expanded, MatMul)
    hadamard, right = expanded.args
    assert right == Transpose(a1)
    assert isinstance(hadamard, HadamardProduct) and len(hadamard.args) == 3
    assert hadamard.args[0] == w3.T * (a3 - y)
    assert str(expanded) == "(HadamardProduct(W3.T*(a3 - y), a2, -a2 + 1))*a1.T"


def test_lecture_compact_form_reuses_delta() -> None:
    d = sb.derive(sb.Network.parse("4-3-2-1"))
    delta3, delta2 = d.delta_symbols[3], d.delta_symbols[2]
    assert d.deltas[3] == d.symbols["a3"] - d.symbols["y"]
    assert d.gradients["W3"] == delta3 * d.symbols["a2"].T
    assert d.gradients["b3"] == delta3
    assert d.gradients["W2"] == delta2 * d.symbols["a1"].T
    # delta2 is written with delta3, not recomputed from the loss
    assert delta3 in d.deltas[2].atoms(sp.MatrixSymbol)


def test_bce_sigmoid_cancellation_is_derived_not_typed() -> None:
    d = sb.derive(sb.Network.parse("4-3-2-1"))
    step = next(s for s in d.steps if s.target == "dJ/dz3")
    assert step.rule == "elementwise"
    assert step.algebra_text is not None and step.algebra_text.endswith("= a - y")
    a, y = sp.Symbol("a", real=True), sp.Symbol("y", real=True)
    assert step.algebra[-1] == a - y  # the chain ends in SymPy's a - y, verified on the way
    loss_step = d.steps[0]
    assert loss_step.rule == "loss"
    assert "log" not in str(loss_step.expr)  # dL/da, not L


def test_relu_hidden_layers_give_indicator() -> None:
    d = sb.derive(sb.Network.parse("4-3:relu-2:relu-1:sigmoid"))
    for layer in (1, 2):
        applies = [n for n in sp.preorder_traversal(d.deltas[layer]) if isinstance(n, Elementwise)]
        assert len(applies) == 1
        assert applies[0].indicator == (">", 0)
        assert applies[0].arg == d.symbols[f"a{layer}"]  # read from a: a > 0 exactly where z > 0
        assert f"1{{a{layer} > 0}}" in str(d.deltas[layer])
    # no a(1 - a) factor for relu layers
    assert OneMatrix(*d.symbols["a2"].shape) - d.symbols["a2"] not in sp.preorder_traversal(
        d.deltas[2]
    )


def test_batch_form_means_over_columns() -> None:
    d = sb.derive(sb.Network.parse("4-3-2-1"), batch=True)
    m = sp.Symbol("m", integer=True, positive=True)
    assert d.deltas[3] == (d.symbols["A3"] - d.symbols["Y"]) / m
    assert d.gradients["b2"] == d.delta_symbols[2] * OneMatrix(m, 1)
    assert d.shapes["X"] == (sp.Symbol("n0", integer=True, positive=True), m)


def test_softmax_cross_entropy_states_its_assumption() -> None:
    d = sb.derive(sb.Network.parse("5-4:tanh-3:softmax", loss="ce"), batch=True)
    m = sp.Symbol("m", integer=True, positive=True)
    assert d.deltas[2] == (d.symbols["A2"] - d.symbols["Y"]) / m
    rules = [s.rule for s in d.steps]
    assert "assumption" in rules and "softmax" in rules
    assert d.assumptions and "sums to 1" in d.assumptions[0]


def test_the_assumption_names_the_target_the_derivation_has() -> None:
    """hostile15 5f: a batch's target is Y (the text said "each column of y"); one
    example's is y; a model's is its own name."""
    ce = sb.Network.parse("3-2:softmax", loss="ce")
    assert sb.derive(ce, batch=True).assumptions[0].startswith("each column of Y sums to 1")
    assert sb.derive(ce).assumptions[0].startswith("each column of y sums to 1")
    model = sb.Model.parse(
        "W : 2 x 3\nX : 3 x m\nL : 2 x m\nJ = ce(softmax(W X), L)\ndata: X, L\n"
    )
    assert sb.derive(model).assumptions[0].startswith("each column of L sums to 1")


def test_identity_layers_pass_gradient_through() -> None:
    d = sb.derive(sb.Network.parse("3-2:identity-2:identity", loss="mse"))
    assert d.deltas[2] == d.symbols["a2"] - d.symbols["y"]
    assert d.deltas[1] == d.symbols["W2"].T * d.delta_symbols[2]


@pytest.mark.parametrize("spec", ["4-3-2-1", "4-4-4-1", "3-3:relu-3:softmax"])
@pytest.mark.parametrize("batch", [False, True])
def test_every_step_keeps_exactly_one_candidate(spec: str, batch: bool) -> None:
    loss = "ce" if "softmax" in spec else "bce"
    d = sb.derive(sb.Network.parse(spec, loss=loss), batch=batch)
    for step in d.steps:
        assert step.target and step.reason and step.rule
        if step.candidates:
            # an equal form (softmax: S g = S^T g, S symmetric) is not a second survivor
            assert sum(c.fits and c.equal is None for c in step.candidates) == 1, step.target
            assert step.chosen is not None
            for cand in step.candidates:
                assert cand.fits or cand.note
    # bias in single-example form: no sum over columns is even proposed
    bias_steps = [s for s in d.steps if s.rule == "bias"]
    assert all(bool(s.candidates) == batch for s in bias_steps)


def test_square_layers_are_told_apart_by_generic_dimensions() -> None:
    d = sb.derive(sb.Network.parse("4-4-4-1"))
    step = next(s for s in d.steps if s.target == "dJ/da1")
    assert step.expr == d.symbols["W2"].T * d.delta_symbols[2]
    # W2 delta2 is the tempting wrong one: with n1 != n2 its inner dimensions differ
    (rejected,) = [c for c in step.candidates if c.text == "W2 delta2"]
    assert not rejected.fits and "inner dimensions n1 and n2 differ" in rejected.note
    # W2 is 4 x 4 concretely, but n2 x n1 symbolically
    assert d.shapes["W2"][0] != d.shapes["W2"][1]
    assert d.sizes[d.graph.dims[1]] == d.sizes[d.graph.dims[2]] == 4


def test_step_reason_names_shapes() -> None:
    d = sb.derive(sb.Network.parse("4-3-2-1"))
    step = next(s for s in d.steps if s.target == "dJ/dW2")
    assert "n2 x n1" in step.reason and "delta2 a1^T" in step.reason
    assert step.uses == ("a1",)
    assert [c.text for c in step.candidates if c.fits] == ["delta2 a1^T"]


def test_forward_graph_symbols() -> None:
    d = sb.derive(sb.Network.parse("4-3-2-1"))
    n0, n1 = d.graph.dims[:2]
    assert d.symbols["W1"].shape == (n1, n0)
    assert d.forward["z1"] == d.symbols["W1"] * d.symbols["x"] + d.symbols["b1"]
    assert d.forward["a1"] == activation_of(ACTIVATIONS["sigmoid"], d.symbols["z1"])
    assert d.shapes["y"] == (d.graph.dims[3], 1)
    # n3 stays symbolic even though the output has one unit
    assert isinstance(d.graph.dims[3], sp.Symbol)
    assert {str(k): v for k, v in d.sizes.items()} == {"n0": 4, "n1": 3, "n2": 2, "n3": 1}


def test_named_width_stays_a_symbol() -> None:
    d = sb.derive(sb.Network.parse("n-3-2-1"))
    assert d.graph.dims[0].name == "n"
    assert d.graph.dims[0] not in d.sizes


def test_l2_adds_lambda_over_m_times_w() -> None:
    d = sb.derive(sb.Network.parse("3-2-1", l2=0.1), batch=True)
    lam = sp.Symbol("lambda", positive=True)
    m = sp.Symbol("m", integer=True, positive=True)
    w = d.symbols["W1"]
    assert d.gradients["W1"] == d.delta_symbols[1] * d.symbols["X"].T + lam / m * w


def test_deep_network_derives_and_expands_without_recursion_error() -> None:
    spec = "-".join(["4"] * 41) + "-1"
    d = sb.derive(sb.Network.parse(spec, hidden="tanh"))
    assert len(d.gradients) == 2 * 41
    assert d.expanded["W1"].shape == d.symbols["W1"].shape


def test_public_functions_are_not_shadowed_by_submodules() -> None:
    """Importing every submodule first must leave sb.derive etc. the functions (PEP 562)."""
    import importlib
    import pkgutil

    for info in pkgutil.walk_packages(sb.__path__, "symbackprop."):
        if not info.name.startswith("symbackprop.cli"):
            importlib.import_module(info.name)
    for name in ("derive", "codegen", "compile", "gradcheck", "check_formula"):
        if importlib.util.find_spec(sb._LAZY[name]) is None:
            continue  # not written yet
        assert callable(getattr(sb, name)), name
