"""A model's norm2 (and any square root of a sum of squares) is computed scaled by the largest
|entry| in every backend (hostile42a #3, hostile41a #2): float16 entries of 1e-4 gave a cost
of 0 and a zero gradient, entries over 256 inf; float64 did the same under 1e-162 and over
1e154. The norm and its gradient W / norm2(W) are right there now."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import symbackprop as sb
from symbackprop.model import Model
from tests.framework_support import import_framework

MODELS = Path(__file__).resolve().parents[1] / "examples" / "models"
CASES = [("float16", 1e-4), ("float16", 1000.0), ("float64", 1e-200), ("float64", 1e200)]


def _as(backend: str, array: np.ndarray) -> object:
    if backend == "torch":
        return import_framework("torch").tensor(array)
    if backend == "jax":
        return import_framework("jax.numpy").asarray(array)
    return array


@pytest.mark.parametrize("written", ["norm2(W)", "sqrt(sum(W^2))"])
@pytest.mark.parametrize("backend", ["numpy", "torch", "jax"])
@pytest.mark.slow  # over 0.5 s of the default suite's time (2026-12-07)
def test_the_norm_and_its_gradient_fit_where_the_squares_do_not(
    backend: str, written: str
) -> None:
    if backend != "numpy":
        import_framework(backend)  # skips without it, before compile asks for it
    module = sb.compile(Model.parse(f"W : 3 x 2\nJ = {written}\ndata:"), backend=backend)
    assert "norm2(W)" in module.source
    for dtype, value in CASES:
        W = np.full((3, 2), value, dtype=dtype)
        cost, grads = module.loss_and_grads({"W": _as(backend, W)})
        norm = float(np.sqrt(6.0) * value)
        assert float(cost) == pytest.approx(norm, rel=2e-3), (dtype, value)
        grad = np.asarray(grads["W"], dtype=np.float64)
        np.testing.assert_allclose(grad, 1 / np.sqrt(6.0), rtol=2e-3, err_msg=f"{dtype} {value}")
    if written == "norm2(W)":  # the subgradient 0 at 0 (a written sqrt' has no value there)
        zero, grads = module.loss_and_grads({"W": _as(backend, np.zeros((3, 2)))})
        assert float(zero) == 0.0 and not np.asarray(grads["W"]).any()


@pytest.mark.parametrize("backend", ["numpy", "torch", "jax"])
def test_a_float16_sum_of_squares_over_65504_where_the_norm_fits(backend: str) -> None:
    """review42 #1: scaled entries are at most 1, but 90,000 of them summed in float16 are
    inf: the sum is taken in float32 (the norm, 300, fits)."""
    if backend != "numpy":
        import_framework(backend)
    module = sb.compile(Model.parse("W : 300 x 300\nJ = norm2(W)\ndata:"), backend=backend)
    cost, grads = module.loss_and_grads({"W": _as(backend, np.ones((300, 300), np.float16))})
    assert float(cost) == 300.0
    np.testing.assert_allclose(np.asarray(grads["W"], dtype=np.float64), 1 / 300, rtol=1e-3)


def test_the_square_and_the_sum_are_not_computed_where_nothing_reads_them() -> None:
    """norm2_squared's module computed t3 = t2**2 and t4 = t3.sum() for t5 = sqrt(t4); the
    backward reads t5 (and t2) only."""
    source = sb.codegen(Model.from_file(MODELS / "norm2_squared.model"))
    forward = source.split("\ndef forward", 1)[1].split("\ndef ", 1)[0]
    assert "norm2(t2)" in forward and "**2  # (3, 1)" not in forward and ".sum(" not in forward
    assert "# J = norm2(A x - y)^2" in forward  # the model line stays above its statements
    # a named sum's line goes above the norm that computes it (review42 #3)
    named = Model.parse(
        "W : 3 x 2\ns = sum(W^2)\nV : 3 x 2\nh = tanh(V)\nn = sqrt(s)\nJ = n + sum(h)\ndata:"
    )
    text = sb.codegen(named)
    assert "# s = sum(W^2); n = sqrt(s)\n    n = norm2(W)" in text


def test_a_sum_of_squares_read_elsewhere_is_still_computed() -> None:
    model = Model.parse("W : 3 x 2\ns = sum(W^2)\nJ = sqrt(s) + s\ndata:")
    module = sb.compile(model)
    W = np.arange(1.0, 7.0).reshape(3, 2)
    cost, grads = module.loss_and_grads({"W": W})
    total = float((W * W).sum())
    assert cost == pytest.approx(np.sqrt(total) + total)
    np.testing.assert_allclose(grads["W"], W / np.sqrt(total) + 2 * W)
