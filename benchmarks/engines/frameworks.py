"""The frameworks' own gradients as benchmark engines: torch eager autograd, ``jax.jit(grad)``.

Each ``make_*(spec)`` returns None when its framework is not importable (the engine is then
skipped), else a ``grad`` with the ``prepare`` attribute of the plug-in contract: the inputs
are converted to the framework's arrays once, untimed, and ``step()`` is what is timed.
"""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Callable
from typing import Any

import numpy as np

THREADS = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()


def available(name: str) -> bool:
    return importlib.util.find_spec(name) is not None


def make_torch_eager(spec: Any) -> Callable[..., Any] | None:
    """``torch.autograd.grad`` of the mean loss, eager mode, on the CPU."""
    if not available("torch"):
        return None
    import torch  # optional extra
    import torch.nn.functional as F  # noqa: N812 - torch's own spelling

    torch.set_num_threads(THREADS or 1)
    act = {"sigmoid": torch.sigmoid, "tanh": torch.tanh, "relu": torch.relu}[spec.hidden]
    m, bce = spec.m, spec.output == "sigmoid_bce"

    def loss(Ws: list, bs: list, X: Any, Y: Any) -> Any:
        A = X
        for W, b in zip(Ws[:-1], bs[:-1], strict=True):
            A = act(torch.addmm(b, W, A))
        Z = torch.addmm(bs[-1], Ws[-1], A)
        if bce:
            return F.binary_cross_entropy_with_logits(Z, Y, reduction="sum") / m
        return -(Y * torch.log_softmax(Z, dim=0)).sum() / m

    def prepare(Ws: list, bs: list, X: np.ndarray, Y: np.ndarray) -> tuple:
        Wt = [torch.tensor(W).requires_grad_() for W in Ws]
        bt = [torch.tensor(b).requires_grad_() for b in bs]
        Xt, Yt = torch.tensor(X), torch.tensor(Y)
        params = [*Wt, *bt]
        depth = len(Ws)

        def step() -> Any:
            return torch.autograd.grad(loss(Wt, bt, Xt, Yt), params)

        def to_numpy(out: Any) -> tuple:
            arrays = [g.detach().numpy().copy() for g in out]
            return arrays[:depth], arrays[depth:]

        return step, to_numpy

    def grad(Ws: list, bs: list, X: np.ndarray, Y: np.ndarray) -> tuple:
        step, to_numpy = prepare(Ws, bs, X, Y)
        return to_numpy(step())

    grad.prepare = prepare  # type: ignore[attr-defined]
    return grad


def make_jax_jit(spec: Any) -> Callable[..., Any] | None:
    """``jax.jit(jax.grad(loss))`` on the CPU, with 64-bit floats enabled."""
    if not available("jax"):
        return None
    import jax  # optional extra
    import jax.numpy as jnp

    jax.config.update("jax_enable_x64", True)  # float32 inputs stay float32
    act = {"sigmoid": jax.nn.sigmoid, "tanh": jnp.tanh, "relu": jax.nn.relu}[spec.hidden]
    m, bce = spec.m, spec.output == "sigmoid_bce"

    def loss(params: tuple, X: Any, Y: Any) -> Any:
        Ws, bs = params
        A = X
        for W, b in zip(Ws[:-1], bs[:-1], strict=True):
            A = act(W @ A + b)
        Z = Ws[-1] @ A + bs[-1]
        if bce:
            return jnp.sum(jnp.logaddexp(0.0, Z) - Y * Z) / m
        return -jnp.sum(Y * jax.nn.log_softmax(Z, axis=0)) / m

    gradient = jax.jit(jax.grad(loss))

    def prepare(Ws: list, bs: list, X: np.ndarray, Y: np.ndarray) -> tuple:
        params = ([jax.device_put(W) for W in Ws], [jax.device_put(b) for b in bs])
        Xj, Yj = jax.device_put(X), jax.device_put(Y)

        def step() -> Any:
            return gradient(params, Xj, Yj)

        def to_numpy(out: Any) -> tuple:
            return [np.array(g) for g in out[0]], [np.array(g) for g in out[1]]

        return step, to_numpy, jax.block_until_ready

    def grad(Ws: list, bs: list, X: np.ndarray, Y: np.ndarray) -> tuple:
        step, to_numpy, _ = prepare(Ws, bs, X, Y)
        return to_numpy(step())

    grad.prepare = prepare  # type: ignore[attr-defined]
    grad.jitted = gradient  # type: ignore[attr-defined] # its HLO: benchmarks/framework_ops.py
    return grad


def make_torch_gemm_floor(spec: Any) -> Callable[[], list[Any]] | None:
    """Only the products of one forward and backward pass, in torch (torch's own floor)."""
    if not available("torch"):
        return None
    import torch  # optional extra

    torch.set_num_threads(THREADS or 1)
    sizes, m = tuple(spec.sizes), spec.m
    dtype = {np.dtype(np.float64): torch.float64, np.dtype(np.float32): torch.float32}[
        np.dtype(spec.dtype)
    ]
    depth = len(sizes) - 1
    generator = torch.Generator().manual_seed(1)

    def draw(*shape: int) -> Any:
        return torch.randn(*shape, generator=generator, dtype=dtype)

    Ws = [draw(sizes[i + 1], sizes[i]) for i in range(depth)]
    acts = [draw(n, m) for n in sizes]
    deltas = [draw(n, m) for n in sizes]
    dWs = [torch.empty_like(W) for W in Ws]

    def run() -> list[Any]:
        for i in range(depth):
            torch.matmul(Ws[i], acts[i], out=acts[i + 1])
        for i in range(depth - 1, -1, -1):
            torch.matmul(deltas[i + 1], acts[i].T, out=dWs[i])
            if i:
                torch.matmul(Ws[i].T, deltas[i + 1], out=deltas[i])
        return dWs

    return run
