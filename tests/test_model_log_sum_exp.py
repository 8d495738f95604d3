"""A hand-written log-sum-exp over every entry, ``log(sum(exp(W X)))``, is one node (core/
model_rewrites.py rewrites it, the identity checked by SymPy): every backend computes it and
its derivative exp(Z)/sum(exp(Z)) with the max subtracted first, so J and dJ/dW are finite at
logits of 1000 (J was inf and dJ/dW NaN), while the exact check still differentiates the cost
as written (SymPy's diff of log(sum(exp(.))) with the tables' exp and log)."""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
import pytest
from framework_support import import_framework
from jax_reference import BACKENDS, assert_matches_jax_grad

import symbackprop as sb
from symbackprop.core import model_rewrites
from symbackprop.errors import SpecError

HEAD = "X : 2 x m\nW : 2 x 2\n"
#: equations -> the same cost in JAX (the jax module, W, b, X)
CASES: dict[str, Any] = {
    "J = log(sum(exp(W X)))": lambda jax, w, b, x: jax.scipy.special.logsumexp(w @ x),
    "L = log(sum(exp(W X + b)))\nJ = L ⊙ L + sum(W ⊙ W) - log(sum(exp(-(W X))))/m": (
        lambda jax, w, b, x: (
            jax.scipy.special.logsumexp(w @ x + b) ** 2
            + (w * w).sum()
            - jax.scipy.special.logsumexp(-(w @ x)) / x.shape[1]
        )
    ),
    # exp on a line of its own, a mean's and a multiple's log-sum-exp: overflowed at 1000
    "E = exp(W X)\nJ = log(sum(E))": lambda jax, w, b, x: jax.scipy.special.logsumexp(w @ x),
    "J = log(sum(exp(W X))/m) + log(2 sum(exp(-(W X))))": lambda jax, w, b, x: (
        jax.scipy.special.logsumexp(w @ x)
        - jax.numpy.log(x.shape[1])
        + jax.numpy.log(2.0)
        + jax.scipy.special.logsumexp(-(w @ x))
    ),
}
X = np.array([[1000.0, -1000.0, 1.0], [0.0, 0.5, -0.2]])
W_EXTREME = np.array([[1.0, 0.0], [-1.0, 0.5]])
W_ORDINARY = W_EXTREME / 1000
B = np.array([[0.25], [-0.5]])


def test_log_sum_exp_is_finite_and_right_at_1e3_numpy() -> None:
    module = sb.compile(sb.Model.parse(HEAD + next(iter(CASES)) + "\ndata: X\n"))
    assert "logsumexp(t1)" in module.source and "softmax_of_all(t1)" in module.source
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        cost, grads = module.loss_and_grads({"W": W_EXTREME}, X)
    z = W_EXTREME @ X
    top = z.max()
    assert cost == pytest.approx(top + np.log(np.exp(z - top).sum()), rel=1e-15)  # was inf
    want = np.exp(z - top) / np.exp(z - top).sum() @ X.T  # was NaN
    np.testing.assert_allclose(grads["W"], want, rtol=1e-14)


def _lse(z: Any) -> Any:
    return z.max() + np.log(np.exp(z - z.max()).sum())


def test_log_sum_exp_spelled_otherwise_is_finite_at_1e3_numpy() -> None:
    """``E = exp(U)`` then ``log(sum(E))``, ``log(sum(exp(U))/m)`` and ``log(2 sum(...))`` are
    log-sum-exp too (inf and NaN before); E used elsewhere is still computed as written."""
    z = W_EXTREME @ X
    for equations, want_cost in (
        ("E = exp(W X)\nJ = log(sum(E))", _lse(z)),
        (list(CASES)[3], _lse(z) - np.log(3) + np.log(2) + _lse(-z)),
    ):
        module = sb.compile(sb.Model.parse(HEAD + equations + "\ndata: X\n"))
        with np.errstate(over="raise", invalid="raise", divide="raise"):
            cost, grads = module.loss_and_grads({"W": W_EXTREME}, X)
        assert cost == pytest.approx(want_cost, rel=1e-15)
        assert np.isfinite(grads["W"]).all()
    module = sb.compile(sb.Model.parse(HEAD + "E = exp(W X)\nJ = log(sum(E)) + sum(E)\ndata: X"))
    z = W_ORDINARY @ X
    cost, grads = module.loss_and_grads({"W": W_ORDINARY}, X)
    assert cost == pytest.approx(_lse(z) + np.exp(z).sum(), rel=1e-14)
    want = (np.exp(z - _lse(z)) + np.exp(z)) @ X.T
    np.testing.assert_allclose(grads["W"], want, rtol=1e-14)


