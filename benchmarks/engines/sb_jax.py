"""symbackprop's generated JAX module as a grad_bench engine (issue 14, item 5).

    python bench.py run --extra sbj=/path/to/benchmarks/engines/sb_jax.py:make_grad ...

``make_grad(spec)`` follows the plug-in contract of ``../shared/grad_bench/example_extra.py``
(the repository imports nothing from there): it returns ``grad(Ws, bs, X, Y) -> (dWs, dbs)``,
the generated module's ``gradients`` (its ``forward`` then ``backward``, jitted; no cost, as
``jax.grad`` computes none), with a ``grad.prepare(Ws, bs, X, Y) -> (step, to_numpy, sync)``
attribute that moves the inputs onto the device once, untimed, as the harness's own
``jax_jit`` engine (``jax.jit(jax.grad(loss))``) does. x64 is enabled as there: float32
inputs stay float32.

The timed call is the same on both sides: one jitted function called as ``f(params, X, Y)``
on device arrays (params a tuple of the six arrays here, a tuple of two lists of three there),
its result synced with ``jax.block_until_ready``; nothing is converted or rebuilt per call.
The dict API (``forward``/``backward`` on dicts keyed "W1", ...) is not timed: a jitted call
flattens its arguments and rebuilds its result on each call, and dicts there (keys sorted
every time) cost about 10% of a ~25 us call at 3-2-1, m = 1.
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
    """The generated module's jitted ``gradients`` for ``spec``; None if not a network."""
    net = network(spec)
    if net is None:
        return None
    jax.config.update("jax_enable_x64", True)  # as the harness's jax_jit engine
    module = sb.compile(net, backend="jax")
    gradients, depth = module.gradients, len(spec.sizes) - 1

    def interleave(Ws: list[Any], bs: list[Any]) -> tuple[Any, ...]:
        """W1, b1, W2, b2, ...: the order of SHAPES."""
        return tuple(a for pair in zip(Ws, bs, strict=True) for a in pair)

    def split(out: tuple[Any, ...]) -> tuple[list[Any], list[Any]]:
        return list(out[0::2]), list(out[1::2])

    def grad(Ws: list[Any], bs: list[Any], X: Any, Y: Any) -> tuple[list[Any], list[Any]]:
        return split(gradients(interleave(Ws, bs), X, Y))

    def prepare(Ws: list[Any], bs: list[Any], X: Any, Y: Any) -> tuple[Any, Any, Any]:
        params = tuple(jax.device_put(a) for a in interleave(Ws, bs))
        Xj, Yj = jax.device_put(X), jax.device_put(Y)
        assert len(params) == 2 * depth

        def to_numpy(out: tuple[Any, ...]) -> tuple[list[Any], list[Any]]:
            dWs, dbs = split(out)
            return [np.array(a) for a in dWs], [np.array(b) for b in dbs]

        return (lambda: gradients(params, Xj, Yj)), to_numpy, jax.block_until_ready

    grad.prepare = prepare  # type: ignore[attr-defined]
    return grad
