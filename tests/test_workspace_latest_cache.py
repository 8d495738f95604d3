"""A cache that a later forward with the same workspace wrote over is refused (hostile34b #1).

With ``work``, forward writes its products into arrays kept in the workspace, and the cache it
returns holds those arrays. An evaluation forward between a training forward and its backward
(one ``work`` for both) overwrote them: backward then mixed the two batches into a wrong
gradient, with no error (dJ/dW1 off by 0.07 on 4-3:relu-2:tanh-1, 0.33 on residual_mlp). Forward
now keeps its latest cache in the workspace, and backward refuses a cache that shares arrays
with it but is not it (a copy of the latest too, which cannot be told from an earlier cache on
the same X); the latest cache and a cache made without the workspace give the gradient of their
own forward.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

import symbackprop as sb
from symbackprop.model import Model
from tests.framework_support import import_framework

NET = "4-3:relu-2:tanh-1"
MODEL = Path(__file__).resolve().parents[1] / "examples" / "models" / "residual_mlp.model"
STALE = (
    r"^cache is not the latest forward's with this work, and holds arrays that forward wrote "
    r"over \("
)


def _close(got: dict[str, Any], want: dict[str, Any]) -> bool:
    return all(np.allclose(np.asarray(got[k]), np.asarray(want[k]), atol=1e-12) for k in want)


def _net(backend: str) -> tuple[Any, dict[str, Any], tuple[Any, Any, Any]]:
    convert: Any = np.asarray
    if backend == "torch":
        convert = import_framework("torch").as_tensor
    module = sb.compile(NET, backend=backend)
    params = module.init_params(seed=0)
    rng = np.random.default_rng(0)
    X1, X2 = rng.standard_normal((4, 6)), rng.standard_normal((4, 6))
    Y = (rng.random((1, 6)) > 0.5) * 1.0
    return module, params, (convert(X1), convert(X2), convert(Y))


@pytest.mark.parametrize("backend", ["numpy", "torch"])
def test_a_network_cache_a_later_forward_overwrote_is_refused(backend: str) -> None:
    module, params, (X1, X2, Y) = _net(backend)
    work: dict[Any, Any] = {}
    _, first = module.forward(params, X1, work)
    module.forward(params, X2, work)  # an evaluation batch, into the same arrays
    with pytest.raises(ValueError, match=STALE):
        module.backward(params, first, Y, work)


@pytest.mark.parametrize("backend", ["numpy", "torch"])
def test_an_ensembles_earlier_cache_on_the_same_x_is_refused(backend: str) -> None:
    """hostile37b #1: members of an ensemble on one batch, one work: every array of the
    earlier member's cache is the workspace's (X is the caller's, the same object), so it
    passed as a copy of the latest, and its gradients were the last member's mixed in (dW3 off
    by 0.06). A cache that holds the workspace's arrays and is not the latest is refused."""
    module, params, (X1, _X2, Y) = _net(backend)
    members = [module.init_params(seed=seed) for seed in range(3)]
    work: dict[Any, Any] = {}
    caches = [module.forward(member, X1, work)[1] for member in members]
    for member, cache in zip(members[:-1], caches[:-1], strict=True):
        with pytest.raises(ValueError, match=STALE):
            module.backward(member, cache, Y, work)
    truth = module.backward(members[-1], module.forward(members[-1], X1)[1], Y)
    assert _close(module.backward(members[-1], caches[-1], Y, work), truth)
    with pytest.raises(ValueError, match=r"\(itself, not a copy\)"):
        module.backward(members[-1], dict(caches[-1]), Y, work)  # a copy: not told apart


@pytest.mark.parametrize("backend", ["numpy", "torch"])
def test_the_latest_cache_and_one_without_the_workspace_pass(backend: str) -> None:
    module, params, (X1, X2, Y) = _net(backend)
    truth = module.backward(params, module.forward(params, X1)[1], Y)
    work: dict[Any, Any] = {}
    _, latest = module.forward(params, X1, work)
    assert _close(module.backward(params, latest, Y, work), truth)
    _, own = module.forward(params, X1)  # fresh arrays, no workspace
    module.forward(params, X2, work)
    assert _close(module.backward(params, own, Y, work), truth)
    for _ in range(2):  # a training loop's calls
        assert _close(module.loss_and_grads(params, X1, Y, work)[1], truth)


def test_a_model_cache_a_later_forward_overwrote_is_refused() -> None:
    module = sb.compile(Model.from_file(MODEL))
    params = {k: v + 0.2 for k, v in module.init_params(seed=0).items()}
    rng = np.random.default_rng(1)
    X1, X2 = rng.standard_normal((4, 6)), rng.standard_normal((4, 6))
    Y = (rng.random((1, 6)) > 0.5) * 1.0
    truth = module.backward(params, module.forward(params, X1, Y)[1])
    work: dict[Any, Any] = {}
    _, first = module.forward(params, X1, Y, work=work)
    _, second = module.forward(params, X2, Y, work=work)
    with pytest.raises(ValueError, match=STALE):
        module.backward(params, first, work=work)
    module.backward(params, second, work=work)
    _, own = module.forward(params, X1, Y)  # its m is the number 6, shared by every cache
    assert _close(module.backward(params, own, work=work), truth)
    assert _close(module.loss_and_grads(params, X1, Y, work=work)[1], truth)
