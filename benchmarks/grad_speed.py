"""Gradient speed: symbackprop's generated NumPy vs hand-written NumPy, autograd, PyTorch, JAX.

One process, engines interleaved sample by sample, with a pause between timed samples (BLAS
threads keep spinning for a while after a call and would skew the next engine on 2 cores).
Every engine computes the same thing: the cost and the gradients of all W and b for one batch.

    python benchmarks/grad_speed.py            # full run (~2-3 minutes)
    python benchmarks/grad_speed.py --quick    # fewer samples

Prints per workload: median time per loss-and-gradients call, ratio to the hand-written
NumPy baseline (< 1 is faster), achieved GFLOP/s (the flops of the step's matmuls: W A and
dZ A^T per layer, W^T dZ for layers 2..L) against a plain NumPy matmul of the largest layer's
shape, and peak memory of one call (tracemalloc, which sees NumPy's array allocations).
PyTorch and JAX are used when importable and skipped otherwise; nothing is installed.
"""

from __future__ import annotations

import argparse
import functools
import statistics
import time
import tracemalloc
from collections.abc import Callable
from typing import Any

import numpy as np

import symbackprop as sb

PAUSE = 0.15

Engine = Callable[[dict[str, Any], Any, Any], Any]


# -- the hand-written baseline -----------------------------------------------------------------
# A clean CS231n-style implementation: a loop over layers, a cache of (A_prev, Z) per layer,
# the textbook formulas. No deliberate slowness: BCE and CE reuse the fused delta (A - Y) / m.
def _sigmoid(Z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-Z))


def _softmax(Z: np.ndarray) -> np.ndarray:
    E = np.exp(Z - Z.max(axis=0, keepdims=True))
    return E / E.sum(axis=0, keepdims=True)


FORWARD: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "sigmoid": _sigmoid,
    "tanh": np.tanh,
    "relu": lambda Z: np.maximum(Z, 0.0),
    "identity": lambda Z: Z,
    "softmax": _softmax,
}
# g'(z) from the cached activation A and pre-activation Z, times the upstream dA
BACKWARD: dict[str, Callable[[np.ndarray, np.ndarray, np.ndarray], np.ndarray]] = {
    "sigmoid": lambda dA, A, Z: dA * A * (1.0 - A),
    "tanh": lambda dA, A, Z: dA * (1.0 - A**2),
    "relu": lambda dA, A, Z: dA * (Z > 0),
    "identity": lambda dA, A, Z: dA,
}


def handwritten(acts: tuple[str, ...], loss: str) -> Engine:
    depth = len(acts)

    def loss_and_grads(params: dict[str, np.ndarray], X: np.ndarray, Y: np.ndarray) -> Any:
        m = X.shape[1]
        caches = []
        A = X
        for layer in range(1, depth + 1):
            Z = params[f"W{layer}"] @ A + params[f"b{layer}"]
            caches.append((A, Z))
            A = FORWARD[acts[layer - 1]](Z)
        if loss == "bce":
            cost = -np.sum(Y * np.log(A) + (1 - Y) * np.log(1 - A)) / m
            dZ = (A - Y) / m
        elif loss == "ce":
            cost = -np.sum(Y * np.log(A)) / m
            dZ = (A - Y) / m
        else:
            cost = 0.5 * np.sum((A - Y) ** 2) / m
            dZ = BACKWARD[acts[-1]]((A - Y) / m, A, caches[-1][1])
        grads = {}
        for layer in range(depth, 0, -1):
            A_prev, _ = caches[layer - 1]
            grads[f"W{layer}"] = dZ @ A_prev.T
            grads[f"b{layer}"] = np.sum(dZ, axis=1, keepdims=True)
            if layer > 1:
                dA = params[f"W{layer}"].T @ dZ
                dZ = BACKWARD[acts[layer - 2]](dA, A_prev, caches[layer - 2][1])
        return float(cost), grads

    return loss_and_grads


# -- autograd, PyTorch, JAX --------------------------------------------------------------------
def autograd_engine(acts: tuple[str, ...], loss: str) -> Engine | None:
    try:
        import autograd.numpy as anp
        from autograd import value_and_grad
    except ImportError:
        return None
    fns: dict[str, Callable[[Any], Any]] = {
        "sigmoid": lambda z: 0.5 * (anp.tanh(0.5 * z) + 1.0),
        "tanh": anp.tanh,
        "relu": lambda z: anp.maximum(z, 0.0),
        "identity": lambda z: z,
        "softmax": lambda z: (
            anp.exp(z - anp.max(z, axis=0, keepdims=True))
            / anp.sum(anp.exp(z - anp.max(z, axis=0, keepdims=True)), axis=0, keepdims=True)
        ),
    }

    def cost(params: dict[str, Any], X: Any, Y: Any) -> Any:
        A = X
        for layer, act in enumerate(acts, start=1):
            A = fns[act](anp.dot(params[f"W{layer}"], A) + params[f"b{layer}"])
        m = X.shape[1]
        if loss == "bce":
            return -anp.sum(Y * anp.log(A) + (1 - Y) * anp.log(1 - A)) / m
        if loss == "ce":
            return -anp.sum(Y * anp.log(A)) / m
        return 0.5 * anp.sum((A - Y) ** 2) / m

    return value_and_grad(cost)


