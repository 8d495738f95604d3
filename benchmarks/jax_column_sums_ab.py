"""Interleaved A/B/C: the generated JAX module's jitted ``gradients`` with the column sums of Y
as written (ordered after the softmax: ``(Y + 0 * A3).sum(axis=0, keepdims=True)``), with the
plain ``Y.sum(axis=0, keepdims=True)`` it wrote before 2026-12-04, and with the assumed form
``(A3 - Y) / m`` (no sums), each against ``jax.jit(jax.grad(loss))``, on 784-256-256-10
relu/softmax-ce at m = 256.

Session 23 measured the module at 1.09-1.19x ``jax.jit(grad)`` on this workload in
``grad_speed.py``, which sleeps before every sample of a few calls; back to back (``--pause-ms
0 --calls 20``) the sums cost nothing. Session 24 found the cause with this script: the plain
sums need nothing computed, XLA's CPU runtime runs them beside the first product, and after an
idle pause that costs the next few calls 1-1.5 ms each. Each round sleeps ``--pause-ms`` before
each sample of ``--calls`` synced calls, the engines' order rotating round by round; printed
per dtype: the median and quartiles of the per-round ratios to ``jax.jit(grad)``. x64 is on, as
in the harness's JAX engines.

Usage::

    python benchmarks/jax_column_sums_ab.py --pause-ms 150 --calls 4 --rounds 45
    python benchmarks/jax_column_sums_ab.py --pause-ms 0 --calls 20 --rounds 40
"""

from __future__ import annotations

import argparse
import time
import types
from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

import symbackprop as sb

ORDERED = "Y_sums = (Y + 0 * A3).sum(axis=0, keepdims=True)"
PLAIN = "Y_sums = Y.sum(axis=0, keepdims=True)"


def variants() -> dict[str, types.ModuleType]:
    """The module as written, with the plain sums, and with the assumed form."""
    net = sb.Network.parse("784-256:relu-256:relu-10:softmax", loss="ce")
    text = sb.codegen(net, backend="jax")
    if ORDERED not in text or "(Y_sums * A3 - Y) / m" not in text:
        raise SystemExit("the module's softmax step is not the one this script edits")
    lines = [line for line in text.splitlines() if ORDERED not in line]
    texts = {
        "ordered": text,
        "plain": text.replace(ORDERED, PLAIN),
        "assumed": "\n".join(lines).replace("(Y_sums * A3 - Y) / m", "(A3 - Y) / m"),
    }
    out = {}
    for name, source in texts.items():
        module = types.ModuleType(f"generated_{name}")
        exec(compile(source, module.__name__, "exec"), module.__dict__)  # our own generated code
        out[name] = module
    return out


def jax_grad(m: int) -> Callable[..., Any]:
    """``jax.jit(jax.grad(loss))`` of the same network and mean cross-entropy."""

    def loss(params: tuple[Any, ...], X: Any, Y: Any) -> Any:
        W1, b1, W2, b2, W3, b3 = params
        A = jax.nn.relu(W2 @ jax.nn.relu(W1 @ X + b1) + b2)
        return -jnp.sum(Y * jax.nn.log_softmax(W3 @ A + b3, axis=0)) / m

    return jax.jit(jax.grad(loss))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rounds", type=int, default=45)
    ap.add_argument("--calls", type=int, default=4)
    ap.add_argument("--pause-ms", type=float, default=150.0)
    args = ap.parse_args()
    jax.config.update("jax_enable_x64", True)
    modules = variants()
    rng = np.random.default_rng(0)
    for dtype in (np.float64, np.float32):
        p = modules["ordered"].init_params(seed=0, dtype=dtype)
        params = tuple(jax.device_put(p[k]) for k in modules["ordered"].SHAPES)
        X = jax.device_put(rng.standard_normal((784, 256)).astype(dtype))
        Y = jax.device_put(np.eye(10, dtype=dtype)[:, rng.integers(0, 10, 256)])
        engines: dict[str, Callable[..., Any]] = {
            name: module.gradients for name, module in modules.items()
        }
        engines["jax_grad"] = jax_grad(256)
        arguments = (params, X, Y)
        for run in engines.values():
            for _ in range(5):
                jax.block_until_ready(run(*arguments))  # compiled and warm before timing
        names = list(engines)
        took: dict[str, list[float]] = {name: [] for name in names}
        for r in range(args.rounds):
            k = r % len(names)
            for name in names[k:] + names[:k]:
                time.sleep(args.pause_ms / 1e3)
                start = time.perf_counter()
                for _ in range(args.calls):
                    jax.block_until_ready(engines[name](*arguments))
                took[name].append(time.perf_counter() - start)
        base = np.array(took["jax_grad"])
        for name in names[:-1]:
            q1, med, q3 = np.percentile(np.array(took[name]) / base, [25, 50, 75])
            print(
                f"{np.dtype(dtype).name} {name}: {med:.3f} ({q1:.3f}-{q3:.3f}) of jax.jit(grad), "
                f"pause {args.pause_ms:g} ms, {args.calls} calls a sample"
            )


if __name__ == "__main__":
    main()
