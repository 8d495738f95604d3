"""Forms whose plain evaluation overflows although their value is finite (hostile8 items 5a
and 5b): custom activations log(sigmoid(z)), log(1 - sigmoid(z)), a tanh written with
exponentials and log-cosh, and a model's log(sigmoid(.)) and log(1 - sigmoid(.)), at |z| = 1e3.

Expected values come from the formulas as written, evaluated by mpmath at 600 digits (where
e^1000 is an ordinary number), never from the rewritten forms the code uses.
"""

from __future__ import annotations

import warnings
from typing import Any

import mpmath
import numpy as np
import pytest
import sympy as sp
from framework_support import import_framework

import symbackprop as sb
from symbackprop.records.activations import custom_activation, stable_form
from symbackprop.records.scalars import z

#: name -> (formula, the same function for mpmath)
FORMS: dict[str, tuple[str, Any]] = {
    "ls": ("log(sigmoid(z))", lambda t: mpmath.log(1 / (1 + mpmath.exp(-t)))),
    "lc1": ("log(1 - sigmoid(z))", lambda t: mpmath.log(1 - 1 / (1 + mpmath.exp(-t)))),
    "th": (
        "(exp(z)-exp(-z))/(exp(z)+exp(-z))",
        lambda t: (mpmath.exp(t) - mpmath.exp(-t)) / (mpmath.exp(t) + mpmath.exp(-t)),
    ),
    "lcosh": ("log(exp(z)+exp(-z))", lambda t: mpmath.log(mpmath.exp(t) + mpmath.exp(-t))),
}
#: one input, one hidden unit, W1 = W2 = 1, zero biases, Y = 0: J = mean(g(x)^2 / 2)
X = np.array([[1000.0, -1000.0, 2.5, -0.75]])
Y = np.zeros((1, 4))
PARAMS = {
    "W1": np.ones((1, 1)),
    "b1": np.zeros((1, 1)),
    "W2": np.ones((1, 1)),
    "b2": np.zeros((1, 1)),
}
BACKENDS = ("numpy", "torch", "jax")


def _expected(fn: Any) -> tuple[float, dict[str, float]]:
    """The cost and gradients of the 1-1-1 network with g = ``fn``, at 600 digits."""
    mpmath.mp.dps = 600  # 1 - sigmoid(1000) = e^-1000 needs some 440 digits
    try:
        xs = [mpmath.mpf(float(x)) for x in X.ravel()]
        g = [fn(x) for x in xs]
        dg = [mpmath.diff(fn, x) for x in xs]
        m = len(xs)
        cost = sum(v**2 for v in g) / (2 * m)
        grads = {
            "W1": sum(v * d * x for v, d, x in zip(g, dg, xs, strict=True)) / m,
            "b1": sum(v * d for v, d in zip(g, dg, strict=True)) / m,
            "W2": sum(v**2 for v in g) / m,
            "b2": sum(g) / m,
        }
        return float(cost), {k: float(v) for k, v in grads.items()}
    finally:
        mpmath.mp.dps = 15


def _network(name: str) -> sb.Network:
    return sb.Network.parse(
        f"1-1:{name}-1", loss="mse", output="identity", define={name: FORMS[name][0]}
    )


def _check(name: str, backend: str, convert: Any) -> None:
    module = sb.compile(_network(name), backend=backend)
    params = {k: convert(v) for k, v in PARAMS.items()}
    with np.errstate(divide="raise", over="raise", invalid="raise"):  # underflow is benign
        cost, grads = module.loss_and_grads(params, convert(X), convert(Y))
    want_cost, want = _expected(FORMS[name][1])
    assert float(cost) == pytest.approx(want_cost, rel=1e-12)
    for key, value in want.items():
        assert float(np.asarray(grads[key]).ravel()[0]) == pytest.approx(value, rel=1e-9), key


def _convert(backend: str) -> Any:
    """The function that makes a backend's array of a NumPy array (JAX in float64)."""
    if backend == "numpy":
        return np.asarray
    framework = import_framework(backend)
    if backend == "torch":
        return framework.tensor
    framework.config.update("jax_enable_x64", True)
    return framework.numpy.asarray


def _cases(names: Any, default: str) -> list[Any]:
    """(name, backend) for every name and backend: ``default`` in NumPy in the default suite
    (each case is a derivation and a compile), the others under slow."""
    return [
        (name, backend)
        if (name, backend) == (default, "numpy")
        else pytest.param(name, backend, marks=pytest.mark.slow)
        for name in sorted(names)
        for backend in BACKENDS
    ]


@pytest.mark.parametrize(("name", "backend"), _cases(FORMS, "ls"))
def test_custom_form_finite_and_right_at_1e3(name: str, backend: str) -> None:
    _check(name, backend, _convert(backend))