def test_the_shift_identity_is_checked_through_its_shift() -> None:
    """The step's identity holds for SymPy; shifted by 2c instead of c it does not."""
    identity = model_rewrites.LOGSUMEXP
    assert model_rewrites.checked(identity) is identity
    c = identity.shift
    assert c is not None
    wrong = dataclasses.replace(identity, rewritten=identity.rewritten + c)
    with pytest.raises(ArithmeticError, match="does not hold"):
        model_rewrites.checked(wrong)


@pytest.mark.slow
@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("equations", list(CASES))
def test_log_sum_exp_matches_jax_grad(backend: str, equations: str) -> None:
    """At logits of +-1000 and at ordinary ones, in one module."""
    import_framework("jax.scipy.special")  # the reference's logsumexp
    jax = import_framework("jax")
    jnp = import_framework("jax.numpy")

    def cost(w: Any, b: Any = None) -> Any:  # b where the model adds it, else the constant B
        return CASES[equations](jax, w, jnp.asarray(B) if b is None else b, jnp.asarray(X))

    module = sb.compile(sb.Model.parse(HEAD + equations + "\ndata: X\n"), backend=backend)
    names = tuple(module.SHAPES)  # W, and b where the model adds it
    for w in (W_EXTREME, W_ORDINARY):
        params = dict(zip(names, (w, B), strict=False))
        assert_matches_jax_grad(module, backend, cost, params, (X,), atol=1e-12)


@pytest.mark.slow
@pytest.mark.parametrize("equations", list(CASES))
def test_log_sum_exp_checks_exactly_and_prints(equations: str) -> None:
    derivation = sb.derive(sb.Model.parse(HEAD + equations + "\ndata: X\n"))
    text = " ".join(sb.to_text(derivation).split())
    # the stable form is named, after "as" or opening the reason (where a restating clause
    # before it was dropped)
    assert "log(sum(exp(u))) = c + log(sum(exp(u - c))), c = max(u)" in text
    assert ")/sum(exp(" in text  # dJ/dZ = exp(Z)/sum(exp(Z)) as the step writes it
    assert "SoftmaxOfAll" not in sb.to_latex(derivation) + sb.to_markdown(derivation)
    assert sb.check_exact(derivation).ok  # SymPy's diff of the cost as written


def test_log_sum_exp_of_a_number_names_the_call_written() -> None:
    # the rewritten call's internal name 'log(sum(exp(.)))' reached the error
    with pytest.raises(SpecError, match=r"line 2: 'sum' of a number: expected a matrix"):
        sb.derive(sb.Model.parse("W : 2 x 2\nJ = sum(W) + log(sum(exp(2)))\n"))


def test_a_function_of_numbers_alone_is_printed_as_its_value() -> None:
    """log(2) from log(2 sum(...)) and sqrt(3) were torch.log(2.0) (a TypeError: torch takes
    tensors only) and np.sqrt(3.0) (a float64 scalar that made float32 gradients float64)."""
    text = HEAD + "J = log(2 sum(exp(W X))) + sqrt(3) sum(W)\ndata: X\n"
    module = sb.compile(sb.Model.parse(text))
    assert "0.6931471805599453" in module.source and "1.7320508075688772" in module.source
    w, x = W_ORDINARY.astype(np.float32), X.astype(np.float32)
    cost, grads = module.loss_and_grads({"W": w}, x)
    assert grads["W"].dtype == np.float32
    z = W_ORDINARY @ X
    assert cost == pytest.approx(np.log(2) + _lse(z) + np.sqrt(3) * W_ORDINARY.sum(), rel=1e-6)
