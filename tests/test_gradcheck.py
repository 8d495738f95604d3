"""Generated gradients against central finite differences and against HIPS autograd."""

from __future__ import annotations

from typing import Any

import autograd.numpy as anp
import numpy as np
import pytest
from autograd import grad
from hypothesis import given
from hypothesis import strategies as st

import symbackprop as sb
from symbackprop.check.finite_diff import relative_error

HIDDEN = ["sigmoid", "tanh", "relu", "leaky_relu", "identity", "softplus"]
# (output activation, loss) pairs the spec allows: bce needs sigmoid, ce softmax (>= 2 units)
HEADS = [("sigmoid", "bce"), ("softmax", "ce")] + [(act, "mse") for act in [*HIDDEN, "softmax"]]

_ACT: dict[str, Any] = {
    "sigmoid": lambda z: 1 / (1 + anp.exp(-z)),
    "tanh": anp.tanh,
    "relu": lambda z: anp.where(z > 0, z, 0.0),
    "leaky_relu": lambda z: anp.where(z > 0, z, 0.01 * z),
    "identity": lambda z: z,
    "softplus": lambda z: anp.logaddexp(0.0, z),
    "softmax": lambda z: (
        anp.exp(z - anp.max(z, axis=0)) / anp.sum(anp.exp(z - anp.max(z, axis=0)), axis=0)
    ),
}


def autograd_cost(net: sb.Network, l2: float) -> Any:
    """An independent forward pass and cost, written directly with autograd.numpy."""
    acts = net.activations
    depth = net.depth

    def cost(params: dict[str, Any], X: np.ndarray, Y: np.ndarray) -> Any:
        A = X
        for layer in range(1, depth + 1):
            A = _ACT[acts[layer - 1]](anp.dot(params[f"W{layer}"], A) + params[f"b{layer}"])
        m = X.shape[1]
        if net.loss == "bce":
            per = -(Y * anp.log(A) + (1 - Y) * anp.log(1 - A))
        elif net.loss == "ce":
            per = -Y * anp.log(A)
        else:
            per = 0.5 * (A - Y) ** 2
        J = anp.sum(per) / m
        for layer in range(1, depth + 1):
            J = J + l2 / (2 * m) * anp.sum(params[f"W{layer}"] ** 2)
        return J

    return cost


@st.composite
def problems(draw: st.DrawFn) -> tuple[sb.Network, dict[str, np.ndarray], np.ndarray, np.ndarray]:
    depth = draw(st.integers(1, 5))
    out_act, loss = draw(st.sampled_from(HEADS))
    widths = draw(st.lists(st.integers(1, 6), min_size=depth + 1, max_size=depth + 1))
    if out_act == "softmax":
        widths[-1] = max(widths[-1], 2)
    hidden = draw(st.lists(st.sampled_from(HIDDEN), min_size=depth - 1, max_size=depth - 1))
    l2 = draw(st.sampled_from([0.0, 0.0, 0.3]))
    m = draw(st.integers(1, 8))
    seed = draw(st.integers(0, 2**16))
    parts = [str(widths[0])]
    parts += [f"{w}:{a}" for w, a in zip(widths[1:-1], hidden, strict=True)]
    parts.append(f"{widths[-1]}:{out_act}")
    net = sb.Network.parse("-".join(parts), loss=loss, l2=l2)
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((widths[0], m))
    n_out = widths[-1]
    if loss == "ce":
        Y = np.eye(n_out)[:, rng.integers(0, n_out, m)]
    elif loss == "bce":
        Y = (rng.random((n_out, m)) > 0.5).astype(float)
    else:
        Y = rng.standard_normal((n_out, m))
    params = {}
    for layer in range(1, depth + 1):
        params[f"W{layer}"] = rng.standard_normal((widths[layer], widths[layer - 1]))
        params[f"b{layer}"] = 0.5 * rng.standard_normal((widths[layer], 1))  # off the kinks
    return net, params, X, Y


@given(problems())
@pytest.mark.slow  # over 0.5 s of the default suite's time (2026-12-07)
def test_generated_gradients_match_finite_differences_and_autograd(
    problem: tuple[sb.Network, dict[str, np.ndarray], np.ndarray, np.ndarray],
) -> None:
    net, params, X, Y = problem
    mod = sb.compile(net)
    check = sb.gradcheck(mod, params, X, Y)
    assert check.ok, str(check)
    cost, grads = mod.loss_and_grads(params, X, Y)
    reference = autograd_cost(net, net.l2)
    assert cost == pytest.approx(float(reference(params, X, Y)), rel=1e-9, abs=1e-12)
    expected = grad(reference)(params, X, Y)
    for key in params:
        np.testing.assert_allclose(grads[key], expected[key], rtol=1e-7, atol=1e-11)


def test_l2_matches_finite_differences_of_the_regularized_cost() -> None:
    net = sb.Network.parse("4-5:tanh-3:relu-2:softmax", loss="ce", l2=0.7)
    mod = sb.compile(net)
    rng = np.random.default_rng(5)
    params = mod.init_params(seed=1, scheme="he")
    params = {k: v + 0.1 * rng.standard_normal(v.shape) for k, v in params.items()}
    X = rng.standard_normal((4, 6))
    Y = np.eye(2)[:, rng.integers(0, 2, 6)]
    assert sb.gradcheck(mod, params, X, Y).ok
    cost_l2, _ = mod.loss_and_grads(params, X, Y)
    cost0, _ = sb.compile(sb.Network.parse("4-5:tanh-3:relu-2:softmax", loss="ce")).loss_and_grads(
        params, X, Y
    )
    penalty = 0.7 / (2 * 6) * sum(np.sum(params[f"W{layer}"] ** 2) for layer in (1, 2, 3))
    assert cost_l2 == pytest.approx(cost0 + penalty, rel=1e-12)


