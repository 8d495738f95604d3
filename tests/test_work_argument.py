"""A data array passed where a generated module takes ``work`` (``forward(params, X, Y)``,
``backward(params, cache, Y)`` of a model) is one clear TypeError naming ``work`` and what it
takes, in every backend, not an AttributeError deep inside (newcomer 3.2)."""

from __future__ import annotations

import re

import numpy as np
import pytest

import symbackprop as sb
from tests.framework_support import import_framework

SAID = "work must be None or a workspace dict"


def arrays(backend: str, *values: np.ndarray) -> list:
    """``values`` as the backend's arrays."""
    if backend == "torch":
        torch = import_framework("torch")
        return [torch.from_numpy(v) for v in values]
    if backend == "jax":
        jnp = import_framework("jax.numpy")
        return [jnp.asarray(v) for v in values]
    return list(values)


# torch and jax cost 9 s and 14 s here (their import and codegen): the slow suite runs them
@pytest.mark.parametrize(
    "backend",
    [
        "numpy",
        pytest.param("torch", marks=pytest.mark.slow),
        pytest.param("jax", marks=pytest.mark.slow),
    ],
)
def test_a_network_module_refuses_data_in_work(backend: str) -> None:
    if backend != "numpy":
        import_framework(backend)
    mod = sb.compile("4-3-2-1", backend=backend)
    params = mod.init_params()  # the backend's arrays
    rng = np.random.default_rng(0)
    X, Y = rng.standard_normal((4, 5)), (rng.random((1, 5)) > 0.5) * 1.0
    X, Y = arrays(backend, X, Y)
    calls = {
        "forward(params, X, work=None)": lambda: mod.forward(params, X, Y),
        "loss_and_grads(params, X, Y, work=None)": lambda: mod.loss_and_grads(params, X, Y, X),
        "backward(params, cache, Y, work=None)": lambda: mod.backward(
            params, mod.forward(params, X)[1], Y, X
        ),
    }
    for call, run in calls.items():
        with pytest.raises(TypeError, match="^" + re.escape(f"{call}: {SAID}")):
            run()
    # a workspace dict and None still work, with equal gradients
    _, fresh = mod.loss_and_grads(params, X, Y)
    _, kept = mod.loss_and_grads(params, X, Y, {})
    for name in mod.SHAPES:
        assert np.allclose(np.asarray(fresh[name]), np.asarray(kept[name]), rtol=0, atol=0)


def test_a_model_module_refuses_data_in_work() -> None:
    mod = sb.compile(sb.Model.from_file("examples/models/residual_mlp.model"))
    rng = np.random.default_rng(0)
    params = mod.init_params()
    data = [rng.standard_normal((rows, 5)) for rows, _ in (mod.DATA_SHAPES[d] for d in mod.DATA)]
    _, cache = mod.forward(params, *data)
    with pytest.raises(TypeError, match=rf"^backward[(]params, cache, work=None[)]: {SAID}"):
        mod.backward(params, cache, data[-1])


@pytest.mark.parametrize("backend", ["numpy", pytest.param("torch", marks=pytest.mark.slow)])
def test_two_network_modules_may_share_one_workspace(backend: str) -> None:
    """One ``work`` dict for two networks (hostile14 #9): the workspace key names the
    module's network, so each keeps arrays of its own and the numbers are those without a
    workspace (was NumPy's "output array has wrong dimensions")."""
    if backend != "numpy":
        import_framework(backend)
    nets = [sb.Network.parse("4-3-2-1"), sb.Network.parse("4-5:relu-2:tanh-1")]
    modules = [sb.compile(net, backend=backend) for net in nets]
    rng = np.random.default_rng(0)
    X, Y = arrays(backend, rng.standard_normal((4, 6)), (rng.random((1, 6)) < 0.5) * 1.0)
    params = [m.init_params() for m in modules]
    fresh = [m.loss_and_grads(p, X, Y) for m, p in zip(modules, params, strict=True)]
    work: dict = {}
    for _ in range(2):
        for module, p, (cost, grads) in zip(modules, params, fresh, strict=True):
            got_cost, got = module.loss_and_grads(p, X, Y, work)
            assert got_cost == cost
            for name, value in grads.items():
                assert np.array_equal(np.asarray(got[name]), np.asarray(value)), name


def test_one_network_at_two_sizes_may_share_one_workspace() -> None:
    """review15 N3: ``n-3-1`` compiled at n = 4 and at n = 5 have one network (a named width
    keeps its name); the key's digest covers the arrays' shapes too, so each keeps its own
    arrays (was "output array has wrong dimensions")."""
    net = sb.Network.parse("n-3-1")
    modules = [sb.compile(net, sizes={"n": n}) for n in (4, 5)]
    rng = np.random.default_rng(0)
    data = [(rng.standard_normal((n, 6)), (rng.random((1, 6)) < 0.5) * 1.0) for n in (4, 5)]
    params = [m.init_params() for m in modules]
    fresh = [m.loss_and_grads(p, *d) for m, p, d in zip(modules, params, data, strict=True)]
    work: dict = {}
    for _ in range(2):
        for module, p, d, (cost, grads) in zip(modules, params, data, fresh, strict=True):
            got_cost, got = module.loss_and_grads(p, *d, work)
            assert got_cost == cost
            for name, value in grads.items():
                assert np.array_equal(got[name], value), name
