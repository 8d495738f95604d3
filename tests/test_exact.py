"""The exact check: derived gradients against SymPy's scalar diff, in rational arithmetic."""

from __future__ import annotations

import random
from fractions import Fraction
from typing import Any

import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from sympy import HadamardProduct, MatMul, Transpose

import symbackprop as sb
from symbackprop.check.exact import ExactCheck, Oracle, concrete_sizes, forward_point
from symbackprop.records import scalars
from symbackprop.records.activations import ACTIVATIONS, custom_activation

ELEMENTWISE = sorted(name for name, act in ACTIVATIONS.items() if act.elementwise)


@st.composite
def architectures(draw: st.DrawFn) -> tuple[sb.Network, bool, int]:
    """Every valid activation/loss pair, depth 1-10, widths 1-3; batch or not, m 1-3."""
    depth = draw(st.integers(1, 10))
    loss = draw(st.sampled_from(["bce", "mse", "ce"]))
    widths = [draw(st.integers(1, 3)) for _ in range(depth + 1)]
    hidden = [draw(st.sampled_from(ELEMENTWISE)) for _ in range(depth - 1)]
    if loss == "bce":
        output = "sigmoid"
    elif loss == "ce":
        output = "softmax"
        widths[-1] = max(widths[-1], 2)
    else:
        output = draw(st.sampled_from([*ELEMENTWISE, "softmax"]))
        if output == "softmax":
            widths[-1] = max(widths[-1], 2)
    parts = [str(widths[0])]
    parts += [f"{w}:{a}" for w, a in zip(widths[1:], [*hidden, output], strict=True)]
    l2 = draw(st.sampled_from([0.0, 0.0, 0.25]))
    network = sb.Network.parse("-".join(parts), loss=loss, l2=l2)
    return network, draw(st.booleans()), draw(st.integers(1, 3))


def _exact_passes(case: tuple[sb.Network, bool, int]) -> None:
    network, batch, m = case
    d = sb.derive(network, batch=batch)
    result = sb.check_exact(d, trials=1, sizes={"m": m} if batch else None)
    assert result.ok, [str(m) for m in result.mismatches[:3]]
    # one trial's entries, once per trial run (more than one where a point was dead: a
    # one-unit relu network's, whose every entry compared was 0)
    assert result.entries == result.trials * sum(
        int(sp.sympify(r).xreplace(_sizes(result))) * int(sp.sympify(c).xreplace(_sizes(result)))
        for r, c in (d.symbols[name].shape for name in d.gradients)
    )


@settings(max_examples=5, deadline=None)
@given(architectures())
@pytest.mark.slow  # over 0.5 s of the default suite's time (2026-12-07)
def test_check_exact_passes_on_generated_architectures(
    case: tuple[sb.Network, bool, int],
) -> None:
    """A few drawn architectures (up to 10 layers) in the default suite; the slow suite draws
    many more."""
    _exact_passes(case)


@pytest.mark.slow
@settings(max_examples=40, deadline=None)
@given(architectures())
def test_check_exact_passes_on_many_generated_architectures(
    case: tuple[sb.Network, bool, int],
) -> None:
    _exact_passes(case)


def deep_spec(depth: int) -> str:
    return "-".join(["3"] * depth) + "-1"


def _sizes(result: ExactCheck) -> dict[sp.Symbol, int]:
    return {sp.Symbol(k, integer=True, positive=True): v for k, v in result.sizes.items()}


@pytest.mark.parametrize("batch", [False, True])
@pytest.mark.parametrize(
    ("spec", "loss"),
    [
        ("4-3-2-1", "bce"),
        pytest.param("n-3-2-1", "bce", marks=pytest.mark.slow),
        pytest.param("4-4-4-1", "bce", marks=pytest.mark.slow),
        pytest.param("3-3:relu-3:relu-2:sigmoid", "bce", marks=pytest.mark.slow),
        ("3-2:softplus-2:identity", "mse"),
        pytest.param("3-3:leaky_relu-3:softmax", "ce", marks=pytest.mark.slow),
        pytest.param("2-3:tanh-3:softmax", "mse", marks=pytest.mark.slow),
    ],
)
def test_check_exact_on_named_networks(spec: str, loss: str, batch: bool) -> None:
    d = sb.derive(sb.Network.parse(spec, loss=loss), batch=batch)
    result = sb.check_exact(d, trials=2)
    assert result.ok, [str(m) for m in result.mismatches[:3]]


