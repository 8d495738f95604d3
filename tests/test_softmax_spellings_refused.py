"""Hostile round 12, finding 6: the refusals of bce of a softmax and of log(1 - softmax(u)), and
the stable ce of a softmax, were bypassed by spellings that leave each entry a positive
multiple of softmax(u) or of 1 - softmax(u): ``^1``, ``abs``/``relu``/``sqrt(.^2)`` of a
softmax, ``2 - 2 softmax``, ``(1 - softmax)/2``, ``1 + (-1) softmax``, ``1 - sigmoid ⊙ 0 -
softmax``, a product of two complements, ``ce(softmax(U)^T^T, Y)``. The argument is now
normalised structurally (:mod:`symbackprop.core.softmax_forms`): each line is refused in one
line (exit 2), or, for ce, derived in the stable form (finite cost and gradients equal to the
log-softmax's at logits of +-50 x 50).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from framework_support import import_framework
from jax_reference import BACKENDS, assert_matches_jax_grad

import symbackprop as sb
from symbackprop.cli.main import main

HEAD = "X : n0 x m\nY : n1 x m\nW : n1 x n0\nsizes: n0 = 2, n1 = 2\nU = W X\n"
REFUSED = [
    ("J = bce(softmax(U)^1, Y)", "bce of a softmax"),
    ("J = bce(softmax(U)^1.0, Y)", "bce of a softmax"),
    ("J = bce(softmax(U)^T^T^1, Y)", "bce of a softmax"),
    ("J = bce(abs(softmax(U)), Y)", "bce of a softmax"),
    ("J = bce(relu(softmax(U)), Y)", "bce of a softmax"),
    ("J = bce(sqrt(softmax(U)^2), Y)", "bce of a softmax"),
    # an affine form of a softmax with an end at 0 or 1: log(a) or log(1 - a) is -inf (review 12)
    ("J = bce(1 - softmax(U), Y)", "bce of a softmax"),
    ("J = bce(0.5 + 0.5 softmax(U), Y)", "bce of a softmax"),
    ("J = bce((1 + softmax(U))/2, Y)", "bce of a softmax"),
    ("J = mse(U, Y) - sum(log(2 - 2 softmax(U)))", "log(1 - softmax"),
    ("J = mse(U, Y) - sum(log((1 - softmax(U))/2))", "log(1 - softmax"),
    ("J = mse(U, Y) - sum(log(1 - softmax(U)^1))", "log(1 - softmax"),
    ("J = mse(U, Y) - sum(log(1 + (-1) softmax(U)))", "log(1 - softmax"),
    ("J = mse(U, Y) - sum(log(1 - sigmoid(U) ⊙ 0 - softmax(U)))", "log(1 - softmax"),
    ("J = mse(U, Y) - sum(log((1 - softmax(U)) ⊙ (1 - softmax(U))))", "log(1 - softmax"),
    ("J = mse(U, Y) - sum(log(sqrt((1 - softmax(U))^2)))", "log(1 - softmax"),
]
STABLE = ["J = ce(softmax(U)^T^T, Y)", "J = ce(softmax(U)^1, Y)", "J = ce(abs(softmax(U)), Y)"]
#: the hostile tester's point: parameters and data x50, logits in the thousands
RNG = np.random.default_rng(1)
X = RNG.standard_normal((2, 4)) * 50
Y = RNG.uniform(0, 1, (2, 4))
Y /= Y.sum(axis=0)  # ce's targets: each column sums to 1 (the softmax's rule assumes it)
W = np.array([[0.9, -1.3], [-0.4, 1.1]]) * 50


def _model(equation: str) -> sb.Model:
    return sb.Model.parse(HEAD + equation + "\ndata: X, Y\n")


@pytest.mark.parametrize(("equation", "word"), REFUSED)
def test_each_spelling_is_refused_in_one_line_exit_2(
    equation: str, word: str, tmp_path: Path
) -> None:
    path = tmp_path / "softmax.model"
    path.write_text(HEAD + equation + "\ndata: X, Y\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["derive", str(path)])
    assert result.exit_code == 2, (result.stdout, result.stderr)
    assert result.stderr.count("\n") == 1 and word in result.stderr, result.stderr


def _log_softmax_reference() -> tuple[float, np.ndarray]:
    """ce(softmax(W X), Y) from a log-softmax in NumPy: dJ/dW = (S colsum(Y) - Y) X^T / m."""
    logits = W @ X
    top = logits.max(axis=0, keepdims=True)
    log_s = logits - top - np.log(np.exp(logits - top).sum(axis=0, keepdims=True))
    m = X.shape[1]
    cost = -(Y * log_s).sum() / m
    return cost, ((np.exp(log_s) * Y.sum(axis=0, keepdims=True) - Y) / m) @ X.T


@pytest.mark.parametrize("equation", STABLE)
def test_ce_of_an_identity_of_a_softmax_is_the_stable_ce(equation: str) -> None:
    module = sb.compile(_model(equation))
    with np.errstate(divide="raise", over="raise", invalid="raise"):
        cost, grads = module.loss_and_grads({"W": W}, X, Y)
    want_cost, want = _log_softmax_reference()
    assert np.isfinite(cost) and cost == pytest.approx(want_cost, rel=1e-12)
    np.testing.assert_allclose(grads["W"], want, rtol=1e-10, atol=1e-12)


@pytest.mark.slow
@pytest.mark.parametrize("backend", BACKENDS)
def test_ce_of_softmax_to_the_first_power_matches_jax_grad(backend: str) -> None:
    jax = import_framework("jax")
    jnp = import_framework("jax.numpy")

    def cost(w):  # type: ignore[no-untyped-def]
        log_s = jax.nn.log_softmax(w @ jnp.asarray(X), axis=0)
        return -jnp.sum(jnp.asarray(Y) * log_s) / X.shape[1]

    module = sb.compile(_model("J = ce(softmax(U)^1, Y)"), backend=backend)
    assert_matches_jax_grad(module, backend, cost, {"W": W}, (X, Y), rtol=1e-10, atol=1e-12)