@pytest.mark.slow  # about 2 s of SymPy proofs; the cheaper rewrite tests stay in the default suite
def test_stable_forms_are_the_functions_written() -> None:
    """Each rewrite names the stable function (and SymPy agrees with the formula at a point
    where both are exact enough to compare)."""
    written = {
        name: custom_activation(name, formula).formula for name, (formula, _) in FORMS.items()
    }
    assert str(written["ls"]) == "-log(1 + exp(-z))"
    assert str(written["lc1"]) == "-log(exp(z) + 1)"
    assert written["th"] == sp.tanh(z)
    assert str(written["lcosh"]) == "z + log(1 + exp(-2*z))"
    assert str(custom_activation("lcosh", FORMS["lcosh"][0]).derivative) == "tanh(z)"
    assert str(custom_activation("ls", FORMS["ls"][0]).derivative) == "sigmoid(-z)"
    # a ratio that is no tanh or sigmoid is left alone
    other = sp.exp(z) / (sp.exp(z) + 2 * sp.exp(-z))
    assert stable_form(other) == other
    for name, (_, fn) in FORMS.items():
        value = written[name].xreplace({z: sp.Rational(3, 7)}).evalf(30)
        assert float(value) == pytest.approx(float(fn(mpmath.mpf(3) / 7)), rel=1e-14)


#: logistic regression with labels folded into X, written as a log-likelihood (hostile8 5a)
LOG_SIGMOID = "X : 2 x m\nw : 2 x 1\nJ = -sum(log({inner}(w^T X))) / m\ndata: X\n"
MODEL_FORMS = {"log_sigmoid": "sigmoid", "log_one_minus_sigmoid": "1 - sigmoid"}
#: w = (1, 1): w^T X = (1000, -1000); both forms give J = 500 and dJ/dw = (250, 250)
X_MODEL = np.array([[500.0, -500.0], [500.0, -500.0]])


def _check_model(form: str, backend: str, convert: Any) -> None:
    model = sb.Model.parse(LOG_SIGMOID.format(inner=MODEL_FORMS[form]))
    module = sb.compile(model, backend=backend)
    with np.errstate(divide="raise", over="raise", invalid="raise"):
        cost, grads = module.loss_and_grads({"w": convert(np.ones((2, 1)))}, convert(X_MODEL))
    assert float(cost) == pytest.approx(500.0, rel=1e-12)
    np.testing.assert_allclose(np.asarray(grads["w"]).ravel(), [250.0, 250.0], rtol=1e-12)


@pytest.mark.parametrize(("form", "backend"), _cases(MODEL_FORMS, "log_sigmoid"))
def test_model_log_sigmoid_finite_at_1e3(form: str, backend: str) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        _check_model(form, backend, _convert(backend))


@pytest.mark.slow
def test_model_log_sigmoid_derivation_cancels_and_checks() -> None:
    """The derivation derives 1 - a from log's 1/a and sigmoid's a(1 - a) (a verified
    chain), and the exact check agrees with it."""
    derivation = sb.derive(sb.Model.parse(LOG_SIGMOID.format(inner="sigmoid")))
    chains = [step.algebra for step in derivation.steps if step.algebra]
    assert any(str(chain[-1]) == "1 - a" for chain in chains)
    assert sb.check_exact(derivation).ok


#: hostile8 item 6: sqrt of a relu, whose derivative is infinite only at the kink
SQRT_RELU = "X : 3 x m\nW : 2 x 3\nJ = sum({body})\ndata: X\n"
ROOTS = {"sqrt": "sqrt(relu(W X))", "power": "relu(W X)^0.5"}
X_ROOT = np.array([[1.0, -1.0], [0.5, 0.2], [0.0, 0.3]])
W_ROOT = np.array([[1.0, 2.0, 0.0], [-1.0, 0.5, 1.0]])


def _root_expected() -> np.ndarray:
    """dJ/dW = (1{Z > 0} / (2 sqrt(Z))) X^T with Z = W X, the mask applied first."""
    pre = W_ROOT @ X_ROOT
    positive = pre > 0
    factor = np.zeros_like(pre)
    factor[positive] = 0.5 / np.sqrt(pre[positive])
    return factor @ X_ROOT.T


def _check_root(form: str, backend: str, convert: Any) -> None:
    module = sb.compile(sb.Model.parse(SQRT_RELU.format(body=ROOTS[form])), backend=backend)
    with np.errstate(divide="raise", over="raise", invalid="raise"):
        _, grads = module.loss_and_grads({"W": convert(W_ROOT)}, convert(X_ROOT))
    np.testing.assert_allclose(np.asarray(grads["W"]), _root_expected(), rtol=1e-12)


@pytest.mark.parametrize(("form", "backend"), _cases(ROOTS, "sqrt"))
def test_model_sqrt_relu_masks_first(form: str, backend: str) -> None:
    assert (W_ROOT @ X_ROOT <= 0).any()  # a negative pre-activation: where inf * 0 was NaN
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        _check_root(form, backend, _convert(backend))


@pytest.mark.slow
def test_network_sqrt_relu_evaluates_no_root_of_a_negative() -> None:
    network = sb.Network.parse("3-2:f-1", define={"f": "sqrt(relu(z))"})
    module = sb.compile(network)
    params = module.init_params(seed=1)
    params["W1"] = W_ROOT
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(divide="raise", over="raise", invalid="raise"):
            _, grads = module.loss_and_grads(params, X_ROOT, np.ones((1, 2)))
    assert all(np.isfinite(g).all() for g in grads.values())
    check = sb.gradcheck(module, params, X_ROOT, np.ones((1, 2)), mode="full")
    assert check.ok, str(check)