def test_check_exact_custom_activation() -> None:
    net = sb.Network.parse("3-2:swish-1:sigmoid", define={"swish": "z*sigmoid(z)"})
    assert sb.check_exact(sb.derive(net, batch=True), trials=2).ok


def test_dropped_transpose_is_a_mismatch_on_a_square_network() -> None:
    # 4-4-4-1: W2 is square, so W2 delta2 evaluates; it is still wrong
    d = sb.derive(sb.Network.parse("4-4-4-1"))
    w2, delta2 = d.symbols["W2"], d.delta_symbols[2]
    d.deltas[1] = d.deltas[1].xreplace({Transpose(w2) * delta2: w2 * delta2})
    assert Transpose(w2) not in sp.preorder_traversal(d.deltas[1])
    result = sb.check_exact(d, trials=1)
    assert not result.ok
    assert {m.parameter for m in result.mismatches} == {"W1", "b1"}
    assert all(m.expected != m.got for m in result.mismatches)


@pytest.mark.slow
def test_hadamard_turned_into_product_is_a_mismatch() -> None:
    d = sb.derive(sb.Network.parse("4-4-4-1"), batch=True)
    hadamard = d.deltas[2]
    assert isinstance(hadamard, HadamardProduct)
    d.deltas[2] = MatMul(*hadamard.args)
    # square at m = n = 3, so the product is defined and merely wrong
    result = sb.check_exact(d, trials=1, sizes={"m": 3})
    assert not result.ok
    assert {"W2", "b2"} <= {m.parameter for m in result.mismatches}


def test_dropped_factor_deep_inside_ten_layers_is_a_mismatch_below_it_only() -> None:
    """g'(Z5) dropped from delta5 of a 10-layer network: every parameter of layers 1-5 is
    wrong, and only those (the oracle's chain rule runs from the cost down, layer by layer)."""
    d = sb.derive(sb.Network.parse(deep_spec(10)), batch=True)
    hadamard = d.deltas[5]
    assert isinstance(hadamard, HadamardProduct)
    d.deltas[5] = hadamard.args[0]  # W6^T delta6 alone
    result = sb.check_exact(d, trials=1, sizes={"m": 3})
    wrong = {f"{kind}{layer}" for layer in range(1, 6) for kind in "Wb"}
    assert {m.parameter for m in result.mismatches} == wrong


def test_dropped_one_over_m_is_a_mismatch_everywhere() -> None:
    d = sb.derive(sb.Network.parse(deep_spec(10)), batch=True)
    graph = d.graph
    d.deltas[10] = graph.a(10) - graph.y  # (1/m) dropped
    result = sb.check_exact(d, trials=1, sizes={"m": 3})
    assert {m.parameter for m in result.mismatches} == set(d.gradients)


def test_ten_layers_of_mixed_activations_pass() -> None:
    spec = "3-3:tanh-2:relu-3:softplus-3:leaky_relu-2:sigmoid-3:identity-3:tanh-2:relu-3-3:softmax"
    d = sb.derive(sb.Network.parse(spec, loss="ce", l2=0.25), batch=True)
    result = sb.check_exact(d, trials=1, sizes={"m": 3})
    assert result.ok, [str(m) for m in result.mismatches[:3]]


@pytest.mark.parametrize(
    ("spec", "loss", "l2", "batch"),
    [
        ("2-2:relu-2:sigmoid", "bce", 0.0, False),
        pytest.param("2-3:tanh-2:softmax", "ce", 0.25, True, marks=pytest.mark.slow),
        pytest.param("2-2:softplus-2:identity-1:tanh", "mse", 0.5, True, marks=pytest.mark.slow),
    ],
)
def test_oracle_equals_sympy_diff_of_the_whole_written_out_cost(
    spec: str, loss: str, l2: float, batch: bool
) -> None:
    """The oracle (SymPy's diff per stage, the chain rule in rationals) gives exactly what
    DESIGN.md's literal reference gives: SymPy's diff of the whole scalar cost, written out
    entry by entry with one parameter entry left as a symbol."""
    d = sb.derive(sb.Network.parse(spec, loss=loss, l2=l2), batch=batch)
    sizes = concrete_sizes(d, {"m": 2} if batch else None)
    env, _evaluate, table = forward_point(d, sizes, random.Random(1))
    lam = sp.Rational(Fraction(str(l2)))
    oracle = Oracle(d, table, env)
    stages = oracle.gradients(lam)
    p = sp.Symbol("p", real=True)
    for name, gradient in stages.items():
        for i in range(gradient.rows):
            for j in range(gradient.cols):
                params = {key: value.copy() for key, value in env.items()}
                point = params[name][i, j]
                params[name][i, j] = p
                whole = _whole_cost(oracle, d, params, lam)
                assert sp.diff(whole, p).xreplace({p: point}) == gradient[i, j], (name, i, j)


