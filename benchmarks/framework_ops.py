"""Deterministic per-gradient cost of the torch and JAX engines: what each one asks for.

Wall-clock ratios on a shared 2-core machine move by 10-50 %; these counts do not. For each
workload and dtype:

* torch engines (``sb_torch``, ``sb_torch_ws``, ``torch_eager``, ``torch_gemm_floor``): the
  aten operations of one gradient (top-level ones, by name), the tensor allocations and their
  bytes (``torch.profiler`` with ``profile_memory``) and the minor page faults per gradient
  (``getrusage`` over 20 calls after a warm-up: fresh memory the kernel hands out);
* JAX engines (``sb_jax`` against ``jax_jit``, that is ``jax.jit(jax.grad(loss))``): the
  operations of the compiled HLO's entry computation (fusions, dots, ...), which is what runs.

The engines are grad_speed.py's (``benchmarks/engines``), on its workloads and data.

Usage::

    python benchmarks/framework_ops.py --workloads w1_m1,w2 --dtypes float32
    python benchmarks/framework_ops.py --workloads w2 --engines sb_torch_ws,torch_gemm_floor
"""

from __future__ import annotations

import argparse
import collections
import dataclasses
import re
import resource
import sys
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import grad_speed  # noqa: E402 - the workloads, their data and the engines

TORCH = ("sb_torch", "sb_torch_ws", "torch_eager", "torch_gemm_floor")
CALLS = 20


def torch_row(engine: Any) -> str:
    """``ops N (name:count ...), allocations, KiB, page faults`` of one gradient."""
    import torch  # optional extra

    for _ in range(5):
        engine.sync(engine.step())
    faults = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    for _ in range(CALLS):
        engine.sync(engine.step())
    faults = (resource.getrusage(resource.RUSAGE_SELF).ru_minflt - faults) / CALLS
    activities = [torch.profiler.ProfilerActivity.CPU]
    with torch.profiler.profile(activities=activities, profile_memory=True) as prof:
        engine.sync(engine.step())
    ops: collections.Counter[str] = collections.Counter()
    for event in prof.events():
        parent = event.cpu_parent
        if event.name.startswith("aten::") and (
            parent is None or not parent.name.startswith("aten::")
        ):
            ops[event.name.removeprefix("aten::")] += 1
    memory = [e for e in prof.profiler.kineto_results.events() if e.name() == "[memory]"]
    allocated = [e.nbytes() for e in memory if e.nbytes() > 0]
    names = " ".join(f"{name}:{count}" for name, count in ops.items())
    return f"{sum(ops.values())} ({names}) | {len(allocated)} | {sum(allocated)} | {faults:.1f}"


def hlo_ops(function: Any, *args: Any) -> str:
    """The operations of the compiled entry computation, by kind, most frequent first."""
    text = function.lower(*args).compile().as_text()
    entry = text.split("ENTRY", 1)[1]
    kinds = collections.Counter(re.findall(r"= \S+ ([a-z][\w-]*)\(", entry))
    kinds.pop("parameter", None)
    return f"{sum(kinds.values())} ({' '.join(f'{k}:{n}' for k, n in kinds.most_common())})"


def jax_rows(spec: Any, problem: tuple) -> list[str]:
    """The HLO of the generated module's jitted ``gradients`` and of ``jax.jit(jax.grad)``."""
    import jax  # optional extra

    import symbackprop as sb

    Ws, bs, X, Y = problem
    engines = grad_speed.ENGINES
    net = grad_speed.load(engines / "sb_jax.py", "framework_ops_sb_jax").network(spec)
    frameworks = grad_speed.load(engines / "frameworks.py", "framework_ops_frameworks")
    theirs = frameworks.make_jax_jit(spec)  # enables x64, as the timed engines do
    if net is None or theirs is None:
        return []
    ours = sb.compile(net, backend="jax").gradients
    flat = tuple(a for pair in zip(Ws, bs, strict=True) for a in pair)
    nested = ([jax.device_put(W) for W in Ws], [jax.device_put(b) for b in bs])
    gradient = theirs.jitted  # the harness's jax.jit(jax.grad(loss)), on (Ws, bs), X, Y
    return [
        f"| sb_jax | {hlo_ops(ours, flat, X, Y)} |",
        f"| jax_jit | {hlo_ops(gradient, nested, X, Y)} |",
    ]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--workloads", default="w1_m1,w1_m64,w2,w3,w4")
    ap.add_argument("--dtypes", default="float32,float64")
    ap.add_argument("--threads", type=int, default=2, help="torch.set_num_threads")
    ap.add_argument(
        "--engines",
        default=",".join([*TORCH, "jax"]),
        help="a comma-separated subset of the torch engines and jax (both JAX rows)",
    )
    args = ap.parse_args(argv)
    wanted = set(args.engines.split(","))
    engines = grad_speed.builtin_engines()
    try:
        import torch  # optional extra
    except ImportError:
        torch = None
    else:
        torch.set_num_threads(args.threads)
    for workload in args.workloads.split(","):
        for dtype in args.dtypes.split(","):
            spec = dataclasses.replace(grad_speed.WORKLOADS[workload], dtype=np.dtype(dtype))
            problem = grad_speed.make_problem(spec)
            print(f"\n{workload} {dtype} ({spec.describe()})\n")
            print("| engine | aten ops / gradient | allocations | bytes | page faults |")
            print("|---|---|---|---|---|")
            for name in TORCH if torch is not None else ():
                if name not in wanted:
                    continue
                engine = engines[name](spec, *problem)
                if engine is not None:
                    print(f"| {name} | {torch_row(engine)} |", flush=True)
            rows = jax_rows(spec, problem) if "jax" in wanted else []
            if rows:
                print("\n| engine | compiled HLO entry operations |\n|---|---|")
                print("\n".join(rows), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
