"""log of a softmax or sigmoid whose output is also read elsewhere (``S = softmax(W X)`` in
``-sum(log(S)) + sum(S ⊙ S)``): the rule defining S distributes its Jacobian over the sum of
S's contributions, so log's 1/S cancels on its own (G - S ⊙ (1 1^T G); G ⊙ (1 - S)) instead of
being summed into dJ/dS first, which was inf where S rounds to 0 (logits of +-1000), and the
gradient NaN although the cost was finite."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from framework_support import import_framework
from jax_reference import BACKENDS, assert_matches_jax_grad

import symbackprop as sb

HEAD = "X : 2 x m\nY : 2 x m\nW : 2 x 2\n"
#: S's definition and the cost reading it twice -> the same cost in JAX (the jax module, z, y)
CASES: dict[str, Any] = {
    "S = softmax(W X)\nJ = -sum(log(S)) + sum(S ⊙ S) + 0 sum(Y)": lambda jax, z, y: (
        -jax.nn.log_softmax(z, axis=0).sum() + (jax.nn.softmax(z, axis=0) ** 2).sum()
    ),
    "S = softmax(W X)\nJ = ce(S, Y) - sum(log(S))/m + sum(S ⊙ S)": lambda jax, z, y: (
        -(y * jax.nn.log_softmax(z, axis=0)).sum() / z.shape[1]
        - jax.nn.log_softmax(z, axis=0).sum() / z.shape[1]
        + (jax.nn.softmax(z, axis=0) ** 2).sum()
    ),
    "S = sigmoid(W X)\nJ = -sum(log(S)) + sum(S ⊙ S) + 0 sum(Y)": lambda jax, z, y: (
        -jax.nn.log_sigmoid(z).sum() + (jax.nn.sigmoid(z) ** 2).sum()
    ),
    # a loss and log both cancelling with sigmoid: an InternalError (exit 3) before
    "S = sigmoid(W X)\nJ = bce(S, Y) - sum(log(S))": lambda jax, z, y: (
        -(y * jax.nn.log_sigmoid(z) + (1 - y) * jax.nn.log_sigmoid(-z)).sum() / z.shape[1]
        - jax.nn.log_sigmoid(z).sum()
    ),
}
X = np.array([[1000.0, -1000.0, 1.0], [0.0, 0.5, -0.2]])
Y = np.array([[0.0, 1.0, 0.0], [1.0, 0.0, 1.0]])
W_EXTREME = np.array([[1.0, 0.0], [-1.0, 0.5]])
W_ORDINARY = W_EXTREME / 1000


def test_log_of_a_softmax_read_twice_is_finite_at_1e3_numpy() -> None:
    """dJ/dW was NaN (dS = 2 S - 1/S); the expected gradient from the stable forms."""
    module = sb.compile(sb.Model.parse(HEAD + next(iter(CASES)) + "\ndata: X, Y\n"))
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        cost, grads = module.loss_and_grads({"W": W_EXTREME}, X, Y)
    z = W_EXTREME @ X
    s = np.exp(z - z.max(axis=0)) / np.exp(z - z.max(axis=0)).sum(axis=0)
    g = 2 * s  # dJ/dS of sum(S ⊙ S), then softmax's product, plus log's cancelled 2 S - 1
    want = (s * (g - (s * g).sum(axis=0)) + 2 * s - 1) @ X.T
    assert np.isfinite(cost) and cost > 1000
    np.testing.assert_allclose(grads["W"], want, rtol=1e-12, atol=1e-12)


@pytest.mark.slow
@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("equations", list(CASES))
def test_log_of_a_shared_value_matches_jax_grad(backend: str, equations: str) -> None:
    """At logits of +-1000 and at ordinary ones, in one module."""
    jax = import_framework("jax")
    jnp = import_framework("jax.numpy")

    def cost(v: Any) -> Any:
        return CASES[equations](jax, v @ jnp.asarray(X), jnp.asarray(Y))

    module = sb.compile(sb.Model.parse(HEAD + equations + "\ndata: X, Y\n"), backend=backend)
    for w in (W_EXTREME, W_ORDINARY):
        assert_matches_jax_grad(module, backend, cost, {"W": w}, (X, Y), atol=1e-12)


@pytest.mark.slow
@pytest.mark.parametrize("equations", list(CASES))
def test_log_of_a_shared_value_checks_exactly(equations: str) -> None:
    derivation = sb.derive(sb.Model.parse(HEAD + equations + "\ndata: X, Y\n"))
    text = " ".join(sb.to_text(derivation).split())
    assert "log's derivative 1/a" in text  # the step says what cancels
    assert sb.check_exact(derivation).ok
