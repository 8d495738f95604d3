"""symbackprop's generated NumPy module as a benchmark engine (forward and backward, no cost).

``make_grad`` calls the module without a workspace (every array fresh), ``make_grad_ws`` with
one dict reused across calls, as a training loop would. Both follow the plug-in contract of
``grad_speed.py``: ``make_grad(spec) -> grad(Ws, bs, X, Y) -> (dWs, dbs)``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

import symbackprop as sb

HEADS = {"sigmoid_bce": ("sigmoid", "bce"), "softmax_ce": ("softmax", "ce")}


def network_text(spec: Any) -> tuple[str, str]:
    """The symbackprop spec (``3-2:sigmoid-1:sigmoid``) and loss of a benchmark workload."""
    output, loss = HEADS[spec.output]
    widths = list(spec.sizes)
    parts = [str(widths[0])] + [f"{n}:{spec.hidden}" for n in widths[1:-1]]
    return "-".join([*parts, f"{widths[-1]}:{output}"]), loss


def _make(spec: Any, workspace: bool) -> Callable[..., Any] | None:
    if spec.output not in HEADS:
        return None
    text, loss = network_text(spec)
    module = sb.compile(sb.Network.parse(text, loss=loss))
    return wrap(module, len(spec.sizes) - 1, workspace)


def wrap(module: Any, depth: int, workspace: bool) -> Callable[..., Any]:
    """The plug-in ``grad`` of a generated network module of ``depth`` layers."""
    wkeys = [f"W{i + 1}" for i in range(depth)]
    bkeys = [f"b{i + 1}" for i in range(depth)]
    forward, backward = module.forward, module.backward
    work: dict[str, Any] | None = {} if workspace else None

    def grad(Ws: list, bs: list, X: np.ndarray, Y: np.ndarray) -> Any:
        params = dict(zip(wkeys, Ws, strict=True))
        params.update(zip(bkeys, bs, strict=True))
        _, cache = forward(params, X, work)
        grads = backward(params, cache, Y, work)
        return [grads[k] for k in wkeys], [grads[k] for k in bkeys]

    return grad


def make_grad(spec: Any) -> Callable[..., Any] | None:
    return _make(spec, workspace=False)


def make_grad_ws(spec: Any) -> Callable[..., Any] | None:
    return _make(spec, workspace=True)