def torch_engine(acts: tuple[str, ...], loss: str) -> Engine | None:
    try:
        import torch
    except ImportError:
        return None
    torch.set_num_threads(2)

    def run(params: dict[str, Any], X: Any, Y: Any) -> Any:
        p = {k: v.detach().requires_grad_(True) for k, v in params.items()}
        A = X
        for layer, act in enumerate(acts, start=1):
            Z = torch.addmm(p[f"b{layer}"], p[f"W{layer}"], A)
            if act == "softmax":
                logits = Z
                A = torch.softmax(Z, dim=0)
            else:
                logits = Z
                A = {"sigmoid": torch.sigmoid, "tanh": torch.tanh, "relu": torch.relu}.get(
                    act, lambda t: t
                )(Z)
        m = X.shape[1]
        if loss == "bce":
            J = torch.nn.functional.binary_cross_entropy_with_logits(logits, Y, reduction="sum")
        elif loss == "ce":
            J = -(Y * torch.log_softmax(logits, dim=0)).sum()
        else:
            J = 0.5 * ((A - Y) ** 2).sum()
        J = J / m
        J.backward()
        return float(J), {k: v.grad for k, v in p.items()}

    return run


def jax_engine(acts: tuple[str, ...], loss: str) -> Engine | None:
    try:
        import jax
        import jax.numpy as jnp
    except ImportError:
        return None
    jax.config.update("jax_enable_x64", True)

    def cost(params: dict[str, Any], X: Any, Y: Any) -> Any:
        A = X
        Z = X
        for layer, act in enumerate(acts, start=1):
            Z = params[f"W{layer}"] @ A + params[f"b{layer}"]
            A = {
                "sigmoid": jax.nn.sigmoid,
                "tanh": jnp.tanh,
                "relu": jax.nn.relu,
                "softmax": lambda z: jax.nn.softmax(z, axis=0),
            }.get(act, lambda z: z)(Z)
        m = X.shape[1]
        if loss == "bce":
            return jnp.sum(jnp.logaddexp(0.0, Z) - Y * Z) / m
        if loss == "ce":
            return -jnp.sum(Y * jax.nn.log_softmax(Z, axis=0)) / m
        return 0.5 * jnp.sum((A - Y) ** 2) / m

    step = jax.jit(jax.value_and_grad(cost))

    def run(params: dict[str, Any], X: Any, Y: Any) -> Any:
        value, grads = step(params, X, Y)
        jax.block_until_ready(grads)
        return value, grads

    return run


# -- workloads ---------------------------------------------------------------------------------
WORKLOADS: list[tuple[str, str, dict[str, Any], int]] = [
    ("4-3-2-1 sigmoid/bce m=1", "4-3-2-1", {}, 1),
    ("4-3-2-1 sigmoid/bce m=64", "4-3-2-1", {}, 64),
    (
        "784-256-256-10 relu/softmax/ce m=256",
        "784-256:relu-256:relu-10:softmax",
        {"loss": "ce"},
        256,
    ),
    (
        "1024^3-1 tanh/sigmoid/bce m=512",
        "1024-1024:tanh-1024:tanh-1024:tanh-1:sigmoid",
        {},
        512,
    ),
    (
        "20 x 64 relu + sigmoid/bce m=128",
        "64-" + "-".join(["64:relu"] * 20) + "-1:sigmoid",
        {},
        128,
    ),
]


