"""A function of the batch size alone outside its domain or at a pole (``log(m - 1)`` at
m = 1, ``sqrt(m - 2)``, ``(m - 3)^1.5``, ``1/(m - 2)`` at m = 2) is what the arrays give
(-inf, nan, inf) on every backend, not Python's ValueError, ZeroDivisionError or a complex
number; the model still derives, generates and checks (exact check: a pole at its usual
m = 2 is stepped over, not an internal error or a failed check)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from framework_support import import_framework

import symbackprop as sb

W = np.array([[0.5, -0.3]])
#: c(m) in J = c(m) sum(w X) + sum(w ⊙ w), with its value in NumPy's float64
SCALES: dict[str, Callable[[Any], Any]] = {
    "log(m - 1)": lambda m: np.log(m - 1.0),
    "sqrt(m - 2)": lambda m: np.sqrt(m - 2.0),
    "(m - 3)^1.5": lambda m: np.power(m - 3.0, 1.5),
    "(log(m)/(m - 1))": lambda m: np.log(m) / (m - 1.0),
    "(m - 2)^(-2)": lambda m: (m - 2.0) ** -2.0,
}


def _model(scale: str) -> str:
    return f"X : 2 x m\nw : 1 x 2\nJ = {scale} sum(w X) + sum(w ⊙ w) + 1/(m - 2)\ndata: X\n"


def _want(scale: str, m: int) -> tuple[Any, Any]:
    x = np.linspace(0.1, 0.3, 2 * m).reshape(2, m)
    with np.errstate(all="ignore"):
        c = SCALES[scale](np.float64(m))
        cost = c * (W @ x).sum() + (W * W).sum() + 1.0 / np.float64(m - 2)
        grad = c * x.sum(axis=1)[None, :] + 2.0 * W
    return x, (cost, grad)


def _compare(module: Any, scale: str, convert: Callable[[Any], Any]) -> None:
    for m in (1, 2, 3, 4):
        x, (want_cost, want) = _want(scale, m)
        with np.errstate(all="ignore"):
            cost, grads = module.loss_and_grads({"w": convert(W)}, convert(x))
        np.testing.assert_allclose(float(cost), want_cost, rtol=1e-13, err_msg=f"m={m}")
        np.testing.assert_allclose(np.asarray(grads["w"]), want, rtol=1e-13, err_msg=f"m={m}")


#: the default run's cases: a domain (log of 0) and a pole of a number's division
DEFAULT = ("log(m - 1)", "(log(m)/(m - 1))")


def test_functions_of_m_outside_their_domain_numpy() -> None:
    for scale in DEFAULT:
        _compare(sb.compile(sb.Model.parse(_model(scale))), scale, np.asarray)
    # provably defined for every m: Python's math as it was, no helper
    source = sb.codegen(sb.Model.parse(_model("sqrt(m) log(2 m)")))
    assert "t3 = math.sqrt(m) * math.log(2.0 * m) * t2" in source


@pytest.mark.slow
@pytest.mark.parametrize("backend", ["numpy", "torch", "jax"])
def test_functions_of_m_outside_their_domain_every_backend(backend: str) -> None:
    convert: Callable[[Any], Any] = np.asarray
    if backend != "numpy":
        lib = import_framework(backend)
        if backend == "jax":
            lib.config.update("jax_enable_x64", True)
        convert = lib.tensor if backend == "torch" else lib.numpy.asarray
    for scale in SCALES:
        _compare(sb.compile(sb.Model.parse(_model(scale)), backend=backend), scale, convert)


def test_a_pole_at_the_exact_checks_batch_size_is_stepped_over() -> None:
    derivation = sb.derive(sb.Model.parse(_model("(m - 2)^(-2)")))
    assert sb.check_exact(derivation).ok  # at m = 2 every point was a division by zero


def test_the_exact_check_steps_over_a_complex_root_of_m() -> None:
    """Review of round 11, F6: sqrt(m - 3) is I at m = 2 (no point can be drawn: 'not run')
    and 0 at m = 3 (cost and gradient 0); the exact check takes m = 4, where it is real."""
    model = sb.Model.parse("W : 3 x 2\nX : 2 x m\nJ = sqrt(m - 3) sum(W X ⊙ W X)\ndata: X\n")
    result = sb.check_exact(sb.derive(model))
    assert result.ok and not result.undecided and result.sizes["m"] == 4, result
    assert result.entries == 18
