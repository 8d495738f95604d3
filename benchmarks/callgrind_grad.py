"""Deterministic per-gradient cost: callgrind instructions and Python-to-NumPy calls.

Wall-clock ratios on a shared 2-core machine move by 10-30 % between runs; instruction counts
do not. For each workload, dtype and engine this runs the engine's ``grad`` under
``valgrind --tool=callgrind`` twice, with N and 2N calls after a warm-up, and divides the
difference by N. The calls run inside one C call, ``deque(starmap(grad, ...))``, and callgrind
collects inside ``deque_init`` only: Python's start and NumPy's import are left out, which
matters since NumPy's import alone varies by +-2M instructions from run to run (2M / N of noise
per gradient); the difference of the two runs leaves out what the collected part spends once
(and callgrind's call counts, which also count some calls made while it does not collect):

* ``instr``: instructions per gradient (every thread, BLAS included);
* ``numpy calls``: calls that cross from the interpreter into NumPy's C module per gradient
  (a ufunc, an operator such as ``A += b``, ``np.dot``, ``ndarray.fill``, an array's
  deallocation, a ``.shape`` or ``.T`` lookup: each is one call), with the ten most frequent;
* with ``--cache-sim``, the data-cache misses of callgrind's cache simulation per gradient:
  ``D1 misses`` (reads and writes that miss the 32 KiB L1) and ``LL misses`` (those that also
  miss the simulated last level). The last level is set to one core's L2 of this machine
  (:data:`LL_L2`, 512 KiB): every array of w2 and w3 fits the real 32 MiB L3, so an L3-sized
  last level would count nothing, and what an element-wise pass costs beyond its instructions
  is its traffic between L2 and L3. The simulation is of one thread's accesses in program
  order (no prefetching, no second core): a proxy for memory traffic, not a timing.

Engines: ``hand_numpy`` (the baseline of ``grad_speed.py``), ``gemm_floor`` (its products only),
``sb_numpy`` and ``sb_numpy_ws``
(the generated module without / with a workspace, wrapped as ``engines/sb_numpy.py`` wraps it:
its parameters' dict made once; ``sb_numpy_lists`` through the list adapter on every call),
and ``--extra NAME=path.py:make_grad`` (e.g. the shared harness's ``numpy_handopt``). The
generated module is written to a temporary file first, so the measured process imports NumPy
only. OpenBLAS runs on one thread (``OPENBLAS_NUM_THREADS=1``): spinning worker threads would
make the counts depend on timing. glibc's string functions stay on their vector loops
(``GLIBC_TUNABLES``, see :data:`GLIBC_TUNABLES`): callgrind would count a ``rep stosb`` memset
byte by byte.

Usage::

    python benchmarks/callgrind_grad.py --workloads w1_m1,w1_m64,w4 --dtypes float64
    python benchmarks/callgrind_grad.py --workloads w2 --dtypes float32,float64 \
        --engines gemm_floor,hand_numpy,sb_numpy_ws,sb_numpy --calls 1 --warmup 2
"""

from __future__ import annotations

import argparse
import collections
import dataclasses
import itertools
import os
import re
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np

HERE = Path(__file__).resolve().parent
WARMUP = 20
#: the C function the measured calls run inside: callgrind collects there only
MEASURED = "deque_init"


# -- the measured process ----------------------------------------------------------------------
def child(args: argparse.Namespace) -> None:
    """Set up one engine, warm it up, then make ``args.calls`` gradient calls inside one call
    of :data:`MEASURED` (``deque(iterable, maxlen=0)`` consumes the calls, keeping nothing)."""
    sys.path.insert(0, str(HERE))
    import grad_speed  # the workloads, their data and the plug-in loader

    spec = grad_speed.WORKLOADS[args.workload]
    spec = dataclasses.replace(spec, dtype=np.dtype(args.dtype))
    Ws, bs, X, Y = grad_speed.make_problem(spec)
    grad = make_engine(grad_speed, args.engine, spec, args.module)
    # an engine with the plug-in's prepare is timed as grad_speed.py times it: its step, on
    # inputs converted once (the generated module's parameters' dict)
    call, inputs = grad, (Ws, bs, X, Y)
    if hasattr(grad, "prepare"):
        call, inputs = grad.prepare(Ws, bs, X, Y)[0], ()  # type: ignore[assignment]
    for _ in range(args.warmup):
        call(*inputs)
    calls = itertools.starmap(call, itertools.repeat(inputs, args.calls))
    collections.deque(calls, maxlen=0)


