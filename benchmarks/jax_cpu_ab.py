"""Interleaved A/B of JAX engines in process CPU time, XLA on one thread: a busy machine's check.

The JAX counterpart of ``torch_cpu_ab.py``. XLA runs a jitted call on threads of its own, so
the clock is the process's CPU time (``time.process_time``, every thread), with XLA held to one
thread (``XLA_FLAGS``, set before JAX is imported unless already set) so that no worker spins
on the clock while it waits. Each round runs every engine ``--calls`` times, each call synced
(``jax.block_until_ready``), starting from the next engine each round; the ratio reported is
the median, and the quartiles, of per-round ratios to the first engine. Like the torch A/B it
says which engine does less work on a busy machine; a ratio to a target is ``grad_speed.py``'s
on an idle one.

Engines: grad_speed.py's (``sb_jax``, ``jax_jit``; an engine may be named twice, its copy
shows the noise and the effect of its place in the round).

Usage::

    python benchmarks/jax_cpu_ab.py --workload w2 --dtype float32 --rounds 100 --calls 2 \\
        jax_jit sb_jax jax_jit
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import sys
import time
from pathlib import Path

import numpy as np

ONE_THREAD = "--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1"

sys.path.insert(0, str(Path(__file__).resolve().parent))
import cpu_rounds  # noqa: E402 - interleaved rounds and their table
import grad_speed  # noqa: E402 - the workloads, their data and the engines


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("engines", nargs="+")
    ap.add_argument("--workload", default="w2")
    ap.add_argument("--dtype", default="float32")
    ap.add_argument("--rounds", type=int, default=100)
    ap.add_argument("--calls", type=int, default=2)
    args = ap.parse_args(argv)
    os.environ.setdefault("XLA_FLAGS", ONE_THREAD)  # before the engines import JAX
    spec = dataclasses.replace(grad_speed.WORKLOADS[args.workload], dtype=np.dtype(args.dtype))
    problem = grad_speed.make_problem(spec)
    builtin = grad_speed.builtin_engines()
    engines = []
    for name in args.engines:
        if name not in builtin:
            raise SystemExit(f"unknown engine {name!r}; known: {', '.join(builtin)}")
        engine = builtin[name](spec, *problem)
        if engine is None:
            raise SystemExit(f"{name}: not available here (is JAX installed?)")
        engines.append(engine)
    for engine in engines:
        for _ in range(max(3, args.calls)):
            engine.sync(engine.step())
    steps = [lambda engine=engine: engine.sync(engine.step()) for engine in engines]
    times = cpu_rounds.rotated_rounds(steps, args.rounds, args.calls, time.process_time)
    print(
        f"{args.workload} {args.dtype}, process CPU time, XLA_FLAGS={os.environ['XLA_FLAGS']!r}, "
        f"{args.rounds} rounds of {args.calls} calls"
    )
    print(cpu_rounds.ratio_table("engine", args.engines, times))
    return 0


if __name__ == "__main__":
    sys.exit(main())