def _data(
    net: sb.Network, m: int, mod: Any
) -> tuple[dict[str, np.ndarray], np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    params = mod.init_params(seed=0, scheme="he" if "relu" in net.activations else "xavier")
    n0 = int(net.widths[0])
    n_out = int(net.widths[-1])
    X = rng.standard_normal((n0, m))
    if net.loss == "ce":
        Y = np.eye(n_out)[:, rng.integers(0, n_out, m)]
    else:
        Y = (rng.random((n_out, m)) > 0.5).astype(float)
    return params, X, Y


def _flops(net: sb.Network, m: int) -> float:
    """Matmul flops of one step: W A and dZ A^T for every layer, W^T dZ for layers 2..L."""
    widths = [int(w) for w in net.widths]
    macs = [a * b * m for a, b in zip(widths[1:], widths[:-1], strict=True)]
    return 2.0 * (2 * sum(macs) + sum(macs[1:]))


def _reps(fn: Callable[[], Any], target: float = 0.02) -> int:
    start = time.perf_counter()
    fn()
    once = max(time.perf_counter() - start, 1e-7)
    return max(1, int(target / once))


def _peak(fn: Callable[[], Any]) -> int:
    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    tracemalloc.reset_peak()
    fn()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak - base


def bench(samples: int) -> list[str]:
    lines = []
    header = (
        f"| {'workload':<38} | {'engine':<11} | {'median':>10} | {'vs hand':>7} | "
        f"{'GFLOP/s':>7} | {'matmul':>7} | {'peak MiB':>8} |"
    )
    lines += [header, "|" + "|".join("-" * (len(c)) for c in header.split("|")[1:-1]) + "|"]
    for label, spec, kw, m in WORKLOADS:
        net = sb.Network.parse(spec, **kw)
        mod = sb.compile(net)
        params, X, Y = _data(net, m, mod)
        acts, loss = net.activations, net.loss
        # a workspace dict passed on every call reuses the large arrays (as a training loop would)
        workspace: dict[str, Any] = {}
        engines: dict[str, tuple[Engine, Any]] = {
            "generated": (mod.loss_and_grads, (params, X, Y)),
            "gen + work": (functools.partial(mod.loss_and_grads, work=workspace), (params, X, Y)),
            "hand-written": (handwritten(acts, loss), (params, X, Y)),
        }
        ag = autograd_engine(acts, loss)
        if ag is not None:
            engines["autograd"] = (ag, (params, X, Y))
        tr = torch_engine(acts, loss)
        if tr is not None:
            import torch

            tp = {k: torch.from_numpy(v) for k, v in params.items()}
            engines["torch"] = (tr, (tp, torch.from_numpy(X), torch.from_numpy(Y)))
        jx = jax_engine(acts, loss)
        if jx is not None:
            import jax.numpy as jnp

            jp = {k: jnp.asarray(v) for k, v in params.items()}
            engines["jax jit"] = (jx, (jp, jnp.asarray(X), jnp.asarray(Y)))
        # agreement first: every engine computes the same cost
        ref = engines["hand-written"][0](params, X, Y)[0]
        for name, (fn, args) in engines.items():
            value = float(fn(*args)[0])
            assert abs(value - ref) <= 1e-6 * max(1.0, abs(ref)), (name, value, ref)
        reps = {
            name: _reps(lambda fn=fn, args=args: fn(*args)) for name, (fn, args) in engines.items()
        }
        times: dict[str, list[float]] = {name: [] for name in engines}
        for _ in range(samples):
            for name, (fn, args) in engines.items():
                time.sleep(PAUSE)
                start = time.perf_counter()
                for _ in range(reps[name]):
                    fn(*args)
                times[name].append((time.perf_counter() - start) / reps[name])
        widths = [int(w) for w in net.widths]
        big = max(range(1, len(widths)), key=lambda i: widths[i] * widths[i - 1])
        Wb = np.random.default_rng(1).standard_normal((widths[big], widths[big - 1]))
        Ab = np.random.default_rng(2).standard_normal((widths[big - 1], m))
        mm_reps = _reps(lambda Wb=Wb, Ab=Ab: Wb @ Ab, target=0.1)
        mm_times = []
        for _ in range(max(3, samples // 2)):
            time.sleep(PAUSE)
            Wb @ Ab  # wake the BLAS threads up: the engines' calls find them busy
            start = time.perf_counter()
            for _ in range(mm_reps):
                Wb @ Ab
            mm_times.append((time.perf_counter() - start) / mm_reps)
        mm_gflops = 2.0 * widths[big] * widths[big - 1] * m / statistics.median(mm_times) / 1e9
        flops = _flops(net, m)
        hand = statistics.median(times["hand-written"])
        for name in engines:
            med = statistics.median(times[name])
            fn, args = engines[name]
            peak = (
                _peak(lambda fn=fn, args=args: fn(*args))
                if name
                in (
                    "generated",
                    "gen + work",
                    "hand-written",
                    "autograd",
                )
                else None
            )
            peak_text = f"{peak / 2**20:8.2f}" if peak is not None else f"{'-':>8}"
            unit = f"{med * 1e6:8.1f}us" if med < 1e-3 else f"{med * 1e3:8.2f}ms"
            lines.append(
                f"| {label:<38} | {name:<11} | {unit:>10} | {med / hand:7.2f} | "
                f"{flops / med / 1e9:7.2f} | {mm_gflops:7.1f} | {peak_text} |"
            )
            print(lines[-1], flush=True)
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="5 samples instead of 15")
    parser.add_argument("--samples", type=int, default=None)
    args = parser.parse_args()
    samples = args.samples or (5 if args.quick else 15)
    lines = bench(samples)
    print()
    print("\n".join(lines))


if __name__ == "__main__":
    main()
