"""symbackprop's generated NumPy module as a benchmark engine (forward and backward, no cost).

``make_grad`` calls the module without a workspace (every array fresh), ``make_grad_ws`` with
one dict reused across calls, as a training loop would. Both follow the plug-in contract of
``grad_speed.py``: ``make_grad(spec) -> grad(Ws, bs, X, Y) -> (dWs, dbs)``, with the optional
``grad.prepare(Ws, bs, X, Y) -> (step, to_numpy)``: the module's own input, a dict of the
parameters keyed ``W1, ..., b1, ...``, is made once, untimed, as the torch and JAX engines
(``sb_torch``, ``sb_jax``, and the frameworks' built-in ones) convert their inputs once; a
training loop holds that dict and updates its arrays. ``make_grad_lists`` times the module
through an adapter from the harness's lists to that dict on every call, as
``../shared/grad_bench/symbackprop_extra.py`` does (about 0.9 us a call: a tenth of a 3-2-1
gradient), so that both numbers are on the table.
"""

from __future__ import annotations

import operator
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


def _make(spec: Any, workspace: bool, prepared: bool) -> Callable[..., Any] | None:
    if spec.output not in HEADS:
        return None
    text, loss = network_text(spec)
    module = sb.compile(sb.Network.parse(text, loss=loss))
    return wrap(module, len(spec.sizes) - 1, workspace, prepared)


def wrap(module: Any, depth: int, workspace: bool, prepared: bool = True) -> Callable[..., Any]:
    """The plug-in ``grad`` of a generated network module of ``depth`` layers; with
    ``prepared``, also its ``prepare`` (the parameters' dict made once, untimed).

    The adapter from the harness's lists to the module's dicts is kept cheap, since the
    hand-written engine has none: one ``dict(zip(...))`` and ``itemgetter`` (the obvious
    ``dict(zip(wkeys, Ws)); params.update(zip(bkeys, bs))`` and two list comprehensions cost
    17K instructions per call, more than a tenth of a 3-2-1 gradient; this costs about 8K).
    """
    keys = [*(f"W{i + 1}" for i in range(depth)), *(f"b{i + 1}" for i in range(depth))]
    weights, biases = _getter(keys[:depth]), _getter(keys[depth:])
    forward, backward = module.forward, module.backward
    work: dict[str, Any] | None = {} if workspace else None

    def grad(Ws: list, bs: list, X: np.ndarray, Y: np.ndarray) -> Any:
        # zip's strict=True costs 1.6K instructions; the harness passes depth weights and
        # depth biases (lists of other lengths misplace arrays, which the entry checks refuse
        # unless the shapes happen to fit)
        params = dict(zip(keys, [*Ws, *bs]))  # noqa: B905
        _, cache = forward(params, X, work)
        grads = backward(params, cache, Y, work)
        return weights(grads), biases(grads)

    def prepare(Ws: list, bs: list, X: np.ndarray, Y: np.ndarray) -> tuple[Any, Any]:
        params = dict(zip(keys, [*Ws, *bs], strict=True))

        def step() -> dict[str, np.ndarray]:
            _, cache = forward(params, X, work)
            return backward(params, cache, Y, work)  # type: ignore[no-any-return]

        def to_numpy(grads: dict[str, np.ndarray]) -> tuple[list, list]:
            # copies: with a workspace the next call overwrites the arrays returned
            return [np.array(grads[k]) for k in keys[:depth]], [
                np.array(grads[k]) for k in keys[depth:]
            ]

        return step, to_numpy

    if prepared:
        grad.prepare = prepare  # type: ignore[attr-defined]
    return grad


def _getter(keys: list[str]) -> Callable[[dict[str, Any]], tuple[Any, ...]]:
    """A function returning the values of ``keys`` as a tuple (one key included)."""
    if len(keys) == 1:
        (key,) = keys
        return lambda grads: (grads[key],)
    return operator.itemgetter(*keys)


def make_grad(spec: Any) -> Callable[..., Any] | None:
    return _make(spec, workspace=False, prepared=True)


def make_grad_ws(spec: Any) -> Callable[..., Any] | None:
    return _make(spec, workspace=True, prepared=True)


def make_grad_lists(spec: Any) -> Callable[..., Any] | None:
    return _make(spec, workspace=False, prepared=False)
