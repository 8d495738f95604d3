"""Generated torch modules inside ``torch.autocast`` (mixed precision, hostile15 finding 3).

A training loop writes ``with torch.autocast("cpu", dtype=torch.bfloat16): loss = net(X, Y)``
and calls ``loss.backward()`` after the region. The module switches autocast off inside its
functions (BackpropCost's forward and backward included), as ``torch.amp.custom_fwd`` with
``cast_inputs`` does for a Function's forward: it computes in its tensors' own dtype there as
everywhere, so the gradients are the derived ones in the parameters' dtype, the numbers of
torch's autograd of the same cost in float32. Before, forward's products came out bfloat16
into the saved cache and backward mixed them with float32 deltas: torch's "expected m1 and m2
to have the same dtype" error; ``loss_and_grads`` gave bfloat16 gradients for float32
parameters.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

import symbackprop as sb
from symbackprop.model import Model

sys.path.insert(0, str(Path(__file__).parent))
from test_model_codegen import _arrays, _split  # noqa: E402
from torch_support import assert_close, compiled, data, direct_cost, leaves, torch  # noqa: E402

pytestmark = pytest.mark.usefixtures("needs_torch")

ROOT = Path(__file__).parents[1]


def _bf16() -> Any:
    """The CPU autocast region of a mixed-precision training loop."""
    return torch.autocast("cpu", dtype=torch.bfloat16)


@pytest.mark.parametrize(
    "inside",
    [False, pytest.param(True, marks=pytest.mark.slow)],
    ids=["backward-after", "backward-inside"],
)
def test_net_under_autocast_gives_float32_gradients_of_the_float32_cost(inside: bool) -> None:
    module = compiled("4-5:tanh-3:relu-1")
    net = module.module.Net(seed=0, dtype=torch.float32)
    X, Y = data(torch, module, 64, dtype=torch.float32)
    with _bf16():
        loss = net(X, Y)
        assert loss.dtype is torch.float32
        if inside:
            loss.backward()
        assert torch.is_autocast_enabled("cpu")  # the region is on again after the call
    if not inside:
        loss.backward()
    grads = {name: p.grad for name, p in net.params.items()}
    assert {g.dtype for g in grads.values()} == {torch.float32}
    # the derived gradients outside autocast: the same float32 computation, the same bits
    start = {name: p.detach() for name, p in net.params.items()}
    J, plain = module.loss_and_grads(start, X, Y)
    assert float(loss.detach()) == J
    assert all(torch.equal(grads[name], plain[name]) for name in plain)
    # torch's autograd of the cost written directly, in float32 without autocast
    tracked = leaves(torch, start)
    direct_cost(torch, module, tracked, X, Y).backward()
    assert_close(grads, {k: v.grad for k, v in tracked.items()}, rtol=1e-5)


def test_functions_under_autocast_follow_their_inputs_dtype() -> None:
    """loss_and_grads, forward and backward called inside the region: float32 in, float32
    out, the numbers of the same calls outside it; float64 stays float64."""
    module = compiled("4-3-2-1")
    for dtype in (torch.float32, torch.float64):
        params = module.init_params(seed=1, dtype=dtype)
        X, Y = data(torch, module, 16, dtype=dtype)
        J, want = module.loss_and_grads(params, X, Y)
        with _bf16():
            got_J, got = module.loss_and_grads(params, X, Y)
            A, cache = module.forward(params, X)
            again = module.backward(params, cache, Y)
        assert got_J == J and A.dtype is dtype
        assert {t.dtype for t in (*got.values(), *cache.values(), *again.values())} == {dtype}
        assert all(torch.equal(got[k], want[k]) and torch.equal(again[k], want[k]) for k in want)


def test_model_under_autocast_gives_float32_gradients_of_the_float32_cost() -> None:
    path = ROOT / "examples" / "models" / "residual_mlp.model"
    model = Model.from_file(path)
    module = sb.compile(model, backend="torch")
    params, values = _split(model, _arrays(model, sb.compile(model), path.stem, m=32))
    tensors = [torch.tensor(v, dtype=torch.float32) for v in values]
    net = module.module.Model(seed=1, dtype=torch.float32)
    with _bf16():
        loss = net(*tensors)
        _, inside = module.loss_and_grads(dict(net.params.items()), *tensors)
    loss.backward()
    grads = {name: p.grad for name, p in net.params.items()}
    assert {g.dtype for g in (*grads.values(), *inside.values())} == {torch.float32}
    start = {name: p.detach() for name, p in net.params.items()}
    _, plain = module.loss_and_grads(start, *tensors)
    assert all(torch.equal(grads[k], plain[k]) and torch.equal(inside[k], plain[k]) for k in plain)
    # torch's autograd through the generated forward's body, float32 without autocast
    tracked = leaves(torch, start)
    J, _ = module.module._forward.__wrapped__(tracked, *tensors)
    J.sum().backward()
    assert_close(grads, {k: v.grad for k, v in tracked.items()}, rtol=1e-5)
