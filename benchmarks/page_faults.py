"""Where the generated NumPy module's time goes without a workspace: page faults per call.

Times the tuned hand-written NumPy backprop, the generated module without a workspace and
with one, interleaved (each sample after a 150 ms pause, as ``grad_speed.py`` takes them), and
counts the minor page faults each call takes (``getrusage``): fresh memory that the kernel
zeroes on first touch. The hand code and the workspace reuse their arrays and take none.

    python benchmarks/page_faults.py w3 w4      # workload names of grad_speed.py
"""

from __future__ import annotations

import resource
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE / "engines")]

import hand_numpy  # noqa: E402  (the benchmark's own folders, put on the path above)
import sb_numpy  # noqa: E402
from grad_speed import WORKLOADS, make_problem  # noqa: E402

ROUNDS, PAUSE_S = 16, 0.15


def _faults() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt


def engines(name: str) -> dict[str, Callable[[], Any]]:
    """The three gradients of workload ``name``, each a call with no argument."""
    spec = WORKLOADS[name]
    Ws, bs, X, Y = make_problem(spec)
    hand = hand_numpy.make_grad(spec)
    fresh, reused = sb_numpy.make_grad(spec), sb_numpy.make_grad_ws(spec)
    assert hand is not None and fresh is not None and reused is not None
    return {
        "hand": lambda: hand(Ws, bs, X, Y),
        "sb, no workspace": fresh.prepare(Ws, bs, X, Y)[0],
        "sb, workspace": reused.prepare(Ws, bs, X, Y)[0],
    }


def measure(name: str) -> None:
    """Print each engine's median time a call, its ratio to the hand code (median and
    interquartile range over the rounds) and its median page faults a call."""
    steps = engines(name)
    for step in steps.values():
        step(), step()  # warm: the workspace made, the first faults taken
    calls = 1 if name == "w3" else 20  # a sample of some milliseconds
    times: dict[str, list[float]] = {k: [] for k in steps}
    faults: dict[str, list[float]] = {k: [] for k in steps}
    for rounds in range(ROUNDS):
        for key in list(steps) if rounds % 2 else list(steps)[::-1]:
            time.sleep(PAUSE_S)
            before, start = _faults(), time.perf_counter()
            for _ in range(calls):
                out = steps[key]()
            times[key].append((time.perf_counter() - start) / calls)
            faults[key].append((_faults() - before) / calls)
            del out
    base = np.array(times["hand"])
    for key in steps:
        ratio = np.array(times[key]) / base
        low, high = np.percentile(ratio, [25, 75])
        print(
            f"{name} {key:17s} {1e3 * np.median(times[key]):9.3f} ms  "
            f"ratio {np.median(ratio):.3f} ({low:.2f}-{high:.2f})  "
            f"faults/call {np.median(faults[key]):.0f}"
        )


if __name__ == "__main__":
    for workload in sys.argv[1:] or ["w3", "w4"]:
        measure(workload)
