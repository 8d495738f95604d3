"""NumPy modules in float16 with more examples than float16 can count (hostile14 LOW,
review15 N9).

float16's largest number is 65504: at m = 70000, 1/m and the mean over the examples left the
cost 0.0 (with an overflow warning) and every gradient 0. The network module refused that batch
size only in backward, after forward's cost had warned; the model module not at all (cost 0.0,
gradients 0). Both now refuse it in forward, before any arithmetic, with one ValueError; a
float32 batch of that size and a float16 one of 65504 examples are computed. JAX's modules gave
the zeros with no warning at all; they refuse it too (the slow test).
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import symbackprop as sb

MESSAGE = r"^m = 70000 examples in float16, whose largest number is 65504: m does not fit"
BCE_MODEL = "W : 1 x 2\nX : 2 x m\nY : 1 x m\nJ = bce(sigmoid(W X), Y)\n"


def _data(m: int = 70_000) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    X = rng.standard_normal((2, m)).astype(np.float16)
    return X, (rng.random((1, m)) < 0.5).astype(np.float16)


def _refused_then_computed(module: sb.GradientModule, forward_reads: int) -> None:
    """``module`` refuses m = 70000 in float16 in forward (which reads the first
    ``forward_reads`` data arrays) and in loss_and_grads before any warning, and computes a
    bce cost near log 2 in float32 (at 65504 examples in float16: the slow test)."""
    params = module.init_params(dtype=np.float16)
    X, Y = _data()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # refused before the cost's overflow warns
        for call, data in (
            (module.forward, (X, Y)[:forward_reads]),
            (module.loss_and_grads, (X, Y)),
        ):
            with pytest.raises(ValueError, match=MESSAGE) as info:
                call(params, *data)
            assert "\n" not in str(info.value)
    cost32, _ = module.loss_and_grads(
        {k: v.astype(np.float32) for k, v in params.items()},
        X.astype(np.float32),
        Y.astype(np.float32),
    )
    assert 0.3 < cost32 < 1.5


def test_a_network_module_refuses_it_in_forward() -> None:
    module = sb.compile(sb.Network.parse("2-2-1"))
    _refused_then_computed(module, 1)  # forward(params, X)


def test_a_model_module_refuses_it_too() -> None:
    module = sb.compile(sb.Model.parse(BCE_MODEL))
    _refused_then_computed(module, 2)  # forward(params, X, Y)


@pytest.mark.slow  # NumPy's float16 arithmetic is slow: 65504 examples take seconds
def test_65504_examples_in_float16_are_computed() -> None:
    X, Y = _data(65504)
    for spec in (sb.Network.parse("2-2-1"), sb.Model.parse(BCE_MODEL)):
        module = sb.compile(spec)
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            cost, grads = module.loss_and_grads(module.init_params(dtype=np.float16), X, Y)
        assert 0.3 < cost < 1.5 and all(np.isfinite(g).all() for g in grads.values())


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["network", "model"])
def test_jax_modules_refuse_it_instead_of_silent_zeros(kind: str) -> None:
    jnp = pytest.importorskip("jax.numpy")
    spec = sb.Network.parse("2-2-1") if kind == "network" else sb.Model.parse(BCE_MODEL)
    module = sb.compile(spec, backend="jax")
    params = {k: jnp.asarray(v, jnp.float16) for k, v in module.init_params().items()}
    X, Y = (jnp.asarray(a) for a in _data())
    with pytest.raises(ValueError, match=MESSAGE):
        module.loss_and_grads(params, X, Y)
    cost, _ = module.loss_and_grads(params, X[:, :65504], Y[:, :65504])
    assert 0.3 < float(cost) < 1.5
