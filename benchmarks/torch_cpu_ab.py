"""Interleaved A/B of torch engines in thread CPU time on one thread: a busy machine's check.

Wall-clock ratios on a shared 2-core machine move by 10-50 %; the CPU time of the measuring
thread leaves out the time it waits for a core, though not the cache it shares with the other
processes. Each round runs every engine ``--calls`` times (``time.thread_time``, torch on one
thread), starting from the next engine each round; the ratio reported is the median, and the
quartiles, of per-round ratios to the first engine. Use it to compare variants of a generated
module, not to quote a ratio to a target: that is ``grad_speed.py`` on an idle machine.

Engines: grad_speed.py's (``sb_torch``, ``sb_torch_ws``, ``torch_eager``, ``torch_gemm_floor``)
or ``path/to/module.py`` (a generated torch network module, edited by hand say) and
``path/to/module.py:ws`` (the same with a workspace). A module's gradients are checked against
``sb_torch``'s first unless its file name contains ``unchecked`` (a variant that leaves out
work on purpose, to see what that work costs).

Usage::

    python benchmarks/torch_cpu_ab.py --workload w1_m64 --dtype float32 \\
        --rounds 60 --calls 200 old.py new.py old.py:ws new.py:ws torch_eager
"""

from __future__ import annotations

import argparse
import dataclasses
import importlib.util
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import cpu_rounds  # noqa: E402 - interleaved rounds and their table
import grad_speed  # noqa: E402 - the workloads, their data and the engines


def module_step(path: str, spec: Any, problem: tuple, reference: Any) -> Callable[[], Any]:
    """``step()``: the module at ``path`` (``:ws`` for a workspace), forward then backward."""
    import torch  # optional extra

    file, _, ws = path.partition(":")
    loaded = importlib.util.spec_from_file_location(f"ab_{abs(hash(path))}", file)
    assert loaded is not None and loaded.loader is not None
    module = importlib.util.module_from_spec(loaded)
    loaded.loader.exec_module(module)
    Ws, bs, X, Y = problem
    params = {f"W{i}": torch.from_numpy(W).clone() for i, W in enumerate(Ws, 1)}
    params |= {f"b{i}": torch.from_numpy(b).clone() for i, b in enumerate(bs, 1)}
    Xt, Yt = torch.from_numpy(X).clone(), torch.from_numpy(Y).clone()
    work: dict[str, Any] | None = {} if ws == "ws" else None

    def step() -> Any:
        _, cache = module.forward(params, Xt, work)
        return module.backward(params, cache, Yt, work)

    if "unchecked" not in Path(file).name:
        got, want = step(), reference.step()
        for name, value in want.items():
            if not torch.allclose(got[name], value, rtol=1e-4, atol=1e-6):
                raise SystemExit(f"{path}: d{name} differs from sb_torch's")
    return step


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("engines", nargs="+")
    ap.add_argument("--workload", default="w1_m64")
    ap.add_argument("--dtype", default="float32")
    ap.add_argument("--rounds", type=int, default=40)
    ap.add_argument("--calls", type=int, default=100)
    args = ap.parse_args(argv)
    import torch  # optional extra

    spec = dataclasses.replace(grad_speed.WORKLOADS[args.workload], dtype=np.dtype(args.dtype))
    problem = grad_speed.make_problem(spec)
    builtin = grad_speed.builtin_engines()
    reference = builtin["sb_torch"](spec, *problem)
    steps = []
    for name in args.engines:
        if name in builtin:
            steps.append(builtin[name](spec, *problem).step)
        else:
            steps.append(module_step(name, spec, problem, reference))
    torch.set_num_threads(1)  # after the engines: torch's own set the machine's count
    for step in steps:
        for _ in range(max(3, args.calls)):
            step()
    times = cpu_rounds.rotated_rounds(steps, args.rounds, args.calls, time.thread_time)
    print(f"{args.workload} {args.dtype}, one thread, {args.rounds} rounds of {args.calls} calls")
    print(cpu_rounds.ratio_table("engine", args.engines, times))
    return 0


if __name__ == "__main__":
    sys.exit(main())
