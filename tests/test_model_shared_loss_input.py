"""An activation's output read by two losses (bce(p, Y) + mse(p, Y), ce(S, Y) + mse(S, Y)):
the derivation distributes g' (softmax's product) over the contributions, so the bce / ce
term still cancels to p - Y, and the generated gradient stays finite where p saturates.

Formed first, dJ/dp = (1/m)((1 - Y)/(1 - p) - Y/p) + ... is infinite where p rounds to 0 or
1 (|z| of about 40 and more), and times p(1 - p) = 0 it gave NaN. The reference here is
SymPy's own derivative of each column's cost, written from the loss records and the
activation's definition, evaluated with 600 digits (1 - sigmoid(1000) is e^-1000).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import mpmath
import numpy as np
import pytest
import sympy as sp
from framework_support import import_framework
from sympy.matrices.expressions.matexpr import MatrixElement

import symbackprop as sb
from symbackprop.records.activations import ACTIVATIONS
from symbackprop.records.losses import LOSSES
from symbackprop.records.scalars import a, y
from symbackprop.records.scalars import z as zz

#: the logits every model is evaluated at (their magnitudes: 0, 10, 60 and 1000)
LOGITS = (0, 10, -10, 60, -60, 1000, -1000)

SIGMOID = """
X : n x m
Y : 1 x m
w : 1 x n
sizes: n = 2
p = sigmoid(w X)
J = bce(p, Y) + mse(p, Y)
data: X, Y
"""

#: two targets and a reader that is not a loss: y_1, y_2 and u_3 in the scalar algebra
SIGMOID_MIXED = """
X : n x m
Y1 : 1 x m
Y2 : 1 x m
w : 1 x n
sizes: n = 2
p = sigmoid(w X)
J = bce(p, Y1) + 2 mse(p, Y2) + 0.5 sum(p)
data: X, Y1, Y2
"""

SOFTMAX = """
X : n x m
Y : k x m
W : k x n
sizes: n = 2, k = 3
S = softmax(W X)
J = ce(S, Y) + mse(S, Y)
data: X, Y
"""


def _loss(name: str, out: sp.Expr, target: sp.Expr) -> sp.Expr:
    return LOSSES[name].formula.xreplace({a: out, y: target})


def _sigmoid(z: sp.Expr) -> sp.Expr:
    formula = ACTIVATIONS["sigmoid"].formula
    assert formula is not None
    return formula.xreplace({zz: z})


def _sigmoid_column(z: sp.Symbol, ys: tuple[int, ...], m: int) -> sp.Expr:
    p = _sigmoid(z)
    return (_loss("bce", p, ys[0]) + _loss("mse", p, ys[0])) / m


def _mixed_column(z: sp.Symbol, ys: tuple[int, ...], m: int) -> sp.Expr:
    p = _sigmoid(z)
    return (_loss("bce", p, ys[0]) + 2 * _loss("mse", p, ys[1])) / m + p / 2


def _logit_gradient(
    column: Callable[..., sp.Expr], logits: np.ndarray, targets: list[np.ndarray]
) -> np.ndarray:
    """dJ/dZ, one column at a time: SymPy's derivative of that column's share of J."""
    rows, m = logits.shape
    zs = sp.symbols(f"z0:{rows}", real=True)
    ts = [sp.symbols(f"t{i}_0:{t.shape[0]}", real=True) for i, t in enumerate(targets)]
    cost = column(*zs, ys=tuple(t[0] if len(t) == 1 else t for t in ts), m=m)
    flat = [t for symbols in ts for t in symbols]
    derivatives = sp.lambdify([*zs, *flat], [sp.diff(cost, z) for z in zs], "mpmath")
    out = np.zeros((rows, m))
    with mpmath.workdps(600):
        for j in range(m):
            values = [*logits[:, j], *(v for target in targets for v in target[:, j])]
            out[:, j] = [float(d) for d in derivatives(*(mpmath.mpf(int(v)) for v in values))]
    return out


def _softmax_column(*zs: sp.Symbol, ys: tuple[Any, ...], m: int) -> sp.Expr:
    total = sum(sp.exp(z) for z in zs)
    s = [sp.exp(z) / total for z in zs]
    (target,) = ys
    return (
        sum(_loss("ce", sk, t) + _loss("mse", sk, t) for sk, t in zip(s, target, strict=True)) / m
    )


def _sigmoid_case(text: str, column: Callable[..., sp.Expr], targets: int) -> dict[str, Any]:
    m = len(LOGITS)
    X = np.vstack([np.array(LOGITS, dtype=float), np.ones(m)])
    params = {"w": np.array([[1.0, 0.0]])}  # logits w X = the first row of X
    rng = np.random.default_rng(0)
    ys = [rng.integers(0, 2, size=(1, m)).astype(float) for _ in range(targets)]
    ys[0][0, LOGITS.index(1000)], ys[0][0, LOGITS.index(-1000)] = 0.0, 1.0  # the wrong side
    dz = _logit_gradient(lambda z, ys, m: column(z, ys, m), X[:1], ys)
    return {"text": text, "params": params, "data": (X, *ys), "want": {"w": dz @ X.T}}


def _softmax_case() -> dict[str, Any]:
    first = (0, 10, 60, 1000, -1000, -60, -10)
    X = np.array([first, [-v for v in first]], dtype=float)
    params = {"W": np.array([[1.0, 0.0], [0.0, 1.0], [0.0, 0.0]])}  # logits (x0, x1, 0)
    Y = np.zeros((3, X.shape[1]))
    Y[[2, 1, 2, 1, 2, 0, 1], range(X.shape[1])] = 1.0  # some on a class of logit -1000
    dz = _logit_gradient(_softmax_column, params["W"] @ X, [Y])
    return {"text": SOFTMAX, "params": params, "data": (X, Y), "want": {"W": dz @ X.T}}


CASES = {
    "sigmoid_bce_mse": lambda: _sigmoid_case(SIGMOID, _sigmoid_column, 1),
    "sigmoid_two_targets_and_sum": lambda: _sigmoid_case(SIGMOID_MIXED, _mixed_column, 2),
    "softmax_ce_mse": _softmax_case,
}


#: the default suite's cases (the third runs in the slow suite, with torch and JAX)
FAST = [
    "sigmoid_bce_mse",
    "softmax_ce_mse",
    pytest.param("sigmoid_two_targets_and_sum", marks=pytest.mark.slow),
]


@functools.cache
def _case(name: str) -> dict[str, Any]:
    return CASES[name]()


@pytest.fixture(scope="module", params=sorted(CASES))
def case(request: pytest.FixtureRequest) -> dict[str, Any]:
    return _case(request.param)


def _close(got: dict[str, Any], want: dict[str, np.ndarray]) -> None:
    for name, value in want.items():
        array = np.asarray(got[name], dtype=float)
        assert np.all(np.isfinite(array)), (name, array)
        np.testing.assert_allclose(array, value, rtol=1e-10, atol=1e-14)


@pytest.mark.parametrize("name", FAST)
def test_numpy_gradient_is_finite_and_equals_the_sympy_reference(name: str) -> None:
    case = _case(name)
    module = sb.compile(sb.Model.parse(case["text"]))
    cost, grads = module.loss_and_grads(case["params"], *case["data"])
    assert np.isfinite(cost)
    _close(grads, case["want"])


@pytest.mark.slow
def test_torch_gradient_is_finite_and_equals_the_sympy_reference(case: dict[str, Any]) -> None:
    torch = import_framework("torch")
    module = sb.compile(sb.Model.parse(case["text"]), backend="torch")
    params = {k: torch.tensor(v, dtype=torch.float64) for k, v in case["params"].items()}
    data = [torch.tensor(v, dtype=torch.float64) for v in case["data"]]
    cost, grads = module.loss_and_grads(params, *data)
    assert np.isfinite(float(cost))
    _close({k: v.numpy() for k, v in grads.items()}, case["want"])


@pytest.mark.slow
def test_jax_gradient_is_finite_and_equals_the_sympy_reference(case: dict[str, Any]) -> None:
    jax = import_framework("jax")
    jax.config.update("jax_enable_x64", True)
    module = sb.compile(sb.Model.parse(case["text"]), backend="jax")
    params = {k: jax.numpy.asarray(v) for k, v in case["params"].items()}
    cost, grads = module.loss_and_grads(params, *map(jax.numpy.asarray, case["data"]))
    assert np.isfinite(float(cost))
    _close(grads, case["want"])


@pytest.mark.slow
def test_the_exact_check_still_passes(case: dict[str, Any]) -> None:
    assert sb.check_exact(sb.derive(sb.Model.parse(case["text"]))).ok


def test_the_step_shows_the_distribution_and_each_equality_holds() -> None:
    model = sb.Model.parse(SIGMOID)
    d = sb.derive(model)
    (step,) = [s for s in d.steps if s.algebra]
    assert "⊙ distributes over a sum" in step.reason
    assert step.algebra_text is not None
    assert step.algebra_text.split(" = ")[-1].startswith("c1*(a - y) + c2*")  # bce's: a - y
    # the 1 x 1 adjoints read as numbers, as the terminal prints them (no [0, 0])
    assert "(c1 = dJ/d(bce(p, Y))/m, c2 = dJ/d(mse(p, Y))/m)" in step.reason
    rng = np.random.default_rng(0)
    for left, right in zip(step.algebra, step.algebra[1:], strict=False):
        difference = left - right
        for _ in range(3):  # at random rational points, coefficients included
            atoms = difference.atoms(sp.Symbol, MatrixElement)
            at = {x: sp.Rational(int(rng.integers(1, 99)), 101) for x in atoms}
            assert difference.xreplace(at) == 0
    # the bce term cancelled to a - y: nothing divides by a or 1 - a any more
    assert not any(
        isinstance(e, sp.Pow) and e.exp.is_negative and e.base.has(a)
        for e in sp.preorder_traversal(step.algebra[-1])
    )
    code = sb.codegen(model)
    assert "** -1" not in code and "dp =" not in code


def test_many_readers_derive_and_a_loss_that_does_not_cancel_keeps_its_symbol() -> None:
    """Seven contributions (each term verified on its own, so no size bound is hit); tanh
    with mse does not cancel, so dJ/dp stays a symbol there, as before."""
    many = SIGMOID_MIXED.replace(
        "J = bce(p, Y1) + 2 mse(p, Y2) + 0.5 sum(p)",
        "J = bce(p, Y1) + mse(p, Y1) + bce(p, Y2) + 3 mse(p, Y2) + sum(p) + sum(p ⊙ p)",
    )
    (step,) = [s for s in sb.derive(sb.Model.parse(many)).steps if s.algebra]
    assert "the sum of the 7 contributions" in step.reason
    plain = SIGMOID_MIXED.replace("sigmoid", "tanh").replace("bce(p, Y1)", "mse(p, Y1)")
    steps = {s.target: s for s in sb.derive(sb.Model.parse(plain)).steps}
    assert steps["dJ/dp"].stores == "dJ/dp" and not steps["dJ/d(w X)"].algebra
