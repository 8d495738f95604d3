"""symbackprop's generated PyTorch module as a grad_bench engine (issue 14, item 5).

    cd ../shared/grad_bench
    python bench.py run --workloads w1_m1,w1_m64,w2,w3,w4 --dtypes float64,float32 \
        --engines numpy_handopt,torch_eager,gemm_floor \
        --extra sbt=<repo>/benchmarks/engines/sb_torch.py:make_grad --out run.json

The plug-in contract of grad_bench: ``make_grad(spec) -> grad(Ws, bs, X, Y) -> (dWs, dbs)`` on
NumPy arrays, and ``grad.prepare(Ws, bs, X, Y) -> (step, to_numpy)``, which converts the inputs
to torch tensors once, untimed, as the built-in torch engines do; ``step()`` is what is timed:
the generated ``forward`` then ``backward`` (the gradients, no cost, as the other engines).
``make_grad`` calls the module without a workspace (every tensor fresh), ``make_grad_ws`` with
one dict reused across calls, as a training loop would (``sb_torch_ws`` in grad_speed.py).
Imports nothing from the harness.
"""

from __future__ import annotations

from typing import Any

import torch

import symbackprop as sb


def network(spec: Any) -> Any:
    """The grad_bench workload as a symbackprop Network (784-256:relu-10:softmax, ce)."""
    widths = list(spec.sizes)
    out, loss = ("sigmoid", "bce") if spec.output == "sigmoid_bce" else ("softmax", "ce")
    layers = [str(widths[0])] + [f"{w}:{spec.hidden}" for w in widths[1:-1]]
    return sb.Network.parse("-".join([*layers, f"{widths[-1]}:{out}"]), loss=loss)


def make_grad(spec: Any) -> Any:
    """``grad(Ws, bs, X, Y) -> (dWs, dbs)`` through the generated torch module, no workspace."""
    return _make(spec, workspace=False)


def make_grad_ws(spec: Any) -> Any:
    """The same with a workspace dict (``work=``) reused across the timed calls."""
    return _make(spec, workspace=True)


def _make(spec: Any, workspace: bool) -> Any:
    module = sb.compile(network(spec), backend="torch")
    depth = len(spec.sizes) - 1
    weights = [f"W{layer}" for layer in range(1, depth + 1)]
    biases = [f"b{layer}" for layer in range(1, depth + 1)]
    forward, backward = module.forward, module.backward

    def tensors(Ws: Any, bs: Any, X: Any, Y: Any) -> tuple[dict[str, Any], Any, Any]:
        params = {k: torch.from_numpy(W) for k, W in zip(weights, Ws, strict=True)}
        params.update({k: torch.from_numpy(b) for k, b in zip(biases, bs, strict=True)})
        return params, torch.from_numpy(X), torch.from_numpy(Y)

    def to_numpy(grads: dict[str, Any]) -> tuple[list[Any], list[Any]]:
        dWs = [grads[k].numpy().copy() for k in weights]
        return dWs, [grads[k].numpy().copy() for k in biases]

    def grad(Ws: Any, bs: Any, X: Any, Y: Any) -> tuple[list[Any], list[Any]]:
        params, Xt, Yt = tensors(Ws, bs, X, Y)
        work: dict[str, Any] | None = {} if workspace else None
        _, cache = forward(params, Xt, work)
        return to_numpy(backward(params, cache, Yt, work))

    def prepare(Ws: Any, bs: Any, X: Any, Y: Any) -> tuple[Any, Any]:
        params, Xt, Yt = tensors(Ws, bs, X, Y)
        params = {k: v.clone() for k, v in params.items()}  # torch's own memory
        Xt, Yt = Xt.clone(), Yt.clone()
        work: dict[str, Any] | None = {} if workspace else None

        def step() -> dict[str, Any]:
            _, cache = forward(params, Xt, work)
            return backward(params, cache, Yt, work)

        return step, to_numpy

    grad.prepare = prepare  # type: ignore[attr-defined]
    return grad
