"""A hand-written cross-entropy, ``J = -sum(Y ⊙ log(softmax(W X)))/m``, stays finite where
the math is (logits of +-1000), as ce(softmax(.)) does: log of a softmax is computed as a
log-softmax, and the derivation cancels log's 1/a with softmax's Jacobian (a verified chain),
so backward never divides by a softmax entry that rounds to 0."""

from __future__ import annotations

import re

import numpy as np
import pytest
from framework_support import import_framework
from jax_reference import BACKENDS, assert_matches_jax_grad

import symbackprop as sb

MODEL = "X : 3 x m\nY : 2 x m\nW : 2 x 3\nJ = -sum(Y ⊙ log(softmax(W X)))/m\ndata: X, Y\n"
#: logits W X = (+-1000, -+0.5, ...): softmax rounds to exactly 0 and 1 in the first column
X = np.array([[1000.0, -1000.0, 1.0, 0.5], [0.0, 0.5, -0.2, 3.0], [1.0, 1.0, 1.0, -2.0]])
W = np.array([[1.0, 0.0, 0.0], [-1.0, 0.0, 0.0]])
Y = np.array([[0.0, 1.0, 0.0, 0.5], [1.0, 0.0, 1.0, 0.5]])  # the wrong class at +-1000


def _expected() -> tuple[float, np.ndarray]:
    """The cost and dJ/dW from a log-sum-exp in NumPy: dJ/dZ = (S * colsum(Y) - Y) / m."""
    logits = W @ X
    top = logits.max(axis=0, keepdims=True)
    log_s = logits - top - np.log(np.exp(logits - top).sum(axis=0, keepdims=True))
    m = X.shape[1]
    cost = -(Y * log_s).sum() / m
    return cost, ((np.exp(log_s) * Y.sum(axis=0, keepdims=True) - Y) / m) @ X.T


def test_log_of_softmax_is_finite_and_right_at_1e3_numpy() -> None:
    module = sb.compile(sb.Model.parse(MODEL))
    assert "log_softmax(t1)" in module.source  # the forward: one log-softmax of the logits
    with np.errstate(divide="raise", over="raise", invalid="raise"):
        cost, grads = module.loss_and_grads({"W": W}, X, Y)
    want_cost, want = _expected()
    assert cost == pytest.approx(want_cost, rel=1e-12)
    assert cost > 500  # the wrong class at +-1000: a large, finite cost
    np.testing.assert_allclose(grads["W"], want, rtol=1e-12)


@pytest.mark.slow
@pytest.mark.parametrize("backend", BACKENDS)
def test_log_of_softmax_matches_jax_grad_at_1e3(backend: str) -> None:
    jax = import_framework("jax")
    jnp = import_framework("jax.numpy")

    def cost(w: object) -> object:
        return -jnp.sum(jnp.asarray(Y) * jax.nn.log_softmax(w @ jnp.asarray(X), axis=0)) / 4

    module = sb.compile(sb.Model.parse(MODEL), backend=backend)
    assert_matches_jax_grad(module, backend, cost, {"W": W}, (X, Y))


@pytest.mark.slow
def test_log_of_softmax_cancels_in_a_verified_chain_and_checks() -> None:
    derivation = sb.derive(sb.Model.parse(MODEL))
    (step,) = [s for s in derivation.steps if s.rule == "softmax"]
    assert step.algebra and str(step.algebra[-1]) == "-a*v + u"  # no 1/a left
    assert sb.check_exact(derivation).ok


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_backward_column_sum_is_not_bracketed(backend: str) -> None:
    """``dt3 - dt3.sum(axis=0, keepdims=True) * t2``: a call binds as a name does, so neither
    the code nor its comment (``dt3 - (1_2 1_2^T dt3) ⊙ t2``) brackets it a second time."""
    source = sb.codegen(sb.Model.parse(MODEL), backend=backend)
    sums = re.findall(r"^ *d\w+ = (.*\.sum\(.*)  # \(2, m\)$", source, re.MULTILINE)
    assert sums and all(re.search(r"\(\w+\.sum\([^()]*\)\)", code) is None for code in sums)
    assert re.search(r"# dJ/d\(W X\) = (\w+) - \(1_2 1_2\^T \1\) ⊙ \w+ \[", source), source