def _whole_cost(oracle: Oracle, d: Any, params: dict[str, sp.Matrix], lam: sp.Rational) -> Any:
    """J written out in scalars: the forward pass through the oracle's table functions."""
    g = d.graph
    x, y = params[g.x.name], params[g.y.name]
    m = x.shape[1]
    a = x
    for layer in range(1, g.depth + 1):
        z = params[f"W{layer}"] * a + params[f"b{layer}"] * sp.ones(1, m)
        a = oracle.activate(g.activation(layer), z)
    loss = sp.Add(
        *(g.loss.formula.xreplace({scalars.a: a[k], scalars.y: y[k]}) for k in range(len(y)))
    )
    penalty = sp.Add(*(v**2 for layer in range(1, g.depth + 1) for v in params[f"W{layer}"]))
    return loss / m + lam / (2 * m) * penalty


def test_corrupted_gradient_with_wrong_shape_is_reported_not_raised() -> None:
    d = sb.derive(sb.Network.parse("4-3-2-1"))
    d.gradients["W2"] = d.delta_symbols[2].T * d.symbols["a1"]  # undefined at these sizes
    result = sb.check_exact(d, trials=1)
    assert not result.ok
    assert any(m.parameter == "W2" and m.note for m in result.mismatches)


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_activation_derivative_record_matches_sympy_diff(name: str) -> None:
    """The one fact the exact check takes on trust, checked on its own for every record."""
    act = ACTIVATIONS[name]
    assert act.formula is not None
    z, a = scalars.z, scalars.a
    truth = sp.diff(act.formula.rewrite(sp.exp), z)
    cached = act.cached_derivative.xreplace({a: act.formula})
    rng = random.Random(0)
    for _ in range(8):
        q = sp.Rational(rng.randint(-40, 40), 7)
        if q == 0:
            continue
        assert abs(sp.N(truth.subs(z, q) - cached.subs(z, q).rewrite(sp.exp), 30)) < 1e-25


def test_cached_forms_are_the_lecture_ones() -> None:
    a, z = scalars.a, scalars.z
    assert ACTIVATIONS["sigmoid"].cached_derivative == a * (1 - a)
    assert ACTIVATIONS["tanh"].cached_derivative == 1 - a**2
    # relu' and leaky_relu' read the sign of a (a > 0 exactly where z > 0): Z is not cached
    relu = ACTIVATIONS["relu"].cached_derivative
    assert relu == sp.Piecewise((1, a > 0), (0, True)) and z not in relu.free_symbols
    assert relu.subs(a, 0) == 0 and relu.subs(a, 2) == 1  # relu'(0) = 0
    leaky = ACTIVATIONS["leaky_relu"].cached_derivative
    assert leaky.subs(a, sp.Rational(-1, 100)) == sp.Rational(1, 100) and leaky.subs(a, 0) != 1


def test_custom_activation_derivative_is_derived() -> None:
    swish = custom_activation("swish", "z*sigmoid(z)")
    z = scalars.z
    value = swish.derivative.subs(z, 1).rewrite(sp.exp)
    expected = sp.diff(z / (1 + sp.exp(-z)), z).subs(z, 1)
    assert abs(sp.N(value - expected, 30)) < 1e-25


def test_long_custom_activation_derives() -> None:
    """A long custom formula derives and checks (simplify() once spent minutes on this one).

    No wall-clock assertion: a regression shows up as a suite that no longer fits its budget.
    """
    formula = "z*sigmoid(z)+softplus(z)*tanh(z)/(1+abs(z))+exp(-z^2)*log(1+z^2)"
    net = sb.Network.parse("3-4:f-1", define={"f": formula}, output="sigmoid")
    d = sb.derive(net)
    assert sb.check_exact(d, trials=1).ok
