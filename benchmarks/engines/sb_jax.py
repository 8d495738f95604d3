"""symbackprop's generated JAX module as a grad_bench engine (issue 14, item 5).

    python bench.py run --extra sbj=/path/to/benchmarks/engines/sb_jax.py:make_grad ...

``make_grad(spec)`` follows the plug-in contract of ``../shared/grad_bench/example_extra.py``
(the repository imports nothing from there): it returns ``grad(Ws, bs, X, Y) -> (dWs, dbs)``,
``jax.jit`` of the generated module's ``forward`` then ``backward`` (no cost, as
``jax.grad`` computes none), with a ``grad.prepare(Ws, bs, X, Y) -> (step, to_numpy, sync)``
attribute that moves the inputs onto the device once, untimed, as the harness's own
``jax_jit`` engine (``jax.jit(jax.grad(loss))``) does. x64 is enabled as there: float32
inputs stay float32.
"""

from __future__ import annotations

from typing import Any

import jax
import numpy as np

import symbackprop as sb

#: the harness's heads: (output activation, loss)
HEADS = {"sigmoid_bce": ("sigmoid", "bce"), "softmax_ce": ("softmax", "ce")}


def network(spec: Any) -> sb.Network | None:
    """The network of a grad_bench workload (sizes n0..nL, one hidden activation, a head)."""
    if spec.output not in HEADS:
        return None
    output, loss = HEADS[spec.output]
    widths = list(spec.sizes)
    layers = [f"{w}:{spec.hidden}" for w in widths[1:-1]] + [f"{widths[-1]}:{output}"]
    return sb.Network.parse("-".join([str(widths[0]), *layers]), loss=loss)


def make_grad(spec: Any) -> Any:
    """A jitted gradient of the generated JAX module for ``spec``; None if not a network."""
    net = network(spec)
    if net is None:
        return None
    jax.config.update("jax_enable_x64", True)  # as the harness's jax_jit engine
    module = sb.compile(net, backend="jax")
    depth = len(spec.sizes) - 1
    weights = [f"W{layer}" for layer in range(1, depth + 1)]
    biases = [f"b{layer}" for layer in range(1, depth + 1)]

    @jax.jit
    def gradients(params: dict[str, Any], X: Any, Y: Any) -> dict[str, Any]:
        _, cache = module.forward(params, X)
        return module.backward(params, cache, Y)  # type: ignore[no-any-return]

    def as_params(Ws: list[Any], bs: list[Any]) -> dict[str, Any]:
        return {**dict(zip(weights, Ws, strict=True)), **dict(zip(biases, bs, strict=True))}

    def split(out: dict[str, Any]) -> tuple[list[Any], list[Any]]:
        return [out[k] for k in weights], [out[k] for k in biases]

    def grad(Ws: list[Any], bs: list[Any], X: Any, Y: Any) -> tuple[list[Any], list[Any]]:
        return split(gradients(as_params(Ws, bs), X, Y))

    def prepare(Ws: list[Any], bs: list[Any], X: Any, Y: Any) -> tuple[Any, Any, Any]:
        params = jax.device_put(as_params(Ws, bs))
        Xj, Yj = jax.device_put(X), jax.device_put(Y)

        def to_numpy(out: dict[str, Any]) -> tuple[list[Any], list[Any]]:
            dWs, dbs = split(out)
            return [np.array(a) for a in dWs], [np.array(b) for b in dbs]

        return (lambda: gradients(params, Xj, Yj)), to_numpy, jax.block_until_ready

    grad.prepare = prepare  # type: ignore[attr-defined]
    return grad