def make_engine(grad_speed: Any, engine: str, spec: Any, module_path: str) -> Any:
    if engine == "hand_numpy":
        return grad_speed.load(HERE / "engines" / "hand_numpy.py", "hand").make_grad(spec)
    if engine == "gemm_floor":  # the products only, on its own arrays: the inputs are unused
        run = grad_speed.load(HERE / "engines" / "hand_numpy.py", "hand").make_gemm_floor(spec)
        return lambda *_: run()
    if engine.startswith("sb_numpy"):
        wrap = grad_speed.load(HERE / "engines" / "sb_numpy.py", "sb_numpy").wrap
        module = grad_speed.load(Path(module_path), "generated")
        prepared = engine != "sb_numpy_lists"
        return wrap(module, len(spec.sizes) - 1, engine == "sb_numpy_ws", prepared)
    name, _, target = engine.partition("=")
    path, _, function = target.rpartition(":")
    return getattr(grad_speed.load(Path(path), name), function)(spec)


# -- the driver --------------------------------------------------------------------------------
def generated_module(workload: str, directory: Path) -> Path:
    """The generated NumPy module of a workload, written to a file."""
    sys.path.insert(0, str(HERE))
    import grad_speed

    import symbackprop as sb

    engine = grad_speed.load(HERE / "engines" / "sb_numpy.py", "sb_numpy")
    text, loss = engine.network_text(grad_speed.WORKLOADS[workload])
    path = directory / f"{workload}.py"
    path.write_text(sb.codegen(sb.Network.parse(text, loss=loss)))
    return path


#: the simulated last-level cache of ``--cache-sim``: one core's L2 here (size, ways, line)
LL_L2 = "524288,8,64"

#: glibc's memset and memcpy switch to ``rep stosb`` / ``rep movsb`` above a few kilobytes, and
#: callgrind counts every byte those move as one instruction (a 32 KB memset: 32K
#: instructions, a microsecond of real time). These tunables keep them on their vector loops
#: (32 bytes an instruction), so that zeroing an output (``A.dot`` does, before BLAS writes
#: it) counts about what it costs: with them a 64 x 64 by 64 x 128 float32 ``A.dot`` counts
#: 160K instructions against 162K for ``np.matmul`` (wall clock: 13.7 us against 14.2 us);
#: without them 221K against 194K.
GLIBC_TUNABLES = (
    "glibc.cpu.x86_rep_stosb_threshold=1000000000:glibc.cpu.x86_rep_movsb_threshold=1000000000"
)


def run(
    workload: str,
    dtype: str,
    engine: str,
    module: Path,
    calls: int,
    out: Path,
    warmup: int,
    cache_sim: bool = False,
) -> Path:
    env = {
        **os.environ,
        "OPENBLAS_NUM_THREADS": "1",
        "PYTHONHASHSEED": "0",
        "GLIBC_TUNABLES": GLIBC_TUNABLES,
    }
    command = [
        "valgrind",
        "--tool=callgrind",
        "--collect-atstart=no",
        f"--toggle-collect={MEASURED}",
        f"--callgrind-out-file={out}",
        *(["--cache-sim=yes", f"--LL={LL_L2}"] if cache_sim else []),
        sys.executable,
        str(Path(__file__).resolve()),
        "--child",
        f"--workloads={workload}",
        f"--dtypes={dtype}",
        f"--engines={engine}",
        f"--module={module}",
        f"--calls={calls}",
        f"--warmup={warmup}",
    ]
    subprocess.run(command, env=env, check=True, capture_output=True)
    return out


def totals(path: Path) -> tuple[dict[str, int], Counter[str]]:
    """Every event's total in a callgrind output file (``Ir``, the instructions, and with the
    cache simulation ``D1mr``, ``DLmr``, ...), and the calls from outside NumPy's C module into
    it, by callee."""
    names: dict[str, str] = {}
    objects: dict[str, str] = {}

    def name(table: dict[str, str], text: str) -> str:
        found = re.match(r"\((\d+)\)(?: (.*))?", text)
        if found is None:
            return text
        if found.group(2) is not None:
            table[found.group(1)] = found.group(2)
        return table[found.group(1)]

    events: list[str] = []
    total: dict[str, int] = {}
    calls = Counter[str]()
    ob = cob = cfn = ""
    for line in path.read_text().splitlines():
        if line.startswith("events:"):
            events = line.split()[1:]
        elif line.startswith("summary:") or line.startswith("totals:"):
            total = dict(zip(events, map(int, line.split()[1:]), strict=False))
        elif line.startswith("ob="):
            ob = cob = name(objects, line[3:])
        elif line.startswith("cob="):
            cob = name(objects, line[4:])
        elif line.startswith(("fn=", "fi=", "fe=")):
            if line.startswith("fn="):
                name(names, line[3:])
            cob = ob
        elif line.startswith("cfn="):
            cfn = name(names, line[4:])
        elif line.startswith("calls="):
            if "_multiarray_umath" in cob and "_multiarray_umath" not in ob:
                calls[cfn] += int(line[6:].split()[0])
            cob = ob
    return total, calls


