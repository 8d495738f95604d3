"""A parameter declared with the batch size m in its shape (DESIGN.md, "Models": "a parameter
never carries m unless declared so"): a code per example, as matrix factorisation's H (k x m).
It was refused before session 50; now it is derived, checked and generated, its module's
``init_params`` takes m, and every check compares its m with the data's.

The model (examples/models/factorization.model): E = X - W H, J = sum(E ⊙ E)/m + 0.1
sum(H ⊙ H)/m, so dJ/dW = -(2/m) E H^T and dJ/dH = -(2/m) W^T E + (0.2/m) H.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from example_models import MODELS

import symbackprop as sb
from symbackprop.errors import SpecError
from symbackprop.model import Model

FACTORIZATION = (MODELS / "factorization.model").read_text(encoding="utf-8")
M = 5


def _closed_form(W: np.ndarray, H: np.ndarray, X: np.ndarray) -> dict[str, np.ndarray]:
    """The gradients worked out by hand (module docstring)."""
    m = X.shape[1]
    E = X - W @ H
    return {"W": -2 / m * E @ H.T, "H": -2 / m * W.T @ E + 0.2 / m * H}


def test_the_declared_shape_is_kept_and_differentiated() -> None:
    model = Model.parse(FACTORIZATION)
    assert model.parameters == ("W", "H")
    derivation = sb.derive(model)
    assert str(derivation.gradients["H"].shape) == "(k, m)"
    assert sb.check_formula(model, "H", "-2 W^T (X - W H) / m + 0.2 H / m").ok
    # the regulariser's 1/m dropped: the shapes fit, the value is wrong
    assert not sb.check_formula(model, "H", "-2 W^T (X - W H) / m + 0.2 H").ok


def test_the_numpy_module_sizes_the_parameter_by_m_and_its_gradients_are_right() -> None:
    module = sb.compile(Model.parse(FACTORIZATION))
    assert module.SHAPES == {"W": (4, 2), "H": (2, "m")}
    with pytest.raises(ValueError, match=r"^init_params needs m=\.\.\., the number of examples"):
        module.init_params()
    with pytest.raises(ValueError, match=r"got m=0$"):
        module.init_params(m=0)
    params = module.init_params(seed=3, m=M)
    assert params["H"].shape == (2, M)
    X = np.random.default_rng(1).standard_normal((4, M))
    cost, grads = module.loss_and_grads(params, X)
    E = X - params["W"] @ params["H"]
    assert cost == pytest.approx(((E * E).sum() + 0.1 * (params["H"] ** 2).sum()) / M)
    for name, want in _closed_form(params["W"], params["H"], X).items():
        np.testing.assert_allclose(grads[name], want, rtol=1e-12, atol=1e-14)
    assert sb.gradcheck(module, params, X).ok


def test_the_parameters_m_must_be_the_datas() -> None:
    """forward compares H's columns with X's (a broadcast or a failure deep inside a product
    otherwise), and backward with the m its cache holds."""
    module = sb.compile(Model.parse(FACTORIZATION))
    params = module.init_params(m=M)
    X = np.zeros((4, 3))
    message = r"^H has shape \(2, 5\), expected \(2, 3\) \(m = 3 examples\)$"
    with pytest.raises(ValueError, match=message):
        module.loss_and_grads(params, X)
    _, cache = module.forward(module.init_params(m=3), X)
    with pytest.raises(ValueError, match=message):
        module.backward(params, cache)


def test_a_code_per_example_in_single_form_is_refused() -> None:
    """No data leaf has m columns: m is no number there, so H cannot have a size."""
    text = "x : n x 1\nW : n x k\nH : k x m\nsizes: n = 3, k = 2\nJ = sum(x - W H)\ndata: x"
    with pytest.raises(SpecError, match=r"^line 3: parameter 'H' is k x m, one per example, but"):
        Model.parse(text)


def test_a_code_per_example_needs_a_data_line() -> None:
    """Without a data: line only x, y, X, Y are data: data named Xtr would silently be a
    parameter with a column per example (newcomer46 #7), so the line must say which."""
    text = "Y : 1 x m\nXtr : n x m\nsizes: n = 3\nJ = mse(w^T Xtr, Y)\n"
    with pytest.raises(SpecError, match=r"^line 2: 'Xtr' is n x m, one per example, and the"):
        Model.parse(text)
    with pytest.raises(
        SpecError, match=r"data line \(data: Y, Xtr\); for a parameter .* \(data: Y\)$"
    ):
        Model.parse(text)
    assert Model.parse(text + "data: Y").parameters == ("w", "Xtr")  # in order of first use


def test_an_inferred_m_is_refused_with_the_declaration_to_write() -> None:
    """Shapes are inferred without m: tr(B X) would make B m x n, which only a declaration
    may say."""
    with pytest.raises(SpecError, match=r"declare 'B : m x n' for one per example"):
        Model.parse("X : n x m\nsizes: n = 3\nJ = tr(B X)")


@pytest.mark.slow  # a torch and a JAX module compiled and run (about 3 s)
@pytest.mark.parametrize("backend", ["torch", "jax"])
def test_the_framework_modules_take_m_and_agree_with_the_closed_form(backend: str) -> None:
    framework: Any = pytest.importorskip(backend)
    module = sb.compile(Model.parse(FACTORIZATION), backend=backend)
    with pytest.raises(ValueError, match=r"^init_params needs m"):
        module.init_params()
    numpy_params = sb.compile(Model.parse(FACTORIZATION)).init_params(seed=2, m=M)
    X = np.random.default_rng(4).standard_normal((4, M))
    want = _closed_form(numpy_params["W"], numpy_params["H"], X)
    if backend == "torch":
        params = module.init_params(seed=2, m=M)
        _, grads = module.loss_and_grads(params, framework.tensor(X))
        model = module.Model(seed=2, m=M)  # the nn.Module, sized as init_params is
        model(framework.tensor(X)).backward()
        np.testing.assert_allclose(model.params["H"].grad.numpy(), want["H"], rtol=1e-12)
    else:
        with framework.enable_x64(True):
            params = module.init_params(seed=2, m=M)
            _, grads = module.loss_and_grads(params, framework.numpy.asarray(X))
            grads = {name: np.asarray(value) for name, value in grads.items()}
    for name, value in want.items():
        np.testing.assert_allclose(np.asarray(grads[name]), value, rtol=1e-12, atol=1e-14)


def test_every_backends_module_is_ruff_formatted(tmp_path: Path) -> None:
    """review50 #5: the torch Model's __init__ with m was written on three lines, which ruff
    format joins into one of 93 columns."""
    from test_model_codegen import _every_backend_fits_and_is_formatted

    _every_backend_fits_and_is_formatted(Model.parse(FACTORIZATION), tmp_path)


def test_no_advice_leads_to_another_refusal() -> None:
    """review50 #6: with no data at all, "write 'data:' alone" led to the single-form
    refusal; a parameter per example needs data with m columns."""
    with pytest.raises(SpecError) as refused:
        Model.parse("H : k x m\nsizes: k = 2\nJ = sum(H ⊙ H) / m\n")
    assert "(data: H)" in str(refused.value) and "without it" not in str(refused.value)
    with pytest.raises(SpecError, match="but no data leaf has m columns, and m, the number"):
        Model.parse("H : k x m\nsizes: k = 2\nJ = sum(H ⊙ H) / m\ndata:\n")
