"""Interleaved A/B: the generated JAX module's jitted ``gradients`` with and without the column
sums of Y (softmax + cross-entropy for any target, ``(Y_sums * A3 - Y) / m``, against the
assumed ``(A3 - Y) / m``) on 784-256-256-10 relu/softmax-ce at m = 256.

Session 23 measured the generated JAX module at 1.09-1.19x ``jax.jit(jax.grad)`` on this
workload (``grad_speed.py --workloads w2``), where session 21 had 0.93-0.94 before the column
sums; this script asks whether they are the cost. Each round times ``--calls`` synced calls of
each variant, the pair's order alternating round by round; printed: the median and quartiles of
the per-round ratios (with / without), per dtype, x64 on as the harness's JAX engines run.

Usage::

    python benchmarks/jax_column_sums_ab.py --rounds 40 --calls 20
"""

from __future__ import annotations

import argparse
import re
import time
import types

import jax
import numpy as np

import symbackprop as sb


def variants() -> list[types.ModuleType]:
    """The generated module as written, and the same text with the assumed form instead."""
    net = sb.Network.parse("784-256:relu-256:relu-10:softmax", loss="ce")
    text = sb.codegen(net, backend="jax")
    assumed = re.sub(r"\n    Y_sums = [^\n]*", "", text).replace("Y_sums * A3 - Y", "A3 - Y")
    if "Y_sums" not in text or "Y_sums" in assumed:
        raise SystemExit("the module's softmax step is not the one this script edits")
    out = []
    for source in (text, assumed):
        module = types.ModuleType("generated")
        exec(compile(source, "generated", "exec"), module.__dict__)  # our own generated code
        out.append(module)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rounds", type=int, default=40)
    ap.add_argument("--calls", type=int, default=20)
    args = ap.parse_args()
    jax.config.update("jax_enable_x64", True)
    modules = variants()
    rng = np.random.default_rng(0)
    for dtype in (np.float64, np.float32):
        p = modules[0].init_params(seed=0, dtype=dtype)
        params = tuple(jax.device_put(p[k]) for k in modules[0].SHAPES)
        X = jax.device_put(rng.standard_normal((784, 256)).astype(dtype))
        Y = jax.device_put(np.eye(10, dtype=dtype)[:, rng.integers(0, 10, 256)])
        fs = [m.gradients for m in modules]
        for f in fs:
            jax.block_until_ready(f(params, X, Y))  # compiled before timing
        ratios = []
        for r in range(args.rounds):
            took = [0.0, 0.0]
            for k in (0, 1) if r % 2 == 0 else (1, 0):
                start = time.perf_counter()
                for _ in range(args.calls):
                    jax.block_until_ready(fs[k](params, X, Y))
                took[k] = time.perf_counter() - start
            ratios.append(took[0] / took[1])
        q1, med, q3 = np.percentile(ratios, [25, 50, 75])
        print(
            f"{np.dtype(dtype).name}: with / without the column sums {med:.3f} ({q1:.3f}-{q3:.3f})"
        )


if __name__ == "__main__":
    main()