def measure(
    workload: str,
    dtype: str,
    engine: str,
    module: Path,
    calls: int,
    tmp: Path,
    warmup: int,
    cache_sim: bool = False,
) -> dict:
    once, twice = (
        totals(run(workload, dtype, engine, module, n, tmp / f"{n}.out", warmup, cache_sim))
        for n in (calls, 2 * calls)
    )
    if once[0].get("Ir", 0) == 0:
        raise SystemExit(f"callgrind collected nothing: this Python has no symbol {MEASURED}")
    per_call = Counter({k: (twice[1][k] - once[1][k]) / calls for k in twice[1]})
    per_call = Counter({k: v for k, v in per_call.items() if v > 0.01})

    def event(*names: str) -> float:
        return sum(twice[0].get(n, 0) - once[0].get(n, 0) for n in names) / calls

    return {
        "instr": event("Ir"),
        "d1_misses": event("D1mr", "D1mw"),
        "ll_misses": event("DLmr", "DLmw"),
        "numpy_calls": sum(per_call.values()),
        "top": per_call.most_common(10),
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--workloads", default="w1_m1,w1_m64,w4")
    ap.add_argument("--dtypes", default="float64")
    ap.add_argument("--engines", default="hand_numpy,sb_numpy,sb_numpy_ws")
    ap.add_argument("--extra", action="append", default=[], help="NAME=path.py:make_grad")
    ap.add_argument("--calls", type=int, default=50)
    ap.add_argument(
        "--warmup",
        type=int,
        default=WARMUP,
        help="calls before the measured ones (2 suffice on w2 and w3, whose calls are slow "
        "under valgrind; the products' counts do not vary)",
    )
    ap.add_argument("--top", action="store_true", help="list the most frequent NumPy calls")
    ap.add_argument(
        "--cache-sim",
        action="store_true",
        help=f"also count data-cache misses per gradient (L1, and a last level of {LL_L2})",
    )
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument(
        "--module",
        default="",
        help="for sb_numpy and sb_numpy_ws, this module file instead of the generated one (a "
        "variant edited by hand, to count a change before the code printer makes it)",
    )
    args = ap.parse_args(argv)
    if args.child:
        args.workload, args.dtype, args.engine = args.workloads, args.dtypes, args.engines
        child(args)
        return 0
    engines = args.engines.split(",") + [
        f"{e.partition('=')[0]}={Path(e.partition('=')[2]).resolve()}" for e in args.extra
    ]
    misses = " D1 misses / gradient | LL misses / gradient |" if args.cache_sim else ""
    print(
        f"| workload | dtype | engine | instructions / gradient |{misses} NumPy calls / gradient |"
    )
    print("|---|---|---|---|---|" + ("---|---|" if args.cache_sim else ""))
    with tempfile.TemporaryDirectory() as directory:
        tmp = Path(directory)
        for workload in args.workloads.split(","):
            module = (
                Path(args.module).resolve() if args.module else generated_module(workload, tmp)
            )
            for dtype in args.dtypes.split(","):
                for engine in engines:
                    row = measure(
                        workload,
                        dtype,
                        engine,
                        module,
                        args.calls,
                        tmp,
                        args.warmup,
                        args.cache_sim,
                    )
                    shown = engine.partition("=")[0]
                    cells = [f"{row['instr'] / 1e3:.1f}K"]
                    if args.cache_sim:
                        cells += [
                            f"{row['d1_misses'] / 1e3:.1f}K",
                            f"{row['ll_misses'] / 1e3:.1f}K",
                        ]
                    print(
                        f"| {workload} | {dtype} | {shown} | {' | '.join(cells)} "
                        f"| {row['numpy_calls']:.0f} |",
                        flush=True,
                    )
                    if args.top:
                        top = ", ".join(f"{k} {v:g}" for k, v in row["top"])
                        print(f"|   | | | | {top} |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
