"""The gradient of det(A) at a singular A: the generated code computes adj(A)^T.

Jacobi's form det(A) inv(A)^T has no value at a singular A, where the gradient exists: NumPy's
module raised "Singular matrix", JAX's returned NaNs (jax.grad gives the adjugate), at a
parameter initialised to zeros too. Each backend now calls its ``_adjugate_t`` helper (an
SVD); these tests compare it with the cofactors, and with the frameworks' own autograd where
that is defined to be right.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest

import symbackprop as sb

DET = "W : n x n\nsizes: n = 3\nJ = det(W) + 2 det(W^T W)\ndata:"
#: singular (rank 2), zero, and a random invertible point
POINTS = {
    "rank 2": np.array([[1.0, 2.0, 3.0], [2.0, 4.0, 6.0], [1.0, 0.0, 1.0]]),
    "zero": np.zeros((3, 3)),
    "random": np.random.default_rng(3).standard_normal((3, 3)),
}


def _load(text: str, name: str, tmp_path: Path) -> ModuleType:
    path = tmp_path / f"{name}.py"
    path.write_text(text, encoding="utf-8")
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def _true_gradient(W: np.ndarray) -> np.ndarray:
    """adj(W)^T + 2 * 2 W adj(W^T W)^T, from cofactors: the gradient at every W."""

    def adjugate_t(A: np.ndarray) -> np.ndarray:
        n = A.shape[0]
        out = np.empty_like(A)
        for i in range(n):
            for j in range(n):
                minor = np.delete(np.delete(A, i, axis=0), j, axis=1)
                out[i, j] = (-1) ** (i + j) * np.linalg.det(minor)
        return out

    return adjugate_t(W) + 4 * W @ adjugate_t(W.T @ W)


@pytest.mark.parametrize("point", POINTS, ids=list(POINTS))
def test_numpy_module_gives_the_adjugate_at_a_singular_matrix(point: str, tmp_path: Path) -> None:
    code = sb.codegen(sb.Model.parse(DET))
    assert "_adjugate_t(W)" in code and "np.linalg.inv" not in code
    module = _load(code, f"det_numpy_{point.replace(' ', '_')}", tmp_path)
    W = POINTS[point]
    _, grads = module.loss_and_grads({"W": W})
    np.testing.assert_allclose(grads["W"], _true_gradient(W), atol=1e-10)


@pytest.mark.slow  # over 1 s of the default suite's time (2026-12-06)
@pytest.mark.parametrize("point", POINTS, ids=list(POINTS))
def test_torch_and_jax_modules_agree_with_their_autograd(point: str, tmp_path: Path) -> None:
    torch = pytest.importorskip("torch")
    jax = pytest.importorskip("jax")
    jax.config.update("jax_enable_x64", True)
    W = POINTS[point]
    tag = point.replace(" ", "_")
    torch_module = _load(
        sb.codegen(sb.Model.parse(DET), backend="torch"), f"det_t_{tag}", tmp_path
    )
    jax_module = _load(sb.codegen(sb.Model.parse(DET), backend="jax"), f"det_j_{tag}", tmp_path)
    _, grads = torch_module.loss_and_grads({"W": torch.tensor(W)})
    np.testing.assert_allclose(grads["W"].numpy(), _true_gradient(W), atol=1e-10)
    if point == "random":
        # torch's own det backward at an exactly singular matrix depends on its LAPACK path:
        # the CPU build on one CI machine gave 0 at the rank-2 point, whose adjugate is not 0
        # (the cofactors above); at an invertible point it is the reference
        t = torch.tensor(W, requires_grad=True)
        (torch.linalg.det(t) + 2 * torch.linalg.det(t.T @ t)).backward()
        np.testing.assert_allclose(grads["W"].numpy(), t.grad.numpy(), atol=1e-10)
    jnp = jax.numpy
    _, jgrads = jax.jit(jax_module.loss_and_grads)({"W": jnp.asarray(W)})
    expected = jax.grad(lambda w: jnp.linalg.det(w) + 2 * jnp.linalg.det(w.T @ w))(jnp.asarray(W))
    assert np.all(np.isfinite(np.asarray(jgrads["W"])))
    np.testing.assert_allclose(np.asarray(jgrads["W"]), np.asarray(expected), atol=1e-10)
    np.testing.assert_allclose(np.asarray(jgrads["W"]), _true_gradient(W), atol=1e-10)


def test_a_cached_inverse_is_still_read_not_replaced() -> None:
    """logdet_inv's det(inv(X)): the forward pass made inv(X), so its inverse X is read."""
    code = sb.codegen(sb.Model.from_file("examples/models/logdet_inv.model"))
    assert "_adjugate_t" not in code and code.count("np.linalg.inv(") == 1


@pytest.mark.parametrize(
    ("cost", "scale"),
    [("det(A^T)", 1.0), ("det(relu(A)^T)", 1.0), ("det((A + A)^T)", 4.0)],
)
def test_a_determinant_of_a_transpose_gives_the_adjugate_too(cost: str, scale: float) -> None:
    """hostile50a #2: of det(t) with t = A^T the code read det(t) inv(A) (the transpose turned
    back), which the adjugate rewrite did not know: NumPy's and torch's modules raised
    "Singular matrix" at a singular A, JAX's gave NaNs. d det(2A)/dA = 4 adj(A)^T at 2 x 2."""
    A = np.array([[1.0, 2.0], [2.0, 4.0]])  # singular, entries positive (relu keeps them)
    module = sb.compile(sb.Model.parse(f"A : 2 x 2\nJ = {cost}\ndata:"))
    _, grads = module.loss_and_grads({"A": A})
    cofactors = np.array([[4.0, -2.0], [-2.0, 1.0]])
    np.testing.assert_allclose(grads["A"], scale * cofactors, atol=1e-12)
    assert "_adjugate_t(" in module.source and "np.linalg.inv" not in module.source


def test_two_names_of_one_transpose_keep_their_own_determinants() -> None:
    """review50 #2: t = A^T and u = A^T: the proof read B^T back as one name, wrote det(u)
    for det(t), and codegen and check exited 3."""
    A = np.array([[1.0, 2.0, 0.0], [2.0, 4.0, 0.0], [1.0, 0.0, 1.0]])  # singular
    for cost in ("det(t) + sum(u ⊙ u)", "det(t) + det(u)"):
        module = sb.compile(sb.Model.parse(f"A : 3 x 3\nt = A^T\nu = A^T\nJ = {cost}\ndata:"))
        _, grads = module.loss_and_grads({"A": A})
        cofactors = np.array([[4.0, -2.0, -4.0], [-2.0, 1.0, 2.0], [0.0, 0.0, 0.0]])
        own = 2 * A if "u ⊙ u" in cost else cofactors
        np.testing.assert_allclose(grads["A"], cofactors + own, atol=1e-12)