def test_directional_mode_on_a_larger_network() -> None:
    mod = sb.compile(sb.Network.parse("30-40:relu-20:tanh-10:softmax", loss="ce"))
    rng = np.random.default_rng(0)
    params = mod.init_params(seed=0, scheme="he")
    params = {k: v + 0.05 * rng.standard_normal(v.shape) for k, v in params.items()}
    X = rng.standard_normal((30, 16))
    Y = np.eye(10)[:, rng.integers(0, 10, 16)]
    check = sb.gradcheck(mod, params, X, Y, mode="directional", directions=6)
    assert check.ok, str(check)
    assert all(row.checked == 6 for row in check.rows)


def test_relu_kink_is_skipped_not_failed() -> None:
    """A pre-activation 1e-7 from zero: the finite step crosses the kink and is skipped."""
    mod = sb.compile(sb.Network.parse("2-2:relu-1", output="identity", loss="mse"))
    rng = np.random.default_rng(3)
    params = mod.init_params(seed=3, scheme="normal")
    X = rng.standard_normal((2, 3))
    Y = rng.standard_normal((1, 3))
    params["b1"] = rng.standard_normal((2, 1))
    params["b1"][0, 0] = 1e-7 - (params["W1"] @ X)[0, 0]  # Z1[0, 0] = 1e-7
    params["W2"] = np.array([[1.5, -2.0]])
    check = sb.gradcheck(mod, params, X, Y)
    assert check.ok, str(check)
    assert check.skipped >= 1
    directional = sb.gradcheck(mod, params, X, Y, mode="directional", eps=1e-6)
    assert directional.ok, str(directional)


def test_wrong_gradient_is_caught() -> None:
    mod = sb.compile(sb.Network.parse("3-4-2"))
    params = mod.init_params(seed=0, scheme="normal")
    X = np.random.default_rng(0).standard_normal((3, 5))
    Y = np.ones((2, 5))

    class Broken:
        kinked = ()
        forward = staticmethod(mod.forward)

        @staticmethod
        def loss_and_grads(p: dict[str, np.ndarray], X: np.ndarray, Y: np.ndarray) -> Any:
            cost, grads = mod.loss_and_grads(p, X, Y)
            grads["W2"] = grads["W2"].T.reshape(grads["W2"].shape)  # a transposition slip
            grads["b1"] = grads["b1"] * 1.01
            return cost, grads

    check = sb.gradcheck(Broken(), params, X, Y)
    assert not check.ok
    failed = {row.parameter for row in check.rows if not row.ok}
    assert failed == {"W2", "b1"}
    assert not sb.gradcheck(Broken(), params, X, Y, mode="directional").ok


def test_a_gradient_left_out_is_named_in_one_line() -> None:
    """hostile17: a module whose gradients lack a parameter raised a bare KeyError."""
    mod = sb.compile(sb.Network.parse("3-4-2"))
    params = mod.init_params(seed=0)
    X, Y = np.random.default_rng(0).standard_normal((3, 5)), np.ones((2, 5))

    class Partial:
        kinked = ()
        forward = staticmethod(mod.forward)

        @staticmethod
        def loss_and_grads(p: dict[str, np.ndarray], X: np.ndarray, Y: np.ndarray) -> Any:
            cost, grads = mod.loss_and_grads(p, X, Y)
            return cost, {k: v for k, v in grads.items() if k != "W2"}

    with pytest.raises(
        ValueError, match=r"gradients have no W2 \(loss_and_grads returned W1, b1, b2\)"
    ):
        sb.gradcheck(Partial(), params, X, Y)


def test_relative_error_conventions() -> None:
    assert relative_error(np.zeros(3), np.zeros(3)) == 0.0
    assert relative_error(np.ones(2), -np.ones(2)) == 1.0
    with pytest.raises(ValueError, match="mode"):
        sb.gradcheck(
            sb.compile(sb.Network.parse("2-1")), {}, np.zeros((2, 1)), np.zeros((1, 1)), mode="x"
        )


def test_float32_module_agrees_with_float64() -> None:
    mod = sb.compile(sb.Network.parse("5-4:tanh-3:softmax", loss="ce"))
    p64 = mod.init_params(seed=4)
    p32 = mod.init_params(seed=4, dtype=np.float32)
    X = np.random.default_rng(1).standard_normal((5, 8))
    Y = np.eye(3)[:, np.arange(8) % 3]
    c64, g64 = mod.loss_and_grads(p64, X, Y)
    c32, g32 = mod.loss_and_grads(p32, X.astype(np.float32), Y.astype(np.float32))
    assert c32 == pytest.approx(c64, rel=1e-5)
    for key in g64:
        assert g32[key].dtype == np.float32
        np.testing.assert_allclose(g32[key], g64[key], rtol=1e-3, atol=1e-5)
