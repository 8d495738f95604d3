"""Stable functions a model writes out by hand stay finite where the math is (|z| = 1e3, the
contract in DESIGN.md): ``log(1 + exp(u))`` is softplus, ``1 - sigmoid(u)`` inside a log or a
loss is ``sigmoid(-u)`` (core/model_rewrites.py, each identity checked by SymPy), so neither
the forward nor the backward computes an exp that overflows or a 1/a with a rounds to 0."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from framework_support import import_framework
from jax_reference import BACKENDS, assert_matches_jax_grad

import symbackprop as sb

HEAD = "X : n x m\nY : k x m\nW : k x n\nsizes: n = 2, k = 2\n"
#: the cases: equation -> the same cost in JAX from its stable library functions
CASES: dict[str, Any] = {
    "J = sum(log(1 + exp(W X))) + 0 sum(Y)": lambda jax, z, y: jax.numpy.logaddexp(0.0, z).sum(),
    "J = sum(log(exp(-(W X)) + 1)) + 0 sum(Y)": lambda jax, z, y: jax.numpy.logaddexp(
        0.0, -z
    ).sum(),
    "J = bce(1 - sigmoid(W X), Y)": lambda jax, z, y: (
        -(y * jax.nn.log_sigmoid(-z) + (1 - y) * jax.nn.log_sigmoid(z)).sum() / z.shape[1]
    ),
    "J = -sum(log(1 - sigmoid(W X))) + 0 sum(Y)": lambda jax, z, y: -jax.nn.log_sigmoid(-z).sum(),
    # the sigmoid on a line of its own, as the inline spelling
    "A = sigmoid(W X)\nJ = -sum(log(1 - A)) + 0 sum(Y)": lambda jax, z, y: (
        -jax.nn.log_sigmoid(-z).sum()
    ),
    # the complement on a line of its own too (review17 X3)
    "A = sigmoid(W X)\nQ = 1 - A\nJ = -sum(log(Q)) + 0 sum(Y)": lambda jax, z, y: (
        -jax.nn.log_sigmoid(-z).sum()
    ),
}
#: logits W X of +-1000 beside ordinary ones
X = np.array([[1000.0, -800.0, 0.3], [-500.0, 700.0, -1.2]])
Y = np.array([[1.0, 0.0, 1.0], [0.0, 1.0, 0.0]])
W_EXTREME = np.eye(2)
W_ORDINARY = np.array([[0.002, -0.001], [0.0005, 0.003]])


def test_softplus_written_out_is_finite_at_1e3_numpy() -> None:
    """No overflow, no NaN (before the rewrite J was inf and dJ/dW NaN); the slow tests below
    compare every case with jax.grad on every backend."""
    module = sb.compile(sb.Model.parse(HEAD + "J = sum(log(1 + exp(W X))) + 0 sum(Y)\ndata: X, Y"))
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        cost, grads = module.loss_and_grads({"W": W_EXTREME}, X, Y)
    assert cost == pytest.approx(np.logaddexp(0.0, W_EXTREME @ X).sum(), rel=1e-15)
    np.testing.assert_allclose(grads["W"], 0.5 * (1 + np.tanh(X / 2)) @ X.T, rtol=1e-15)


def test_logistic_sum_example_is_finite_at_x_w_1000() -> None:
    """examples/models/logistic_sum.model, J = sum(log(exp(-y ⊙ (X w)) + 1)): at X w =
    (1000, 0), y = (-1, 1), J = 1000 + log 2 and dJ/dw = (1000, -1/2, 0) (was inf and NaN)."""
    module = sb.compile("examples/models/logistic_sum.model")
    x = np.array([[1000.0, 0.0, 0.0], [0.0, 1.0, 0.0]])
    y = np.array([[-1.0], [1.0]])
    w = np.array([[1.0], [0.0], [0.0]])
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        cost, grads = module.loss_and_grads({"w": w}, x, y)
    assert cost == pytest.approx(1000 + np.log(2), rel=1e-15)
    np.testing.assert_allclose(grads["w"].ravel(), [1000.0, -0.5, 0.0], rtol=1e-15, atol=0)


@pytest.mark.parametrize(("complement", "c"), [("1 - A", 1.0), ("2 - 2 A", 2.0)])
def test_one_minus_a_defined_sigmoid_is_log_sigmoid_at_1e3_numpy(
    complement: str, c: float
) -> None:
    """``A = sigmoid(W X)`` on its own line, then ``log(1 - A)``: computed as written it was
    -inf from W X = 37 (1 - A rounds to 0; NumPy's divide warning) while ``log(1 - sigmoid(W
    X))`` was log-sigmoid; now the definition is seen through (``2 - 2 A`` too, as log(2) +
    log(1 - A)), and A, also read by the cost, is computed as before."""
    equation = f"A = sigmoid(W X)\nJ = -sum(log({complement})) + sum(A) + 0 sum(Y)"
    module = sb.compile(sb.Model.parse(HEAD + equation + "\ndata: X, Y"))
    Z = W_EXTREME @ X
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        cost, grads = module.loss_and_grads({"W": W_EXTREME}, X, Y)
    sig = 0.5 * (1 + np.tanh(Z / 2))
    # -log(c (1 - sigmoid(z))) = softplus(z) - log(c), derivative sigmoid(z); sigmoid' = s (1 - s)
    assert cost == pytest.approx((np.logaddexp(0.0, Z) - np.log(c) + sig).sum(), rel=1e-15)
    np.testing.assert_allclose(grads["W"], (sig + sig * (1 - sig)) @ X.T, rtol=1e-15)


def test_one_minus_a_on_its_own_line_is_sigmoid_of_minus_u_numpy() -> None:
    """review17 X3: ``P = sigmoid(W X)``, ``Q = 1 - P``, ``J = sum(log(Q))``: Q computed as
    written was 1 - P, its gradient 1/Q off by 1e-6 at W X = 14 (gradcheck FAILED) and -inf
    from 37; Q is now sigmoid(-(W X)) and log(Q) log-sigmoid, exact to the last digit at
    14, 140 and 1000 (and Q, read by a second term, is the complement to the last digit)."""
    equation = "P = sigmoid(W X)\nQ = 1 - P\nJ = sum(log(Q)) + sum(Q) + 0 sum(Y)"
    module = sb.compile(sb.Model.parse(HEAD + equation + "\ndata: X, Y"))
    x = np.array([[14.0, 140.0, 1000.0, -3.0], [0.0, 0.0, 0.0, 1.0]])
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        cost, grads = module.loss_and_grads({"W": W_EXTREME}, x, np.zeros((2, 4)))
    z = W_EXTREME @ x
    q = 0.5 * (1 - np.tanh(z / 2))  # sigmoid(-z), to the last digit
    assert cost == pytest.approx((-np.logaddexp(0.0, z) + q).sum(), rel=1e-15)
    # d/dz [log(sigmoid(-z)) + sigmoid(-z)] = -sigmoid(z) - q (1 - q)
    np.testing.assert_allclose(grads["W"], (-(1 - q) - q * (1 - q)) @ x.T, rtol=1e-14)


@pytest.mark.parametrize("equation", ["J = sum(log(1 - P))", "Q = 1 - P\nJ = sum(log(Q))"])
def test_a_rewrite_through_a_named_sigmoid_shows_its_argument(equation: str) -> None:
    """sigmoid(-u) read through P = sigmoid(W X) named P's internal argument: the steps said
    dJ/d(sigmoid(-_t1)) and dJ/d(-_t1); they say sigmoid(-(W X)) and -(W X), in every
    printer."""
    model = sb.Model.parse(HEAD + "P = sigmoid(W X)\n" + equation + " + 0 sum(Y)\ndata: X, Y")
    derivation = sb.derive(model)
    text, latex = sb.to_text(derivation), sb.to_latex(derivation)
    assert "dJ/d(-(W X))" in text or "dJ/d(sigmoid(-(W X)))" in text
    for shown in (text, latex, sb.to_markdown(derivation)):
        assert "_t1" not in shown and "t_{1}" not in shown


@pytest.mark.slow
@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("equation", list(CASES))
def test_hand_written_stable_forms_match_jax_grad(backend: str, equation: str) -> None:
    """At logits of +-1000 and at ordinary ones, in one module."""
    jax = import_framework("jax")
    jnp = import_framework("jax.numpy")
    reference = CASES[equation]

    def cost(v: Any) -> Any:
        return reference(jax, v @ jnp.asarray(X), jnp.asarray(Y))

    module = sb.compile(sb.Model.parse(HEAD + equation + "\ndata: X, Y\n"), backend=backend)
    for w in (W_EXTREME, W_ORDINARY):
        assert_matches_jax_grad(module, backend, cost, {"W": w}, (X, Y), atol=1e-15)


@pytest.mark.slow
@pytest.mark.parametrize("equation", list(CASES))
def test_hand_written_stable_forms_show_the_rewrite_and_check(equation: str) -> None:
    derivation = sb.derive(sb.Model.parse(HEAD + equation + "\ndata: X, Y\n"))
    text = " ".join(sb.to_text(derivation).split())  # the proved rewrite, named in its step
    assert (
        "(as log(1 + exp(u)) = softplus(u))" in text or "(as 1 - sigmoid(u) = sigmoid(-u))" in text
    )
    assert sb.check_exact(derivation).ok


@pytest.mark.parametrize(
    "written",
    [
        "2 - 2 sigmoid(W X)",
        "(1 - sigmoid(W X)) / 2",
        "3 (1 - sigmoid(W X))",
        "m - sigmoid(W X) * m",
    ],
)
def test_a_multiple_of_one_minus_sigmoid_is_log_sigmoid_at_1e3(written: str) -> None:
    """hostile15 5g: log(2 - 2 sigmoid(u)) was computed as written, -inf (with NumPy's divide
    warning) from u = 37, while log(1 - sigmoid(u)) was log-sigmoid and the softmax twin is
    refused; a number times 1 - sigmoid(u) is now log(c) + log-sigmoid(-u), finite."""
    module = sb.compile(sb.Model.parse(HEAD + f"J = sum(log({written})) + 0 sum(Y)\ndata: X, Y"))
    c = {"2": 2.0, "(": 0.5, "3": 3.0, "m": 3.0}[written[0]]  # m: the 3 columns of X
    Z = W_EXTREME @ X
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        cost, grads = module.loss_and_grads({"W": W_EXTREME}, X, Y)
    # log(c (1 - sigmoid(z))) = log(c) - softplus(z); its derivative -sigmoid(z)
    assert cost == pytest.approx((np.log(c) - np.logaddexp(0.0, Z)).sum(), rel=1e-15)
    np.testing.assert_allclose(grads["W"], -0.5 * (1 + np.tanh(Z / 2)) @ X.T, rtol=1e-15)
