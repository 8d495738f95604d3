"""A value written twice in a model's equations is computed once in its generated code
(``J = sum(W) * sum(W) + ...``: one ``W.sum``); the repeat's readers read the first, forward and
backward, and the module still equals the closed form and finite differences."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
from framework_support import import_framework

import symbackprop as sb
from symbackprop.model import Model

ROOT = Path(__file__).resolve().parents[1]
W = np.array([[0.5, -1.0], [2.0, 1.5], [0.25, -0.75]])
X = np.array([[1.0, -2.0, 0.5], [0.3, 0.7, -1.1]])
SQUARE = "W : 3 x 2\nX : 2 x m\nJ = sum(W) * sum(W) + sum(W X)\ndata: X\n"
NESTED = (
    "W : 3 x 2\nX : 2 x m\nJ = sum(sigmoid(W X)) + sum(sigmoid(W X) ⊙ sigmoid(W X))\ndata: X\n"
)


def _code(source: str) -> str:
    """The module's code lines (not its docstring's equations, not its comments)."""
    body = source[source.index("def ") :]
    return "\n".join(line for line in body.splitlines() if not line.strip().startswith("#"))


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 1 / (1 + np.exp(-z))


def test_a_repeated_sum_is_computed_once_numpy() -> None:
    module = sb.compile(Model.parse(SQUARE))
    forward = _code(module.source)
    assert len(re.findall(r"\bW\.sum\(", forward)) == 1, forward
    cost, grads = module.loss_and_grads({"W": W.copy()}, X)
    assert cost == pytest.approx(W.sum() ** 2 + (W @ X).sum(), rel=1e-12)
    truth = 2 * W.sum() * np.ones_like(W) + np.ones((3, 1)) @ X.sum(axis=1, keepdims=True).T
    np.testing.assert_allclose(grads["W"], truth, rtol=1e-12)


def test_a_repeated_chain_is_computed_once_and_checks() -> None:
    module = sb.compile(Model.parse(NESTED))
    forward = _code(module.source)
    assert len(re.findall(r"np\.matmul\(W, X|W @ X", forward)) == 1, forward
    assert len(re.findall(r"= sigmoid\(", forward)) == 1, forward
    a = _sigmoid(W @ X)
    cost, _ = module.loss_and_grads({"W": W.copy()}, X)
    assert cost == pytest.approx(a.sum() + (a * a).sum(), rel=1e-12)
    assert sb.gradcheck(module, {"W": W.copy()}, X).ok


def test_a_repeated_sum_is_computed_once_torch() -> None:
    torch = import_framework("torch")
    module = sb.compile(Model.parse(SQUARE), backend="torch")
    assert len(re.findall(r"\bW\.sum\(", _code(module.source))) == 1
    _, grads = module.loss_and_grads({"W": torch.tensor(W)}, torch.tensor(X))
    truth = 2 * W.sum() * np.ones_like(W) + np.ones((3, 1)) @ X.sum(axis=1, keepdims=True).T
    np.testing.assert_allclose(grads["W"].numpy(), truth, rtol=1e-12)


REPEATED_ADJOINTS = (
    "W : 3 x 4\nX : 4 x m\nY : 3 x m\nh = sigmoid(W X)\n"
    "J = mse(h, Y) + sum(sigmoid(W X)) + sum(relu(W X - 1)) + sum(relu(W X - 1))\n"
    "data: X, Y\n"
)


def _repeated_adjoints_truth(
    w: np.ndarray, x: np.ndarray, y: np.ndarray
) -> tuple[float, np.ndarray]:
    """J and dJ/dW of REPEATED_ADJOINTS by hand: mse is the mean of half squared errors."""
    m = x.shape[1]
    z = w @ x
    a = _sigmoid(z)
    cost = ((a - y) ** 2 / 2).sum() / m + a.sum() + 2 * np.maximum(z - 1, 0).sum()
    dz = ((a - y) / m + 1) * a * (1 - a) + 2 * (z > 1)
    return cost, dz @ x.T


@pytest.mark.parametrize(
    "backend",
    [
        "numpy",
        pytest.param("torch", marks=pytest.mark.slow),
        pytest.param("jax", marks=pytest.mark.slow),
    ],
)
def test_a_repeated_values_adjoints_flow_back_once(backend: str) -> None:
    # the two relu(W X - 1) share one mask and the four W X one product with X^T: the
    # repeats' adjoints are added into the first's before they flow back
    if backend != "numpy":
        import_framework(backend)
    module = sb.compile(Model.parse(REPEATED_ADJOINTS), backend=backend)
    code = _code(module.source)
    # backward and, where it has its checks apart, the _backward they call
    backward = code[code.index("def backward") : code.index("def loss_and_grads")]
    assert len(re.findall(r"t8 > 0|gt\(t8, 0", backward)) == 1, backward
    assert len(re.findall(r"@ X\.T|matmul\([^)]*X\.T", backward)) == 1, backward
    rng = np.random.default_rng(3)
    w, x, y = rng.standard_normal((3, 4)), rng.standard_normal((4, 5)), rng.standard_normal((3, 5))
    cost, truth = _repeated_adjoints_truth(w, x, y)
    if backend == "torch":
        torch = import_framework("torch")
        got_cost, grads = module.loss_and_grads(
            {"W": torch.tensor(w)}, torch.tensor(x), torch.tensor(y)
        )
        tw = torch.tensor(w, requires_grad=True)
        tz = tw @ torch.tensor(x)
        ta = torch.sigmoid(tz)
        tj = ((ta - torch.tensor(y)) ** 2 / 2).sum() / 5 + ta.sum()
        tj = tj + 2 * torch.relu(tz - 1).sum()
        tj.backward()
        np.testing.assert_allclose(grads["W"].numpy(), tw.grad.numpy(), rtol=1e-12)
        got = grads["W"].numpy()
    else:
        got_cost, grads = module.loss_and_grads({"W": w}, x, y)
        got = np.asarray(grads["W"])
    assert float(got_cost) == pytest.approx(cost, rel=1e-12)
    np.testing.assert_allclose(got, truth, rtol=1e-12)


INVERSE = "A : 3 x 3\nB : 3 x 2\nJ = logdet(A) + tr(inv(A) B B^T) + det(A)\ndata:\n"


@pytest.mark.parametrize("backend", ["numpy", "torch", "jax"])
def test_the_cached_inverse_is_read_transposed_not_inverted_again(backend: str) -> None:
    """logdet's and det's gradients hold inv(A)^T, which SymPy keeps as inv(A^T): the code
    computed a second inverse of A.T beside the cached t = inv(A) (hostile25). It reads t.T;
    the gradient still equals finite differences."""
    source = sb.codegen(Model.parse(INVERSE), backend=backend)
    assert len(re.findall(r"linalg\.inv\(", _code(source))) == 1, source
    if backend != "numpy":  # the text is the check; the values are NumPy's (one plan)
        return
    module = sb.compile(Model.parse(INVERSE))
    rng = np.random.default_rng(1)
    params = {"A": 1.5 * np.eye(3) + 0.1 * rng.standard_normal((3, 3))}
    params["B"] = rng.standard_normal((3, 2))
    _, grads = module.loss_and_grads(params)
    step, numeric = 1e-6, np.zeros((3, 3))
    for i in range(3):
        for j in range(3):
            up, down = params["A"].copy(), params["A"].copy()
            up[i, j] += step
            down[i, j] -= step
            numeric[i, j] = (
                module.loss_and_grads({**params, "A": up})[0]
                - module.loss_and_grads({**params, "A": down})[0]
            ) / (2 * step)
    assert np.allclose(grads["A"], numeric, atol=1e-7)


@pytest.mark.parametrize("backend", ["numpy", "torch", "jax"])
def test_the_inverse_of_a_cached_inverse_is_its_argument(backend: str) -> None:
    """logdet_inv: J = log(det(inv(X))) holds inv(t1)^T with t1 = inv(X); the code computed
    np.linalg.inv(t1.T), a second O(n^3) inverse that gives X^T back only up to rounding
    (review25). It reads X.T; the gradient is -inv(X)^T to rounding."""
    model = Model.from_file(ROOT / "examples" / "models" / "logdet_inv.model")
    source = sb.codegen(model, backend=backend)
    assert len(re.findall(r"linalg\.inv\(", _code(source))) == 1, source
    if backend != "numpy":
        return
    module = sb.compile(model)
    X = 2.0 * np.eye(3) + 0.1 * np.random.default_rng(2).standard_normal((3, 3))
    _, grads = module.loss_and_grads({"X": X})
    np.testing.assert_allclose(grads["X"], -np.linalg.inv(X).T, rtol=1e-12)


@pytest.mark.parametrize("name", ["rnn_3", "batch_norm"])
def test_a_loss_adjoint_two_statements_read_is_computed_once(name: str) -> None:
    """rnn_3's bias and linear steps both computed (t11 - Y) / m, and batch norm's two products
    with (1/m) (t10 - Y) each its own (t10 - Y): the loss's adjoint, which the derivation
    folds into the steps after it, is computed once now and read by both; the gradients still
    equal torch's autograd elsewhere and finite differences here."""
    model = Model.parse((ROOT / "examples" / "models" / f"{name}.model").read_text())
    module = sb.compile(model)
    backward = _code(module.source[module.source.index("def _backward") :])
    assert len(re.findall(r"- Y\)", backward)) == 1, backward
    rng = np.random.default_rng(0)
    data = [
        rng.standard_normal(tuple(5 if d == "m" else d for d in shape))
        for shape in module.DATA_SHAPES.values()
    ]
    assert sb.gradcheck(module, module.init_params(0), *data).ok
