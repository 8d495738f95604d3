"""Model speed: the generated module of the residual MLP vs a tuned hand-written NumPy version.

The model is ``examples/models/residual_mlp.model`` (z1 = W1 X + b1, a1 = relu(z1),
h = W2 a1 + X, J = bce(sigmoid(w^T h + c), Y)) at n0 = n1 = 256, m = 256, float64. The
hand-written version is written for speed in the style of ``shared/grad_bench``'s
``numpy_handopt``: every array preallocated once, every matmul and ufunc writing into its
output, relu' from a cached mask, the bias gradients as GEMVs with a ones vector.

Engines run interleaved, round by round, with a pause before each sample (BLAS threads keep
spinning after a call); each round times a block of calls per engine. The result is the
median of the per-round ratios (generated / hand-written) with its interquartile range.

    python benchmarks/model_speed.py            # 31 rounds
    python benchmarks/model_speed.py --quick    # 7 rounds
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path
from typing import Any

import numpy as np

import symbackprop as sb
from symbackprop.model import Model

PAUSE = 0.1
MODEL = Path(__file__).parents[1] / "examples" / "models" / "residual_mlp.model"


def handwritten(n0: int, n1: int, m: int, dtype: Any = np.float64) -> Any:
    """loss_and_grads(params, X, Y) for the residual MLP, tuned: preallocated, in place."""
    dt = np.dtype(dtype)
    Z1, A1, H = np.empty((n1, m), dt), np.empty((n1, m), dt), np.empty((n0, m), dt)
    mask = np.empty((n1, m), np.bool_)
    z, d, loss = np.empty((1, m), dt), np.empty((1, m), dt), np.empty((1, m), dt)
    dH, dA1 = np.empty((n0, m), dt), np.empty((n1, m), dt)
    dW1, dW2 = np.empty((n1, n0), dt), np.empty((n0, n1), dt)
    db1, dw, dc = np.empty((n1, 1), dt), np.empty((n0, 1), dt), np.empty((1, 1), dt)
    ones = np.ones(m, dt)
    inv_m = 1.0 / m
    matmul, add, multiply = np.matmul, np.add, np.multiply

    def loss_and_grads(params: dict[str, np.ndarray], X: np.ndarray, Y: np.ndarray) -> Any:
        W1, b1, W2, w, c = (params[k] for k in ("W1", "b1", "W2", "w", "c"))
        # forward: Z1 = W1 X + b1, A1 = relu(Z1), H = W2 A1 + X, z = w^T H + c
        matmul(W1, X, out=Z1)
        add(Z1, b1, out=Z1)
        np.greater(Z1, 0.0, out=mask)
        np.maximum(Z1, 0.0, out=A1)
        matmul(W2, A1, out=H)
        add(H, X, out=H)
        matmul(w.T, H, out=z)
        add(z, c, out=z)
        # cost from the logits: max(z, 0) - y z + log1p(exp(-|z|))
        np.abs(z, out=loss)
        np.negative(loss, out=loss)
        np.exp(loss, out=loss)
        np.log1p(loss, out=loss)
        cost = (loss.sum() + np.maximum(z, 0.0).sum() - np.vdot(Y, z)) * inv_m
        # backward: d = (sigmoid(z) - Y) / m (z is at most a few units here: no overflow)
        np.negative(z, out=d)
        np.exp(d, out=d)
        add(d, 1.0, out=d)
        np.divide(1.0, d, out=d)
        np.subtract(d, Y, out=d)
        multiply(d, inv_m, out=d)
        dc[0, 0] = d.sum()
        matmul(H, d.T, out=dw)
        matmul(w, d, out=dH)
        matmul(dH, A1.T, out=dW2)
        matmul(W2.T, dH, out=dA1)
        multiply(dA1, mask, out=dA1)
        matmul(dA1, ones, out=db1.reshape(-1))
        matmul(dA1, X.T, out=dW1)
        return float(cost), {"W1": dW1, "b1": db1, "W2": dW2, "w": dw, "c": dc}

    return loss_and_grads


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="7 rounds instead of 31")
    parser.add_argument("--size", type=int, default=256, help="n0 = n1 = m (default 256)")
    args = parser.parse_args()
    n = args.size
    rounds = 7 if args.quick else 31
    module = sb.compile(Model.from_file(MODEL), sizes={"n0": n, "n1": n})
    hand = handwritten(n, n, n)
    rng = np.random.default_rng(0)
    params = module.init_params(seed=0)
    params["b1"] = rng.standard_normal((n, 1)) * 0.1
    X = rng.standard_normal((n, n))
    Y = rng.integers(0, 2, size=(1, n)).astype(np.float64)

    # the same numbers first
    cost_g, grads_g = module.loss_and_grads(params, X, Y)
    cost_h, grads_h = hand(params, X, Y)
    assert abs(cost_g - cost_h) <= 1e-12 * max(1.0, abs(cost_h)), (cost_g, cost_h)
    for name, value in grads_g.items():
        np.testing.assert_allclose(value, grads_h[name], rtol=1e-9, atol=1e-12)

    work: dict[str, np.ndarray] = {}
    engines = {
        "generated": lambda: module.loss_and_grads(params, X, Y, work=work),
        "hand-written": lambda: hand(params, X, Y),
    }
    for run in engines.values():  # warm up
        for _ in range(5):
            run()
    calls = 10
    samples: dict[str, list[float]] = {name: [] for name in engines}
    for _ in range(rounds):
        for name, run in engines.items():
            time.sleep(PAUSE)
            start = time.perf_counter()
            for _ in range(calls):
                run()
            samples[name].append((time.perf_counter() - start) / calls)
    ratios = [g / h for g, h in zip(samples["generated"], samples["hand-written"], strict=True)]
    q1, median, q3 = statistics.quantiles(ratios, n=4)
    print(f"residual MLP n0 = n1 = m = {n}, float64, {rounds} rounds of {calls} calls")
    for name, times in samples.items():
        print(f"  {name:>12}: median {statistics.median(times) * 1e3:.3f} ms per call")
    print(f"  ratio generated / hand-written: median {median:.3f} (IQR {q1:.3f} .. {q3:.3f})")


if __name__ == "__main__":
    main()
